"""Presentations attached to a gathering: uploaded files in the storage, or links; in the organisers' order."""

import logging
from collections.abc import Iterable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.service import record
from ..documents.models import Document
from ..extensions import db
from ..files.storage import Storage, new_key, storage_from_config
from ..files.uploads import check_upload, display_name
from ..gatherings.models import Gathering
from ..locking import begin_write
from ..ordering import move_in_list
from ..refusal import Refused

VISIBILITIES = ("public", "participants")

GONE_CODE = "gone"
GONE = _l("The gathering no longer exists.")

log = logging.getLogger(__name__)


def storage() -> Storage:
    return storage_from_config(current_app.config)


def max_bytes() -> int:
    return current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024


def _next_position(gathering_id: int) -> int:
    highest = db.session.scalar(select(func.max(Document.position)).where(Document.gathering_id == gathering_id))
    return 0 if highest is None else highest + 1


def shown_publicly(gathering: Gathering) -> bool:
    """Whether the gathering's presentations are on its public page, for anyone to download."""
    return gathering.documents_visibility == "public"


def can_download(document: Document, *, gathering: Gathering | None = None, registration=None) -> bool:
    """Whether *document* may be downloaded from the public page of *gathering* (its presentations are public),
    or through the manage link of *registration* (a confirmed participant of its gathering)."""
    if gathering is not None:
        return document.gathering_id == gathering.id and shown_publicly(gathering)
    return (registration is not None and document.gathering_id == registration.gathering_id
            and registration.status == "confirmed")


def _locked_gathering(gathering: Gathering) -> Gathering:
    """The gathering, fresh and locked for adding to it; refuses "gone" when it was deleted meanwhile (its documents
    go with it, so one added now would belong to nothing)."""
    gathering_id = gathering.id
    begin_write()
    found = db.session.execute(select(Gathering).where(Gathering.id == gathering_id).with_for_update()
                               .execution_options(populate_existing=True)).scalar_one_or_none()
    if found is None:
        db.session.rollback()
        raise Refused(GONE_CODE, GONE)
    return found


def add_file(gathering: Gathering, *, filename: str, data: bytes, title: str, speaker: str,
             title_nn: str = "") -> Document:
    """Check the upload by its content and store it under a generated name. Refuses what `check_upload` refuses,
    and "gone" for a gathering deleted meanwhile."""
    checked = check_upload(filename, data, max_bytes())
    gathering = _locked_gathering(gathering)
    key = new_key(checked.extension)
    files = storage()
    files.save(key, data, checked.content_type)
    document = Document(gathering_id=gathering.id, title=title, title_nn=title_nn, speaker=speaker, storage_key=key,
                        filename=display_name(filename, checked.extension), content_type=checked.content_type,
                        size=checked.size, position=_next_position(gathering.id))
    db.session.add(document)
    try:
        record("document.add", document, f"Uploaded {document.filename} to {gathering.text('title', 'nb')}")
        db.session.commit()
    except Exception:
        db.session.rollback()
        delete_stored_files([key])
        raise
    return document


def add_link(gathering: Gathering, *, url: str, title: str, speaker: str, title_nn: str = "") -> Document:
    """Add a link to the gathering's presentations. Refuses "gone" for a gathering deleted meanwhile."""
    gathering = _locked_gathering(gathering)
    document = Document(gathering_id=gathering.id, title=title, title_nn=title_nn, speaker=speaker, url=url,
                        position=_next_position(gathering.id))
    db.session.add(document)
    record("document.add", document, f"Added a link to {gathering.text('title', 'nb')}")
    db.session.commit()
    return document


def move(document: Document, step: int) -> None:
    """Move the document one place up (step -1) or down (+1) in its gathering's list."""
    if move_in_list(document.gathering.documents, document, step):
        db.session.commit()


def stored_keys(gathering_id: int) -> list[str]:
    """The storage keys of a gathering's uploaded files, to remove once its documents are deleted."""
    return list(db.session.scalars(
        select(Document.storage_key).where(Document.gathering_id == gathering_id, Document.storage_key.is_not(None))
    ))


def delete_stored_files(keys: Iterable[str]) -> None:
    """Remove stored files whose documents are gone. Call only after the commit that removed them: a
    failed commit must leave the files in place. A file that cannot be removed is logged and left
    behind (nothing points to it any more) rather than failing an action that has already happened."""
    files = storage()
    for key in keys:
        try:
            files.delete(key)
        except Exception:
            log.exception("could not delete stored file %s", key)


def delete(document: Document) -> None:
    key = document.storage_key
    record("document.delete", document,
           f"Removed {document.text('title', 'nb')} from {document.gathering.text('title', 'nb')}")
    db.session.delete(document)
    db.session.commit()
    if key:
        delete_stored_files([key])


def set_visibility(gathering: Gathering, visibility: str) -> None:
    gathering.documents_visibility = visibility
    record("document.visibility", gathering, f"Presentations visible to: {visibility}")
    db.session.commit()
