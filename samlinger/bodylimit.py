"""How large a request body may be: small everywhere, an upload's size only where files are uploaded.

A public form needs a few kilobytes; accepting 50 MB on every route would let anyone make the server read
and parse that much per request.
"""

from flask import current_app, request
from flask_login import current_user

#: every request body at most this (MAX_CONTENT_LENGTH), unless its view `accepts_uploads`
FORM_MAX_BYTES = 256 * 1024
#: room for the other fields of an upload form, so that a file just over the limit gets the form's own message
UPLOAD_FORM_ROOM = 2**20


def accepts_uploads(view):
    """Mark a view that takes files: its requests may be as large as an upload (MAX_UPLOAD_MB)."""
    view.accepts_uploads = True
    return view


def is_upload() -> bool:
    """Whether the current request goes to a view that `accepts_uploads`."""
    return getattr(current_app.view_functions.get(request.endpoint), "accepts_uploads", False)


def _raise_for_uploads() -> None:
    # Only for a logged-in organiser: this runs before the workspace's login check and the CSRF check, and
    # a stranger must not make the server read an upload-sized body only to refuse it afterwards.
    if is_upload() and current_user.is_authenticated:
        request.max_content_length = current_app.config["MAX_UPLOAD_MB"] * 2**20 + UPLOAD_FORM_ROOM


def init_app(app) -> None:
    """Call before csrf.init_app: the CSRF check reads the form, and the limit must be set by then."""
    app.config["MAX_CONTENT_LENGTH"] = FORM_MAX_BYTES
    app.before_request(_raise_for_uploads)
