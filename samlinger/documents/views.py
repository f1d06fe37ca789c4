"""Downloading presentations: public ones from the gathering page, participants-only ones through a manage link."""

from flask import Blueprint, abort, send_file

from ..extensions import db
from ..gatherings import public as gatherings
from ..registration import links as registration
from . import service
from .models import Document

bp = Blueprint("documents", __name__)


def _download(document: Document):
    if document.storage_key is None:
        abort(404)
    try:
        stream = service.storage().open(document.storage_key)
    except FileNotFoundError:
        abort(404)
    response = send_file(stream, mimetype=document.content_type, as_attachment=True,
                         download_name=document.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/samlinger/<slug>/presentasjoner/<int:document_id>")
def public_file(slug, document_id):
    gathering = gatherings.gathering_by_slug(slug)
    document = db.session.get(Document, document_id)
    if gathering is None or document is None or not service.can_download(document, gathering=gathering):
        abort(404)
    return _download(document)


@bp.get("/pamelding/<token>/presentasjoner/<int:document_id>")
def participant_file(token, document_id):
    """Only a confirmed participant's own manage link opens the documents of their gathering."""
    found = registration.find_by_token(token)
    document = db.session.get(Document, document_id)
    if found is None or document is None or not service.can_download(document, registration=found):
        abort(404)
    response = _download(document)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
