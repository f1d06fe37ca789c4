"""The participant's path: register, see the receipt, manage or cancel through the link."""

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..forms import ConfirmForm, confirmed_post, status_of
from ..gatherings import public as gatherings
from ..online.video import video_for
from ..questions.forms import with_questions
from ..refusal import Refused
from ..seats import rules
from ..seats.ledger import ledger
from ..security import rate_limited
from . import confirming, links, retention, service
from .forms import DetailsForm, RegistrationForm, RequestLinkForm, offer_sides, side_of
from .models import Registration
from .rules import can_cancel, can_change_details

bp = Blueprint("registration", __name__)

def _no_store(body):
    """Pages behind a manage link must not be kept by shared computers or proxies.

    `same-origin`: links and forms to other sites get no Referer, so the token in the address never
    leaves us, while our own forms keep the same-origin Referer that Flask-WTF requires over HTTPS
    (WTF_CSRF_SSL_STRICT, see security.init_app). `no-referrer` here made every form on these pages
    answer 400 over HTTPS.
    """
    response = make_response(body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


@bp.route("/samlinger/<slug>/pamelding", methods=["GET", "POST"])
@rate_limited("RATELIMIT_REGISTRATION")
def register(slug):
    gathering = gatherings.gathering_by_slug(slug) or abort(404)
    gathering_id = gathering.id  # the commit expires the object, and reading it again would reload it
    form = offer_sides(with_questions(RegistrationForm, gathering.questions)(), gathering)
    refused = None
    if form.validate_on_submit():
        try:  # the service checks deadline and seats under the gathering's lock
            outcome = service.register(gathering_id, form.details(), email=form.email.data,
                                       language=str(get_locale()), mode=side_of(form))
        except Refused as error:
            refused = error
        else:
            # The receipt says the same whether the address was new or already registered (only the
            # e-mail tells which): what the session keeps must not tell either, so no id or flag. Why a new
            # registration from the municipality would wait is the same for both (a fact about the
            # municipality, worked out before the registration).
            # Seat or waiting list, and the side, are what a new registration gets now (outcome.why is the same
            # for an address already registered), so they tell nothing about the address either.
            session["receipt"] = {"gathering": gathering_id, "email": form.email.data, "waiting": bool(outcome.why),
                                  "mode": side_of(form)}
            if outcome.why in (rules.MUNICIPALITY_LIMIT, rules.HELD):
                session["receipt"]["why"] = outcome.why
            return redirect(url_for(".receipt", slug=slug))
    return _register_page(gathering, form, refused)


def _register_page(gathering, form, refused):
    seats = ledger(gathering)
    if seats.state in ("closed", "full"):
        # No form to fill in; a form sent anyway (opened before it closed) is refused.
        error, status = service.FULL if seats.state == "full" else service.CLOSED, 403 if form.is_submitted() else 200
    else:
        error, status = refused, status_of(form, refused)
    return render_template("registration/register.html", gathering=gathering, seats=seats, form=form,
                           error=error and str(error)), status


@bp.get("/samlinger/<slug>/kvittering")
def receipt(slug):
    gathering = gatherings.gathering_by_slug(slug) or abort(404)
    data = session.get("receipt") or {}
    if data.get("gathering") != gathering.id:
        return redirect(url_for("gatherings.detail", slug=slug))
    why = data.get("why")
    mode = data.get("mode") or ("online" if gathering.mode == "online" else "on_site")
    return _no_store(render_template("registration/receipt.html", gathering=gathering, email=data["email"],
                                     why=why, why_text=rules.reason(gathering, why), waiting=data.get("waiting"),
                                     mode=mode))


@bp.route("/samlinger/<slug>/ny-lenke", methods=["GET", "POST"])
@rate_limited("RATELIMIT_MANAGE_LINK")
def request_link(slug):
    gathering = gatherings.gathering_by_slug(slug) or abort(404)
    form = RequestLinkForm()
    if form.validate_on_submit():
        links.request_link(gathering.id, form.email.data)
        flash(_("If the address is registered for this gathering, we have sent the link to it."), "success")
        return redirect(url_for(".request_link", slug=slug))
    return render_template("registration/request_link.html", gathering=gathering, form=form), status_of(form)


def _registration_or_404(token) -> Registration:
    registration = links.find_by_token(token)
    if registration is None:
        abort(404)
    return registration


@bp.route("/pamelding/<token>", methods=["GET", "POST"])
def manage(token):
    registration = _registration_or_404(token)
    form = with_questions(DetailsForm, registration.gathering.questions, registration.answers)(
        obj=None if registration.anonymised_at else registration)
    editable = can_change_details(registration)
    refused = None
    if editable and form.validate_on_submit():
        try:
            service.update_details(registration, form.details())
        except Refused as error:  # a confirmed seat cannot move to a municipality at its limit
            refused = error
            (form.municipality if "municipality" in form else form.organisation).errors.append(str(error))
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".manage", token=token))
    response = _no_store(render_template("registration/manage.html", registration=registration,
                                         gathering=registration.gathering, form=form, editable=editable,
                                         video=video_for(registration), switch_to=service.can_switch_mode(registration),
                                         erasable=retention.can_erase(registration), cancel_form=ConfirmForm()))
    response.status_code = status_of(form, refused)
    return response


@bp.get("/pamelding/<token>/bekreft")
def confirm_address(token):
    """The confirm link in the mail: opening it proves the mail reached the address (registration/confirming.py)."""
    registration = _registration_or_404(token)
    if confirming.confirm_address(registration.id):
        flash(_("Your e-mail address is confirmed. You keep your registration."), "success")
    return redirect(url_for(".manage", token=token))


@bp.post("/pamelding/<token>/deltakelse")
def switch_mode(token):
    """On site or online, while the other side has a free seat (registration/service.switch_mode)."""
    registration = _registration_or_404(token)
    confirmed_post()
    mode = request.form.get("mode", "")
    try:
        service.switch_mode(registration.id, mode)
    except Refused as refused:
        flash(str(refused), "error")
    else:
        flash(_("You now attend online. The video link is on this page and in your e-mail once the organisers "
                "have added it.") if mode == "online" else _("You now attend on site."), "success")
    return redirect(url_for(".manage", token=token))


@bp.route("/pamelding/<token>/avmeld", methods=["GET", "POST"])
def cancel(token):
    registration = _registration_or_404(token)
    form = ConfirmForm()
    if not can_cancel(registration):
        return redirect(url_for(".manage", token=token))
    if form.validate_on_submit():
        try:
            service.cancel(registration.id)
        except Refused as refused:  # the gathering ended meanwhile
            flash(str(refused), "error")
            return redirect(url_for(".manage", token=token))
        flash(_("Your registration is cancelled. We have sent you a confirmation by e-mail."), "success")
        return redirect(url_for(".manage", token=token))
    return _no_store(render_template("registration/cancel.html", registration=registration,
                                     gathering=registration.gathering, form=form))


@bp.post("/pamelding/<token>/ny-lenke")
def renew_link(token):
    """The participant ends every link to their registration; the new one goes to their address only."""
    registration = _registration_or_404(token)
    confirmed_post()
    slug = registration.gathering.slug
    links.renew_link(registration.id)
    flash(_("We have sent a new link to the address you registered with. The old links no longer work."),
          "success")
    return redirect(url_for("gatherings.detail", slug=slug))


@bp.route("/pamelding/<token>/slett", methods=["GET", "POST"])
def erase(token):
    """Once the gathering is over, the participant may delete their personal data themselves."""
    registration = _registration_or_404(token)
    if not retention.can_erase(registration):
        return redirect(url_for(".manage", token=token))
    form = ConfirmForm()
    if form.validate_on_submit():
        retention.erase(registration.id)
        flash(_("Your personal data is deleted. The link in your e-mails no longer works."), "success")
        return redirect(url_for("gatherings.index"))
    return _no_store(render_template("registration/erase.html", registration=registration,
                                     gathering=registration.gathering, form=form))
