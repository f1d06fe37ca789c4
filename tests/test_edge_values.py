"""Dates at and beyond the edges: the organiser forms accept the years 2000–2100 only, and nothing stored
some other way (year 1, year 9999, an end before the start) makes a public page fail."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from samlinger.extensions import db
from samlinger.formatting import date_long, time_short, when
from samlinger.gatherings.models import Gathering, Round
from samlinger.i18n import LANGUAGE
from samlinger.mail import ics
from samlinger.timeutil import end_of_day_utc, oslo, oslo_to_utc

from . import factories
from .conftest import csrf_token
from .test_rounds import gathering_data

LANGUAGES = ("nb", "nn", "en")


def english(path: str) -> str:
    """The page in English: the language is in the address."""
    return f"/en{path}"


def post(client, url, **data):
    data["csrf_token"] = csrf_token(client, url)
    return client.post(english(url), data=data)


@pytest.fixture
def round_id(app):
    with app.app_context():
        return factories.round_().id


# --- the organiser forms -------------------------------------------------------------------

@pytest.mark.parametrize("year, accepted", [("1999", False), ("2000", True), ("2100", True), ("2101", False),
                                            ("9999", False), ("1", False), ("0001", False)])
def test_a_round_year_is_from_2000_to_2100(organiser_client, year, accepted):
    response = post(organiser_client, "/arrangor/runder/ny", year=year, term="spring", title="Runde")
    if accepted:
        assert response.status_code == 302
    else:
        assert response.status_code == 422
        assert "Enter a year from 2000 to 2100." in response.get_data(as_text=True)


@pytest.mark.parametrize("start, deadline", [("2000-01-01", "2000-01-01"), ("2100-12-31", "2100-12-31")])
def test_the_first_and_last_days_are_accepted(app, organiser_client, round_id, start, deadline):
    response = post(organiser_client, f"/arrangor/runder/{round_id}/samlinger/ny",
                    **gathering_data(start_day=start, registration_deadline=deadline))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Gathering)).registration_deadline == date.fromisoformat(deadline)


@pytest.mark.parametrize("field, value, message", [
    ("start_day", "1999-12-31", "Enter a date in the years 2000 to 2100."),
    ("start_day", "2101-01-01", "Enter a date in the years 2000 to 2100."),
    ("start_day", "9999-12-31", "Enter a date in the years 2000 to 2100."),
    ("start_day", "0001-01-01", "Enter a date in the years 2000 to 2100."),
    ("end_day", "9999-12-31", "Enter a date in the years 2000 to 2100."),
    ("end_day", "2101-01-01", "Enter a date in the years 2000 to 2100."),
    ("registration_deadline", "0001-01-01", "Enter a date in the years 2000 to 2100."),
    ("registration_deadline", "1999-12-31", "Enter a date in the years 2000 to 2100."),
    ("start_day", "2027-02-29", "That day does not exist. Check the day and month."),
    ("registration_deadline", "2027-02-30", "That day does not exist. Check the day and month."),
    ("end_day", "2027-03-09", "The gathering must end after it starts."),
])
def test_the_gathering_form_refuses_days_out_of_range(app, organiser_client, round_id, field, value, message):
    url = f"/arrangor/runder/{round_id}/samlinger/ny"
    response = post(organiser_client, url, **gathering_data(**{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Gathering)) is None


def test_the_messages_are_translated(organiser_client, round_id):
    url = f"/arrangor/runder/{round_id}/samlinger/ny"
    for language, day, text in (("nb", "9999-01-01", "Skriv en dato i årene 2000 til 2100."),
                                ("nn", "9999-01-01", "Skriv ein dato i åra 2000 til 2100."),
                                ("nn", "2027-02-29", "Den datoen finst ikkje. Sjekk dag og månad.")):
        data = gathering_data(start_day=day, csrf_token=csrf_token(organiser_client, url))
        prefix = "" if language == "nb" else f"/{language}"
        page = organiser_client.post(prefix + url, data=data).get_data(as_text=True)
        assert text in page


def test_the_edit_form_refuses_year_9999_too(app, organiser_client, make_gathering):
    gathering_id = make_gathering()
    response = post(organiser_client, f"/arrangor/samlinger/{gathering_id}/endre",
                    **gathering_data(start_day="9999-03-10", registration_deadline="9999-03-03"))
    assert response.status_code == 422
    assert "Enter a date in the years 2000 to 2100." in response.get_data(as_text=True)


def _copy(client, round_id):
    page = f"/arrangor/runder/{round_id}"
    response = client.post(english(f"{page}/kopier"), data={"csrf_token": csrf_token(client, page)})
    return response, client.get(english(page)).get_data(as_text=True)


def test_copy_to_next_round_stays_within_the_years(app, organiser_client):
    with app.app_context():
        last = factories.round_(2100, "autumn", published=False)
        late = factories.round_(2100, "spring", published=False)
        day = date(2100, 9, 1)
        factories.gathering(round=late, slug="sein", title="Sein", day=day, registration_deadline=day)
        ids = last.id, late.id
    for round_id in ids:
        response, page = _copy(organiser_client, round_id)
        assert response.status_code == 302
        assert "The copy would fall outside the years 2000 to 2100." in page
    with app.app_context():
        assert db.session.query(Round).count() == 2


# --- what is stored some other way ---------------------------------------------------------

EXTREMES = {
    "year 1": dict(starts_at=datetime(1, 1, 1, 0, 0, tzinfo=UTC), ends_at=datetime(1, 1, 1, 1, 0, tzinfo=UTC),
                   registration_deadline=date(1, 1, 1)),
    "year 9999": dict(starts_at=datetime(9999, 12, 31, 22, 30, tzinfo=UTC),
                      ends_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC), registration_deadline=date(9999, 12, 31)),
    "deadline 9999": dict(registration_deadline=date(9999, 12, 31)),
    "end before start": dict(starts_at=datetime(2027, 3, 10, 14, tzinfo=UTC),
                             ends_at=datetime(2027, 3, 10, 9, tzinfo=UTC)),
}


@pytest.mark.parametrize("values", EXTREMES.values(), ids=EXTREMES.keys())
def test_nothing_stored_makes_a_public_page_fail(app, client, make_gathering, values):
    sane = make_gathering(slug="vanlig", title="Vanlig samling")
    odd = make_gathering(slug="rar", title="Rar samling", **values)
    with app.app_context():
        assert db.session.get(Gathering, odd).registration_deadline == values.get(
            "registration_deadline", db.session.get(Gathering, sane).registration_deadline), "stored as given"
    for language in LANGUAGES:
        prefix = "" if language == "nb" else f"/{language}"
        for path in ("/", "/api/v1/gatherings", "/samlinger.ics"):
            response = client.get(prefix + path)
            assert response.status_code == 200, (path, language)
            body = response.get_data(as_text=True)
            assert "Vanlig samling" in body and "Rar samling" not in body, (path, language)
        for path in ("/samlinger/vanlig", "/samlinger/vanlig.ics", "/samlinger/vanlig/pamelding"):
            assert client.get(prefix + path).status_code == 200, (path, language)
        for path in ("/samlinger/rar", "/samlinger/rar.ics", "/samlinger/rar/pamelding"):
            assert client.get(prefix + path).status_code == 404, (path, language)


@pytest.mark.parametrize("values", EXTREMES.values(), ids=EXTREMES.keys())
def test_an_organiser_can_still_open_and_mend_such_a_gathering(app, organiser_client, make_gathering, values):
    gathering_id = make_gathering(slug="rar", **values)
    with app.app_context():
        round_id = db.session.get(Gathering, gathering_id).round_id
    for path in ("/arrangor/", f"/arrangor/runder/{round_id}", f"/arrangor/samlinger/{gathering_id}/endre"):
        assert organiser_client.get(english(path)).status_code == 200, path


# --- the helpers the pages use -------------------------------------------------------------

LAST_HOUR = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)


def test_the_time_helpers_cope_with_the_ends_of_datetime():
    assert oslo(LAST_HOUR) == LAST_HOUR, "year 10000 has no Oslo time: the instant stays in UTC"
    assert end_of_day_utc(date.max) == datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    assert end_of_day_utc(date.min) == oslo_to_utc(date(1, 1, 2), datetime.min.time())
    for day in (date(2027, 3, 27), date(2027, 3, 28), date(2027, 10, 31), date(2027, 6, 1)):  # DST days
        assert end_of_day_utc(day) == oslo_to_utc(day + timedelta(days=1), datetime.min.time())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_formatting_filters_cope_with_the_ends_of_datetime(app, language):
    gathering = SimpleNamespace(starts_at=LAST_HOUR - timedelta(hours=1), ends_at=LAST_HOUR)
    with app.test_request_context(environ_overrides={LANGUAGE: language}):
        assert "9999" in date_long(LAST_HOUR)
        separator = ":" if language == "en" else "."  # Norwegian writes 10.00
        assert time_short(LAST_HOUR) == f"23{separator}30"
        assert time_short(datetime(2027, 6, 1, 8, tzinfo=UTC)) == f"10{separator}00", "summer time in Oslo"
        assert "9999" in when(gathering)


@pytest.mark.parametrize("start", [datetime(1, 1, 1, 0, 0, tzinfo=UTC), LAST_HOUR - timedelta(hours=1)])
def test_calendar_files_cope_with_the_ends_of_datetime(app, start):
    gathering = Gathering(uid="u@samlinger", title="Rar", venue="Alta", address="", starts_at=start,
                          ends_at=start + timedelta(minutes=30), revision=0, status="published")
    with app.app_context():
        assert b"BEGIN:VEVENT" in ics.download(gathering, url="http://samlinger.test/samlinger/rar", language="nb")
        assert b"BEGIN:VEVENT" in ics.invite(gathering, url="http://samlinger.test/samlinger/rar",
                                             attendee_email="kari@alta.kommune.no", attendee_name="Kari",
                                             language="nn")
