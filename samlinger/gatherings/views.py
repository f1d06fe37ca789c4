"""Public pages and feeds: the front page, a gathering, the JSON API and calendar files."""

from datetime import date

from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from sqlalchemy import text

from ..extensions import db
from ..mail import ics
from ..offices import paths
from ..offices.scope import use_office
from ..offices.settings import current as current_office
from ..pagecache import cached, expires_at
from ..texts import current_language
from ..timeutil import oslo
from ..urls import absolute_url
from . import public

bp = Blueprint("gatherings", __name__)


@bp.get("/")
@cached
def index():
    if paths.is_national_page():
        return render_template("offices/list.html", offices=paths.office_homes())
    gatherings = public.visible_gatherings(with_documents=True)
    expires_at(public.next_change(gatherings))
    seats = public.availability(gatherings)
    rounds, past = public.group_for_front_page(gatherings)
    return render_template("gatherings/index.html", rounds=rounds, past=past, seats=seats)


@bp.get("/samlinger/<slug>")
@cached
def detail(slug):
    gathering = public.gathering_by_slug(slug) or abort(404)
    expires_at(public.next_change([gathering]))
    seats = public.availability([gathering])[gathering.id]
    return render_template("gatherings/detail.html", gathering=gathering, seats=seats)


def _calendar_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8; method=PUBLISH"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/samlinger/<slug>.ics")
@cached
def detail_ics(slug):
    gathering = public.gathering_by_slug(slug) or abort(404)
    body = ics.download(gathering, url=absolute_url("gatherings.detail", slug=slug), language=current_language())
    return _calendar_response(body, f"{slug}.ics")


@bp.get("/samlinger.ics")
@cached
def feed_ics():
    gatherings = public.visible_gatherings()
    body = ics.feed([(g, absolute_url("gatherings.detail", slug=g.slug)) for g in gatherings], current_language())
    return _calendar_response(body, "samlinger.ics")


@bp.get("/api/v1/gatherings")
@cached
def api_gatherings():
    """Published gatherings as JSON, public fields only; texts in the path's language (/nn/api/v1/…). An office's
    at /<slug>/api/v1/gatherings; every office's at /api/v1/gatherings once there are several."""
    language = current_language()
    items = []
    for office in paths.offices_of_page():
        with use_office(office):
            gatherings = public.visible_gatherings()
            expires_at(public.next_change(gatherings))
            seats = public.availability(gatherings)
            items += [_public_fields(g, seats[g.id], language) for g in gatherings]
    return jsonify({"language": language, "gatherings": items})


def _public_fields(g, seats, language: str) -> dict:
    office = current_office()
    return {
        "id": g.id, "office": {"slug": office.slug, "name": office.name_in(language)},
        "title": g.text("title", language), "round": g.round.text("title", language),
        "region": g.region, "status": g.status,
        "starts_at": oslo(g.starts_at).isoformat(), "ends_at": oslo(g.ends_at).isoformat(),
        "venue": g.venue, "address": g.address, "deadline": g.registration_deadline.isoformat(),
        "deadline_at": oslo(g.deadline_at).isoformat(), "registration_open": seats.open,
        # open, few, waitlist, full or closed: never how many seats are left (Availability.shown)
        "capacity": g.capacity, "seats": seats.shown,
        # on_site, online or hybrid; a hybrid gathering's seats per side (the link itself is never public)
        "mode": g.mode, "sides": {mode: {"capacity": side.capacity, "seats": side.shown}
                                  for mode, side in seats.sides} or None,
        "per_municipality_limit": g.per_municipality_limit,
        "url": absolute_url("gatherings.detail", slug=g.slug),
        "ics_url": absolute_url("gatherings.detail_ics", slug=g.slug),
    }


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})


#: When the accessibility statement was last written; update it with the statement.
ACCESSIBILITY_STATEMENT_WRITTEN = date(2026, 11, 22)


@bp.get("/personvern")
@cached
def privacy():
    return render_template("pages/privacy.html", months=current_app.config["RETENTION_MONTHS"])


@bp.get("/tilgjengelighet")
@cached
def accessibility():
    return render_template("pages/accessibility.html", written=ACCESSIBILITY_STATEMENT_WRITTEN)
