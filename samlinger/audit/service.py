"""Writing and reading the audit log."""

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..offices.scope import OFFICE_GIVEN
from .models import AuditEntry

PER_PAGE = 50


def _acting_user_id() -> int | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def record(action: str, obj=None, summary: str = "") -> AuditEntry:
    """Add an entry for *action* on *obj* to the current session; it commits with the change.

    *obj* is a model instance (flushed first if it has no id yet) or None.
    """
    object_type, object_id = "", None
    if obj is not None:
        if getattr(obj, "id", None) is None:
            db.session.flush()
        object_type, object_id = obj.__tablename__, obj.id
    entry = AuditEntry(action=action, object_type=object_type, object_id=object_id,
                       summary=" ".join(str(summary).split())[:2000], user_id=_acting_user_id())
    if object_type == "user_account" and (obj.office_id is not None or obj.is_national_admin):
        # What happens to an account is in its office's log, also on the sign-in pages, where no office is in
        # scope (a new row there would go to the first office); a national administrator's is in none.
        entry.office_id = obj.office_id
        setattr(entry, OFFICE_GIVEN, True)
    db.session.add(entry)
    return entry


def entries_page(page: int):
    """One page of the log, newest first."""
    query = select(AuditEntry).options(joinedload(AuditEntry.user)).order_by(AuditEntry.id.desc())
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
