"""Seats held for new municipalities go to the waiting list once the day they were held until has ended."""

from sqlalchemy import select

from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import locked
from ..timeutil import oslo, utcnow
from .models import Registration
from .service import promote_waiting


def release_held_seats(now=None) -> int:
    """Promote the waiting lists of gatherings whose held seats have been released (`flask
    release-held-seats`, run by cron): without it, a released seat would wait for the next registration or
    cancellation. Each gathering in a transaction of its own; safe to run often and in several places.
    Returns how many were promoted."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Gathering.id).where(Gathering.status == "published", Gathering.held_seats > 0,
                                   Gathering.held_until < oslo(now).date(),  # released: the day has ended
                                   Gathering.starts_at > now,
                                   Gathering.id.in_(select(Registration.gathering_id)
                                                    .where(Registration.status == "waitlisted")))
    ).all()
    db.session.commit()
    promoted = 0
    for gathering_id in candidates:
        gathering = locked(Gathering, gathering_id)
        if not gathering.holding(now):
            promoted += len(promote_waiting(gathering, now=now))
        db.session.commit()
    return promoted
