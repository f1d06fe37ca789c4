"""The JSON API, the calendar files, the health check and the demo data command."""

from datetime import date, timedelta

from icalendar import Calendar

from samlinger import demo
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering, Round
from samlinger.offices.registry import offices
from samlinger.offices.scope import use_office
from samlinger.online.models import VideoLink
from samlinger.registration import service
from samlinger.registration.models import Registration


def test_api_lists_published_gatherings_with_public_fields_only(app, client, make_gathering):
    gid = make_gathering(capacity=3, day=date(2027, 2, 10), registration_deadline=date(2027, 1, 31))
    make_gathering(status="draft")
    with app.app_context():
        service.register(gid, {"name": "Kari", "organisation": "Alta", "needs": "hemmelig"}, email="kari@x.no",
                         language="nb")
    response = client.get("/api/v1/gatherings")
    assert response.status_code == 200 and response.is_json
    [item] = response.get_json()["gatherings"]
    assert item["title"] == "Samling 1"
    assert item["round"] == "Samlinger i Prosjektnettverket våren 2027"
    assert item["region"] == "east"
    assert item["starts_at"] == "2027-02-10T10:00:00+01:00"
    assert item["ends_at"] == "2027-02-10T15:30:00+01:00"
    assert item["deadline"] == "2027-01-31"
    assert item["seats"] == "few" and "seats_left" not in item  # never a number: no registration oracle
    assert item["url"] == "http://samlinger.test/samlinger/samling-1"
    assert item["ics_url"] == "http://samlinger.test/samlinger/samling-1.ics"
    assert isinstance(item["registration_open"], bool)
    body = response.get_data(as_text=True)
    assert "kari@x.no" not in body and "hemmelig" not in body


def test_api_gives_the_mode_seats_per_side_and_the_limit_per_municipality(app, client, make_gathering):
    make_gathering(mode="hybrid", capacity=3, online_capacity=None, per_municipality_limit=2)
    make_gathering(capacity=5)
    hybrid, on_site = client.get("/api/v1/gatherings").get_json()["gatherings"]
    assert (hybrid["mode"], hybrid["per_municipality_limit"]) == ("hybrid", 2)
    assert hybrid["sides"] == {"on_site": {"capacity": 3, "seats": "few"},
                               "online": {"capacity": None, "seats": "open"}}
    assert (on_site["mode"], on_site["sides"], on_site["per_municipality_limit"]) == ("on_site", None, None)


def test_summer_times_carry_the_summer_offset(client, make_gathering):
    make_gathering(day=date(2027, 6, 10))
    [item] = client.get("/api/v1/gatherings").get_json()["gatherings"]
    assert item["starts_at"] == "2027-06-10T10:00:00+02:00"


def test_calendar_feed_has_every_published_gathering(client, make_gathering):
    make_gathering(title="Øst")
    make_gathering(title="Vest", status="cancelled")
    make_gathering(title="Kladd", status="draft")
    response = client.get("/samlinger.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Øst", "Vest"}
    assert events["Vest"]["STATUS"] == "CANCELLED"
    assert not any("ATTENDEE" in e for e in events.values())
    assert calendar.walk("VTIMEZONE")


def test_one_gathering_download_keeps_the_invite_uid(app, client, make_gathering):
    gid = make_gathering()
    calendar = Calendar.from_ical(client.get("/samlinger/samling-1.ics").data)
    [event] = calendar.walk("VEVENT")
    with app.app_context():
        assert str(event["UID"]) == db.session.get(Gathering, gid).uid
    assert client.get("/samlinger/finnes-ikke.ics").status_code == 404


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_seed_demo_is_idempotent_and_covers_every_state(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
    client = app.test_client()
    # The first office's demo (Finnmark's); Rogaland's rows are its own (tests/test_demo.py).
    with app.app_context(), use_office(offices().first):
        gatherings = db.session.scalars(db.select(Gathering)).all()
        # This round's five (one hybrid), and east and west in each past round for the reach page (the past
        # gathering with documents is one of them), and one the organisers cancelled.
        assert len(gatherings) == 5 + 2 * demo.HISTORY_TERMS + 1
        assert db.session.scalar(db.select(db.func.count()).select_from(Round)) == 1 + demo.HISTORY_TERMS
        [hybrid] = [g for g in gatherings if g.mode == "hybrid"]  # with its video link, stored once
        assert hybrid.online_capacity and hybrid.registration_open()
        assert db.session.scalar(db.select(db.func.count()).select_from(VideoLink)) == 1
        states = {g.slug: g for g in gatherings}
        open_ones = [g for g in gatherings if g.registration_open()]
        assert {g.region for g in open_ones} >= {"east", "west"}
        assert any(not g.registration_open() and not g.has_ended() for g in gatherings), "a passed deadline"
        assert any(g.has_ended() and g.documents for g in gatherings), "a past gathering with documents"
        full = [g for g in gatherings if g.capacity == 3]
        assert len(full) == 1
        waiting = db.session.scalar(db.select(db.func.count()).where(
            Registration.gathering_id == full[0].id, Registration.status == "waitlisted"))
        assert waiting == 1
        assert all(g.starts_at.weekday() in (1, 2, 3) for g in states.values())
    assert client.get("/").status_code == 200
    for gathering in gatherings:
        assert client.get(f"/samlinger/{gathering.slug}").status_code == 200


def test_front_page_shows_past_gatherings_apart(client, make_gathering):
    make_gathering(title="Gammel samling", day=date.today() - timedelta(days=40))
    make_gathering(title="Ny samling")
    html = client.get("/").get_data(as_text=True)
    assert html.index("Ny samling") < html.index("Gammel samling")
