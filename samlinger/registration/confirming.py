"""Seats held only until the address is confirmed: a gathering's guard against seats taken with made-up addresses.

An organiser may ask, per gathering (`Gathering.confirm_address_hours`, off by default), that a new registration
from the public holds its seat, or its place on the waiting list, only so many hours unless its address is
confirmed from the mail: every mail with the manage link then carries a confirm link as well (the manage link
with `/bekreft`: the same token, derived by tokens.py, which reaches nobody but the address). A registration
an organiser makes, or whose address an organiser gives, has nothing to confirm.

`release_unconfirmed` (`flask release-unconfirmed`, run by cron every few minutes) cancels the registrations
not confirmed in time, tells them why, and gives the freed seats to the waiting list in order, with mail and
invite as usual (service.promote_waiting). A gathering that has started releases nothing.

This guards against made-up addresses, not against someone who owns many mailboxes: each must be opened.
"""

from sqlalchemy import select

from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import locked
from ..timeutil import utcnow
from . import notify
from .models import Registration
from .service import promote_waiting


def confirm_address(registration_id: int, *, now=None) -> bool:
    """Mark the registration's address as confirmed (its link was opened). True if it was waiting for that;
    confirming twice, or a registration with nothing to confirm, changes nothing."""
    gathering_id = db.session.scalar(select(Registration.gathering_id).where(Registration.id == registration_id))
    if gathering_id is None:
        db.session.commit()
        return False
    locked(Gathering, gathering_id)  # under the gathering's lock, as release_unconfirmed: one of them decides
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration is None or not registration.awaits_confirmation:
        db.session.commit()
        return False
    registration.address_confirmed_at = now or utcnow()
    db.session.commit()
    return True


def _unconfirmed(now):
    """Active, past its time to confirm, in a gathering that still asks for it (an organiser may turn it off)."""
    return (Registration.status.in_(("confirmed", "waitlisted")), Registration.confirm_by.is_not(None),
            Registration.confirm_by < now, Registration.address_confirmed_at.is_(None),
            Registration.gathering_id.in_(select(Gathering.id).where(Gathering.confirm_address_hours.is_not(None))))


def release_unconfirmed(now=None) -> tuple[int, int]:
    """Cancel the registrations whose address was not confirmed in time, in gatherings that have not started,
    and give their seats to the waiting list in order. Each gathering in a transaction of its own, under its
    lock; safe to run often and in several places. Returns (released, moved up)."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Registration.gathering_id).distinct().join(Gathering, Gathering.id == Registration.gathering_id)
        .where(*_unconfirmed(now), Gathering.starts_at > now)
    ).all()
    db.session.commit()
    released = promoted = 0
    for gathering_id in candidates:
        gathering = locked(Gathering, gathering_id)
        if gathering.has_started(now):
            db.session.commit()
            continue
        expired = db.session.scalars(
            select(Registration).where(Registration.gathering_id == gathering_id, *_unconfirmed(now))
            .order_by(Registration.created_at, Registration.id).execution_options(populate_existing=True)
        ).all()
        for registration in expired:
            was_confirmed = registration.status == "confirmed"
            registration.status, registration.cancelled_at = "cancelled", now
            notify.notify_released(registration, was_confirmed=was_confirmed)
        released += len(expired)
        db.session.flush()
        promoted += len(promote_waiting(gathering, now=now))
        db.session.commit()
    return released, promoted
