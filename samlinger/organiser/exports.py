"""Participant lists to take away: CSV and XLSX per gathering and per round, and a printable list."""

from flask import Response, abort, render_template, stream_with_context

from ..audit.service import record
from ..exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_stream, xlsx_bytes
from ..extensions import db
from ..gatherings.models import Gathering, Season
from ..people import exports, service
from .views import bp


def _audited(action_object, file_format: str, what: str) -> None:
    record("registration.export", action_object, f"Exported {file_format.upper()} of {what}")
    db.session.commit()


def _csv(headers, rows, filename: str) -> Response:
    chunks = (chunk.encode("utf-8") for chunk in csv_stream(headers, rows))
    response = Response(stream_with_context(chunks), content_type=CSV_CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _xlsx(headers, rows, filename: str, sheet_title: str) -> Response:
    # A few hundred participants make a file of some tens of kilobytes: built in memory.
    response = Response(xlsx_bytes(headers, rows, sheet_title=sheet_title), content_type=XLSX_CONTENT_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _check_format(file_format: str) -> None:
    if file_format not in ("csv", "xlsx"):
        abort(404)


def _send(file_format: str, headers, rows, name: str, sheet_title: str) -> Response:
    if file_format == "csv":
        return _csv(headers, rows, f"{name}.csv")
    return _xlsx(headers, rows, f"{name}.xlsx", sheet_title)


@bp.get("/samlinger/<int:gathering_id>/deltakere.<file_format>")
def export_gathering(gathering_id, file_format):
    _check_format(file_format)
    gathering = db.get_or_404(Gathering, gathering_id)
    _audited(gathering, file_format, gathering.title)
    table = exports.Table([gathering.id], with_gathering=False)
    return _send(file_format, table.headers(), table.rows(), f"deltakere-{gathering.slug}", gathering.title)


@bp.get("/runder/<int:season_id>/deltakere.<file_format>")
def export_round(season_id, file_format):
    _check_format(file_format)
    season = db.get_or_404(Season, season_id)
    _audited(season, file_format, season.title)
    table = exports.Table([g.id for g in season.gatherings], with_gathering=True)
    return _send(file_format, table.headers(), table.rows(), f"deltakere-{season.year}-{season.term}", season.title)


@bp.get("/samlinger/<int:gathering_id>/deltakerliste")
def print_list(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    people = sorted(service.registrations(gathering.id, status="confirmed"), key=lambda r: r.name.casefold())
    return render_template("organiser/print_list.html", gathering=gathering, people=people)
