"""An office, and the column that says which office a row belongs to."""

from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import ForeignKey, String, event, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import UTCDateTime, utcnow
from .settings import first_office_row


class Office(db.Model):
    """A county governor's office: its section of the site (`/<slug>/…`), names, languages and mail sender."""

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the address segment: /<slug>/…, lower case letters, digits and hyphens
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    #: the name in Bokmål, and in the other languages where it has its own ("" = the Bokmål one)
    name: Mapped[str] = mapped_column(String(200))
    name_nn: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200), default="")
    name_se: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    #: the written standard of its pages at /<slug>/… (nb or nn); the others are at /<lang>/<slug>/…
    default_language: Mapped[str] = mapped_column(String(5), default="nb")
    #: the languages offered, in the switcher's order, comma-separated ("nb,nn,se,en")
    languages: Mapped[str] = mapped_column(String(40), default="nb,nn,en")
    #: the name mail is sent in ("Statsforvaltaren i Rogaland"); "" = the office's name in the mail's language
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    #: where replies to the office's mail go: its organisers' shared mailbox
    reply_to: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def names(self) -> dict:
        return {code: value for code, value in
                (("nn", self.name_nn), ("en", self.name_en), ("se", self.name_se)) if value}


def office_column(nullable: bool = False) -> Mapped[int]:
    """The office a row belongs to (indexed: every request of an office filters by it, see scope.py)."""
    return mapped_column(ForeignKey("office.id"), index=True, nullable=nullable)


def add_first_office(connection, config) -> None:
    """The first office, as the installation's settings describe it, where there is none."""
    if connection.execute(select(Office.id).limit(1)).first() is None:
        connection.execute(Office.__table__.insert().values(created_at=utcnow(), **first_office_row(config)))


@event.listens_for(Office.__table__, "after_create")
def _first_office(_table, connection, **_kw):
    """A new database starts with its first office."""
    if has_app_context():
        add_first_office(connection, current_app.config)
