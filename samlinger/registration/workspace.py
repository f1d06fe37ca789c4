"""Workspace pages for a gathering's registrations: the list (search, correct, add, cancel, move up,
new link), check-in on the day, and the lists to take away (CSV, XLSX, printable)."""

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..audit.service import record
from ..collation import sorted_by_name
from ..extensions import db
from ..forms import ConfirmForm, confirmed_post, status_of
from ..gatherings.models import Gathering, Round
from ..questions.forms import with_questions
from ..refusal import Refused
from ..spreadsheets import download
from . import lists, service
from .counts import counts_of
from .forms import RegistrationAddForm, RegistrationEditForm, offer_sides, side_of
from .models import STATUSES, Registration
from .rows import Table

bp = Blueprint("registrations", __name__)


def _back_to_list(registration: Registration):
    return redirect(url_for(".participants", gathering_id=registration.gathering_id))


@bp.get("/samlinger/<int:gathering_id>/deltakere")
def participants(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    query = request.args.get("q", "")[:200]
    status = request.args.get("status", "") if request.args.get("status") in STATUSES else ""
    return render_template(
        "organiser/participants.html", gathering=gathering, query=query, status=status, statuses=STATUSES,
        registrations=lists.registrations(gathering.id, query=query, status=status),
        counts=counts_of(gathering.id), organisations=lists.organisation_counts(gathering.id),
        action_form=ConfirmForm())


@bp.route("/samlinger/<int:gathering_id>/deltakere/ny", methods=["GET", "POST"])
def add_registration(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    form = offer_sides(with_questions(RegistrationAddForm, gathering.questions)(), gathering)
    try:
        if form.validate_on_submit():
            added = service.register(gathering.id, form.details(), email=form.email.data,
                                     language=form.language.data, by_organiser=True,
                                     mode=side_of(form)).registration
            flash(_("%(name)s is registered and has been told by e-mail. Status: %(status)s.",
                    name=added.name, status=added.status_title), "success")
            return redirect(url_for(".participants", gathering_id=gathering.id))
    except Refused as refused:
        return _registration_form(gathering, form, refused, adding=True)
    return _registration_form(gathering, form, adding=True)


@bp.route("/pameldinger/<int:registration_id>/endre", methods=["GET", "POST"])
def edit_registration(registration_id):
    registration = db.get_or_404(Registration, registration_id)
    form = with_questions(RegistrationEditForm, registration.gathering.questions, registration.answers)(
        obj=registration)
    try:
        if form.validate_on_submit():
            service.edit(registration.id, form.details(), email=form.email.data)
            flash(_("The registration is saved."), "success")
            return _back_to_list(registration)
    except Refused as refused:
        return _registration_form(registration.gathering, form, refused, registration=registration)
    return _registration_form(registration.gathering, form, registration=registration)


def _registration_form(gathering, form, refused=None, *, adding=False, registration=None):
    return render_template("organiser/registration_form.html", gathering=gathering, form=form, adding=adding,
                           registration=registration, error=refused and str(refused)), status_of(form, refused)


@bp.post("/pameldinger/<int:registration_id>/ny-lenke")
def renew_link(registration_id):
    """End the person's manage links (a forwarded e-mail, a shared mailbox) and mail them a new one."""
    registration = db.get_or_404(Registration, registration_id)
    confirmed_post()
    try:
        service.renew_link(registration.id, by_organiser=True)
    except Refused as refused:
        flash(str(refused), "error")
    else:
        flash(_("%(name)s has been sent a new link; the old links no longer work.", name=registration.name),
              "success")
    return redirect(url_for(".edit_registration", registration_id=registration.id))


@bp.route("/pameldinger/<int:registration_id>/avmeld", methods=["GET", "POST"])
def cancel_registration(registration_id):
    registration = db.get_or_404(Registration, registration_id)
    form = ConfirmForm()
    if registration.is_active and form.validate_on_submit():
        service.cancel(registration.id, by_organiser=True)
        flash(_("The registration of %(name)s is cancelled; they have been told by e-mail.",
                name=registration.name), "success")
    if not registration.is_active or form.is_submitted():
        return _back_to_list(registration)
    return render_template("organiser/cancel_registration.html", registration=registration,
                           gathering=registration.gathering, form=form)


@bp.post("/pameldinger/<int:registration_id>/flytt-opp")
def move_up(registration_id):
    registration = db.get_or_404(Registration, registration_id)
    confirmed_post()
    try:
        service.move_up(registration.id)
    except Refused as refused:
        flash(str(refused), "error")
    else:
        flash(_("%(name)s now has a seat and has been told by e-mail.", name=registration.name), "success")
    return _back_to_list(registration)


# --- check-in: one tap marks a participant as arrived, a second tap undoes it ---------------------------

@bp.get("/samlinger/<int:gathering_id>/innsjekk")
def checkin(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    query = request.args.get("q", "")[:200]
    return render_template("organiser/checkin.html", gathering=gathering, query=query,
                           people=lists.checkin_list(gathering.id, query=query), counts=counts_of(gathering.id),
                           form=ConfirmForm())


@bp.post("/pameldinger/<int:registration_id>/innsjekk")
def toggle_checkin(registration_id):
    registration = db.get_or_404(Registration, registration_id)
    if not ConfirmForm().validate_on_submit() or request.form.get("present") not in ("1", "0"):
        abort(400)
    try:
        registration = service.check_in(registration.id, request.form["present"] == "1")
    except Refused:
        abort(409)
    if request.accept_mimetypes.best == "application/json":
        counts = counts_of(registration.gathering_id)
        return jsonify(present=registration.checked_in_at is not None, arrived=counts.checked_in,
                       expected=counts.confirmed)
    return redirect(url_for(".checkin", gathering_id=registration.gathering_id, q=request.form.get("q") or None,
                            _anchor=f"r{registration.id}"))


# --- lists to take away ------------------------------------------------------------------------------

def _export(about, gathering_ids: list[int], file_format: str, name: str) -> Response:
    if file_format not in ("csv", "xlsx"):
        abort(404)
    record("registration.export", about, f"Exported {file_format.upper()} of {about.text('title', 'nb')}")
    db.session.commit()
    table = Table(gathering_ids, with_gathering=isinstance(about, Round))
    return download(file_format, table.headers(), table.rows(), name, sheet_title=about.text("title"))


@bp.get("/samlinger/<int:gathering_id>/deltakere.<file_format>")
def export_gathering(gathering_id, file_format):
    gathering = db.get_or_404(Gathering, gathering_id)
    return _export(gathering, [gathering.id], file_format, f"deltakere-{gathering.slug}")


@bp.get("/runder/<int:round_id>/deltakere.<file_format>")
def export_round(round_id, file_format):
    round_ = db.get_or_404(Round, round_id)
    return _export(round_, [g.id for g in round_.gatherings], file_format,
                   f"deltakere-{round_.year}-{round_.term}")


@bp.get("/samlinger/<int:gathering_id>/deltakerliste")
def print_list(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    people = sorted_by_name(lists.on_site(lists.registrations(gathering.id, status="confirmed")), lambda r: r.name)
    return render_template("organiser/print_list.html", gathering=gathering, people=people)
