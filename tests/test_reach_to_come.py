"""A round still to come is shown as still to come («kommer»), never as if everyone stayed away: in the figures,
both charts, the tables, the XLSX export and the public page."""

import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from samlinger.extensions import db
from samlinger.reach import charts, export, figures
from samlinger.timeutil import oslo_today

from . import factories
from .test_reach import _number, seed_small


def _vadso(reach):
    return next(line for line in reach.lines if line.municipality is not None and line.municipality.name == "Vadsø")


def _cell(grid, label_start: str, column: int):
    row = next(row for row in grid.rows if row.label.startswith(label_start))
    return row.cells[column]


def test_the_figures_know_a_round_still_to_come(app):
    ids = seed_small(app)
    with app.app_context():
        reach = figures.reach(years=2)
        assert reach.rounds_to_come == {ids["upcoming"]}
        vadso = _vadso(reach)
        assert reach.to_come(ids["upcoming"], vadso.in_round(ids["upcoming"]))
        assert not reach.to_come(ids["spring"], vadso.in_round(ids["spring"])), "on the waiting list of a past one"
        later = next(g for g in reach.gatherings if g.round_id == ids["upcoming"])
        assert reach.gathering_to_come(later)
        assert not any(reach.gathering_to_come(g) for g in reach.gatherings if g.round_id != ids["upcoming"])

        grid = charts.grid(reach, export.line_label)
        upcoming = [r.id for r in reach.rounds].index(ids["upcoming"])
        assert _cell(grid, "5607", upcoming).state == "to_come" and _cell(grid, "5607", upcoming).text == "1"
        assert _cell(grid, "5607", 0).state == "registered", "a past round nobody came to stays a ring"
        assert _cell(grid, "5601", upcoming).state == "none"
        bars = charts.bars(reach)
        assert [group.to_come for group in bars.groups] == [False, False, True]


def test_a_round_under_way_shows_to_come_only_where_nobody_could_come_yet(app):
    """East has taken place, west has not: a municipality registered for west only is still to come; one that
    stayed away from east is not."""
    with app.app_context():
        from samlinger.municipalities import importing

        importing.load_demo()
        today = oslo_today()
        round_ = factories.round_(today.year, "spring" if today.month <= 6 else "autumn")
        east = factories.gathering(day=today - timedelta(days=3), round=round_, region="east")
        west = factories.gathering(day=today + timedelta(days=10), round=round_, region="west")
        factories.registration_row(east.id, email="a@x.no", municipality_id=_number("5601"))  # stayed away
        factories.registration_row(west.id, email="b@x.no", municipality_id=_number("5607"))
        reach = figures.reach(round_id=round_.id)
        assert reach.rounds_to_come == set(), "under way: not still to come as a whole"
        grid = charts.grid(reach, export.line_label)
        assert _cell(grid, "5601", 0).state == "registered"
        assert _cell(grid, "5607", 0).state == "to_come"
        assert reach.gathering_to_come(west) and not reach.gathering_to_come(east)
        db.session.remove()


def test_the_workspace_page_and_the_export_say_to_come(app, organiser_client):
    ids = seed_small(app)
    html = organiser_client.get("/arrangor/rekkevidde/?periode=2").get_data(as_text=True)
    vadso_row = re.search(r"<tr><th scope=\"row\">5607 Vadsø</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td class=\"num\">(.*?)</td>", vadso_row) == ["0 / 1", "1 / 1", "kommer / 1"]
    assert html.count('class="dot-to-come"') == 2, "Vadsø and the text not matched, in the round still to come"
    assert "chart-to-come" in html and "Stiplet ring" in html
    upcoming_row = re.search(r"<tr><th scope=\"row\">[^<]*: Samlinger i Prosjektnettverket [^<]*"
                             + str(oslo_today().year) + r"</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td class=\"num\">(.*?)</td>", upcoming_row)[:4] == ["2", "kommer", "kommer", "2"]

    workbook = load_workbook(io.BytesIO(organiser_client.get("/arrangor/rekkevidde/2.xlsx").data), read_only=True)
    sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}
    grid = next(rows for title, rows in sheets.items() if title.startswith("Møtt per runde"))
    assert next(row for row in grid if row[0] == "5607")[2:] == (0, 1, "kommer")
    assert next(row for row in grid if row[0] == "5626")[2:] == (0, 0, None), "never reached: empty"
    per_round = sheets["Per runde"]
    assert per_round[3][2:6] == (2, "kommer", "kommer", 2)
    assert per_round[1][3] == 3, "a past round keeps its numbers"
    per_gathering = sheets["Per samling"]
    assert per_gathering[-1][4:8] == (2, "kommer", "kommer", 2)
    assert ids


def test_the_public_page_says_to_come(app, client):
    app.config["SAMLINGER_PUBLIC_REACH"] = True
    seed_small(app)
    html = client.get("/rekkevidde?periode=2").get_data(as_text=True)
    rows = re.findall(r"<tr><th scope=\"row\">(?:Vår|Høst) \d{4}</th>"
                      r"<td class=\"num\">(\d+)</td><td class=\"num\">(.*?)</td></tr>", html)
    assert rows[-1] == ("2", "kommer") and rows[0][1] == "3"
