"""The organiser workspace at /arrangor: every view here, nested blueprints included, requires login."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from ..audit.views import bp as audit_bp
from ..auth.views import account_bp, users_bp
from ..rounds.views import bp as rounds_bp
from . import service

bp = Blueprint("organiser", __name__, url_prefix="/arrangor")
# Parts of the workspace kept in their own packages, mounted here so that every
# organiser.* endpoint is behind require_login (and checked by tests/test_access.py).
bp.register_blueprint(audit_bp)
bp.register_blueprint(account_bp)
bp.register_blueprint(users_bp)
bp.register_blueprint(rounds_bp)


@bp.before_request
def require_login():
    """The one login check for the workspace: anonymous visitors go to the login page, with `next`."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()


@bp.get("/")
def dashboard():
    return render_template("organiser/dashboard.html", rows=service.dashboard_rows(), past=service.recent_past())


# The workspace's other pages register themselves on bp.
from . import checkin, documents, exports, messages, participants  # noqa: E402,F401
