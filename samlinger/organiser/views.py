"""The organiser workspace at /arrangor: every view here requires login."""

from flask import Blueprint, render_template

from ..auth.access import organiser_required
from . import service

bp = Blueprint("organiser", __name__, url_prefix="/arrangor")


@bp.get("/")
@organiser_required
def dashboard():
    return render_template("organiser/dashboard.html", rows=service.dashboard_rows())
