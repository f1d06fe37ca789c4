"""Workspace pages for presentations afterwards: upload files or add links, order them, choose who sees
them, tell participants (mounted under /arrangor)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..bodylimit import accepts_uploads
from ..extensions import db
from ..forms import ConfirmForm
from ..gatherings.models import Gathering
from ..messaging import service as messaging
from ..refusal import Refused
from . import notify, service
from .forms import LinkForm, UploadForm, VisibilityForm
from .models import Document

bp = Blueprint("documents", __name__)


def _page(gathering, *, upload=None, link=None, status=200):
    visibility = VisibilityForm(visibility=gathering.documents_visibility)
    return render_template(
        "organiser/documents.html", gathering=gathering, upload=upload or UploadForm(prefix="upload"),
        link=link or LinkForm(prefix="link"), visibility=visibility, action_form=ConfirmForm(),
        confirmed=messaging.audience_counts([gathering.id])["confirmed"],
        batches=messaging.batches([gathering.id], kinds=("documents_ready",)),
    ), status


def _back(gathering_id: int):
    return redirect(url_for(".documents", gathering_id=gathering_id))


@bp.get("/samlinger/<int:gathering_id>/presentasjoner")
def documents(gathering_id):
    return _page(db.get_or_404(Gathering, gathering_id))


@bp.post("/samlinger/<int:gathering_id>/presentasjoner/fil")
@accepts_uploads
def upload_document(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    form = UploadForm(prefix="upload")
    if form.validate_on_submit():
        upload = form.file.data
        try:
            service.add_file(gathering, filename=upload.filename or "", data=upload.read(service.max_bytes() + 1),
                             speaker=form.speaker.data or "", **form.titles())
        except Refused as refused:
            if refused.code == service.GONE_CODE:
                abort(404)
            form.file.errors.append(str(refused))
        else:
            flash(_("The presentation is uploaded."), "success")
            return _back(gathering.id)
    return _page(gathering, upload=form, status=422)


@bp.post("/samlinger/<int:gathering_id>/presentasjoner/lenke")
def link_document(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    form = LinkForm(prefix="link")
    if form.validate_on_submit():
        try:
            service.add_link(gathering, url=form.url.data, speaker=form.speaker.data or "", **form.titles())
        except Refused:  # deleted meanwhile: "gone"
            abort(404)
        flash(_("The link is added."), "success")
        return _back(gathering.id)
    return _page(gathering, link=form, status=422)


@bp.post("/dokumenter/<int:document_id>/flytt")
def move_document(document_id):
    document = db.get_or_404(Document, document_id)
    if ConfirmForm().validate_on_submit() and request.form.get("step") in ("-1", "1"):
        service.move(document, int(request.form["step"]))
    return _back(document.gathering_id)


@bp.post("/dokumenter/<int:document_id>/slett")
def delete_document(document_id):
    document = db.get_or_404(Document, document_id)
    gathering_id = document.gathering_id
    if ConfirmForm().validate_on_submit():
        service.delete(document)
        flash(_("The presentation is removed."), "success")
    return _back(gathering_id)


@bp.post("/samlinger/<int:gathering_id>/presentasjoner/synlighet")
def document_visibility(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    form = VisibilityForm()
    if form.validate_on_submit():
        service.set_visibility(gathering, form.visibility.data)
        flash(_("Saved who can see the presentations."), "success")
    return _back(gathering.id)


@bp.post("/samlinger/<int:gathering_id>/presentasjoner/varsle")
def notify_documents(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    if ConfirmForm().validate_on_submit():
        # A reminder of the evaluation goes along when the organiser ticked it and the evaluation is open.
        batch, count = notify.send_documents_ready(gathering, evaluation=request.form.get("evaluation") == "yes")
        flash(ngettext("%(num)d participant will be told that the presentations are ready.",
                       "%(num)d participants will be told that the presentations are ready.", count), "success")
        return redirect(url_for("workspace.mail.mailing", batch=batch))
    return _back(gathering.id)

