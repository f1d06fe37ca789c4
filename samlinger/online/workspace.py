"""The organiser's page for a gathering followed online: the video link, and who attended online (marked one
by one or read from the meeting tool's attendance report). Mounted under /arrangor."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..bodylimit import accepts_uploads
from ..extensions import db
from ..forms import ConfirmForm
from ..gatherings.models import Gathering
from ..refusal import Refused
from ..registration.models import Registration
from . import service
from .forms import AttendanceReportForm, VideoLinkForm

bp = Blueprint("online", __name__)


def _gathering(gathering_id) -> Gathering:
    gathering = db.get_or_404(Gathering, gathering_id)
    if gathering.mode == "on_site":
        abort(404)
    return gathering


def _page(gathering, link_form=None, report_form=None, status=200):
    link = service.link_of(gathering.id)
    if link_form is None:
        link_form = VideoLinkForm(obj=link) if link is not None else VideoLinkForm()
    people = service.online_confirmed(gathering.id)
    return render_template("organiser/online.html", gathering=gathering, link=link, link_form=link_form,
                           report_form=report_form or AttendanceReportForm(prefix="report"), people=people,
                           attended=sum(r.checked_in_at is not None for r in people), form=ConfirmForm()), status


def _back(gathering_id):
    return redirect(url_for(".online", gathering_id=gathering_id))


@bp.get("/samlinger/<int:gathering_id>/nett")
def online(gathering_id):
    return _page(_gathering(gathering_id))


@bp.post("/samlinger/<int:gathering_id>/nett/lenke")
def video_link(gathering_id):
    gathering = _gathering(gathering_id)
    form = VideoLinkForm()
    if not form.validate_on_submit():
        return _page(gathering, link_form=form, status=422)
    try:
        told = service.set_video_link(gathering.id, form.url.data or "", form.meeting_id.data or "",
                                      form.passcode.data or "")
    except Refused as refused:
        form.url.errors.append(str(refused))
        return _page(gathering, link_form=form, status=422)
    flash(_("The video link is saved.") if form.url.data else _("The video link is removed."), "success")
    if told:
        flash(ngettext("%(num)d online participant is sent the link.",
                       "%(num)d online participants are sent the link.", told), "success")
    return _back(gathering.id)


@bp.post("/pameldinger/<int:registration_id>/deltok")
def mark(registration_id):
    db.get_or_404(Registration, registration_id)  # none, or another office's: not found, as on every page
    if not ConfirmForm().validate_on_submit() or request.form.get("attended") not in ("1", "0"):
        abort(400)
    try:
        registration = service.mark_attended(registration_id, request.form["attended"] == "1")
    except Refused as refused:
        flash(str(refused), "error")
        return redirect(url_for("workspace.dashboard"))
    return redirect(url_for(".online", gathering_id=registration.gathering_id, _anchor=f"r{registration.id}"))


@bp.post("/samlinger/<int:gathering_id>/nett/rapport")
@accepts_uploads
def report(gathering_id):
    gathering = _gathering(gathering_id)
    form = AttendanceReportForm(prefix="report")
    if form.validate_on_submit():
        try:
            result = service.import_report(gathering.id, form.report.data.read(service.REPORT_MAX_BYTES + 1))
        except Refused as refused:
            form.report.errors.append(str(refused))
        else:
            flash(ngettext("%(num)d online participant in the report is marked as attended.",
                           "%(num)d online participants in the report are marked as attended.", result.matched),
                  "success")
            if result.unmatched:
                flash(ngettext("%(num)d address in the report is not a confirmed online participant.",
                               "%(num)d addresses in the report are not confirmed online participants.",
                               result.unmatched), "warning")
            return _back(gathering.id)
    return _page(gathering, report_form=form, status=422)
