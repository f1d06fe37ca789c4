"""The organiser workspace at /arrangor: every view here requires login."""

from flask import Blueprint, render_template

from ..audit.views import bp as audit_bp
from ..auth.access import organiser_required
from ..auth.views import account_bp, users_bp
from ..rounds.views import bp as rounds_bp
from . import service

bp = Blueprint("organiser", __name__, url_prefix="/arrangor")
# Parts of the workspace kept in their own packages, mounted here so that every
# organiser.* endpoint is covered by the login requirement test.
bp.register_blueprint(audit_bp)
bp.register_blueprint(account_bp)
bp.register_blueprint(users_bp)
bp.register_blueprint(rounds_bp)


@bp.get("/")
@organiser_required
def dashboard():
    return render_template("organiser/dashboard.html", rows=service.dashboard_rows(), past=service.recent_past())


# The workspace's other pages register themselves on bp.
from . import checkin, documents, exports, messages, participants  # noqa: E402,F401
