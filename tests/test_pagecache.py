"""Kept pages stay correct across processes: a change made through one app instance shows at once in
another one on the same database (seats, titles, bulk updates), and a deadline passing closes
registration on a kept page without any write. Only changes that alter public pages raise the version."""

import os
import re
from datetime import timedelta

import pytest
from flask import render_template_string
from sqlalchemy import select, update

from samlinger import create_app, pagecache
from samlinger.documents.models import Document
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.pagecache import cached
from samlinger.registration import attendance, links, service
from samlinger.registration.models import Registration
from samlinger.registration.reminders import send_reminders
from samlinger.timeutil import oslo_today, utcnow

from .conftest import csrf_token, form_data
from .races import all_at_once


@pytest.fixture
def other(app, app_config):
    """A second app instance on the same database: another process, as far as the cache can tell."""
    second = create_app(app_config)
    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


def seats_shown(client, slug: str, prefix: str = "") -> str:
    """The seats badge's state: open, few, waitlist, full or closed (the public sees no number of seats)."""
    html = client.get(f"{prefix}/samlinger/{slug}").get_data(as_text=True)
    match = re.search(r'class="ds-tag badge badge-([a-z]+)"[^>]*>([^<]*)<', html)
    assert match, "no seats badge on the page"
    state, text = match.groups()
    return "few" if state == "open" and text in ("Få plasser igjen", "Få plassar igjen") else state


def api_seats(client) -> str:
    return client.get("/api/v1/gatherings").get_json()["gatherings"][0]["seats"]


def register(app, gathering_id, email: str) -> int:
    with app.app_context():
        return service.register(gathering_id, {"name": "B", "organisation": "V"}, email=email,
                                language="nb").registration.id


def test_registration_in_one_process_changes_seats_in_another(app, client, other, make_gathering):
    gathering_id = make_gathering(slug="alta", capacity=1)
    reader = other.test_client()
    assert seats_shown(reader, "alta") == "few"
    assert seats_shown(reader, "alta") == "few"  # now served from the kept page

    token = csrf_token(client, "/samlinger/alta/pamelding")
    response = client.post("/samlinger/alta/pamelding", data=form_data(csrf_token=token))
    assert response.status_code == 302
    assert seats_shown(reader, "alta") == "waitlist"
    assert api_seats(reader) == "waitlist"

    # Each change is read back before the next one, so a missed invalidation shows a state that is wrong
    # (a registration and its cancellation read only at the end would look right from a stale page).
    with app.app_context():
        first = db.session.scalar(select(Registration.id).where(Registration.gathering_id == gathering_id))
        service.cancel(first)
    assert seats_shown(reader, "alta") == "few"
    assert seats_shown(reader, "alta", "/nn") == "few"
    registration_id = register(app, gathering_id, "b@vardo.kommune.no")
    assert seats_shown(reader, "alta") == "waitlist"
    assert seats_shown(reader, "alta", "/nn") == "waitlist"
    with app.app_context():
        service.cancel(registration_id)
    assert seats_shown(reader, "alta") == "few"
    assert api_seats(reader) == "few"


def test_organiser_changes_and_bulk_updates_reach_kept_pages(app, other, make_gathering):
    gathering_id = make_gathering(slug="vest", title="Samling i vest")
    reader = other.test_client()
    assert "Samling i vest" in reader.get("/samlinger/vest").get_data(as_text=True)
    assert "Samling i vest" in reader.get("/nn/samlinger/vest").get_data(as_text=True)
    assert "Samling i vest" in reader.get("/samlinger.ics").get_data(as_text=True)

    with app.app_context():
        db.session.get(Gathering, gathering_id).title = "Samling i Tromsø"
        db.session.commit()
    assert "Samling i Tromsø" in reader.get("/samlinger/vest").get_data(as_text=True)
    assert "Samling i Tromsø" in reader.get("/nn/samlinger/vest").get_data(as_text=True)
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


# --- what raises the version, and what does not ---------------------------------------------------

def _version(app) -> int:
    with app.app_context():
        return pagecache.current_version()


def test_gathering_day_work_leaves_the_version_alone(app, make_gathering, smtp, deliver):
    """Check-ins, reminders, mail bookkeeping and new links change nothing a public page shows."""
    day = oslo_today() + timedelta(days=2)
    gathering_id = make_gathering(slug="dag", day=day, registration_deadline=day - timedelta(days=1))
    ids = [register(app, gathering_id, f"p{n}@alta.kommune.no") for n in range(3)]
    deliver()  # the confirmations: the outbox rows are marked sent

    before = _version(app)
    with app.app_context():
        attendance.check_in(ids[0], True)
        attendance.check_in(ids[1], True)
        attendance.check_in(ids[1], False)
    assert _version(app) == before, "a check-in raised the version"
    with app.app_context():
        assert send_reminders() == 3
    assert _version(app) == before, "reminders raised the version"
    assert deliver() == 3
    assert _version(app) == before, "sending mail raised the version"
    with app.app_context():
        links.renew_link(ids[2])
        db.session.commit()
        service.update_details(db.session.get(Registration, ids[2]), {"name": "Ny", "organisation": "Ny org"})
    deliver()
    assert _version(app) == before, "a new link or corrected details raised the version"


def test_what_public_pages_show_raises_the_version(app, make_gathering):
    gathering_id = make_gathering(slug="vis")
    registration_id = register(app, gathering_id, "v@alta.kommune.no")
    changes = [
        lambda: service.cancel(registration_id),  # status: the seats
        lambda: db.session.execute(update(Registration).where(Registration.id == registration_id)
                                   .values(status="confirmed")),
        lambda: db.session.execute(update(Registration).where(Registration.id == registration_id)
                                   .values({Registration.gathering_id: gathering_id})),
        lambda: setattr(db.session.get(Gathering, gathering_id), "title", "Ny tittel"),
        lambda: db.session.execute(update(Gathering).values(venue="Bodø")),
        lambda: db.session.add(Document(gathering_id=gathering_id, title="Lysark", url="https://example.no/a")),
        lambda: db.session.execute(update(Document).values(title="Lysark 2")),
        lambda: db.session.get(Gathering, gathering_id).round.__setattr__("title", "Ny runde"),
    ]
    for number, change in enumerate(changes):
        before = _version(app)
        with app.app_context():
            change()
            db.session.commit()
        assert _version(app) == before + 1, f"change {number} did not raise the version"


# --- the clock -------------------------------------------------------------------------------------

def test_a_kept_page_closes_when_the_deadline_passes(client, make_gathering, monkeypatch):
    day = (oslo_today() + timedelta(days=10))
    make_gathering(slug="frist", day=day, registration_deadline=day - timedelta(days=3))
    assert "/samlinger/frist/pamelding" in client.get("/samlinger/frist").get_data(as_text=True)
    assert "/samlinger/frist/pamelding" in client.get("/").get_data(as_text=True)

    later = utcnow() + timedelta(days=8)
    for module in ("samlinger.pagecache", "samlinger.frontdoor", "samlinger.gatherings.public",
                   "samlinger.gatherings.models"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    assert "/samlinger/frist/pamelding" not in client.get("/samlinger/frist").get_data(as_text=True)
    assert "/samlinger/frist/pamelding" not in client.get("/").get_data(as_text=True)


# --- what is kept, for whom ------------------------------------------------------------------------

def test_kept_pages_equal_fresh_ones_and_set_no_cookie(app, app_config, make_gathering):
    make_gathering(slug="lik")
    fresh = create_app({**app_config, "PAGE_CACHE": False})
    try:
        for path in ("/", "/samlinger/lik", "/api/v1/gatherings", "/personvern"):
            for prefix in ("", "/nn", "/en"):
                kept_client = app.test_client()
                first = kept_client.get(prefix + path)
                kept = kept_client.get(prefix + path)
                new = fresh.test_client().get(prefix + path)
                assert first.status_code == kept.status_code == new.status_code == 200, prefix + path
                assert kept.get_data() == new.get_data(), prefix + path
                assert kept.headers["ETag"] == first.headers["ETag"]
                # A visitor who only reads gets no session cookie, whether the page was kept or built.
                assert "Set-Cookie" not in first.headers and "Set-Cookie" not in kept.headers, path
                assert "csrf_token" not in kept.get_data(as_text=True)
        assert set(app.extensions["samlinger.pagecache"].pages) >= {"/", "/nn/", "/en/samlinger/lik"}
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
            response = visitor.get("/skjema")
            tokens.add(re.search(r'value="([^"]+)"', response.get_data(as_text=True)).group(1))
            assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
        assert len(tokens) == 2
        assert "/skjema" not in own.extensions["samlinger.pagecache"].pages
    finally:
        with own.app_context():
            db.engine.dispose()


def _counting_builds(app, monkeypatch) -> list:
    """Count the times the front page is built (not answered from the kept page)."""
    from samlinger.gatherings import public as gatherings

    built, real = [], gatherings.visible_gatherings
    monkeypatch.setattr(gatherings, "visible_gatherings", lambda **kw: built.append(1) or real(**kw))
    return built


def test_a_reader_with_only_public_session_data_gets_the_kept_page(app, client, make_gathering, monkeypatch):
    """After registering (a CSRF token and the receipt in the session) the public pages are still kept."""
    make_gathering(slug="etter")
    token = csrf_token(client, "/samlinger/etter/pamelding")
    assert client.post("/samlinger/etter/pamelding", data=form_data(csrf_token=token)).status_code == 302
    with client.session_transaction() as session:
        assert {"csrf_token", "receipt"} <= set(session) <= pagecache.PUBLIC_SESSION
    built = _counting_builds(app, monkeypatch)
    app.test_client().get("/")
    for _ in range(3):
        response = client.get("/")
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    assert len(built) == 1, "a reader who has registered was given a page built for them"


@pytest.mark.parametrize("state", ["flash", "login", "unknown key", "other cookie", "query", "authorization"])
def test_a_reader_with_anything_else_gets_a_page_of_their_own(app, make_gathering, make_user, monkeypatch, state):
    make_gathering(slug="egen")
    app.test_client().get("/")  # the kept page exists
    built = _counting_builds(app, monkeypatch)
    reader, path, headers = app.test_client(), "/", {}
    if state == "flash":
        with reader.session_transaction() as session:
            session["_flashes"] = [("success", "Lagra.")]
    elif state == "login":
        _, email, password = make_user()
        reader.post("/logg-inn", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(reader, "/logg-inn")})
    elif state == "unknown key":
        with reader.session_transaction() as session:
            session["something_new"] = "x"
    elif state == "other cookie":
        reader.set_cookie("remember_token", "1|abc")
    elif state == "query":
        path = "/?utm_source=x"
    else:
        headers = {"Authorization": "Basic eDp5"}
    response = reader.get(path, headers=headers)
    assert response.status_code == 200 and len(built) == 1
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers
    if state == "flash":
        assert "Lagra." in response.get_data(as_text=True)


def test_manage_pages_and_forms_are_never_stored(client, make_gathering):
    make_gathering(slug="skjema")
    for path in ("/samlinger/skjema/pamelding", "/samlinger/skjema/ny-lenke", "/logg-inn", "/nn/logg-inn"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store", path


# --- conditional GET -------------------------------------------------------------------------------

def test_conditional_get_answers_304_without_a_body(app, client, make_gathering, monkeypatch):
    gathering_id = make_gathering(slug="vilkar", title="Før")
    now = utcnow()  # one instant, so the first answer cannot fall into the page's next second
    monkeypatch.setattr("samlinger.pagecache.utcnow", lambda: now)
    monkeypatch.setattr("samlinger.frontdoor.utcnow", lambda: now)
    first = client.get("/samlinger/vilkar")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert "Accept-Language" not in first.headers.get("Vary", "")  # the language is in the path
    assert "Last-Modified" not in first.headers  # its second has not passed yet

    again = client.get("/samlinger/vilkar", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    assert client.get("/samlinger/vilkar", headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert client.get("/samlinger/vilkar", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/nn/samlinger/vilkar", headers={"If-None-Match": etag}).status_code == 200

    later = now + timedelta(seconds=2)
    monkeypatch.setattr("samlinger.pagecache.utcnow", lambda: later)
    monkeypatch.setattr("samlinger.frontdoor.utcnow", lambda: later)
    dated = client.get("/samlinger/vilkar")
    modified = dated.headers["Last-Modified"]
    assert client.get("/samlinger/vilkar", headers={"If-Modified-Since": modified}).status_code == 304
    earlier = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get("/samlinger/vilkar", headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match wins over If-Modified-Since; nonsense in either is a plain 200.
    assert client.get("/samlinger/vilkar", headers={"If-None-Match": '"x"', "If-Modified-Since": modified}
                      ).status_code == 200
    for nonsense in ({"If-Modified-Since": "gestern"}, {"If-None-Match": "\x00<>"}):
        assert client.get("/samlinger/vilkar", headers=nonsense).status_code == 200

    # A change gives a new ETag: the old one is no longer answered with 304.
    with app.app_context():
        db.session.get(Gathering, gathering_id).title = "Etter"
        db.session.commit()
    changed = client.get("/samlinger/vilkar", headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert changed.status_code == 200 and "Etter" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


# --- the version's connections -----------------------------------------------------------------------

def test_the_version_is_read_again_after_its_connection_broke(app, client, make_gathering):
    """A server restart breaks the kept connections: the next request opens a new one and sees changes."""
    gid = make_gathering(slug="brudd", title="Før brotet")
    assert "Før brotet" in client.get("/samlinger/brudd").get_data(as_text=True)
    versions = app.extensions["samlinger.pagecache"].versions
    assert versions.idle
    for connection in versions.idle:
        connection.close()
    with app.app_context():
        db.session.get(Gathering, gid).title = "Etter brotet"
        db.session.commit()
    assert "Etter brotet" in client.get("/samlinger/brudd").get_data(as_text=True)
    assert len(versions.idle) == 1, "the broken connection was let go"


def _open_connections(app) -> int:
    """Connections to the test database really open now: file handles (SQLite) or server sessions."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                return conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()").scalar() - 1
        path = os.path.realpath(db.engine.url.database)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.path.realpath(f"/proc/self/fd/{fd}") == path
        except OSError:
            continue
    return count


def test_a_thread_per_request_leaves_no_connections_behind(app, make_gathering):
    """`flask run` serves each request on a new thread: 200 page views keep only a few connections open."""
    make_gathering(slug="trad")
    app.test_client().get("/samlinger/trad")
    before = _open_connections(app)

    def view(_, ready):
        ready()
        return app.test_client().get("/samlinger/trad").status_code

    for _ in range(10):
        assert all_at_once(view, range(20)) == [200] * 20
    after = _open_connections(app)
    # The reader keeps at most 8 idle and the pool its size plus overflow. On SQLite that bounds file
    # handles, not live connections: SQLite defers closing a file handle while another connection in the
    # process holds a lock on the file, and reuses it for the next connection. A connection per thread
    # would leave 200.
    with app.app_context():
        pool = db.engine.pool
        bound = app.extensions["samlinger.pagecache"].versions.keep + pool.size() + pool._max_overflow
    assert after - before <= bound, (before, after, bound)
    with app.app_context():
        db.engine.dispose()
    assert not app.extensions["samlinger.pagecache"].versions.idle


def test_answers_of_kept_pages_carry_the_security_headers(client, make_gathering):
    make_gathering(slug="hovud")
    for _ in range(2):
        response = client.get("/nn/samlinger/hovud")
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"


# --- the front door ---------------------------------------------------------------------------------

@pytest.fixture
def flask_runs(app):
    """How many requests reached Flask (the front door answers the others)."""
    from flask import request_started

    started = []
    request_started.connect(lambda sender, **extra: started.append(1), app, weak=False)
    return started


def test_the_front_door_answers_kept_pages_as_flask_does(app, client, make_gathering, flask_runs, monkeypatch):
    """A reader without a cookie, and one who has registered (CSRF token and receipt in the session), get
    the kept page before Flask runs, with exactly the headers Flask gives it."""
    # One instant for every answer: Last-Modified is sent only once its second has passed, so answers
    # on either side of a second's turn would differ by it.
    now = utcnow()
    for module in ("samlinger.pagecache", "samlinger.frontdoor"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: now)
    make_gathering(slug="dor", title="Samling ved døra")
    token = csrf_token(client, "/samlinger/dor/pamelding")
    assert client.post("/samlinger/dor/pamelding", data=form_data(csrf_token=token)).status_code == 302
    reader = app.test_client(use_cookies=False)
    for path in ("/nn/samlinger/dor", "/samlinger.ics", "/en/"):
        flask_runs.clear()
        built = reader.get(path)
        again = reader.get(path)
        registered = client.get(path)
        head = reader.head(path)
        assert len(flask_runs) == 1, f"{path}: only the first reader reached Flask"
        assert again.get_data() == registered.get_data() == built.get_data() and head.get_data() == b""
        assert dict(again.headers) == dict(built.headers) == dict(registered.headers), path
        assert dict(head.headers) == dict(built.headers), path
        assert again.headers["Content-Security-Policy"] and again.headers["ETag"]
        assert reader.get(path, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304
        assert len(flask_runs) == 1
    later = now + timedelta(seconds=2)
    for module in ("samlinger.pagecache", "samlinger.frontdoor"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: later)
    assert reader.get("/en/").headers["Last-Modified"], "the page's second has passed"

    # A change anywhere is seen at once: the front door checks the content version on every answer.
    with app.app_context():
        db.session.execute(update(Gathering).where(Gathering.slug == "dor").values(title="Ny tittel"))
        db.session.commit()
    assert "Ny tittel" in reader.get("/nn/samlinger/dor").get_data(as_text=True)
    assert len(flask_runs) == 2


def test_the_front_door_lets_everything_else_through(app, make_gathering, flask_runs):
    make_gathering(slug="gjennom")
    reader = app.test_client(use_cookies=False)
    reader.get("/samlinger/gjennom")
    flask_runs.clear()
    own = app.test_client()
    with own.session_transaction() as session:
        session["_flashes"] = [("success", "Lagra.")]
    cookie = own.get_cookie("session").value
    for headers, path in [({}, "/samlinger/gjennom?utm=1"), ({"Cookie": f"session={cookie}"}, "/samlinger/gjennom"),
                          ({"Cookie": "session=forged.value"}, "/samlinger/gjennom"),
                          ({"Cookie": "other=1"}, "/samlinger/gjennom"),
                          ({"Authorization": "Basic eDp5"}, "/samlinger/gjennom"),
                          ({}, "/samlinger/finst-ikkje"), ({}, "/nb/samlinger/gjennom")]:
        reader.get(path, headers=headers)
    reader.post("/samlinger/gjennom")
    assert len(flask_runs) == 8
    assert reader.get("/nb/samlinger/gjennom").status_code == 301
