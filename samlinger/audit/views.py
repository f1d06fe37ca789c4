"""The audit log page, for admins only (mounted under /arrangor)."""

from flask import Blueprint, render_template, request

from ..auth.access import admin_required
from . import service

bp = Blueprint("audit", __name__, url_prefix="/logg")


@bp.get("/")
@admin_required
def entries():
    page = request.args.get("side", 1, type=int)
    return render_template("organiser/audit/entries.html", pagination=service.entries_page(max(page, 1)))
