"""Reading gatherings for the public pages and feeds."""

from datetime import time

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..pagecache import expires_at
from ..registration.models import Registration
from ..timeutil import FIRST_DAY, LAST_DAY, end_of_day_utc, oslo_to_utc, utcnow
from .models import Availability, Gathering, Season

#: What the public may see: a gathering whose dates lie outside the days the forms accept (stored some
#: other way) is left out rather than break every page and feed that lists it.
SHOWN = (
    Gathering.starts_at >= oslo_to_utc(FIRST_DAY, time(0, 0)),
    Gathering.ends_at < end_of_day_utc(LAST_DAY),
    Gathering.ends_at > Gathering.starts_at,
    Gathering.registration_deadline.between(FIRST_DAY, LAST_DAY),
)


def visible_gatherings(with_documents: bool = False):
    """Published (or cancelled) gatherings of published rounds, by start time, with their round
    (and their documents, loaded in one more query rather than one per gathering)."""
    statement = (
        select(Gathering)
        .join(Gathering.season)
        .where(Season.published.is_(True), Gathering.status.in_(("published", "cancelled")), *SHOWN)
        .options(joinedload(Gathering.season))
        .order_by(Gathering.starts_at)
    )
    if with_documents:
        statement = statement.options(selectinload(Gathering.documents))
    return list(db.session.scalars(statement))


def _changes_by_the_clock(gathering) -> None:
    """A page showing *gathering* changes when its deadline passes, when it starts and when it ends."""
    for instant in (gathering.deadline_at, gathering.starts_at, gathering.ends_at):
        expires_at(instant)


def gathering_by_slug(slug: str) -> Gathering | None:
    """The gathering at /samlinger/<slug>, if the public may see it."""
    gathering = db.session.scalar(
        select(Gathering).where(Gathering.slug == slug, *SHOWN).options(joinedload(Gathering.season))
    )
    return gathering if gathering is not None and gathering.is_visible else None


def seat_counts(gathering_ids) -> dict[int, tuple[int, int]]:
    """Return {gathering id: (confirmed, waitlisted)} in one query."""
    ids = list(gathering_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            Registration.gathering_id,
            func.count(case((Registration.status == "confirmed", 1))),
            func.count(case((Registration.status == "waitlisted", 1))),
        )
        .where(Registration.gathering_id.in_(ids), Registration.status != "cancelled")
        .group_by(Registration.gathering_id)
    )
    counts = {gid: (0, 0) for gid in ids}
    counts.update({gid: (confirmed, waitlisted) for gid, confirmed, waitlisted in rows})
    return counts


def availability(gatherings, now=None) -> dict[int, Availability]:
    """Return the seats shown to the public for each gathering."""
    now = now or utcnow()
    counts = seat_counts(g.id for g in gatherings)
    for g in gatherings:
        _changes_by_the_clock(g)
    return {
        g.id: Availability(
            confirmed=counts[g.id][0],
            waitlisted=counts[g.id][1],
            capacity=g.capacity,
            open=g.registration_open(now),
            waitlist_enabled=g.waitlist_enabled,
        )
        for g in gatherings
    }


def group_for_front_page(gatherings, now=None):
    """Split into (upcoming rounds as [(season, [gatherings])], past gatherings, newest first)."""
    now = now or utcnow()
    upcoming: dict[int, tuple[Season, list[Gathering]]] = {}
    past = []
    for gathering in gatherings:
        _changes_by_the_clock(gathering)
        if gathering.has_ended(now):
            past.append(gathering)
        else:
            upcoming.setdefault(gathering.season_id, (gathering.season, []))[1].append(gathering)
    return list(upcoming.values()), list(reversed(past))
