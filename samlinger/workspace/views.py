"""The organiser workspace at /arrangor: each feature's workspace pages are mounted here, behind one
login check, and the dashboard is its front page."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from ..audit.views import bp as audit_bp
from ..auth.factor_views import account_bp as second_factor_bp
from ..auth.views import account_bp, users_bp
from ..documents.workspace import bp as documents_bp
from ..evaluations.workspace import bp as evaluations_bp
from ..gatherings.workspace import bp as gatherings_bp
from ..messaging.workspace import bp as mail_bp
from ..municipalities.workspace import bp as municipalities_bp
from ..national.views import bp as national_bp
from ..offices import scope
from ..online.workspace import bp as online_bp
from ..questions.workspace import bp as questions_bp
from ..reach.workspace import bp as reach_bp
from ..registration.workspace import bp as registrations_bp
from . import dashboard as figures

bp = Blueprint("workspace", __name__, url_prefix="/arrangor")
# Every workspace endpoint is workspace.*, so tests/test_access.py finds them all behind require_login.
for part in (gatherings_bp, questions_bp, registrations_bp, mail_bp, documents_bp, account_bp, users_bp, audit_bp,
             municipalities_bp, online_bp, reach_bp, evaluations_bp, second_factor_bp, national_bp):
    bp.register_blueprint(part)


@bp.before_request
def require_login():
    """The one login check for the workspace: anonymous visitors go to the login page, with `next`. An organiser
    is kept to their own office's rows, at their office's address (offices/scope.py)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return scope.enter_workspace(current_user, current_app.extensions["samlinger.offices"])


@bp.get("/")
def dashboard():
    return render_template("organiser/dashboard.html", rows=figures.dashboard_rows(), past=figures.recent_past())
