"""Reach: which municipalities registered for and came to the gatherings, per round, region and gathering.

The one place these figures are counted; the workspace page, its XLSX export and the public page all read
`reach()`. What the words mean:

- registered: every registration (confirmed, waiting list and withdrawn); broken down into
- attended: confirmed and checked in;
- no-show: confirmed, not checked in, and the gathering has ended;
- confirmed, still to come: confirmed for a gathering that has not ended yet (neither attended nor no-show);
- waiting list: still on the waiting list (at a past gathering: never got a seat);
- cancelled: withdrawn («meldt av»), by the participant or an organiser.

A round still to come (none of its gatherings has ended) shows as still to come («kommer»), never as stayed away:
nobody could attend it yet. So does a municipality's cell of a round under way when nobody of it has attended or
stayed away and someone is confirmed for a gathering still to come, and a gathering that has not ended.

A gathering the organisers cancelled («avlyst») counts in none of these: nobody could attend it. It is listed
apart with its own numbers, and a municipality that registered only for cancelled gatherings is not reached.
A municipality is reached in a period when it has at least one registration there (any status); "never
reached" lists the active municipalities of the register without one.

Only columns the retention purge keeps are read (gathering, status, municipality, the "unmatched" mark and
check-in), never a name or an address, so the figures are the same before and after anonymisation.
Five statements whatever the period: the rounds, their gatherings, the register, and two GROUP BYs over
registrations (per gathering and side, on site or online; per round and municipality).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from ..collation import sort_key
from ..extensions import db
from ..gatherings.models import Gathering, Round
from ..municipalities.models import Municipality
from ..registration import attendance
from ..registration.models import Registration
from ..seats import sides
from ..timeutil import oslo, utcnow

#: the periods offered, in years back from this one (this year included)
YEARS_CHOICES = (1, 2, 3, 5, 10)
DEFAULT_YEARS = 3
#: the keys of the lines that are not a municipality of the register
OTHER = "other"
UNMATCHED = "unmatched"
REGION_ORDER = ("east", "west", "other")


@dataclass
class Tally:
    registered: int = 0
    confirmed: int = 0
    attended: int = 0
    no_show: int = 0
    waitlisted: int = 0
    cancelled: int = 0

    @property
    def upcoming(self) -> int:
        """Confirmed for a gathering that has not ended yet."""
        return self.confirmed - self.attended - self.no_show

    def add(self, other: "Tally") -> None:
        self.registered += other.registered
        self.confirmed += other.confirmed
        self.attended += other.attended
        self.no_show += other.no_show
        self.waitlisted += other.waitlisted
        self.cancelled += other.cancelled


def still_to_come(tally: Tally) -> bool:
    """Nobody has attended or stayed away, and someone is confirmed for a gathering that has not ended: what
    these registrations come to is not known yet (a total, a municipality's line, a region, a side)."""
    return not tally.attended and not tally.no_show and tally.upcoming > 0


@dataclass
class Line:
    """One municipality (or all of "another organisation", or all text not yet matched) over the period."""

    key: int | str
    municipality: Municipality | None
    total: Tally = field(default_factory=Tally)
    per_round: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))

    @property
    def number(self) -> str:
        return self.municipality.number if self.municipality is not None else ""

    @property
    def reached(self) -> bool:
        return self.total.registered > 0

    @property
    def rounds_attended(self) -> int:
        return sum(1 for tally in self.per_round.values() if tally.attended)

    @property
    def rounds_registered(self) -> int:
        return sum(1 for tally in self.per_round.values() if tally.registered)

    def in_round(self, round_id: int) -> Tally:
        return self.per_round.get(round_id) or Tally()


@dataclass
class Reach:
    #: the period: a number of years back, or one round
    years: int | None
    round: Round | None
    first_year: int | None
    last_year: int | None
    #: the rounds of the period, oldest first
    rounds: list[Round]
    #: their gatherings, in time order; the cancelled ones too (`is_counted` tells)
    gatherings: list[Gathering]
    per_gathering: dict[int, Tally]
    per_round: dict[int, Tally]
    per_region: dict[str, Tally]
    #: on site and online (seats/sides.py), for the counted gatherings
    per_side: dict[str, Tally]
    total: Tally
    #: the municipalities with a registration in the period, in name order (merged ones too)
    municipalities: list[Line]
    #: another organisation, and organisation names not yet matched to the register (None when there are none)
    other: Line | None
    unmatched: Line | None
    #: active municipalities of the register without a registration in the period, in name order
    never_reached: list[Municipality]
    #: the counted gatherings that have not ended, and the rounds with a counted gathering and none ended
    gatherings_to_come: set[int] = field(default_factory=set)
    rounds_to_come: set[int] = field(default_factory=set)

    def round_to_come(self, round_id: int) -> bool:
        """None of the round's gatherings has ended: nobody could attend yet."""
        return round_id in self.rounds_to_come

    def gathering_to_come(self, gathering: Gathering) -> bool:
        return gathering.id in self.gatherings_to_come

    def to_come(self, round_id: int, tally: Tally) -> bool:
        """A line's registrations in a round are still to come: nobody attended, and the round has not taken
        place or the tally is still to come (`still_to_come`)."""
        return tally.registered > 0 and not tally.attended and (self.round_to_come(round_id) or still_to_come(tally))

    @staticmethod
    def still_to_come(tally: Tally) -> bool:
        return still_to_come(tally)

    @property
    def lines(self) -> list[Line]:
        """Every line of the table per municipality: the municipalities, then the other lines."""
        return self.municipalities + [line for line in (self.other, self.unmatched) if line is not None]

    @property
    def reached_count(self) -> int:
        """Active municipalities of the register with a registration in the period."""
        return sum(1 for line in self.municipalities if line.municipality.active)

    @property
    def register_count(self) -> int:
        """Active municipalities of the register."""
        return self.reached_count + len(self.never_reached)

    @property
    def counted_gatherings(self) -> list[Gathering]:
        return [g for g in self.gatherings if is_counted(g)]

    @property
    def cancelled_gatherings(self) -> list[Gathering]:
        return [g for g in self.gatherings if not is_counted(g)]

    @property
    def sides(self) -> list[str]:
        """On site, then online, for those with registrations in the period."""
        return [side for side in (sides.ON_SITE, sides.ONLINE) if side in self.per_side]

    @property
    def regions(self) -> list[str]:
        return [region for region in REGION_ORDER if region in self.per_region]


def is_counted(gathering: Gathering) -> bool:
    """A gathering the organisers cancelled counts in no figure: nobody could attend it."""
    return gathering.status != "cancelled"


def this_year(now: datetime | None = None) -> int:
    return oslo(now or utcnow()).year


def _rounds(years: int | None, round_id: int | None, now: datetime) -> tuple[list[Round], Round | None]:
    query = select(Round).order_by(Round.year, Round.term.desc(), Round.id)  # spring before autumn
    if round_id is not None:
        chosen = db.session.get(Round, round_id)
        return ([chosen] if chosen is not None else []), chosen
    # Rounds already planned for next year are in the period too: their registrations have begun.
    return list(db.session.scalars(query.where(Round.year > this_year(now) - years))), None


def _tallies(round_ids: list[int], now: datetime, *keys, counted_only: bool = False):
    """(*keys, Tally) per group of registrations of the rounds' gatherings: one GROUP BY over *keys*."""
    confirmed = Registration.status == "confirmed"

    def number_of(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (
        select(*keys, func.count(), number_of(confirmed),
               number_of(attendance.attended_clause()), number_of(attendance.no_show_clause(now)),
               number_of(Registration.status == "waitlisted"), number_of(Registration.status == "cancelled"))
        .join(Gathering, Gathering.id == Registration.gathering_id)
        .where(Gathering.round_id.in_(round_ids)).group_by(*keys)
    )
    if counted_only:
        query = query.where(Gathering.status != "cancelled")
    width = len(keys)
    return [(*row[:width], Tally(*map(int, row[width:]))) for row in db.session.execute(query)]


def reach(years: int | None = None, round_id: int | None = None, now: datetime | None = None) -> Reach:
    """The figures for one round (*round_id*) or the rounds of the last *years* years (this one included, and
    any round planned for a later year)."""
    now = now or utcnow()
    if round_id is None and years is None:
        years = DEFAULT_YEARS
    rounds, chosen = _rounds(years, round_id, now)
    round_ids = [r.id for r in rounds]
    order = {round_id: position for position, round_id in enumerate(round_ids)}
    gatherings = sorted(db.session.scalars(select(Gathering).where(Gathering.round_id.in_(round_ids))),
                        key=lambda g: (order[g.round_id], g.starts_at, g.id)) if round_ids else []
    register = list(db.session.scalars(select(Municipality)))
    municipalities = {m.id: m for m in register}

    per_gathering: dict[int, Tally] = {g.id: Tally() for g in gatherings}
    per_round: dict[int, Tally] = {r.id: Tally() for r in rounds}
    per_region: dict[str, Tally] = defaultdict(Tally)
    per_side: dict[str, Tally] = defaultdict(Tally)
    total = Tally()
    lines: dict[int | str, Line] = {}
    if round_ids:
        # Two groupings, not one by gathering and municipality: a tenth of the rows to read (20 rounds x the
        # register instead of 200 gatherings x the register), which is most of the page's time.
        counted = {g.id for g in gatherings if is_counted(g)}
        for gathering_id, mode, tally in _tallies(round_ids, now, Registration.gathering_id,
                                                  Registration.attendance_mode):
            per_gathering[gathering_id].add(tally)
            if gathering_id in counted:
                per_side[mode or sides.ON_SITE].add(tally)
        for gathering in gatherings:
            if is_counted(gathering):
                tally = per_gathering[gathering.id]
                per_round[gathering.round_id].add(tally)
                per_region[gathering.region].add(tally)
                total.add(tally)
        for round_id_, municipality_id, unmatched, tally in _tallies(
                round_ids, now, Gathering.round_id, Registration.municipality_id, Registration.unmatched,
                counted_only=True):
            key = municipality_id if municipality_id is not None else (UNMATCHED if unmatched else OTHER)
            line = lines.get(key)
            if line is None:
                line = lines[key] = Line(key, municipalities.get(municipality_id))
            line.total.add(tally)
            line.per_round[round_id_].add(tally)

    to_come = {g.id for g in gatherings if is_counted(g) and not g.has_ended(now)}
    ended_rounds = {g.round_id for g in gatherings if is_counted(g) and g.id not in to_come}
    rounds_to_come = {g.round_id for g in gatherings if g.id in to_come} - ended_rounds
    reached = [line for key, line in lines.items() if isinstance(key, int)]
    reached.sort(key=lambda line: (sort_key(line.municipality.label), line.number))
    never = sorted((m for m in register if m.active and m.id not in lines),
                   key=lambda m: (sort_key(m.label), m.number))
    if round_id is not None:
        first_year = last_year = chosen.year if chosen is not None else None
    else:
        first_year = this_year(now) - years + 1
        last_year = max([this_year(now)] + [r.year for r in rounds])
    return Reach(
        years=None if round_id is not None else years, round=chosen, first_year=first_year, last_year=last_year,
        rounds=rounds, gatherings=gatherings, per_gathering=per_gathering, per_round=per_round,
        per_region=dict(per_region), per_side=dict(per_side), total=total, municipalities=reached,
        other=lines.get(OTHER), unmatched=lines.get(UNMATCHED), never_reached=never,
        gatherings_to_come=to_come, rounds_to_come=rounds_to_come,
    )


def all_rounds() -> list[Round]:
    """Every round, newest first, for the round chooser."""
    return list(db.session.scalars(select(Round).order_by(Round.year.desc(), Round.term, Round.id.desc())))
