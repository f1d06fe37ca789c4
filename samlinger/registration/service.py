"""The rules of registering: deadline, capacity, waiting list, one registration per address."""

import hmac
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import begin_write, locked
from ..mail import notify
from ..timeutil import utcnow
from . import mailcap
from .models import Registration, canonical_email, hash_token, normalise_email


class RegistrationError(Exception):
    """A registration that the rules refuse; *code* says which rule."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Outcome:
    registration: Registration
    #: the manage token (the same in every e-mail); None when the address was already registered
    token: str | None
    duplicate: bool = False


DETAIL_FIELDS = ("name", "organisation", "role", "phone", "needs", "answers")


def _count(gathering_id: int, status: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration)
        .where(Registration.gathering_id == gathering_id, Registration.status == status)
    )


def _active_for(gathering_id: int, email_normalized: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.gathering_id == gathering_id,
            Registration.email_normalized == email_normalized,
            Registration.status != "cancelled",
        )
    )


def register(gathering_id: int, details: dict, *, email: str, language: str,
             by_organiser: bool = False, now=None) -> Outcome:
    """Register *email* for the gathering and queue the e-mail, in one transaction.

    The seat is confirmed while seats are left, otherwise the person is waitlisted (or
    refused when the waiting list is off). An address that is already registered gets its
    manage link by e-mail again instead (the same link). Raises RegistrationError("closed" | "full").
    """
    now = now or utcnow()
    # Worked out before the lock, which every registration for the gathering waits on.
    email_normalized, email = normalise_email(email), canonical_email(email)
    # The round is read with the gathering: registration_open() needs whether it is published.
    gathering = locked(Gathering, gathering_id, joinedload(Gathering.season, innerjoin=True))
    if gathering.status != "published" or not (by_organiser or gathering.registration_open(now)):
        db.session.rollback()
        raise RegistrationError("closed")

    existing = _active_for(gathering_id, email_normalized)
    if existing is not None:
        # Nothing is written: the lock ends here, and the cap (a round trip to its storage) is asked after.
        db.session.commit()
        if by_organiser or mailcap.allow(email_normalized):
            begin_write()
            notify.notify_manage_link(existing)
            db.session.commit()
        return Outcome(existing, None, duplicate=True)

    full = gathering.capacity is not None and _count(gathering_id, "confirmed") >= gathering.capacity
    if full and not gathering.waitlist_enabled:
        db.session.rollback()
        raise RegistrationError("full")

    registration = Registration(
        gathering=gathering,
        status="waitlisted" if full else "confirmed",
        confirmed_at=None if full else now,
        email=email,
        email_normalized=email_normalized,
        language=language,
        added_by_organiser=by_organiser,
        created_at=now,
        **{field: details.get(field, "") for field in DETAIL_FIELDS if field in details},
    )
    registration.new_link()
    token = registration.manage_token()
    db.session.add(registration)
    try:
        db.session.flush()
        notify.notify_registered(registration)
        db.session.commit()
    except IntegrityError:
        # Only reachable if the lock was bypassed; the unique index still holds the rule.
        db.session.rollback()
        raise RegistrationError("duplicate") from None
    return Outcome(registration, token)  # a confirmation is always sent: the cap is for repeatable mails


def find_by_token(token: str) -> Registration | None:
    """The registration a manage link opens, or None for an unknown or malformed token."""
    if not token or len(token) > 100:
        return None
    found = db.session.scalar(select(Registration).where(Registration.manage_token_hash == hash_token(token)))
    # A link derived under an earlier SECRET_KEY opens nothing: changing the key ends every link.
    if found is not None and found.link_secret is not None and not hmac.compare_digest(found.manage_token(), token):
        return None
    return found


def update_details(registration: Registration, details: dict) -> None:
    """Correct a registration's details (not its address, which identifies it)."""
    for field in DETAIL_FIELDS:
        if field in details:
            setattr(registration, field, details[field])
    db.session.commit()


def cancel(registration_id: int, *, by_organiser: bool = False, now=None) -> Registration:
    """Cancel a registration, free its seat and promote from the waiting list, in one transaction."""
    now = now or utcnow()
    registration = db.session.get(Registration, registration_id)
    locked(Gathering, registration.gathering_id)
    db.session.refresh(registration)
    if registration.status == "cancelled":
        db.session.commit()
        return registration
    was_confirmed = registration.status == "confirmed"
    registration.status, registration.cancelled_at = "cancelled", now
    notify.notify_cancelled(registration, was_confirmed=was_confirmed, by_organiser=by_organiser)
    db.session.flush()
    if was_confirmed:
        promote_waiting(registration.gathering, now=now)
    db.session.commit()
    return registration


def promote_waiting(gathering: Gathering, *, now=None) -> list[Registration]:
    """Give free seats to the waiting list in order; the caller holds the lock and commits."""
    now = now or utcnow()
    if gathering.status != "published" or gathering.has_ended(now):
        return []
    free = None if gathering.capacity is None else gathering.capacity - _count(gathering.id, "confirmed")
    waiting = select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "waitlisted"
    ).order_by(Registration.created_at, Registration.id)
    if free is not None:
        if free <= 0:
            return []
        waiting = waiting.limit(free)
    promoted = list(db.session.scalars(waiting))
    for registration in promoted:
        registration.status, registration.confirmed_at = "confirmed", now
        notify.notify_promoted(registration)
    return promoted


def request_link(gathering_id: int, email: str) -> bool:
    """E-mail the manage link again if *email* holds an active registration; say nothing either way.

    The link stays the same: anyone may type an address here, and that must not end the link the
    participant already has.
    """
    registration = _active_for(gathering_id, normalise_email(email))
    if registration is None:
        return False
    if mailcap.allow(registration.email_normalized):
        notify.notify_manage_link(registration)
    db.session.commit()
    return True


def renew_link(registration_id: int) -> Registration:
    """Revoke a registration's links and mail the new one to its address; the caller records who asked.

    Used by the participant ("stop the old links") and by organisers; the caller commits.
    """
    begin_write()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    registration.new_link()
    notify.notify_new_link(registration)
    return registration
