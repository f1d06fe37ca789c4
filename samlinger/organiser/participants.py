"""The registration list of a gathering: search, filter, correct, add, cancel, move up from the waiting list."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _

from ..extensions import db
from ..gatherings.models import Gathering
from ..people import service
from ..people.forms import RegistrationAddForm, RegistrationEditForm
from ..questions.forms import with_questions
from ..registration.forms import ConfirmForm
from ..registration.models import STATUSES, Registration
from .views import bp

REFUSALS = {
    "duplicate": lambda: _("This address is already registered for the gathering."),
    "closed": lambda: _("The gathering is not open for registration (draft or cancelled)."),
    "full": lambda: _("The gathering is full and has no waiting list."),
    "not_waitlisted": lambda: _("Only someone on the waiting list of a published gathering can be moved up."),
    "anonymised": lambda: _("The registration is anonymised: it has no address and no link."),
}


def _gathering(gathering_id: int) -> Gathering:
    return db.get_or_404(Gathering, gathering_id)


def _registration(registration_id: int) -> Registration:
    return db.get_or_404(Registration, registration_id)


def _back_to_list(registration: Registration):
    return redirect(url_for(".participants", gathering_id=registration.gathering_id))


@bp.get("/samlinger/<int:gathering_id>/deltakere")
def participants(gathering_id):
    gathering = _gathering(gathering_id)
    query = request.args.get("q", "")[:200]
    status = request.args.get("status", "")
    if status not in STATUSES:
        status = ""
    return render_template(
        "organiser/participants.html", gathering=gathering, query=query, status=status, statuses=STATUSES,
        registrations=service.registrations(gathering.id, query=query, status=status),
        counts=service.status_counts([gathering.id])[gathering.id],
        organisations=service.organisation_counts(gathering.id), action_form=ConfirmForm(),
    )


@bp.route("/samlinger/<int:gathering_id>/deltakere/ny", methods=["GET", "POST"])
def add_registration(gathering_id):
    gathering = _gathering(gathering_id)
    form = with_questions(RegistrationAddForm, gathering.questions)()
    error = None
    if form.validate_on_submit():
        try:
            outcome = service.add(gathering.id, form.details(), email=form.email.data, language=form.language.data)
        except service.ChangeRefused as refused:
            error = REFUSALS[refused.code]()
        else:
            flash(_("%(name)s is registered (%(status)s) and has been sent a confirmation.",
                    name=outcome.registration.name, status=outcome.registration.status_title), "success")
            return redirect(url_for(".participants", gathering_id=gathering.id))
    status = 422 if form.errors else (409 if error else 200)
    return render_template("organiser/registration_form.html", gathering=gathering, form=form, error=error,
                           adding=True), status


@bp.route("/pameldinger/<int:registration_id>/endre", methods=["GET", "POST"])
def edit_registration(registration_id):
    registration = _registration(registration_id)
    form = with_questions(RegistrationEditForm, registration.gathering.questions, registration.answers)(
        obj=registration)
    error = None
    if form.validate_on_submit():
        try:
            service.edit(registration.id, form.details(), email=form.email.data)
        except service.ChangeRefused as refused:
            error = REFUSALS[refused.code]()
        else:
            flash(_("The registration is saved."), "success")
            return _back_to_list(registration)
    status = 422 if form.errors else (409 if error else 200)
    return render_template("organiser/registration_form.html", gathering=registration.gathering, form=form,
                           error=error, registration=registration, adding=False), status


@bp.post("/pameldinger/<int:registration_id>/ny-lenke")
def renew_link(registration_id):
    """End the person's manage links (a forwarded e-mail, a shared mailbox) and mail them a new one."""
    registration = _registration(registration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.renew_link(registration.id)
    except service.ChangeRefused as refused:
        flash(REFUSALS[refused.code](), "error")
    else:
        flash(_("%(name)s has been sent a new link; the old links no longer work.", name=registration.name),
              "success")
    return redirect(url_for(".edit_registration", registration_id=registration.id))


@bp.route("/pameldinger/<int:registration_id>/avmeld", methods=["GET", "POST"])
def cancel_registration(registration_id):
    registration = _registration(registration_id)
    form = ConfirmForm()
    if not registration.is_active:
        return _back_to_list(registration)
    if form.validate_on_submit():
        service.cancel(registration.id)
        flash(_("The registration of %(name)s is cancelled; they have been told by e-mail.",
                name=registration.name), "success")
        return _back_to_list(registration)
    return render_template("organiser/cancel_registration.html", registration=registration,
                           gathering=registration.gathering, form=form)


@bp.post("/pameldinger/<int:registration_id>/flytt-opp")
def move_up(registration_id):
    registration = _registration(registration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.move_up(registration.id)
    except service.ChangeRefused as refused:
        flash(REFUSALS[refused.code](), "error")
    else:
        flash(_("%(name)s now has a seat and has been told by e-mail.", name=registration.name), "success")
    return _back_to_list(registration)


@bp.app_template_filter("datetime_short")
def datetime_short(value) -> str:
    """An instant as '03.02.2027 14:05' in Oslo time."""
    return format_datetime(value, "dd.MM.yyyy HH:mm") if value else ""
