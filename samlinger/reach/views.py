"""The public reach page (/rekkevidde), for the county's annual report: off unless SAMLINGER_PUBLIC_REACH is set.

Aggregate only: per municipality the number who attended and in how many rounds, the municipalities never
reached, and attendance per round. No names, no addresses, and no figure about what one person did or did
not do (no-shows, withdrawals, the waiting list per municipality): in a small municipality one registration
is one known person, but "Gamvik took part with one person" is about the municipality. So numbers are not
suppressed: a hidden "1" would hide exactly the small municipalities the report is about.
"""

from flask import Blueprint, abort, current_app, render_template, request

from . import charts, figures
from .workspace import period_of

bp = Blueprint("reach", __name__)


@bp.get("/rekkevidde")
def public():
    if not current_app.config.get("SAMLINGER_PUBLIC_REACH"):
        abort(404)
    period = period_of(request.args)
    period.pop("round_id", None)  # the public page shows years only: a round is a few gatherings
    years = period.get("years", figures.DEFAULT_YEARS)
    reach = figures.reach(years=years)
    return render_template("reach/public.html", reach=reach, years_choices=figures.YEARS_CHOICES,
                           chosen=str(years), bars=charts.bars(reach))
