"""What the public sees: the gatherings on the public pages and feeds, and their seats (the seat ledger), and
which columns those pages show (SHOWS, for the page cache)."""

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..documents.models import Document
from ..extensions import db
from ..registration.models import Registration
from ..seats.ledger import SHOWN_COLUMNS, Ledger, ledgers
from ..timeutil import FIRST_DAY, LAST_DAY, end_of_day_utc, oslo_to_utc, utcnow
from .models import Gathering, Round

#: What the public pages (front page, gathering page, JSON API, calendar feeds) show, declared here beside the
#: code that reads it: every column of a round, a gathering or a document (None), and of a registration the
#: columns the seat ledger counts. pagecache raises the content version in the transaction that changes any
#: of them (or adds or deletes such a row), so a kept page is the page rendered afresh.
SHOWS = {Round: None, Gathering: None, Document: None, Registration: frozenset(column.key for column in SHOWN_COLUMNS)}

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


def availability(gatherings, now=None) -> dict[int, Ledger]:
    """The seats shown to the public for each gathering: the seat ledger, one query for all of them."""
    return ledgers(gatherings, now or utcnow())


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
