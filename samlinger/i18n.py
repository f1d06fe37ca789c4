"""The language switcher: the person's choice is remembered in their session.

The switcher is a plain link, not a form: choosing a language changes nothing but how pages are shown,
so it needs no CSRF token, and public pages can go out the same to everyone, without a session.
"""

from flask import Blueprint, abort, redirect, request, session

from .urls import safe_next

bp = Blueprint("i18n", __name__)


@bp.get("/sprak/<code>")
def choose_language(code):
    from . import LANGUAGES

    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    response = redirect(safe_next(request.args.get("next"), "/"))
    # A page that shows the other language must not be answered from a cache.
    response.headers["Cache-Control"] = "no-store"
    return response

