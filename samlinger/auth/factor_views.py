"""The second factor's pages: the code after the password, enrolment with the QR code and the recovery codes,
and the organiser's own page about it in the workspace."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..redirects import safe_next
from ..refusal import Refused
from ..sealing import Unsealable, seal, unseal
from ..security import rate_limited
from . import secondfactor, signin
from .forms import EnrolForm, SecondFactorForm
from .models import User

bp = Blueprint("factor", __name__)
#: the organiser's own second factor, mounted under /arrangor/konto
account_bp = Blueprint("second_factor", __name__, url_prefix="/konto/andre-faktor")

_ENROLLING = "enrolling_secret"


@bp.after_request
@account_bp.after_request
def _not_kept(response):
    """The key, its QR code and the recovery codes are on these pages: no browser or proxy may keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_again():
    signin.end_pending()
    flash(_("Log in again with your e-mail address and password."), "error")
    return redirect(url_for("auth.login_page"))


def _next_page(user: User) -> str:
    return safe_next(signin.pending_next(), signin.landing(user))


@bp.route("/logg-inn/kode", methods=["GET", "POST"])
@rate_limited("RATELIMIT_LOGIN")
def code():
    """After the password: the code from the app or a recovery code, before any workspace page."""
    user = signin.pending_user()
    if user is None:
        return _start_again()
    if not user.has_second_factor:
        return redirect(url_for(".enrol"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        entered = form.code.data
        if secondfactor.looks_like_totp(entered):
            method = "password+totp" if secondfactor.verify_totp(user, entered) else None
        else:
            method = "password+recovery code" if secondfactor.use_recovery_code(user, entered) else None
        if method is not None:
            destination = _next_page(user)
            signin.start_session(user, method)  # commits the used code with the audit entry
            if method == "password+recovery code":
                flash(_("You used a recovery code. You have %(left)d left.",
                        left=secondfactor.recovery_codes_left(user)), "success")
            return redirect(destination)
        db.session.rollback()
        if signin.count_wrong_code() == 0:
            return _start_again()
        form.code.errors.append(str(secondfactor.WRONG_CODE))
    return render_template("auth/second_factor.html", form=form), 422 if form.errors else 200


def _enrolling_secret() -> str:
    """The secret being enrolled in this session (kept sealed in the cookie), a new one the first time."""
    try:
        return unseal(session[_ENROLLING], "enrolling")
    except (KeyError, TypeError, Unsealable):
        secret = secondfactor.new_secret()
        session[_ENROLLING] = seal(secret, "enrolling")
        return secret


def _enrol_page(user: User, form: EnrolForm, then: str, signing_in: bool):
    """Show the enrolment form, or take the factor into use and show the recovery codes once."""
    secret = _enrolling_secret()
    if form.validate_on_submit():
        try:
            codes = secondfactor.enrol(user, secret, form.code.data)
        except Refused as refused:
            db.session.rollback()
            form.code.errors.append(str(refused))
        else:
            session.pop(_ENROLLING, None)
            if signing_in:
                signin.start_session(user, "password+totp")  # commits the enrolment with the sign-in
            else:
                db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, then=then)
    uri = secondfactor.provisioning_uri(user, secret)
    return render_template("auth/enrol.html", form=form, qr=secondfactor.qr_data_uri(uri),
                           secret=secondfactor.spaced(secret), user=user), 422 if form.errors else 200


@bp.route("/logg-inn/ta-i-bruk", methods=["GET", "POST"])
@rate_limited("RATELIMIT_LOGIN")
def enrol():
    """After the password, for someone who needs the factor and has none yet: enrol, then the workspace."""
    user = signin.pending_user()
    if user is None:
        return _start_again()
    if user.has_second_factor:  # the password alone never replaces a factor already there
        return redirect(url_for(".code"))
    return _enrol_page(user, EnrolForm(), then=_next_page(user), signing_in=True)


@account_bp.route("/", methods=["GET", "POST"])
@rate_limited("RATELIMIT_LOGIN")
def index():
    """The organiser's own second factor: whether it is on and how many recovery codes are left; enrolling."""
    user = db.session.get(User, current_user.id)
    if user.has_second_factor:
        return render_template("auth/account_second_factor.html", user=user,
                               left=secondfactor.recovery_codes_left(user), required=secondfactor.required(user))
    if request.method == "GET" and not request.args.get("ta-i-bruk"):
        return render_template("auth/account_second_factor.html", user=user, left=0,
                               required=secondfactor.required(user))
    return _enrol_page(user, EnrolForm(), then=url_for(".index"), signing_in=False)
