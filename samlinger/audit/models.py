"""The audit log: who did what to which object in the organiser workspace."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..offices.models import office_column
from ..timeutil import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    office_scope = "office_id"
    #: a national administrator's own entries (an office created) belong to no office
    national_allowed = True

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int | None] = office_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the organiser who acted; None for changes made from the command line
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True, index=True)
    #: a short verb such as "gathering.publish" or "registration.export"
    action: Mapped[str] = mapped_column(String(60))
    #: the table of the object acted on ("gathering", "registration", ...)
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: one human-readable line: gatherings, counts and ids, never a participant's name or address or an
    #: organiser's free text (it is kept after the retention purge)
    summary: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship()
