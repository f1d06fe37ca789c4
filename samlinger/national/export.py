"""The national reach as a workbook: one sheet per table of the page, the same numbers (figures.national_reach)."""

from flask_babel import get_locale
from flask_babel import gettext as _

from ..reach.charts import round_label
from ..reach.export import line_label, tally_cells, tally_headers, to_come
from ..seats.sides import ATTENDANCE
from .figures import Chart, National


def office_label(office) -> str:
    """The office's name in the page's language."""
    return office.name_in(str(get_locale()))


def county_label(name: str) -> str:
    return name or _("County not given")


def chart_label(national: National):
    """The label of a line of either chart: an office, a county, or another organisation (figures.py's keys)."""
    names = {part.office.slug: office_label(part.office) for part in national.offices}

    def label(line) -> str:
        if isinstance(line.key, tuple):
            kind, value = line.key
            return names.get(value, value) if kind == "office" else county_label(value)
        return line_label(line)

    return label


def file_name(national: National) -> str:
    return f"rekkevidde-nasjonalt-{national.first_year}-{national.last_year}"


def _attended(chart: Chart, line, term) -> int | str:
    tally = line.in_round(term.id)
    return to_come() if chart.to_come(term.id, tally) else tally.attended


def sheets(national: National) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) for each table."""
    label = chart_label(national)
    total = _("Total")
    per_office = [[office_label(part.office), part.office.slug, part.reach.reached_count,
                   part.reach.register_count, *tally_cells(part.reach.total)] for part in national.offices]
    per_office.append([total, "", national.reached_count, national.register_count, *tally_cells(national.total)])
    per_county = [[county_label(county.name), county.reached, county.register, *tally_cells(county.total)]
                  for county in national.counties]
    per_county += [[line_label(line), "", "", *tally_cells(line.total)] for line in national.other_lines]
    per_county.append([total, national.reached_count, national.register_count, *tally_cells(national.total)])
    terms = [round_label(term) for term in national.rounds]
    grids = []
    for chart in (national.office_chart(), national.county_chart()):
        grids.append([[label(line), *[_attended(chart, line, term) for term in chart.rounds]]
                      for line in chart.lines])
    per_round = [[round_label(term), *tally_cells(national.per_round[term.id], national.round_to_come(term.id))]
                 for term in national.rounds]
    per_side = [[str(ATTENDANCE[side]), *tally_cells(national.per_side[side])] for side in national.sides]
    reached, register = _("Municipalities reached"), _("Municipalities in the register")
    return [
        (_("Per office"), [_("Office"), _("Address segment"), reached, register, *tally_headers()], per_office),
        (_("Per county"), [_("County"), reached, register, *tally_headers()], per_county),
        (_("Attended per office and round"), [_("Office"), *terms], grids[0]),
        (_("Attended per county and round"), [_("County"), *terms], grids[1]),
        (_("Per round"), [_("Round"), *tally_headers()], per_round),
        (_("On site and online"), [_("Where"), *tally_headers()], per_side),
    ]
