"""The geometry of the reach page's two charts, drawn as SVG by templates/reach/_charts.html (no script).

Neither chart tells anything by colour alone: the grid uses a filled circle (someone attended), a ring
(registered, nobody attended), a dashed ring (registered for what is still to come) and a dash (no registration),
each with its number as text; the bars are a filled bar (attended) next to an outlined one (registered), each
with its number above it, and for a round still to come the word for it where the attended bar would stand.
"""

from dataclasses import dataclass

from .figures import Line, Reach

#: the width both charts are drawn for: the workspace's column at 1280 px, where text is drawn at its size (14 px
#: and more, samlinger.css); a narrower window scales the chart down, a chart with many rounds grows and scrolls
CHART_W = 1000
CELL_W, CELL_W_MAX, CELL_H = 56, 140, 30
LABEL_W = 300
HEAD_H = 48
BAR_GROUP_W, BAR_GROUP_W_MAX, BAR_W, BAR_AREA_H, BAR_TOP, BAR_FOOT = 84, 200, 40, 220, 28, 52


def _spread(count: int, space: int, least: int, most: int) -> int:
    """The width of each of *count* columns sharing *space*, between *least* and *most*."""
    return max(least, min(most, space // max(count, 1)))


@dataclass
class Cell:
    x: int
    y: int
    #: attended | registered | to_come | none
    state: str
    #: the number written in the cell: attended, else registered, else ""
    text: str


@dataclass
class Row:
    y: int
    label: str
    cells: list[Cell]


@dataclass
class Grid:
    width: int
    height: int
    #: (x of the centre, term, year) per round
    columns: list[tuple[int, str, int]]
    rows: list[Row]


def round_label(round_) -> str:
    """A round as a label: its term and year ("Vår 2026")."""
    return f"{round_.term_title.capitalize()} {round_.year}"


def grid(reach: Reach, municipality_label) -> Grid:
    """Municipalities (reached, then never reached) × rounds."""
    lines: list[tuple[str, Line | None]] = [(municipality_label(line), line) for line in reach.lines]
    lines += [(f"{m.number} {m.label}", None) for m in reach.never_reached]
    cell_w = _spread(len(reach.rounds), CHART_W - LABEL_W - 8, CELL_W, CELL_W_MAX)
    columns = [(LABEL_W + i * cell_w + cell_w // 2, r.term_title.capitalize(), r.year)
               for i, r in enumerate(reach.rounds)]
    rows = []
    for n, (label, line) in enumerate(lines):
        y = HEAD_H + n * CELL_H
        cells = []
        for i, r in enumerate(reach.rounds):
            tally = line.in_round(r.id) if line is not None else None
            if tally is not None and tally.attended:
                state, text = "attended", str(tally.attended)
            elif tally is not None and reach.to_come(r.id, tally):
                state, text = "to_come", str(tally.registered)
            elif tally is not None and tally.registered:
                state, text = "registered", str(tally.registered)
            else:
                state, text = "none", ""
            cells.append(Cell(LABEL_W + i * cell_w + cell_w // 2, y, state, text))
        rows.append(Row(y, label, cells))
    return Grid(width=LABEL_W + max(len(reach.rounds), 1) * cell_w + 8, height=HEAD_H + len(lines) * CELL_H + 4,
                columns=columns, rows=rows)


@dataclass
class Bar:
    x: int
    y: int
    height: int
    value: int


@dataclass
class BarGroup:
    label: str
    centre: int
    registered: Bar
    attended: Bar
    #: the round has not taken place: no attended bar, the word for "to come" instead
    to_come: bool = False


@dataclass
class Bars:
    width: int
    height: int
    baseline: int
    groups: list[BarGroup]


def bars(reach: Reach) -> Bars:
    """Registered and attended per round, in time order."""
    top = max([reach.per_round[r.id].registered for r in reach.rounds] + [1])
    baseline = BAR_TOP + BAR_AREA_H

    def bar(x: int, value: int) -> Bar:
        height = round(BAR_AREA_H * value / top)
        return Bar(x, baseline - height, height, value)

    group_w = _spread(len(reach.rounds), CHART_W - 24, BAR_GROUP_W, BAR_GROUP_W_MAX)
    groups = []
    for i, r in enumerate(reach.rounds):
        left = 12 + i * group_w + (group_w - 2 * BAR_W - 4) // 2
        tally = reach.per_round[r.id]
        groups.append(BarGroup(round_label(r), left + BAR_W + 2, bar(left, tally.registered),
                               bar(left + BAR_W + 4, tally.attended), reach.round_to_come(r.id)))
    return Bars(width=24 + max(len(reach.rounds), 1) * group_w, height=baseline + BAR_FOOT,
                baseline=baseline, groups=groups)
