"""Presentations and links attached to a gathering."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..gatherings.models import Gathering
from ..texts import TwoStandards
from ..timeutil import UTCDateTime, utcnow


class Document(TwoStandards, db.Model):
    """A presentation or link attached to a gathering, usually afterwards; its title in Bokmål and Nynorsk."""

    __tablename__ = "document"
    office_scope = "gathering_id"
    TRANSLATED = ("title",)

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    title_nn: Mapped[str] = mapped_column(String(200), default="", server_default="")
    speaker: Mapped[str] = mapped_column(String(200), default="")
    #: set for a link; storage_key is set for an uploaded file
    url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    storage_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering: Mapped[Gathering] = relationship(back_populates="documents")

    @property
    def is_link(self) -> bool:
        return self.url is not None
