"""Who may take a free seat: capacity, the limit per municipality and the seats held for municipalities not
yet registered. The one place these rules are written; registering, promotion and the public page ask it.

A municipality's count is its confirmed registrations for the gathering, on site and online together. A
registration from another organisation (no municipality) is never limited per municipality, and is not a
newcomer for held seats. Capacity is per side (registration/modes.py: a hybrid gathering's on-site and online
seats); the held seats are of `capacity`, the side that has it (on site, or online for an online gathering).

Held seats, while held (before the end of `held_until` in Oslo): `held_seats` of the capacity are kept for
municipalities with no confirmed registration yet ("newcomers"). Every municipality that has a confirmed
registration has used one of them, so the seats still held are

    unused = min(free seats, max(held_seats - municipalities with a confirmed registration, 0))

A newcomer may take any free seat. Anyone else (a municipality already there, another organisation) takes
a seat only while free seats exceed the unused held ones. After `held_until` the rule is gone: the next
promotion (a registration, a cancellation, or `flask release-held-seats`) gives the seats to the waiting
list in order.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select

from ..extensions import db
from ..formatting import date_long
from . import modes
from .models import Registration

#: why a seat cannot be given
FULL, MUNICIPALITY_LIMIT, HELD = "full", "municipality_limit", "held"


@dataclass
class Tally:
    """Confirmed seats of one gathering: in all, per side (on site, online) and per municipality (None: another
    organisation)."""

    confirmed: int = 0
    per_municipality: dict = field(default_factory=dict)
    per_side: dict = field(default_factory=dict)

    @property
    def municipalities(self) -> int:
        """Municipalities of the register with at least one confirmed registration."""
        return sum(1 for key, number in self.per_municipality.items() if key is not None and number > 0)

    def take(self, municipality_id, mode: str = modes.ON_SITE) -> None:
        self.confirmed += 1
        self.per_municipality[municipality_id] = self.per_municipality.get(municipality_id, 0) + 1
        self.per_side[mode] = self.per_side.get(mode, 0) + 1

    def release(self, municipality_id, mode: str) -> None:
        """Count without one confirmed seat: the one a person holds while they move it (side, municipality)."""
        self.confirmed -= 1
        self.per_municipality[municipality_id] = self.per_municipality.get(municipality_id, 0) - 1
        self.per_side[mode] = self.per_side.get(mode, 0) - 1


def tally(gathering_id: int) -> Tally:
    """The confirmed registrations of the gathering per municipality, in one query."""
    return tallies([gathering_id])[gathering_id]


def tallies(gathering_ids) -> dict[int, Tally]:
    """{gathering id: Tally} for several gatherings in one query (the public pages)."""
    found = {gathering_id: Tally() for gathering_id in gathering_ids}
    if found:
        rows = db.session.execute(
            select(Registration.gathering_id, Registration.municipality_id, Registration.attendance_mode,
                   func.count())
            .where(Registration.gathering_id.in_(list(found)), Registration.status == "confirmed")
            .group_by(Registration.gathering_id, Registration.municipality_id, Registration.attendance_mode)
        )
        for gathering_id, municipality_id, mode, number in rows:
            counted = found[gathering_id]
            counted.confirmed += number
            counted.per_municipality[municipality_id] = counted.per_municipality.get(municipality_id, 0) + number
            mode = mode or modes.ON_SITE
            counted.per_side[mode] = counted.per_side.get(mode, 0) + number
    return found


def held_side(gathering) -> str:
    """The side whose seats are `capacity`, of which the held seats are kept."""
    return modes.ONLINE if gathering.mode == "online" else modes.ON_SITE


def unused_held(gathering, counted: Tally, now) -> int:
    """The seats still held for municipalities not yet registered (0 once the hold has ended)."""
    if not gathering.holding(now) or gathering.capacity is None:
        return 0
    free = max(gathering.capacity - counted.per_side.get(held_side(gathering), 0), 0)
    return min(free, max(gathering.held_seats - counted.municipalities, 0))


def why_not(gathering, municipality_id, counted: Tally, now, mode: str | None = None) -> str | None:
    """None if a person from *municipality_id* (None: another organisation) may take a seat on side *mode*
    (by default the gathering's first) now; otherwise why not: FULL, MUNICIPALITY_LIMIT or HELD."""
    mode = modes.side(gathering, mode)
    capacity = modes.capacity_for(gathering, mode)
    taken = counted.per_side.get(mode, 0)
    if capacity is not None and taken >= capacity:
        return FULL
    mine = counted.per_municipality.get(municipality_id, 0) if municipality_id is not None else None
    if gathering.per_municipality_limit and mine is not None and mine >= gathering.per_municipality_limit:
        return MUNICIPALITY_LIMIT
    newcomer = mine == 0
    if not newcomer and mode == held_side(gathering) and gathering.capacity is not None:
        if gathering.capacity - taken <= unused_held(gathering, counted, now):
            return HELD
    return None


def has_rules(gathering) -> bool:
    """Whether anything but capacity decides who gets a seat."""
    return bool(gathering.per_municipality_limit or gathering.held_seats)


def reason(gathering, why: str | None):
    """The sentence that says why there is no seat now (for MUNICIPALITY_LIMIT and HELD), lazily translated;
    None for any other *why*. The waiting-list mail, the receipt and the refusals all say it."""
    if why == MUNICIPALITY_LIMIT and gathering.per_municipality_limit:
        return lazy_ngettext("Your municipality has reached the limit of %(num)d seat for this gathering.",
                             "Your municipality has reached the limit of %(num)d seats for this gathering.",
                             gathering.per_municipality_limit)
    if why == HELD and gathering.held_until:
        return _l("The seats left are held until %(day)s for municipalities that have nobody registered yet.",
                  day=date_long(gathering.held_until))
    return None
