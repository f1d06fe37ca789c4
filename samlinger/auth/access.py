"""Who may use what in the organiser workspace.

Login is required once for the whole workspace, by `workspace.views.require_login` on its blueprint;
admin pages add `admin_required`.
"""

from functools import wraps

from flask import abort
from flask_login import current_user


def admin_required(view):
    """Admins only; anyone else gets 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not (current_user.is_authenticated and current_user.is_admin):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
