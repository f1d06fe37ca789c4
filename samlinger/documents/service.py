"""Presentations attached to a gathering: uploaded files in the storage, or links; in the organisers' order."""

import re

from flask import current_app
from sqlalchemy import func, select

from ..audit.service import record
from ..extensions import db
from ..gatherings.models import Document, Gathering
from ..ordering import move_in_list
from ..storage import Storage, new_key, storage_from_config
from ..uploads import check_upload

VISIBILITIES = ("public", "participants")


def storage() -> Storage:
    return storage_from_config(current_app.config)


def max_bytes() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def display_name(filename: str, extension: str) -> str:
    """The name a download gets: the uploader's file name without folders or control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip()
    stem = name.rpartition(".")[0].strip() or "presentasjon"
    return f"{stem[:200]}.{extension}"


def _next_position(gathering_id: int) -> int:
    highest = db.session.scalar(select(func.max(Document.position)).where(Document.gathering_id == gathering_id))
    return 0 if highest is None else highest + 1


def add_file(gathering: Gathering, *, filename: str, data: bytes, title: str, speaker: str) -> Document:
    """Check the upload by its content and store it under a generated name. Raises UploadRejected."""
    checked = check_upload(filename, data, max_bytes())
    key = new_key(checked.extension)
    files = storage()
    files.save(key, data, checked.content_type)
    document = Document(gathering_id=gathering.id, title=title, speaker=speaker, storage_key=key,
                        filename=display_name(filename, checked.extension), content_type=checked.content_type,
                        size=checked.size, position=_next_position(gathering.id))
    db.session.add(document)
    try:
        record("document.add", document, f"Uploaded {document.filename} to {gathering.title}")
        db.session.commit()
    except Exception:
        db.session.rollback()
        files.delete(key)
        raise
    return document


def add_link(gathering: Gathering, *, url: str, title: str, speaker: str) -> Document:
    document = Document(gathering_id=gathering.id, title=title, speaker=speaker, url=url,
                        position=_next_position(gathering.id))
    db.session.add(document)
    record("document.add", document, f"Added a link to {gathering.title}")
    db.session.commit()
    return document


def move(document: Document, step: int) -> None:
    """Move the document one place up (step -1) or down (+1) in its gathering's list."""
    if move_in_list(document.gathering.documents, document, step):
        db.session.commit()


def delete(document: Document) -> None:
    key = document.storage_key
    record("document.delete", document, f"Removed {document.title} from {document.gathering.title}")
    db.session.delete(document)
    db.session.commit()
    if key:
        storage().delete(key)


def set_visibility(gathering: Gathering, visibility: str) -> None:
    gathering.documents_visibility = visibility
    record("document.visibility", gathering, f"Presentations visible to: {visibility}")
    db.session.commit()
