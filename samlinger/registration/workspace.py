"""Workspace pages for a gathering's registrations: the list (search, correct, add, cancel, move up,
new link), check-in on the day, and the lists to take away (CSV, XLSX, printable)."""

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice
from wtforms.validators import InputRequired

from ..audit.service import record
from ..collation import sorted_by_name
from ..extensions import db
from ..forms import ConfirmForm, Form, confirmed_post, status_of
from ..gatherings.models import Gathering, Round
from ..locking import begin_write
from ..questions.forms import with_questions
from ..refusal import Refused
from ..seats import sides
from ..seats.ledger import ledger
from ..spreadsheets import download
from . import attendance, links, lists, service
from .forms import RegistrationAddForm, RegistrationEditForm, WalkInForm, offer_sides, side_of
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
    seats = ledger(gathering)
    return render_template(
        "organiser/participants.html", gathering=gathering, query=query, status=status, statuses=STATUSES,
        registrations=lists.registrations(gathering.id, query=query, status=status),
        seats=seats, organisations=lists.organisation_counts(gathering.id),
        attendance=attendance.summary(gathering, seats.counts), marked_afterwards=attendance.marked_afterwards,
        sides=sides.ATTENDANCE if gathering.mode == "hybrid" else None, action_form=ConfirmForm())


@bp.post("/pameldinger/<int:registration_id>/oppmote")
def mark_attendance(registration_id):
    """After the gathering: correct whether a confirmed participant came."""
    registration = db.get_or_404(Registration, registration_id)
    if not ConfirmForm().validate_on_submit() or request.form.get("attended") not in ("1", "0"):
        abort(400)
    attended = request.form["attended"] == "1"
    try:
        attendance.mark(registration.id, attended)
    except Refused as refused:
        flash(str(refused), "error")
    else:
        flash(_("%(name)s is marked as attended.", name=registration.name) if attended
              else _("%(name)s is marked as not attended.", name=registration.name), "success")
    return redirect(url_for(".participants", gathering_id=registration.gathering_id, _anchor=f"r{registration.id}"))


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
            service.edit(registration.id, form.details(), email=form.email.data or "")
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
        links.renew_link(registration.id, by_organiser=True)
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


#: the labels of service.MOVE_UP_REASONS: a choice, not free text, because the reason goes into the audit log
MOVE_UP_REASONS = {
    "speaker": _l("Speaker"),
    "organisers_guest": _l("Guest of the organisers"),
    "municipality_asked": _l("The municipality asked for it"),
    "replacement": _l("Replaces someone who cancelled"),
    "other": _l("Another reason"),
}
assert tuple(MOVE_UP_REASONS) == service.MOVE_UP_REASONS


class MoveUpForm(Form):
    reason = RadioField(_l("Why does the person get a seat out of turn?"),
                        choices=[SelectChoice(code, label) for code, label in MOVE_UP_REASONS.items()],
                        validators=[InputRequired(_l("Choose why the person gets a seat out of turn."))])


@bp.route("/pameldinger/<int:registration_id>/flytt-opp", methods=["GET", "POST"])
def move_up(registration_id):
    """Give someone on the waiting list a seat out of turn, even over the limits, for a reason chosen."""
    registration = db.get_or_404(Registration, registration_id)
    if not service.can_move_up(registration):
        if request.method == "POST":
            confirmed_post()
            flash(_("Only someone on the waiting list of a published gathering can be moved up."), "error")
        return _back_to_list(registration)
    form = MoveUpForm()
    if request.method == "POST":
        confirmed_post()  # a missing or stale CSRF token is a bad request, as for every button
    if form.validate_on_submit():
        try:
            service.move_up(registration.id, reason=form.reason.data)
        except Refused as refused:
            flash(str(refused), "error")
        else:
            flash(_("%(name)s now has a seat and has been told by e-mail.", name=registration.name), "success")
        return _back_to_list(registration)
    gathering = registration.gathering
    over = ledger(gathering).why_not(registration.municipality_id, registration.attendance_mode)
    return render_template("organiser/move_up.html", registration=registration, gathering=gathering, form=form,
                           over=over), status_of(form)


# --- check-in: one tap marks a participant as arrived, a second tap undoes it ---------------------------

@bp.get("/samlinger/<int:gathering_id>/innsjekk")
def checkin(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    return _checkin_page(gathering, WalkInForm())


def _checkin_page(gathering, walk_in_form, refused=None):
    query = request.args.get("q", "")[:200]
    return render_template("organiser/checkin.html", gathering=gathering, query=query,
                           people=lists.checkin_list(gathering.id, query=query),
                           counts=ledger(gathering).counts_on(sides.ON_SITE),
                           form=ConfirmForm(), walk_in_form=walk_in_form,
                           walk_ins_open=attendance.can_add_walk_in(gathering),
                           error=refused and str(refused)), status_of(walk_in_form, refused)


@bp.post("/samlinger/<int:gathering_id>/innsjekk/uten-pamelding")
def add_walk_in(gathering_id):
    """Someone who came without registering: added as confirmed and arrived, with their municipality."""
    gathering = db.get_or_404(Gathering, gathering_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _checkin_page(gathering, form)
    try:
        added = attendance.add_walk_in(gathering.id, form.details(), email=form.email.data or "",
                                       language=str(get_locale()))
    except Refused as refused:
        return _checkin_page(gathering, form, refused)
    flash(_("%(name)s is added as arrived.", name=added.name), "success")
    return redirect(url_for(".checkin", gathering_id=gathering.id, _anchor=f"r{added.id}"))


@bp.post("/pameldinger/<int:registration_id>/innsjekk")
def toggle_checkin(registration_id):
    registration = db.get_or_404(Registration, registration_id)
    if not ConfirmForm().validate_on_submit() or request.form.get("present") not in ("1", "0"):
        abort(400)
    try:
        registration = attendance.check_in(registration.id, request.form["present"] == "1")
    except Refused:
        abort(409)
    if request.accept_mimetypes.best == "application/json":
        counts = ledger(registration.gathering).counts_on(sides.ON_SITE)
        return jsonify(present=registration.checked_in_at is not None, arrived=counts.checked_in,
                       expected=counts.confirmed)
    return redirect(url_for(".checkin", gathering_id=registration.gathering_id, q=request.form.get("q") or None,
                            _anchor=f"r{registration.id}"))


# --- lists to take away ------------------------------------------------------------------------------

def _export(about, gathering_ids: list[int], file_format: str, name: str) -> Response:
    if file_format not in ("csv", "xlsx"):
        abort(404)
    begin_write()  # a GET that writes its audit entry: begins as a write (locking.py)
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
