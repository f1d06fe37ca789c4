"""Fixtures with real parts: a fresh SQLite file (and PostgreSQL when TEST_DATABASE_URL is set),
a real SMTP server (aiosmtpd) on 127.0.0.1, and factories that return saved objects."""

import email
import os
import re
import socket
import uuid
from contextlib import contextmanager
from email import policy

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from samlinger import create_app
from samlinger.extensions import db

from . import factories
from .factories import oslo_dt  # noqa: F401 - tests import it from here

#: CI sets this so that a missing part (PostgreSQL, Chromium) fails instead of skipping.
REQUIRE_ALL = os.environ.get("SAMLINGER_REQUIRE_ALL") == "1"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def missing(reason: str):
    """Skip for a missing part, or fail when CI says every part must be there."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (SAMLINGER_REQUIRE_ALL=1)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- databases -----------------------------------------------------------------------------

@contextmanager
def postgres_database(prefix: str = "samlinger_test"):
    """Create a database of the caller's own on the TEST_DATABASE_URL server, yield its URL, drop it afterwards.

    Without that server the caller is skipped with the reason (failed under SAMLINGER_REQUIRE_ALL=1).
    """
    if not PG_URL:
        missing("PostgreSQL tests need TEST_DATABASE_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    admin_url = make_url(PG_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - a server that is not there
        admin.dispose()
        missing(f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} is not reachable: {error}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database():
    """A PostgreSQL database of this test run's own, dropped at the end."""
    with postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return request.getfixturevalue("pg_database")


def base_config(database_url: str, tmp_path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SAMLINGER_BASE_URL": "http://samlinger.test",
        "MAIL_BACKEND": "console",
        "MAIL_DEFAULT_SENDER": "samlinger@samlinger.test",
        "SAMLINGER_REPLY_TO": "arrangor@statsforvalteren.test",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture
def app_config(database_url, tmp_path):
    """Settings for the app under test; a test may change them before asking for `app`."""
    return base_config(database_url, tmp_path)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
        first_office(app)
    yield app
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


def first_office(app) -> None:
    """The first office, as a new database gets it from the settings: the run's PostgreSQL database has its
    tables already (create_all makes none, so no office), and the test before emptied them."""
    from sqlalchemy import func, insert, select

    from samlinger.offices.models import Office
    from samlinger.offices.settings import first_office_row
    from samlinger.timeutil import utcnow

    if not db.session.scalar(select(func.count()).select_from(Office)):
        db.session.execute(insert(Office).values(created_at=utcnow(), **first_office_row(app.config)))
        db.session.commit()


def empty_database() -> None:
    """Start a migration test from nothing: the run's PostgreSQL database is shared, SQLite's file is new."""
    if db.engine.dialect.name == "postgresql":
        db.session.remove()
        # Every table there is, also those of an older schema a migration test stopped at.
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")


@pytest.fixture
def statements(app):
    """Record every SQL statement the app's engine runs."""
    seen = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- mail --------------------------------------------------------------------------------

class SMTPRecorder:
    """A real SMTP server on 127.0.0.1 that keeps every message it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.port = free_port()
        self._controller = None

    def _handler(self):
        recorder = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = email.message_from_bytes(envelope.original_content, policy=policy.default)
                message.envelope_to = list(envelope.rcpt_tos)
                recorder.messages.append(message)
                return "250 OK"

        return Handler()

    def start(self):
        """Start (or restart after stop()) a server on the same port."""
        from aiosmtpd.controller import Controller

        self._controller = Controller(self._handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_to]

    def clear(self):
        self.messages.clear()


@pytest.fixture
def smtp(app):
    recorder = SMTPRecorder()
    recorder.start()
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=recorder.port)
    app.extensions["mail"].server = "127.0.0.1"
    app.extensions["mail"].port = recorder.port
    yield recorder
    recorder.stop()


@pytest.fixture
def deliver(app):
    """Run the mail worker once, as `flask mail-worker --once` would."""
    from samlinger.mail.worker import deliver_due

    def run():
        with app.app_context():
            total = 0
            while True:
                sent, failed = deliver_due()
                total += sent
                if not sent and not failed:
                    return total
    return run


def text_part(message) -> str:
    return message.get_body(("plain",)).get_content()


def calendar_parts(message) -> list:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def manage_link(message) -> str:
    match = re.search(r"http://samlinger\.test((?:/nn|/en)?/pamelding/[A-Za-z0-9_-]+)", text_part(message))
    assert match, "no manage link in the message"
    return match.group(1)


# --- factories ---------------------------------------------------------------------------

@pytest.fixture
def make_gathering(app):
    """Create a published gathering in a published round (factories.gathering); returns its id."""

    def make(**fields) -> int:
        with app.app_context():
            return factories.gathering(**fields).id
    return make


def form_data(**overrides) -> dict:
    data = {
        "name": "Øyvind Ærø-Sámi",
        "email": "oyvind@alta.kommune.no",
        "organisation": "Alta kommune",
        "role": "Prosjektleder",
        "phone": "+47 912 34 567",
        "needs": "Vegetar",
        "consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form at *url*, as a browser would send it back.

    Where *url* shows no form (a gathering that has closed since, a POST-only address), the token comes
    from the login form, as from a form the person opened earlier in the same session.
    """
    for page in (url, "/logg-inn"):
        html = client.get(page).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
            r'name="csrf_token" value="([^"]+)"', html
        )
        if match:
            return match.group(1)
    raise AssertionError(f"no CSRF token in {url}")


# --- organiser accounts ------------------------------------------------------------------

@pytest.fixture
def make_user(app):
    """Create an account (factories.user); returns (id, email, password)."""

    def make(email="ola@statsforvalteren.test", *, password=factories.PASSWORD, **fields):
        with app.app_context():
            return factories.user(email, password=password, **fields).id, email, password
    return make


def totp_code(app, email: str) -> str:
    """A code of the account's authenticator (factories.TOTP_SECRET) the app has not accepted yet: the current
    step's, or the next one's when the current was used. A test that signs one account in more than twice in
    half a minute has the last step forgotten here, as if the clock had moved on."""
    import time

    import pyotp

    from samlinger.auth.models import User

    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        current = int(time.time() // 30)
        step = max(current, (user.totp_last_step or 0) + 1)
        if step > current + 1:
            user.totp_last_step, step = None, current
            db.session.commit()
        db.session.remove()
    return pyotp.TOTP(factories.TOTP_SECRET).generate_otp(step)


def log_in(client, email: str, password: str, path: str = "/logg-inn"):
    """Log *client* in through the login form (at *path*: /nn/logg-inn for Nynorsk), and through the second
    factor's page with a code of factories.TOTP_SECRET if it asks; returns the last response."""
    token = csrf_token(client, path)
    response = client.post(path, data={"email": email, "password": password, "csrf_token": token})
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.split("?")[0].endswith("/logg-inn/kode"):
        code = totp_code(client.application, email)
        response = client.post(location, data={"code": code, "csrf_token": csrf_token(client, location)})
    elif response.status_code == 302 and location.split("?")[0].endswith("/logg-inn/ta-i-bruk"):
        response = enrol(client, location)
    return response


def enrol(client, url: str):
    """Set up the second factor at *url* as a person with an app would: read the key beside the QR code and
    enter the app's code; returns the answer, the page with the recovery codes (pyotp stands in for the app)."""
    import pyotp

    html = client.get(url).get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    return client.post(url, data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})


def recovery_codes(response) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.get_data(as_text=True))


def log_in_as(app, client, **account):
    """Log *client* into *app* as a new account (factories.user(**account): an organiser unless told),
    through the login form; returns the client. The one way tests log an organiser in."""
    password = account.setdefault("password", factories.PASSWORD)
    with app.app_context():
        email = factories.user(**account).email
    assert log_in(client, email, password).status_code == 302
    return client


@pytest.fixture
def organiser_client(app, client):
    """A test client logged in as an organiser."""
    return log_in_as(app, client)


@pytest.fixture
def admin_client(app, client):
    """A test client logged in as an admin."""
    return log_in_as(app, client, email="admin@statsforvalteren.test", name="Ada Admin", role="admin")
