"""The reach figures as a workbook: one sheet per table of the page, the same numbers (figures.reach)."""

from flask_babel import gettext as _
from flask_babel import pgettext

from ..gatherings.models import REGIONS
from ..seats.sides import ATTENDANCE
from .charts import round_label
from .figures import OTHER, Line, Reach, Tally, still_to_come


def line_label(line: Line) -> str:
    if line.municipality is not None:
        return f"{line.municipality.number} {line.municipality.label}"
    return _("Another organisation") if line.key == OTHER else _("Not matched to the register")


def tally_headers() -> list[str]:
    return [pgettext("count", "Registered"), _("Attended"), _("No-shows"), _("Confirmed, still to come"),
            _("Waiting list"), pgettext("registration", "Cancelled")]


def to_come() -> str:
    """What a cell says where nobody could attend yet (reach/figures.py)."""
    return pgettext("reach", "to come")


def tally_cells(tally: Tally, later: bool = False) -> list:
    """The numbers of *tally*; attended and no-shows say "to come" when *later* (the round or gathering has not
    taken place) or when all of the tally is still to come."""
    if later or still_to_come(tally):
        return [tally.registered, to_come(), to_come(), tally.upcoming, tally.waitlisted, tally.cancelled]
    return [tally.registered, tally.attended, tally.no_show, tally.upcoming, tally.waitlisted, tally.cancelled]


def _attended_in(reach: Reach, line: Line, round_) -> int | str:
    tally = line.in_round(round_.id)
    return to_come() if reach.to_come(round_.id, tally) else tally.attended


def file_name(reach: Reach) -> str:
    if reach.round is not None:
        return f"rekkevidde-{reach.round.year}-{reach.round.term}"
    return f"rekkevidde-{reach.first_year}-{reach.last_year}"


def sheets(reach: Reach) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) for each table."""
    per_municipality = [
        [line.number, line_label(line) if line.municipality is None else line.municipality.label,
         *tally_cells(line.total), line.rounds_attended]
        for line in reach.lines
    ]
    grid = [[line.number, line_label(line) if line.municipality is None else line.municipality.label,
             *[_attended_in(reach, line, r) for r in reach.rounds]] for line in reach.lines]
    grid += [[m.number, m.label, *["" if reach.round_to_come(r.id) else 0 for r in reach.rounds]]
             for m in reach.never_reached]
    per_round = [[round_label(r), r.text("title"), *tally_cells(reach.per_round[r.id], reach.round_to_come(r.id))]
                 for r in reach.rounds]
    per_region = [[str(REGIONS.get(region, region)), *tally_cells(reach.per_region[region])]
                  for region in reach.regions]
    per_side = [[str(ATTENDANCE[side]), *tally_cells(reach.per_side[side])] for side in reach.sides]
    per_gathering = [
        [g.starts_at.date(), g.text("title"), str(REGIONS.get(g.region, g.region)), g.status_title,
         *tally_cells(reach.per_gathering[g.id], reach.gathering_to_come(g))]
        for g in reach.gatherings
    ]
    number, name = _("Number"), _("Municipality or organisation")
    return [
        (_("Per municipality"), [number, name, *tally_headers(), _("Rounds attended")], per_municipality),
        (_("Attended per round"), [number, name, *[round_label(r) for r in reach.rounds]], grid),
        (_("Never reached"), [number, _("Municipality")], [[m.number, m.label] for m in reach.never_reached]),
        (_("Per round"), [_("Round"), _("Title"), *tally_headers()], per_round),
        (_("Per region"), [_("Region"), *tally_headers()], per_region),
        (_("On site and online"), [_("Where"), *tally_headers()], per_side),
        (_("Per gathering"), [_("Date"), _("Gathering"), _("Region"), _("Status"), *tally_headers()], per_gathering),
    ]
