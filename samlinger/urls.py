"""Absolute links for e-mails and feeds, built from SAMLINGER_BASE_URL, also outside a request; the one
check for where a redirect may lead."""

import re
from urllib.parse import unquote, urlsplit

from flask import current_app

#: C0 controls (tab, CR, LF …), DEL and C1 controls
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def absolute_url(endpoint: str, _language: str | None = None, **values) -> str:
    """The address of *endpoint* on SAMLINGER_BASE_URL in *_language* (by default the current locale's):
    a link in a Nynorsk e-mail opens in Nynorsk."""
    from flask_babel import get_locale

    from .i18n import usable

    config = current_app.config
    language = usable(_language or str(get_locale() or config["SAMLINGER_DEFAULT_LANGUAGE"]))
    base = urlsplit(config["SAMLINGER_BASE_URL"])
    root = base.path.rstrip("/") + ("" if language == config["SAMLINGER_DEFAULT_LANGUAGE"] else "/" + language)
    adapter = current_app.url_map.bind(base.netloc, script_name=root or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


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
