"""The one check for where a redirect may lead: after login (`next`), the old language switcher link and
`/<default>/x` stay on the site."""

import re
from urllib.parse import unquote

#: C0 controls (tab, CR, LF …), DEL and C1 controls
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe_next(target: str | None, fallback: str) -> str:
    """*target* if it is a path on this site, else *fallback*: no redirect leads off the site or fails.

    Only a path starting with a single "/" is followed. Browsers drop tabs and line breaks from a URL and
    read a backslash as a slash, so "/<tab>/evil.example" and "/<backslash>evil.example" would leave the
    site like "//evil.example", and a line break in the Location header is an error. Such targets are
    refused, also where they are still percent-encoded.
    """
    if not target:
        return fallback
    for text in (target, unquote(target)):
        if not text.startswith("/") or text.startswith("//") or "\\" in text or _CONTROL.search(text):
            return fallback
    return target
