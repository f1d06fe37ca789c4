"""The language switcher: the person's choice is remembered in their session."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, redirect, request, session

bp = Blueprint("i18n", __name__)


@bp.post("/sprak/<code>")
def choose_language(code):
    from . import LANGUAGES

    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    # Only go back to a page of this site.
    target = request.form.get("next", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    return redirect(target)
