"""Kept pages stay correct across processes: a change made through one app instance shows at once in
another one on the same database (seats, titles, bulk updates), and a deadline passing closes
registration on a kept page without any write."""

import re
from datetime import timedelta

import pytest
from flask import render_template_string
from sqlalchemy import update

from samlinger import create_app, pagecache
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.pagecache import cached
from samlinger.registration import service
from samlinger.timeutil import oslo_today, utcnow

from .conftest import csrf_token, form_data


@pytest.fixture
def other(app, app_config):
    """A second app instance on the same database: another process, as far as the cache can tell."""
    second = create_app(app_config)
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def seats_left(client, slug: str) -> int:
    html = client.get(f"/samlinger/{slug}").get_data(as_text=True)
    match = re.search(r'class="badge badge-open">\D*(\d+)\D*<', html)
    assert match, "no seats badge on the page"
    return int(match.group(1))


def test_registration_in_one_process_changes_seats_in_another(app, client, other, make_gathering):
    make_gathering(slug="alta", capacity=3)
    reader = other.test_client()
    assert seats_left(reader, "alta") == 3
    assert seats_left(reader, "alta") == 3  # now served from the kept page

    token = csrf_token(client, "/samlinger/alta/pamelding")
    response = client.post("/samlinger/alta/pamelding", data=form_data(csrf_token=token))
    assert response.status_code == 302
    assert seats_left(reader, "alta") == 2
    assert reader.get("/api/v1/gatherings").get_json()["gatherings"][0]["seats_left"] == 2

    with app.app_context():
        registration = service.register(db.session.scalar(db.select(Gathering.id)), {"name": "B", "organisation": "V"},
                                        email="b@vardo.kommune.no", language="nb").registration
        service.cancel(registration.id)
    assert seats_left(reader, "alta") == 2


def test_organiser_changes_and_bulk_updates_reach_kept_pages(app, other, make_gathering):
    gathering_id = make_gathering(slug="vest", title="Samling i vest")
    reader = other.test_client()
    assert "Samling i vest" in reader.get("/samlinger/vest").get_data(as_text=True)
    assert "Samling i vest" in reader.get("/samlinger.ics").get_data(as_text=True)

    with app.app_context():
        db.session.get(Gathering, gathering_id).title = "Samling i Tromsø"
        db.session.commit()
    assert "Samling i Tromsø" in reader.get("/samlinger/vest").get_data(as_text=True)
    assert "Samling i Tromsø" in reader.get("/samlinger.ics").get_data(as_text=True)

    with app.app_context():
        db.session.execute(update(Gathering).where(Gathering.id == gathering_id).values(status="cancelled"))
        db.session.commit()
    assert "notice-warning" in reader.get("/samlinger/vest").get_data(as_text=True)


def test_reading_does_not_raise_the_version_but_a_rollback_forgets_changes(app, client, make_gathering):
    gathering_id = make_gathering(slug="nord")
    with app.app_context():
        before = pagecache.current_version()
        db.session.get(Gathering, gathering_id).title = "Not kept"
        db.session.flush()
        db.session.rollback()
        db.session.get(Gathering, gathering_id)
        db.session.commit()
        assert pagecache.current_version() == before
        db.session.get(Gathering, gathering_id).venue = "Kirkenes"
        db.session.commit()
        assert pagecache.current_version() == before + 1
    client.get("/")
    with app.app_context():
        assert pagecache.current_version() == before + 1


def test_a_kept_page_closes_when_the_deadline_passes(client, make_gathering, monkeypatch):
    day = (oslo_today() + timedelta(days=10))
    make_gathering(slug="frist", day=day, registration_deadline=day - timedelta(days=3))
    assert "/samlinger/frist/pamelding" in client.get("/samlinger/frist").get_data(as_text=True)
    assert "/samlinger/frist/pamelding" in client.get("/").get_data(as_text=True)

    later = utcnow() + timedelta(days=8)
    for module in ("samlinger.pagecache", "samlinger.gatherings.public", "samlinger.gatherings.models"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    assert "/samlinger/frist/pamelding" not in client.get("/samlinger/frist").get_data(as_text=True)
    assert "/samlinger/frist/pamelding" not in client.get("/").get_data(as_text=True)


def test_kept_pages_equal_fresh_ones_and_set_no_cookie(app, app_config, make_gathering):
    make_gathering(slug="lik")
    fresh = create_app({**app_config, "PAGE_CACHE": False})
    try:
        for path in ("/", "/samlinger/lik", "/api/v1/gatherings"):
            for language in ("nb", "en"):
                headers = {"Accept-Language": language}
                kept_client = app.test_client()
                first = kept_client.get(path, headers=headers)
                kept = kept_client.get(path, headers=headers)
                new = fresh.test_client().get(path, headers=headers)
                assert kept.get_data() == new.get_data(), (path, language)
                # A visitor who only reads gets no session cookie, whether the page was kept or built.
                assert "Set-Cookie" not in first.headers and "Set-Cookie" not in kept.headers, path
                assert "csrf_token" not in kept.get_data(as_text=True)

        # The language chosen with the switcher's link gets the kept page of that language.
        visitor = app.test_client()
        visitor.get("/")
        response = visitor.get("/sprak/en", query_string={"next": "/"})
        assert response.status_code == 302 and response.headers["Cache-Control"] == "no-store"
        assert "Gatherings in the project network" in visitor.get("/").get_data(as_text=True)
        assert "Gatherings in the project network" not in app.test_client().get("/").get_data(as_text=True)
    finally:
        with fresh.app_context():
            db.engine.dispose()


def test_a_page_with_a_form_is_not_kept(app, app_config):
    """A CSRF token belongs to one session: a cached page that renders a form is built for each visitor."""
    own = create_app(app_config)

    @own.get("/skjema")
    @cached
    def form_page():
        return render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')

    try:
        tokens = set()
        for _ in range(2):
            visitor = own.test_client()
            html = visitor.get("/skjema").get_data(as_text=True)
            tokens.add(re.search(r'value="([^"]+)"', html).group(1))
        assert len(tokens) == 2
        assert ("/skjema", "nb") not in own.extensions["samlinger.pagecache"].pages
    finally:
        with own.app_context():
            db.engine.dispose()


def test_the_version_is_read_again_after_its_connection_broke(app, client, make_gathering):
    """A server restart breaks the kept connection: the next request opens a new one and sees changes."""
    gid = make_gathering(slug="brudd", title="Før brotet")
    assert "Før brotet" in client.get("/samlinger/brudd").get_data(as_text=True)
    versions = app.extensions["samlinger.pagecache"].versions
    versions.local.connection.close()
    with app.app_context():
        db.session.get(Gathering, gid).title = "Etter brotet"
        db.session.commit()
    assert "Etter brotet" in client.get("/samlinger/brudd").get_data(as_text=True)
    assert len(versions.opened) == 1, "the broken connection was let go"


def test_the_front_door_answers_visitors_without_a_cookie_as_flask_did(app, make_gathering):
    """A reader without a cookie gets the kept answer before Flask runs, with the same headers; a
    visitor with a session, a query string or a POST always reaches Flask."""
    from flask import request_started

    make_gathering(slug="dor", title="Samling ved døra")
    started = []
    request_started.connect(lambda sender, **extra: started.append(1), app, weak=False)
    reader = app.test_client(use_cookies=False)
    first = reader.get("/samlinger/dor", headers={"Accept-Language": "nn"})
    again = reader.get("/samlinger/dor", headers={"Accept-Language": "nn-NO,nn;q=0.9"})
    assert len(started) == 1, "the second reader was answered without Flask"
    assert again.get_data() == first.get_data() and "Samling ved døra" in again.get_data(as_text=True)
    assert dict(again.headers) == dict(first.headers)
    assert again.headers["Content-Security-Policy"] and "Accept-Language" in again.headers["Vary"]

    english = reader.get("/samlinger/dor", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in english and len(started) == 2, "another language is another page"
    reader.get("/samlinger/dor?utm=1")
    reader.get("/samlinger/dor", headers={"Cookie": "session=x"})
    reader.head("/samlinger/dor")
    assert len(started) == 5

    # A change anywhere is seen at once: the front door checks the content version on every answer.
    with app.app_context():
        db.session.execute(update(Gathering).where(Gathering.slug == "dor").values(title="Ny tittel"))
        pagecache.mark_changed()
        db.session.commit()
    assert "Ny tittel" in reader.get("/samlinger/dor", headers={"Accept-Language": "nn"}).get_data(as_text=True)
    assert len(started) == 6


def test_the_front_door_keeps_no_error_and_no_page_with_a_cookie(app, make_gathering):
    from flask import request_started

    started = []
    request_started.connect(lambda sender, **extra: started.append(1), app, weak=False)
    reader = app.test_client(use_cookies=False)
    for _ in range(2):
        assert reader.get("/samlinger/finst-ikkje").status_code == 404
        assert reader.get("/arrangor/").status_code in (302, 401)
    assert len(started) == 4
