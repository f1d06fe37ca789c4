"""National reach: each office's reach (reach/figures.py, the one count) added up per office, county and term.

Nothing is counted here: `national_reach` runs `reach.figures.reach` once per office inside that office's scope
(offices/scope.use_office), so every definition holds as on the office's own page (registered, attended, no-show,
still to come, cancelled gatherings apart, reached = a registration in the period), the figures survive the
retention purge as the office's do, and the statements are the office's five per office, whatever the number of
rounds. Then they are added up:

- per office: its totals and how many of its register's active municipalities it reached;
- per county (the register's `county`, "" where none is written): the municipalities reached of those in the
  register, and their registrations; another organisation and names not matched to the register are apart;
- per term (spring or autumn of a year), over every office's rounds of that term; a term is still to come where
  no office's round of it has taken place and one has a gathering to come.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from ..collation import sort_key
from ..gatherings.models import TERMS
from ..offices.registry import offices
from ..offices.scope import use_office
from ..offices.settings import OfficeSettings
from ..reach import figures
from ..reach.figures import Line, Reach, Tally, still_to_come
from ..seats.sides import ATTENDANCE
from ..timeutil import utcnow

#: the keys of the county lines that are not a county: another organisation, names not matched to the register
OTHER, UNMATCHED = figures.OTHER, figures.UNMATCHED
TERM_ORDER = {"spring": 0, "autumn": 1}


@dataclass(frozen=True)
class Term:
    """Spring or autumn of a year, over every office's rounds of it; drawn as a round is (reach/charts.py)."""

    year: int
    term: str

    @property
    def id(self) -> tuple:
        return (self.year, self.term)

    @property
    def term_title(self) -> str:
        return str(TERMS.get(self.term, self.term))

    @property
    def order(self) -> tuple:
        return (self.year, TERM_ORDER.get(self.term, 2), self.term)


@dataclass
class OfficeReach:
    office: OfficeSettings
    #: the office's own figures, as its reach page shows them
    reach: Reach
    #: its line of the office × term chart: the totals, and per term (Term.id)
    line: Line


@dataclass
class County:
    #: the county as the register writes it ("" where it has none)
    name: str
    #: active municipalities of the register in the county, and those of them with a registration
    register: int = 0
    reached: int = 0
    line: Line = None

    @property
    def total(self) -> Tally:
        return self.line.total


@dataclass
class Chart:
    """What reach/charts.grid draws: lines × terms (it reads a Reach's lines, never_reached, rounds, to_come)."""

    lines: list[Line]
    rounds: list[Term]
    national: "National"
    never_reached: list = field(default_factory=list)

    def to_come(self, term_id, tally: Tally) -> bool:
        return self.national.to_come(term_id, tally)


@dataclass
class National:
    years: int
    first_year: int
    last_year: int
    offices: list[OfficeReach]
    #: the terms of the period over every office, oldest first
    rounds: list[Term]
    per_round: dict[tuple, Tally]
    counties: list[County]
    #: another organisation, and names not matched to the register, over every office (None when there are none)
    other: Line | None
    unmatched: Line | None
    per_side: dict[str, Tally]
    total: Tally
    rounds_to_come: set = field(default_factory=set)

    def round_to_come(self, term_id) -> bool:
        return term_id in self.rounds_to_come

    def to_come(self, term_id, tally: Tally) -> bool:
        """As Reach.to_come: registrations of a term nobody could attend yet, or all of them still to come."""
        return tally.registered > 0 and not tally.attended and (self.round_to_come(term_id) or still_to_come(tally))

    @staticmethod
    def still_to_come(tally: Tally) -> bool:
        return still_to_come(tally)

    @property
    def reached_count(self) -> int:
        return sum(part.reach.reached_count for part in self.offices)

    @property
    def register_count(self) -> int:
        return sum(part.reach.register_count for part in self.offices)

    @property
    def sides(self) -> list[str]:
        return [side for side in ATTENDANCE if side in self.per_side]

    @property
    def other_lines(self) -> list[Line]:
        return [line for line in (self.other, self.unmatched) if line is not None]

    def office_chart(self) -> Chart:
        return Chart([part.line for part in self.offices], self.rounds, self)

    def county_chart(self) -> Chart:
        return Chart([county.line for county in self.counties] + self.other_lines, self.rounds, self)


def _term_of(round_) -> tuple:
    return (round_.year, round_.term)


def national_reach(years: int | None = None, now: datetime | None = None) -> National:
    """Every office's reach over the last *years* years (this one included), added up."""
    now = now or utcnow()
    years = years if years in figures.YEARS_CHOICES else figures.DEFAULT_YEARS
    parts = []
    for office in offices().all:
        with use_office(office):
            parts.append((office, figures.reach(years=years, now=now)))
    return add_up(parts, years, now)


def add_up(parts: list[tuple[OfficeSettings, Reach]], years: int, now: datetime) -> National:
    terms: dict[tuple, Term] = {}
    per_round: dict[tuple, Tally] = defaultdict(Tally)
    per_side: dict[str, Tally] = defaultdict(Tally)
    counties: dict[str, County] = {}
    other_lines: dict[str, Line] = {}
    total = Tally()
    to_come, ended = set(), set()
    offices_ = []
    for office, reach in parts:
        term_of = {r.id: _term_of(r) for r in reach.rounds}
        for r in reach.rounds:
            terms.setdefault(term_of[r.id], Term(r.year, r.term))
            per_round[term_of[r.id]].add(reach.per_round[r.id])
        for round_id in reach.rounds_to_come:
            to_come.add(term_of[round_id])
        ended |= {term_of[g.round_id] for g in reach.counted_gatherings if not reach.gathering_to_come(g)}
        line = Line(("office", office.slug), None)
        line.total.add(reach.total)
        for r in reach.rounds:
            line.per_round[term_of[r.id]].add(reach.per_round[r.id])
        offices_.append(OfficeReach(office, reach, line))
        for side, tally in reach.per_side.items():
            per_side[side].add(tally)
        total.add(reach.total)
        for municipality_line in reach.municipalities:
            county = _county(counties, municipality_line.municipality.county)
            active = int(bool(municipality_line.municipality.active))
            county.register += active
            county.reached += active
            _add_line(county.line, municipality_line, term_of)
        for municipality in reach.never_reached:
            _county(counties, municipality.county).register += 1
        for key, kept in ((OTHER, reach.other), (UNMATCHED, reach.unmatched)):
            if kept is not None:
                _add_line(other_lines.setdefault(key, Line(key, None)), kept, term_of)
    rounds = sorted(terms.values(), key=lambda term: term.order)
    return National(
        years=years, first_year=figures.this_year(now) - years + 1,
        last_year=max([figures.this_year(now)] + [term.year for term in rounds]), offices=offices_,
        rounds=rounds, per_round={term.id: per_round[term.id] for term in rounds},
        counties=sorted(counties.values(), key=lambda county: (not county.name, sort_key(county.name))),
        other=other_lines.get(OTHER), unmatched=other_lines.get(UNMATCHED), per_side=dict(per_side), total=total,
        rounds_to_come=to_come - ended)


def _county(counties: dict, name: str) -> County:
    name = (name or "").strip()
    if name not in counties:
        counties[name] = County(name, line=Line(("county", name), None))
    return counties[name]


def _add_line(into: Line, line: Line, term_of: dict) -> None:
    into.total.add(line.total)
    for round_id, tally in line.per_round.items():
        into.per_round[term_of[round_id]].add(tally)
