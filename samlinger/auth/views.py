"""Logging organisers in and out."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import func, select

from ..extensions import db, login
from .forms import LoginForm
from .models import User

bp = Blueprint("auth", __name__)

login.login_view = "auth.login_page"
login.login_message = None


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("organiser.dashboard")


@bp.route("/logg-inn", methods=["GET", "POST"])
def login_page():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data.strip().lower()))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong e-mail or password."), "error")
    return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200


@bp.post("/logg-ut")
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for(".login_page"))
