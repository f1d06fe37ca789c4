"""Rounds of gatherings and the gatherings themselves."""

import uuid
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..offices.models import office_column
from ..texts import TwoStandards
from ..timeutil import UTCDateTime, end_of_day_utc, utcnow

TERMS = {"spring": _l("spring"), "autumn": _l("autumn")}
REGIONS = {"east": _l("East"), "west": _l("West"), "other": _l("Other")}
STATUSES = {"draft": _l("Draft"), "published": _l("Published"), "cancelled": lazy_pgettext("gathering", "Cancelled")}
#: a gathering's mode, and the sides a registration may take (seats/sides.py has the rules that follow from them)
ON_SITE, ONLINE = "on_site", "online"
GATHERING_MODES = {"on_site": _l("On site"), "online": _l("Online"), "hybrid": _l("Hybrid: on site and online")}
ATTENDANCE = {ON_SITE: _l("On site"), ONLINE: _l("Online")}


class Round(TwoStandards, db.Model):
    """A round of gatherings, published each spring and autumn. Its texts are in Bokmål and Nynorsk (`_nn`):
    read them with `text("title")` (texts.py); at least one title is written."""

    __tablename__ = "round"
    TRANSLATED = ("title", "intro")
    office_scope = "office_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = office_column()
    year: Mapped[int] = mapped_column(Integer)
    #: spring | autumn
    term: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    title_nn: Mapped[str] = mapped_column(String(200), default="", server_default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    intro_nn: Mapped[str] = mapped_column(Text, default="", server_default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gatherings: Mapped[list["Gathering"]] = relationship(
        back_populates="round", order_by="Gathering.starts_at"
    )

    @property
    def term_title(self) -> str:
        return str(TERMS.get(self.term, self.term))


class Gathering(TwoStandards, db.Model):
    """One session of a round, in one place, with its own deadline and seats. Its texts are in Bokmål and
    Nynorsk (`_nn`): read them with `text("title")` (texts.py); at least one title is written."""

    __tablename__ = "gathering"
    TRANSLATED = ("title", "description", "programme")
    office_scope = "office_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    #: always its round's office (set from the round when the gathering is made: offices/scope.py)
    office_id: Mapped[int] = office_column()
    #: the public address: /samlinger/<slug>
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    #: the calendar UID, stable for the gathering's whole life
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=lambda: f"{uuid.uuid4()}@samlinger")
    title: Mapped[str] = mapped_column(String(200))
    title_nn: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: east | west | other
    region: Mapped[str] = mapped_column(String(10), default="other")
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the last day to register, in Oslo; registration closes when that day ends
    registration_deadline: Mapped[date] = mapped_column(Date)
    #: on_site | online | hybrid (seats/sides.py has the rules that follow from it)
    mode: Mapped[str] = mapped_column(String(10), default="on_site", server_default="on_site")
    #: the seats on site (an online gathering's seats); None means unlimited
    capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: a hybrid gathering's online seats; None means unlimited
    online_capacity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: at most this many confirmed seats per municipality of the register; None means no limit
    #: (registrations from another organisation, without a municipality, are never limited)
    per_municipality_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: this many seats are kept for municipalities with no confirmed registration yet, until held_until
    #: ends (in Oslo); None or 0 means none (seats/ledger.py has the rule)
    held_seats: Mapped[int | None] = mapped_column(Integer, nullable=True)
    held_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: a new registration from the public holds its seat (or place in the queue) only this many hours unless its
    #: address is confirmed from the mail; None: off (registration/confirming.py has the rule)
    confirm_address_hours: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: draft | published | cancelled
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    #: raised whenever time or place changes: the invite's SEQUENCE
    revision: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    description_nn: Mapped[str] = mapped_column(Text, default="", server_default="")
    programme: Mapped[str] = mapped_column(Text, default="")
    programme_nn: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: public | participants
    documents_visibility: Mapped[str] = mapped_column(String(12), default="public")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    round: Mapped[Round] = relationship(back_populates="gatherings")
    documents: Mapped[list["Document"]] = relationship(  # noqa: F821 (documents.models)
        back_populates="gathering", order_by="Document.position, Document.id", cascade="all, delete-orphan"
    )

    @property
    def deadline_at(self) -> datetime:
        """The instant registration closes: the end of the deadline day in Oslo."""
        return end_of_day_utc(self.registration_deadline)

    def confirm_address_by(self, now: datetime) -> datetime | None:
        """By when a registration made now from the public must have its address confirmed; None when the
        gathering asks for no confirmation (registration/confirming.py)."""
        return now + timedelta(hours=self.confirm_address_hours) if self.confirm_address_hours else None

    @property
    def held_until_at(self) -> datetime | None:
        """The instant the held seats are released to everyone: the end of `held_until` in Oslo."""
        return end_of_day_utc(self.held_until) if self.held_seats and self.held_until else None

    def holding(self, now: datetime | None = None) -> bool:
        """Whether seats are held for municipalities not yet registered at *now*."""
        until = self.held_until_at
        return until is not None and (now or utcnow()) < until

    def has_started(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.starts_at

    @property
    def is_visible(self) -> bool:
        """Whether the public may see the gathering at all."""
        return self.status in ("published", "cancelled") and self.round.published

    def has_ended(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.ends_at

    def registration_open(self, now: datetime | None = None) -> bool:
        """Whether new registrations are accepted at *now*."""
        now = now or utcnow()
        return (
            self.status == "published"
            and self.round.published
            and now < self.deadline_at
            and now < self.starts_at
        )

    @property
    def status_title(self) -> str:
        return str(STATUSES.get(self.status, self.status))

    @property
    def mode_title(self) -> str:
        return str(GATHERING_MODES.get(self.mode, self.mode))

    @property
    def region_title(self) -> str:
        return str(REGIONS.get(self.region, self.region))

    @property
    def time_or_place(self) -> tuple:
        """What a participant's calendar holds: a change here raises the revision (the mode decides whether
        the invite's place is the venue or the video link)."""
        return (self.starts_at, self.ends_at, self.venue, self.address, self.mode)
