"""What the organiser workspace reads and changes."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..gatherings.models import Gathering
from ..gatherings.service import seat_counts
from ..timeutil import utcnow


def dashboard_rows():
    """Upcoming gatherings, soonest first, with (gathering, confirmed, waitlisted)."""
    gatherings = list(db.session.scalars(
        select(Gathering).where(Gathering.ends_at >= utcnow()).options(joinedload(Gathering.season))
        .order_by(Gathering.starts_at)
    ))
    counts = seat_counts(g.id for g in gatherings)
    return [(g, *counts[g.id]) for g in gatherings]
