"""Logging in and out, password reset, the organiser's own account and user administration."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from .. import startup_checks
from ..audit.service import record
from ..extensions import db, login
from ..forms import ConfirmForm
from ..redirects import safe_next
from ..refusal import Refused
from ..security import rate_limited
from ..urls import site_url
from . import notify, oidc, secondfactor, service, signin
from .access import admin_required
from .forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, NewUserForm, SetPasswordForm
from .models import User

bp = Blueprint("auth", __name__)
#: the logged-in person's own account, mounted under /arrangor
account_bp = Blueprint("account", __name__, url_prefix="/konto")
#: user administration for admins, mounted under /arrangor
users_bp = Blueprint("users", __name__, url_prefix="/brukere")

login.login_view = "auth.login_page"
login.login_message = None


@bp.route("/logg-inn", methods=["GET", "POST"])
@rate_limited("RATELIMIT_LOGIN")
def login_page():
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None and user.oidc_subject and oidc.configured():
            # Whoever the office's login knows comes in through it, so that leaving the group there is final.
            flash(_("This account signs in with the office's login."), "error")
            return render_template("auth/login.html", form=form, provider=True,
                                   provider_name=current_app.config["SAMLINGER_OIDC_NAME"]), 422
        if user is not None and secondfactor.asked_for(user):
            # The password alone opens nothing: the code (or enrolment) comes first.
            signin.begin_pending(user, request.args.get("next"))
            return redirect(url_for("factor.code" if user.has_second_factor else "factor.enrol"))
        if user is not None:
            signin.start_session(user, "password")
            return redirect(safe_next(request.args.get("next"), signin.landing(user)))
        flash(_("Wrong e-mail or password."), "error")
    return render_template("auth/login.html", form=form, provider=oidc.configured(),
                           provider_name=current_app.config["SAMLINGER_OIDC_NAME"]), 422 if form.is_submitted() else 200


@bp.post("/logg-ut")
def logout():
    id_token = session.get("oidc_id_token") if session.get("sign_in_method") == "oidc" else None
    if current_user.is_authenticated:
        # Ends this session everywhere, also a copy of the cookie.
        service.end_sessions(db.session.get(User, current_user.id))
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    if id_token and oidc.configured():
        # The office's login ends its session too, and sends the browser back to the login page.
        # Back to the login page without a language or an office: the one address registered with the provider.
        provider_logout = oidc.logout_url(id_token, site_url("auth.login_page"))
        if provider_logout:
            return redirect(provider_logout)
    return redirect(url_for(".login_page"))


@bp.route("/logg-inn/glemt-passord", methods=["GET", "POST"])
@rate_limited("RATELIMIT_PASSWORD_RESET")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        notify.request_reset(form.email.data)
        flash(_("If the address has an account, we have sent it a link to choose a new password."), "success")
        return redirect(url_for(".login_page"))
    return render_template("auth/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/logg-inn/nytt-passord/<token>", methods=["GET", "POST"])
@rate_limited("RATELIMIT_PASSWORD_RESET")
def set_password(token):
    user = service.user_for_token(token)
    if user is None:
        return render_template("auth/link_expired.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        service.set_password(user, form.new_password.data)
        flash(_("Your password is saved. Log in with it."), "success")
        return redirect(url_for(".login_page"))
    return render_template("auth/set_password.html", form=form, user=user), 422 if form.errors else 200


@account_bp.route("/passord", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        if user.check_password(form.current_password.data):
            service.set_password(user, form.new_password.data)
            signin.start_session(user, session.get("sign_in_method", "password"), new_sign_in=False)  # others end
            flash(_("Your password is changed. You are logged out everywhere else."), "success")
            return redirect(url_for("workspace.dashboard"))
        form.current_password.errors.append(_("The current password is wrong."))
    return render_template("auth/change_password.html", form=form), 422 if form.errors else 200


@users_bp.get("/")
@admin_required
def index():
    return render_template("auth/users.html", users=service.users(), form=ConfirmForm(),
                           limits_per_process=startup_checks.limits_per_process(current_app),
                           can_set_active=lambda user: service.can_set_active(user, current_user))


@users_bp.route("/ny", methods=["GET", "POST"])
@admin_required
def new():
    form = NewUserForm()
    if form.validate_on_submit():
        initial = form.initial_password.data if form.password_choice.data == "initial" else None
        try:
            user = service.create_user(form.email.data, form.name.data, admin=form.admin.data, password=initial,
                                       language=form.language.data)
        except Refused as refused:
            form.email.errors.append(str(refused))
        else:
            if initial is None:
                notify.queue_password_link(user, "welcome")
            record("user.create", user, f"{user.email} ({user.role})")
            db.session.commit()
            flash(_("The account for %(email)s is created.", email=user.email), "success")
            return redirect(url_for(".index"))
    return render_template("auth/new_user.html", form=form), 422 if form.errors else 200


@users_bp.post("/<int:user_id>/aktiv")
@admin_required
def set_active(user_id):
    form = ConfirmForm()
    user = db.session.get(User, user_id) or abort(404)
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        service.set_active(user, active, acting=current_user)
    except Refused as refused:
        flash(str(refused), "error")
        return redirect(url_for(".index"))
    flash(_("%(email)s can log in again.", email=user.email) if active
          else _("%(email)s is deactivated and logged out.", email=user.email), "success")
    return redirect(url_for(".index"))


@users_bp.post("/<int:user_id>/andre-faktor")
@admin_required
def reset_second_factor(user_id):
    """Take away someone's second factor (a lost phone): they enrol again at their next sign-in."""
    form = ConfirmForm()
    user = db.session.get(User, user_id) or abort(404)
    if not form.validate_on_submit():
        abort(400)
    secondfactor.reset(user)
    db.session.commit()
    flash(_("The second factor of %(email)s is reset. They set up a new one at their next sign-in.",
            email=user.email), "success")
    return redirect(url_for(".index"))
