"""The reach page in the workspace (/arrangor/rekkevidde) and its XLSX export."""

from flask import Blueprint, abort, render_template, request

from .. import spreadsheets
from ..gatherings.models import REGIONS
from ..seats.sides import ATTENDANCE
from ..timeutil import oslo
from . import charts, export, figures

bp = Blueprint("reach", __name__, url_prefix="/rekkevidde")


def period_of(args) -> dict:
    """The period asked for: `?periode=runde-<id>` (one round) or `?periode=<years>` (the last years, this one
    included); anything else is the default number of years."""
    value = args.get("periode", "")
    if value.startswith("runde-") and value[6:].isdigit():
        return {"round_id": int(value[6:])}
    years = int(value) if value.isdigit() else figures.DEFAULT_YEARS
    return {"years": years if years in figures.YEARS_CHOICES else figures.DEFAULT_YEARS}


def regions() -> dict[str, str]:
    """Region names translated once per page, not once per row."""
    return {region: str(title) for region, title in REGIONS.items()}


def day_of(gathering) -> str:
    """The gathering's date in numbers (Oslo): a long date per row of 200 costs more than the rest of the row."""
    return f"{oslo(gathering.starts_at):%d.%m.%Y}"


def _reach(args=None):
    period = period_of(request.args if args is None else args)
    reach = figures.reach(**period)
    if "round_id" in period and reach.round is None:
        abort(404)
    return reach, period


@bp.get("/")
def index():
    reach, period = _reach()
    chosen = f"runde-{period['round_id']}" if "round_id" in period else str(period["years"])
    return render_template("reach/workspace.html", reach=reach, chosen=chosen, rounds=figures.all_rounds(),
                           years_choices=figures.YEARS_CHOICES, grid=charts.grid(reach, export.line_label),
                           bars=charts.bars(reach), line_label=export.line_label, regions=regions(), day_of=day_of,
                           sides={side: str(title) for side, title in ATTENDANCE.items()})


@bp.get("/<period>.xlsx")
def download(period):
    """The page's figures as a workbook; the period is in the path (`3`, `runde-12`), so the address ends in .xlsx."""
    reach, _period = _reach({"periode": period})
    return spreadsheets.download_workbook(export.sheets(reach), export.file_name(reach))
