"""Who may use the organiser workspace: decorators for views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def organiser_required(view):
    """Logged-in organisers and admins only; anonymous users are sent to the login page."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Admins only; a logged-in organiser gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
