"""What the public sees: the gatherings on the public pages and feeds, and their seats."""

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..registration import modes, seats
from ..registration.counts import Counts, mode_counts, total
from ..timeutil import FIRST_DAY, LAST_DAY, end_of_day_utc, oslo_to_utc, utcnow
from .models import Availability, Gathering, Round

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
        .join(Gathering.round)
        .where(Round.published.is_(True), Gathering.status.in_(("published", "cancelled")), *SHOWN)
        .options(joinedload(Gathering.round))
        .order_by(Gathering.starts_at)
    )
    if with_documents:
        statement = statement.options(selectinload(Gathering.documents))
    return list(db.session.scalars(statement))


def next_change(gatherings, now=None) -> datetime | None:
    """The next instant a page showing *gatherings* changes by the clock alone: a deadline passes, a
    gathering starts or ends, held seats are released."""
    now = now or utcnow()
    coming = [instant for g in gatherings for instant in (g.deadline_at, g.starts_at, g.ends_at, g.held_until_at)
              if instant is not None and instant > now]
    return min(coming, default=None)


def gathering_by_slug(slug: str) -> Gathering | None:
    """The gathering at /samlinger/<slug>, if the public may see it."""
    gathering = db.session.scalar(
        select(Gathering).where(Gathering.slug == slug, *SHOWN).options(joinedload(Gathering.round))
    )
    return gathering if gathering is not None and gathering.is_visible else None


def availability(gatherings, now=None) -> dict[int, Availability]:
    """Return the seats shown to the public for each gathering."""
    now = now or utcnow()
    by_mode = mode_counts(g.id for g in gatherings)
    # Only gatherings holding seats need the count per municipality: one more query, whatever their number.
    holding = seats.tallies(g.id for g in gatherings if g.holding(now))

    def side(g, mode):
        counts = by_mode[g.id].get(mode, Counts())
        return Availability(confirmed=counts.confirmed, waitlisted=counts.waitlisted,
                            capacity=modes.capacity_for(g, mode), open=g.registration_open(now),
                            waitlist_enabled=g.waitlist_enabled)

    found = {}
    for g in gatherings:
        counts = total(by_mode[g.id])
        sides = tuple((mode, side(g, mode)) for mode in modes.offered(g)) if g.mode == "hybrid" else ()
        found[g.id] = Availability(
            confirmed=counts.confirmed, waitlisted=counts.waitlisted, capacity=g.capacity,
            open=g.registration_open(now), waitlist_enabled=g.waitlist_enabled, sides=sides,
            per_municipality_limit=g.per_municipality_limit,
            held=seats.unused_held(g, holding[g.id], now) if g.id in holding else 0, held_until=g.held_until)
    return found


def group_for_front_page(gatherings, now=None):
    """Split into (upcoming rounds as [(round_, [gatherings])], past gatherings, newest first)."""
    now = now or utcnow()
    upcoming: dict[int, tuple[Round, list[Gathering]]] = {}
    past = []
    for gathering in gatherings:
        if gathering.has_ended(now):
            past.append(gathering)
        else:
            upcoming.setdefault(gathering.round_id, (gathering.round, []))[1].append(gathering)
    return list(upcoming.values()), list(reversed(past))
