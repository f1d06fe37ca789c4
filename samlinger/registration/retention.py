"""Removing personal data: after the retention period, or when the participant asks once the gathering is over.

A registration is anonymised, not deleted: its gathering, status, municipality (organisation), check-in, walk-in
flag and dates stay, so participants and attendance per municipality can still be counted
(registration/attendance.py).
"""

from calendar import monthrange
from datetime import datetime

from sqlalchemy import delete, select

from ..audit.service import record
from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import begin_write
from ..mail.models import OutboundEmail
from ..timeutil import utcnow
from ..tokens import digest, unguessable
from .models import Registration


def months_before(moment: datetime, months: int) -> datetime:
    """The same instant *months* calendar months earlier (the day clamped to the month's length)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def _anonymise(registration: Registration, now: datetime) -> None:
    registration.name = registration.email = registration.role = registration.phone = registration.needs = ""
    registration.answers = {}
    # Unique per row, so the one-active-registration-per-address index still holds.
    registration.email_normalized = f"anonymised-{registration.id}"
    # No secret and the hash of a token nobody knows: every manage link stops working, for good.
    registration.link_secret = None
    registration.manage_token_hash = digest(unguessable())
    registration.anonymised_at = now


def _forget_mail(registration_ids: list[int]) -> None:
    """The outbox keeps whole messages with names and links: remove those sent to these registrations."""
    if registration_ids:
        db.session.execute(delete(OutboundEmail).where(OutboundEmail.registration_id.in_(registration_ids)))


def can_erase(registration: Registration, now: datetime | None = None) -> bool:
    return registration.anonymised_at is None and registration.gathering.has_ended(now or utcnow())


def erase(registration_id: int, now: datetime | None = None) -> None:
    """Remove one registration's personal data at the participant's request; the gathering must be over."""
    now = now or utcnow()
    begin_write()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if not can_erase(registration, now):
        db.session.rollback()
        raise ValueError("personal data can be erased only once the gathering is over")
    _anonymise(registration, now)
    _forget_mail([registration.id])
    record("registration.erase", registration,
           f"Personal data deleted by the participant ({registration.gathering.text('title', 'nb')})")
    db.session.commit()


def purge(months: int, now: datetime | None = None) -> int:
    """Anonymise every registration of gatherings that ended more than *months* months ago.

    Returns how many were anonymised; running it again anonymises nothing more.
    """
    now = now or utcnow()
    cutoff = months_before(now, months)
    begin_write()
    registrations = list(db.session.scalars(
        select(Registration).join(Gathering)
        .where(Gathering.ends_at < cutoff, Registration.anonymised_at.is_(None))
        .order_by(Registration.id)
    ))
    for registration in registrations:
        _anonymise(registration, now)
    _forget_mail([r.id for r in registrations])
    if registrations:
        record("registration.purge", None, f"Anonymised {len(registrations)} registrations of gatherings "
                                           f"that ended before {cutoff:%Y-%m-%d} ({months} months)")
    db.session.commit()
    return len(registrations)
