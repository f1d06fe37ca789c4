"""The outbox: every e-mail is a row, written in the same transaction as the change it reports."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

STATUSES = ("queued", "sending", "sent", "failed")


class OutboundEmail(db.Model):
    __tablename__ = "outbound_email"
    office_scope = "office_id"
    #: the mail a national administrator's action sends (the first admin's welcome) belongs to no office
    national_allowed = True
    __table_args__ = (Index("ix_outbound_email_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the message is about: confirmation, waitlisted, promoted, update, cancellation, ...
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    #: the recipient's language, in which the message is written
    language: Mapped[str] = mapped_column(String(10), default="nb", server_default="nb")
    #: what the mail worker needs to write a message (the invite's METHOD, the hash of the manage link
    #: it may carry, the account a set-password link is for, ...), never a usable link: the request only
    #: queues it, the worker writes the subject and bodies just before sending and then clears this.
    #: None for a message written when it was queued. The bodies kept after sending have links redacted.
    unwritten: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    #: an iCalendar object sent as a text/calendar part, with its METHOD
    ics: Mapped[str | None] = mapped_column(Text, nullable=True)
    ics_method: Mapped[str | None] = mapped_column(String(10), nullable=True)
    #: queued | sending | sent | failed
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: when a worker took the message; a stale claim means that worker died mid-send
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    gathering_id: Mapped[int | None] = mapped_column(ForeignKey("gathering.id"), nullable=True, index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id"), nullable=True, index=True
    )
    #: the office the mail is sent for: its name, sender and reply-to (offices/); None for a national one
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"), nullable=True, index=True)
    #: groups the messages of one organiser mailing, so its progress can be shown
    batch: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
