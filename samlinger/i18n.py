"""The language switcher: the person's choice is remembered in their session.

The switcher is a plain link, not a form: choosing a language changes nothing but how pages are shown,
so it needs no CSRF token, and public pages can go out the same to everyone, without a session.
"""

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, session

bp = Blueprint("i18n", __name__)


@bp.get("/sprak/<code>")
def choose_language(code):
    from . import LANGUAGES

    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    response = redirect(_page_of_this_site(request.args.get("next", "/")))
    # A page that shows the other language must not be answered from a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_of_this_site(target: str) -> str:
    """*target* if it is a path on this site, else the front page: the switcher is no open redirect.

    Browsers read a backslash as a slash, so "/\\evil.example" would leave the site like "//evil.example".
    """
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 32 for c in target)):
        return "/"
    return target
