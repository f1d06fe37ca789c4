"""The seat ledger: a gathering's registrations counted once, per side, status and municipality, and the rule
of who may take a seat, written once.

    ledgers(gatherings)[gathering.id]  one query for the whole batch
    ledger(gathering)                  one gathering (a writer, under the gathering's lock)

A `Ledger` answers *may a person from this municipality take a seat on this side now, and if not, why*
(`why_not`: FULL, MUNICIPALITY_LIMIT or HELD, rules.py) and *what do the pages show*: capacity, confirmed and
waiting per side (`side(mode)`, and `sides` for a hybrid gathering's public page), the totals (`counts`),
confirmed seats per municipality over both sides, the held seats still unused (`held`) and until when.

The rules (the one place they are written):
- Capacity is per side (sides.py: a hybrid gathering's on-site and online seats; an online gathering's
  seats are `capacity`).
- A municipality's count is its confirmed registrations, on site and online together. Another organisation
  (no municipality) is never limited per municipality, and is not a newcomer for held seats.
- Held seats, while held (before the end of `held_until` in Oslo): `held_seats` of `capacity` (the side
  that has it, sides.held_side) are kept for municipalities with no confirmed registration yet
  ("newcomers"). Every municipality with a confirmed registration has used one of them, so the seats
  still held are `min(free seats, max(held_seats - municipalities with a confirmed registration, 0))`.
  A newcomer may take any free seat; anyone else only while free seats exceed the unused held ones.

What the public pages show of a registration is exactly `SHOWN_COLUMNS`: the ledger groups by them, and
pagecache raises the content version whenever one of them changes (gatherings/public.SHOWS).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, select

from ..extensions import db
from ..gatherings.models import Gathering
from ..registration.models import Registration
from ..timeutil import utcnow
from . import sides as _sides
from .rules import FULL, HELD, MUNICIPALITY_LIMIT

#: the columns of a registration the seats are counted from: what public pages show of registrations
SHOWN_COLUMNS = (Registration.gathering_id, Registration.attendance_mode, Registration.status,
                 Registration.municipality_id)


@dataclass(frozen=True)
class Counts:
    """Registrations by status; `checked_in` and `walk_ins` are confirmed ones (registration/attendance.py)."""

    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    checked_in: int = 0
    walk_ins: int = 0

    @property
    def active(self) -> int:
        """Registrations that hold a seat or a place in the queue."""
        return self.confirmed + self.waitlisted

    @property
    def total(self) -> int:
        """Every registration ever made, cancelled ones included: a gathering with any has a history."""
        return self.active + self.cancelled

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.confirmed + other.confirmed, self.waitlisted + other.waitlisted,
                      self.cancelled + other.cancelled, self.checked_in + other.checked_in,
                      self.walk_ins + other.walk_ins)

    def plus(self, status: str, number: int = 1, checked_in: int = 0, walk_ins: int = 0) -> "Counts":
        found = {"confirmed": 0, "waitlisted": 0, "cancelled": 0}
        if status in found:
            found[status] = number
        return self + Counts(**found, checked_in=checked_in, walk_ins=walk_ins)


def total(counts) -> Counts:
    """Several Counts together (a round, a message to several gatherings); a dict's values or any iterable."""
    return sum(counts.values() if isinstance(counts, dict) else counts, Counts())


#: at most this many free seats read «few seats left»; the public never sees how many exactly (`shown`): a number
#: that moves with a new registration and stands still for an address registered again would tell anyone who
#: registers a person's address whether that person had registered (docs/ARCHITECTURE.md, no registration oracle)
FEW_SEATS = 5


class _States:
    """What registering now gives, and what the public is told of it, for a side or a whole gathering (each has
    open, waitlist_enabled, is_full and seats_left)."""

    @property
    def state(self) -> str:
        """open | waitlist | full | closed"""
        if not self.open:
            return "closed"
        if not self.is_full:
            return "open"
        return "waitlist" if self.waitlist_enabled else "full"

    @property
    def few(self) -> bool:
        """At most FEW_SEATS left, registration open."""
        return self.shown == "few"

    @property
    def shown(self) -> str:
        """What the public is told: open | few | waitlist | full | closed, never a number."""
        left = self.seats_left
        return "few" if self.state == "open" and left is not None and left <= FEW_SEATS else self.state


@dataclass(frozen=True)
class Side(_States):
    """The seats of one side as a page shows them: how many are left and what registering now gives."""

    capacity: int | None
    confirmed: int
    waitlisted: int
    open: bool
    waitlist_enabled: bool

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.confirmed >= self.capacity



@dataclass
class Ledger(_States):
    """One gathering's seats at *now*: see the module's note."""

    gathering: object
    now: datetime
    #: {side: Counts} for every side the gathering offers (and any side registrations are still on)
    by_side: dict = field(default_factory=dict)
    #: {municipality id or None (another organisation): confirmed registrations, both sides}
    per_municipality: dict = field(default_factory=dict)

    # --- the rule ------------------------------------------------------------------------------------

    def capacity(self, mode: str) -> int | None:
        return _sides.capacity_for(self.gathering, mode)

    def counts_on(self, mode: str) -> Counts:
        """One side's registrations (check-in counts those on site)."""
        return self.by_side.get(mode, Counts())

    def confirmed_on(self, mode: str) -> int:
        return self.counts_on(mode).confirmed

    def municipalities(self) -> int:
        """Municipalities of the register with at least one confirmed registration."""
        return sum(1 for key, number in self.per_municipality.items() if key is not None and number > 0)

    @property
    def held(self) -> int:
        """The seats still held now for municipalities not yet registered (0 once the hold has ended)."""
        g = self.gathering
        if not g.holding(self.now) or g.capacity is None:
            return 0
        free = max(g.capacity - self.confirmed_on(_sides.held_side(g)), 0)
        return min(free, max(g.held_seats - self.municipalities(), 0))

    @property
    def held_until(self) -> date | None:
        return self.gathering.held_until

    def why_not(self, municipality_id, mode: str | None = None) -> str | None:
        """None if a person from *municipality_id* (None: another organisation) may take a seat on side *mode*
        (by default the gathering's first) now; otherwise why not: FULL, MUNICIPALITY_LIMIT or HELD."""
        g = self.gathering
        mode = _sides.side(g, mode)
        capacity = self.capacity(mode)
        taken = self.confirmed_on(mode)
        if capacity is not None and taken >= capacity:
            return FULL
        mine = self.per_municipality.get(municipality_id, 0) if municipality_id is not None else None
        if g.per_municipality_limit and mine is not None and mine >= g.per_municipality_limit:
            return MUNICIPALITY_LIMIT
        newcomer = mine == 0
        if not newcomer and mode == _sides.held_side(g) and g.capacity is not None:
            if g.capacity - taken <= self.held:
                return HELD
        return None

    def full_everywhere(self) -> bool:
        """No side has a free seat for anyone: the waiting list need not be read."""
        return all(self.why_not(None, mode) == FULL for mode in _sides.offered(self.gathering))

    def take(self, municipality_id, mode: str) -> None:
        """Count one more confirmed seat (a promotion within the same transaction)."""
        self._add(municipality_id, mode, +1)

    def release(self, municipality_id, mode: str) -> None:
        """Count without one confirmed seat: the one a person holds while they move it (side, municipality)."""
        self._add(municipality_id, mode, -1)

    def _add(self, municipality_id, mode: str, number: int) -> None:
        self.by_side[mode] = self.by_side.get(mode, Counts()).plus("confirmed", number)
        self.per_municipality[municipality_id] = self.per_municipality.get(municipality_id, 0) + number

    # --- what the pages show -------------------------------------------------------------------------

    @property
    def counts(self) -> Counts:
        """Both sides together."""
        return total(self.by_side)

    @property
    def confirmed(self) -> int:
        return self.counts.confirmed

    @property
    def waitlisted(self) -> int:
        return self.counts.waitlisted

    @property
    def open(self) -> bool:
        return self.gathering.registration_open(self.now)

    @property
    def waitlist_enabled(self) -> bool:
        return self.gathering.waitlist_enabled

    @property
    def per_municipality_limit(self) -> int | None:
        return self.gathering.per_municipality_limit

    def side(self, mode: str) -> Side:
        counts = self.by_side.get(mode, Counts())
        return Side(capacity=self.capacity(mode), confirmed=counts.confirmed, waitlisted=counts.waitlisted,
                    open=self.open, waitlist_enabled=self.gathering.waitlist_enabled)

    @property
    def offered(self) -> list[tuple[str, Side]]:
        """[(side, Side)] for every side the gathering offers: the workspace shows each with its capacity."""
        return [(mode, self.side(mode)) for mode in _sides.offered(self.gathering)]

    @property
    def sides(self) -> tuple:
        """A hybrid gathering's sides for the public page, each with its own seats; () for any other."""
        return tuple(self.offered) if self.gathering.mode == "hybrid" else ()

    @property
    def seats_left(self) -> int | None:
        left = [side.seats_left for _mode, side in self.offered]
        return None if None in left else sum(left)

    @property
    def is_full(self) -> bool:
        """Every side full: only then does registering give a place on a waiting list (or nothing)."""
        return all(side.is_full for _mode, side in self.offered)



def ledgers(gatherings, now=None) -> dict[int, Ledger]:
    """{gathering id: Ledger} for the gatherings (objects), in one query; nobody registered gives zeros."""
    now = now or utcnow()
    found = {g.id: Ledger(g, now, {mode: Counts() for mode in _sides.offered(g)}) for g in gatherings}
    if not found:
        return found
    rows = db.session.execute(
        select(*SHOWN_COLUMNS, func.count(), func.count(Registration.checked_in_at),
               func.count(case((Registration.walk_in, 1))))
        .where(Registration.gathering_id.in_(list(found)))
        .group_by(*SHOWN_COLUMNS)
    )
    for gathering_id, mode, status, municipality_id, number, checked_in, walk_ins in rows:
        counted = found[gathering_id]
        mode = mode or _sides.ON_SITE
        if status == "confirmed":
            counted.by_side[mode] = counted.by_side.get(mode, Counts()).plus(status, number, checked_in, walk_ins)
            counted.per_municipality[municipality_id] = counted.per_municipality.get(municipality_id, 0) + number
        else:
            counted.by_side[mode] = counted.by_side.get(mode, Counts()).plus(status, number)
    return found


def ledger(gathering, now=None) -> Ledger:
    """One gathering's ledger (a writer asks it under the gathering's lock)."""
    return ledgers([gathering], now)[gathering.id]


def status_counts(gatherings) -> dict[int, Counts]:
    """{gathering id: Counts, both sides together} for the gatherings (objects), in one query."""
    return {gathering_id: found.counts for gathering_id, found in ledgers(gatherings).items()}


def counts_by_id(gathering_ids) -> dict[int, Counts]:
    """{gathering id: Counts} when only ids are at hand (a message to several gatherings): the same count."""
    ids = list(gathering_ids)
    if not ids:
        return {}
    gatherings = db.session.scalars(select(Gathering).where(Gathering.id.in_(ids)))
    return {gathering_id: found.counts for gathering_id, found in ledgers(gatherings).items()}
