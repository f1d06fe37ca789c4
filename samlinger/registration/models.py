"""A person's registration for one gathering."""

import unicodedata
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..addresses import validated as _validated
from ..extensions import db
from ..gatherings.models import Gathering
from ..i18n import usable
from ..municipalities.models import Municipality, mail_language, mail_language_note
from ..timeutil import UTCDateTime, utcnow
from ..tokens import derive, digest, new_secret

STATUSES = {
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("Waiting list"),
    "cancelled": lazy_pgettext("registration", "Cancelled"),
}
ACTIVE = ("confirmed", "waitlisted")


def normalise_email(email: str) -> str:
    """The key of the rule "one active registration per mailbox and gathering": one mailbox, one key,
    however it is written (upper case, full-width letters, composed or decomposed å, `bø` or `xn--b-5ga`, a
    `+tag`).

    The local part in NFC and lower case without a "+tag" (most providers deliver kari+1@ and kari+2@ to
    kari@, so they are one person's one seat), the domain in its ASCII (IDNA) form, as email-validator reads
    them. An address email-validator does not accept is only trimmed, put in NFC and lower-cased. The address
    as typed is kept in `email`, and mail goes there.
    """
    validated = _validated(email)
    if validated is None:
        return unicodedata.normalize("NFC", email.strip()).lower()
    local = unicodedata.normalize("NFC", validated.local_part).lower()
    return f"{local.partition('+')[0] or local}@{validated.ascii_domain.lower()}"


def canonical_email(email: str) -> str:
    """The address as it is stored, shown and written to: email-validator's normalised form, which its
    documentation recommends storing. The local part keeps the person's spelling (in NFC); the domain is
    lower-cased and full-width letters are folded, so `kari@ａｌｔａ.kommune.no` is mailed to alta.kommune.no."""
    validated = _validated(email)
    return validated.normalized if validated is not None else email.strip()


class Registration(db.Model):
    __tablename__ = "registration"
    office_scope = "gathering_id"
    __table_args__ = (
        # One active registration per address and gathering, enforced by the database.
        Index(
            "uq_registration_active_email",
            "gathering_id",
            "email_normalized",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_registration_gathering_status", "gathering_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id"))
    #: confirmed | waitlisted | cancelled
    status: Mapped[str] = mapped_column(String(12))
    #: on_site | online: the side of a hybrid gathering whose seat or waiting list this is (seats/sides.py)
    attendance_mode: Mapped[str] = mapped_column(String(10), default="on_site", server_default="on_site")
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    email_normalized: Mapped[str] = mapped_column(String(254))
    #: the municipality from the register; None for another organisation (or text not yet matched)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True, nullable=True)
    #: the organisation's name when it is not a municipality of the register (or the text written before it)
    organisation: Mapped[str] = mapped_column(String(200))
    #: the organisation is free text nobody has matched to the register yet (written before the register, or
    #: with no register loaded); an admin resolves it (municipalities/resolving.py)
    unmatched: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    role: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    #: answers to the gathering's extra questions, keyed by question id
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    #: the language the person used (the page's, or the one an organiser chose); mail_language follows from it
    language: Mapped[str] = mapped_column(String(5), default="nb")
    #: the random secret the manage token is derived from (tokens.derive); a new one ends the old links.
    #: None for registrations from before derived links, whose random link works until one is mailed.
    link_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: when the seat was confirmed: at registration or when promoted from the waiting list
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: the registration holds its seat (or place in the queue) only until then unless its address is confirmed
    #: from the mail; None: nothing to confirm (the gathering asked for no confirmation, or an organiser
    #: registered the person) (registration/confirming.py)
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: when the address was confirmed from the link in the mail
    address_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: set when personal data has been removed; the row stays for statistics
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: registered by an organiser on the person's behalf (also allowed after the deadline)
    added_by_organiser: Mapped[bool] = mapped_column(Boolean, default=False)
    #: an organiser changed the address (registration/service.edit): mail to it may reach the organisers, so an
    #: evaluation counts the person as an organiser's (evaluations/results.minimum)
    address_from_organiser: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    #: came without registering and was added on the spot from the check-in page: confirmed and checked in at
    #: once, over capacity if need be; kept by the retention purge (registration/attendance.py)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    gathering: Mapped[Gathering] = relationship()
    municipality: Mapped[Municipality | None] = relationship()

    @property
    def mail_language(self) -> str:
        """The language of every e-mail and invite to this person: their municipality's written standard
        where it has chosen one, else the language they used (municipalities.models.mail_language)."""
        return usable(mail_language(self.municipality, self.language))

    @property
    def mail_language_note(self) -> str:
        """Which language we write in and why, in one line for the manage page."""
        return mail_language_note(self.municipality, self.language)

    @property
    def where_from(self) -> str:
        """The municipality ("5610 Kárášjohka-Karasjok") or the organisation, as lists and exports show it."""
        if self.municipality is not None:
            return f"{self.municipality.number} {self.municipality.label}"
        return self.organisation

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def awaits_confirmation(self) -> bool:
        """Holds its seat or place only until `confirm_by`, unless the address is confirmed from the mail."""
        return self.confirm_by is not None and self.address_confirmed_at is None and self.is_active

    @property
    def status_title(self) -> str:
        return str(STATUSES.get(self.status, self.status))

    def new_link(self) -> None:
        """Give the registration a new link secret: every earlier link to it stops working."""
        self.link_secret = new_secret()
        self.manage_token_hash = digest(self.manage_token())

    def ensure_link(self) -> None:
        """Make sure a link can be mailed: the same link every time, until new_link() revokes it."""
        if self.link_secret is None:
            self.new_link()
        else:
            # After a change of SECRET_KEY the link is a new one: its hash is what find_by_token looks up.
            self.manage_token_hash = digest(self.manage_token())

    def manage_token(self) -> str:
        """The manage link's token: derived from the link secret under SECRET_KEY, never stored."""
        return derive("manage-link", self.link_secret)
