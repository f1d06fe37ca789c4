"""Reach: figures per municipality, round, region and gathering (samlinger/reach/figures.py), the workspace
page and its XLSX export, the public page, and the same totals before and after the retention purge."""

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.municipalities import importing
from samlinger.municipalities.models import Municipality
from samlinger.reach import figures
from samlinger.reach.figures import Tally
from samlinger.registration.models import Registration
from samlinger.timeutil import oslo_today, utcnow

from . import factories


def _number(number: str) -> int:
    return db.session.scalar(select(Municipality.id).where(Municipality.number == number))


def seed_small(app):
    """Two past rounds and one upcoming one, east and west, a cancelled gathering; Alta, Vadsø and another
    organisation registered, the other Finnmark municipalities never."""
    with app.app_context():
        importing.load_demo()
        today = oslo_today()
        year = today.year
        spring = factories.round_(year - 1, "spring")
        autumn = factories.round_(year - 1, "autumn")
        upcoming = factories.round_(year, "autumn" if today.month > 6 else "spring")
        east = factories.gathering(day=today - timedelta(days=400), round=spring, region="east")
        west = factories.gathering(day=today - timedelta(days=390), round=spring, region="west")
        autumn_east = factories.gathering(day=today - timedelta(days=200), round=autumn, region="east")
        cancelled = factories.gathering(day=today - timedelta(days=190), round=autumn, region="west",
                                        status="cancelled")
        later = factories.gathering(day=today + timedelta(days=20), round=upcoming, region="west")
        alta, vadso = _number("5601"), _number("5607")
        n = iter(range(1000))

        def add(gathering, municipality_id, status="confirmed", attended=False, organisation="Alta kommune"):
            factories.registration_row(
                gathering.id, email=f"p{next(n)}@deltaker.example.no", status=status, municipality_id=municipality_id,
                organisation=organisation, name="Kari Hemmelig",
                checked_in_at=gathering.starts_at if attended else None)

        add(east, alta, attended=True)
        add(east, alta, attended=True)
        add(east, alta)                                  # no-show
        add(east, vadso, status="waitlisted")
        add(west, alta, status="cancelled")
        add(west, None, attended=True, organisation="KS Finnmark")
        add(autumn_east, vadso, attended=True)
        add(cancelled, _number("5626"))                  # Gamvik, only at a cancelled gathering
        add(later, vadso)                                # confirmed, still to come
        factories.registration_row(later.id, email="u@deltaker.example.no", municipality_id=None, unmatched=True,
                                   organisation="Ukjent sted")
        ids = {"spring": spring.id, "autumn": autumn.id, "upcoming": upcoming.id, "east": east.id,
               "cancelled": cancelled.id}
        db.session.remove()
        return ids


def test_figures_on_a_small_data_set(app):
    ids = seed_small(app)
    with app.app_context():
        reach = figures.reach(years=2)
        assert [r.id for r in reach.rounds] == [ids["spring"], ids["autumn"], ids["upcoming"]]
        assert reach.total == Tally(registered=9, confirmed=7, attended=4, no_show=1, waitlisted=1, cancelled=1)
        assert reach.total.upcoming == 2
        by_name = {line.municipality.name if line.municipality else line.key: line for line in reach.lines}
        assert list(by_name) == ["Alta", "Vadsø", "other", "unmatched"]
        assert by_name["Alta"].total == Tally(registered=4, confirmed=3, attended=2, no_show=1, cancelled=1)
        assert by_name["Alta"].rounds_attended == 1
        assert by_name["Vadsø"].total == Tally(registered=3, confirmed=2, attended=1, waitlisted=1)
        assert by_name["Vadsø"].in_round(ids["spring"]) == Tally(registered=1, waitlisted=1)
        assert by_name["other"].total.attended == 1
        assert by_name["unmatched"].total.registered == 1
        assert reach.per_region["east"] == Tally(registered=5, confirmed=4, attended=3, no_show=1, waitlisted=1)
        assert reach.per_region["west"].registered == 4
        assert reach.per_round[ids["autumn"]] == Tally(registered=1, confirmed=1, attended=1)
        # The cancelled gathering is shown apart and counted nowhere else.
        assert reach.per_gathering[ids["cancelled"]].registered == 1
        assert [g.id for g in reach.cancelled_gatherings] == [ids["cancelled"]]
        # One round only.
        one = figures.reach(round_id=ids["spring"])
        assert one.total == Tally(registered=6, confirmed=4, attended=3, no_show=1, waitlisted=1, cancelled=1)
        # A year back only: the earlier rounds are left out.
        assert figures.reach(years=1).total.registered == 2


def test_on_site_and_online_are_counted_apart(app, organiser_client):
    """A hybrid gathering: the reach figures show those on site and those online separately."""
    ids = seed_small(app)
    with app.app_context():
        autumn_east = db.session.scalar(select(Registration.gathering_id).where(
            Registration.gathering_id != ids["east"], Registration.checked_in_at.is_not(None),
            Registration.municipality_id == _number("5607")))
        db.session.get(Gathering, autumn_east).mode = "hybrid"
        for n, attended in enumerate((True, False)):
            factories.registration_row(autumn_east, email=f"online{n}@deltaker.example.no", attendance_mode="online",
                                       municipality_id=_number("5601"), organisation="",
                                       checked_in_at=utcnow() - timedelta(days=199) if attended else None)
        db.session.commit()
        reach = figures.reach(years=2)
        assert reach.sides == ["on_site", "online"]
        assert reach.per_side["online"] == Tally(registered=2, confirmed=2, attended=1, no_show=1)
        assert reach.per_side["on_site"].attended == 4
        assert reach.total.attended == 5, "the sides add up to the whole"
    page = organiser_client.get("/arrangor/rekkevidde/?periode=2").get_data(as_text=True)
    assert "<h2 id=\"sides\">På stedet og på nett</h2>" in page or 'id="sides"' in page


def test_never_reached_lists_the_active_register_without_registrations(app):
    seed_small(app)
    with app.app_context():
        reach = figures.reach(years=2)
        never = [m.name for m in reach.never_reached]
        assert "Alta" not in never and "Vadsø" not in never
        assert "Gamvik" in never, "registered only for a gathering the organisers cancelled"
        assert len(never) == 16 and reach.register_count == 18 and reach.reached_count == 2
        # Sami names first where the name is bilingual, in Norwegian and Sami order.
        labels = [m.label for m in reach.never_reached]
        assert labels.index("Deatnu-Tana") < labels.index("Gamvik") < labels.index("Unjárga-Nesseby")
        gamvik = db.session.scalar(select(Municipality).where(Municipality.number == "5626"))
        gamvik.active = False
        db.session.commit()
        assert "Gamvik" not in [m.name for m in figures.reach(years=2).never_reached], "merged away"


def _page(client, query=""):
    response = client.get(f"/arrangor/rekkevidde/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_workspace_page_shows_the_tables_and_charts(app, organiser_client):
    ids = seed_small(app)
    html = _page(organiser_client, "?periode=2")
    assert html.count('role="img"') == 2 and "<title id=\"grid-chart-title\">" in html
    assert "5601 Alta" in html and "Annen virksomhet" in html and "5626 Gamvik" in html
    assert "Kari Hemmelig" not in html and "@deltaker.example.no" not in html
    assert html.count("<table") == 5
    one = _page(organiser_client, f"?periode=runde-{ids['spring']}")
    assert "5607 Vadsø" in one
    assert organiser_client.get("/arrangor/rekkevidde/?periode=runde-99999").status_code == 404
    assert organiser_client.get("/arrangor/rekkevidde/?periode=1000").status_code == 200  # default period


def test_the_export_has_the_same_figures(app, organiser_client):
    seed_small(app)
    response = organiser_client.get("/arrangor/rekkevidde/2.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="rekkevidde-')
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert len(workbook.sheetnames) == 7  # the page's tables, on site and online included
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("Nummer", "Kommune eller virksomhet", "Påmeldte", "Møtt")
    assert rows[1][:8] == ("5601", "Alta", 4, 2, 1, 0, 0, 1)
    never = list(workbook.worksheets[2].iter_rows(values_only=True))
    assert ("5626", "Gamvik") in never


def totals(reach):
    return (reach.total, {line.key: line.total for line in reach.lines}, dict(reach.per_region),
            dict(reach.per_round), dict(reach.per_gathering), [m.id for m in reach.never_reached])


def test_the_same_totals_before_and_after_purge_personal_data(app, runner, organiser_client):
    seed_small(app)
    with app.app_context():
        before = totals(figures.reach(years=2))
    page_before = _page(organiser_client, "?periode=2")
    result = runner.invoke(args=["purge-personal-data", "--months", "0"])
    assert result.exit_code == 0 and "8 registrations anonymised" in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).where(
            db.text("anonymised_at IS NOT NULL")).select_from(db.table("registration"))) == 8
        after = totals(figures.reach(years=2))
    assert after == before
    page_after = _page(organiser_client, "?periode=2")
    assert _numbers(page_after) == _numbers(page_before)


def _numbers(html: str) -> str:
    """The page without the CSRF token, which differs per request."""
    import re
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def test_the_public_page_is_off_by_default(app, client):
    seed_small(app)
    assert client.get("/rekkevidde").status_code == 404


def test_the_public_page_shows_numbers_per_municipality_never_people(app, client):
    app.config["SAMLINGER_PUBLIC_REACH"] = True
    seed_small(app)
    html = client.get("/rekkevidde?periode=2").get_data(as_text=True)
    assert "5601 Alta" in html and "5626 Gamvik" in html
    assert "Kari Hemmelig" not in html and "@" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Ikke møtt" not in html and "Venteliste" not in html, "nothing about what one person did not do"


def test_statements_do_not_grow_with_the_rounds(app, organiser_client, statements):
    from bench import seed as seeding

    def grow(gatherings):
        with app.app_context():
            have = db.session.scalar(select(db.func.count()).select_from(Gathering))
            seeding.seed(gatherings=gatherings - have, registrations=(gatherings - have) * 20, export_sizes=(),
                         per_round=2)
            db.session.remove()

    def count():
        for path in ("/arrangor/rekkevidde/?periode=10", "/arrangor/rekkevidde/10.xlsx"):
            assert organiser_client.get(path).status_code == 200
        statements.clear()
        counted = []
        for path in ("/arrangor/rekkevidde/?periode=10", "/arrangor/rekkevidde/10.xlsx"):
            statements.clear()
            assert organiser_client.get(path).status_code == 200
            counted.append(len(statements))
        return counted

    grow(4)
    few = count()
    grow(40)
    many = count()
    with app.app_context():
        assert len(figures.reach(years=10).rounds) >= 15
    assert many == few, (few, many)


def test_the_demo_makes_a_picture_and_seeding_again_adds_nothing(app, runner):
    from samlinger.offices.registry import offices
    from samlinger.offices.scope import use_office

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context(), use_office(offices().first):  # Finnmark's reach: the first office's demo
        first = totals(figures.reach(years=3))
        reach = figures.reach(years=3)
        assert len(reach.rounds) >= 5 and {"east", "west"} <= set(reach.regions)
        total = reach.total
        assert total.attended and total.no_show and total.waitlisted and total.cancelled
        assert reach.reached_count >= 10 and len(reach.never_reached) >= 3 and reach.other is not None
        assert reach.cancelled_gatherings, "a gathering the organisers cancelled, shown apart"
        db.session.remove()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context(), use_office(offices().first):
        assert totals(figures.reach(years=3)) == first
