"""The video link of a gathering that can be followed online: a secret for its confirmed online participants.

It has a table of its own, so nothing that reads gatherings (public pages, the API, feeds, exports, the page
cache's content version) can carry it by accident; only `online.video.video_for` hands it out.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class VideoLink(db.Model):
    __tablename__ = "video_link"
    office_scope = "gathering_id"

    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id", ondelete="CASCADE"), primary_key=True)
    #: https only (online/forms.py)
    url: Mapped[str] = mapped_column(String(500))
    meeting_id: Mapped[str] = mapped_column(String(100), default="", server_default="")
    passcode: Mapped[str] = mapped_column(String(100), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def shown(self) -> "Video":
        return Video(self.url, self.meeting_id, self.passcode)


@dataclass(frozen=True)
class Video:
    """What a confirmed online participant is shown: the link and, if the organiser wrote them, the meeting id
    and passcode."""

    url: str
    meeting_id: str = ""
    passcode: str = ""

    def redacted(self) -> "Video":
        """Where the link was, for the copy of a sent e-mail that the outbox keeps (organisers read it)."""
        return Video("…", "…" if self.meeting_id else "", "…" if self.passcode else "")
