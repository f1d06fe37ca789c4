"""The production path with real processes: gunicorn with 4 workers and several `flask mail-worker`
processes, against a database set up by `flask db upgrade`, on SQLite and on PostgreSQL."""

import asyncio
import email
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
import requests

from samlinger import ROOT, create_app
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.mail.models import OutboundEmail
from samlinger.registration.models import Registration
from samlinger.timeutil import utcnow

from . import factories
from .conftest import base_config, form_data, free_port, postgres_database
from .races import all_at_once

pytestmark = pytest.mark.slow

FLASK = [sys.executable, "-m", "flask", "--app", "app"]


@dataclass
class Deployment:
    """A database migrated the way an operator does it, and the environment its processes run with."""

    url: str
    env: dict
    folder: Path

    def app(self):
        """An app object for the test itself to look into the same database."""
        return create_app(base_config(self.url, self.folder))

    def log(self, name: str):
        return open(self.folder / f"{name}.log", "w")  # noqa: SIM115 - handed to a subprocess


def production_env(database_url: str, folder: Path, **settings) -> dict:
    """The environment of a production process: nothing from the developer's shell decides for it."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FLASK_", "MAIL_", "RATELIMIT_", "SAMLINGER_", "DATABASE_", "SECRET_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        SAMLINGER_BASE_URL="http://samlinger.test",
        MAIL_DEFAULT_SENDER="samlinger@samlinger.test",
        UPLOAD_FOLDER=str(folder / "uploads"),
        # The tests speak plain http to 127.0.0.1; a real deployment keeps Secure cookies behind HTTPS.
        SESSION_COOKIE_SECURE="0",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in settings.items()})
    return env


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request, tmp_path):
    with (postgres_database("samlinger_proc") if request.param == "postgresql" else _sqlite(tmp_path)) as url:
        env = production_env(url, tmp_path)
        upgrade = subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=600)
        assert upgrade.returncode == 0, upgrade.stderr
        yield Deployment(url, env, tmp_path)


@contextmanager
def _sqlite(folder: Path):
    yield f"sqlite:///{folder / 'samlinger.sqlite'}"


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def wait_for(condition, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


# --- gunicorn: the capacity race over real HTTP -----------------------------------------------

@contextmanager
def gunicorn(deployment: Deployment, workers: int = 4, access_log: str = "-"):
    """gunicorn as docs/DEPLOYMENT.md starts it, with the shipped settings file."""
    port = free_port()
    with deployment.log("gunicorn") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "-w", str(workers),
             "-b", f"127.0.0.1:{port}", "--access-logfile", access_log, "app:app"],
            cwd=ROOT, env=deployment.env | {"RATELIMIT_ENABLED": "0"}, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def answers():
        assert process.poll() is None, (deployment.folder / "gunicorn.log").read_text()
        try:
            return requests.get(f"{base}/healthz", timeout=5).status_code == 200
        except requests.RequestException:  # not listening yet, or the workers are still starting
            return False

    try:
        wait_for(answers, 240, "gunicorn to answer")
        yield base
    finally:
        stop(process)


def seed_gathering(deployment: Deployment, capacity: int) -> str:
    app = deployment.app()
    with app.app_context():
        factories.gathering(slug="kappløp", title="Samling med kø", capacity=capacity)
        db.session.remove()
        db.engine.dispose()
    return "kappløp"


CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def test_gunicorn_with_four_workers_fills_exactly_the_seats(deployment):
    seats, people = 20, 80
    slug = seed_gathering(deployment, capacity=seats)
    emails = [f"deltaker{n}@alta.kommune.no" for n in range(people)]

    def participant(address, ready):
        with requests.Session() as browser:
            url = f"{base}/samlinger/{slug}/pamelding"
            page = browser.get(url, timeout=300)
            token = CSRF.search(page.text).group(1)
            ready()
            return browser.post(url, data=form_data(email=address, name=f"Person {address[8:10]}")
                                | {"csrf_token": token}, allow_redirects=False, timeout=300).status_code

    with gunicorn(deployment) as base:
        statuses = all_at_once(participant, emails, timeout=600)

    assert Counter(statuses) == {302: people}, statuses
    log = (deployment.folder / "gunicorn.log").read_text()
    assert "Traceback" not in log and '" 500 ' not in log, log[-3000:]
    # The default rate-limit storage with 4 workers: each counts alone, and the log says so at start.
    assert "RATELIMIT_STORAGE_URI is memory:// while 4 processes serve" in log, log[:3000]
    app = deployment.app()
    with app.app_context():
        rows = db.session.execute(db.select(Registration.email, Registration.status)).all()
        mails = db.session.scalars(db.select(OutboundEmail.recipient)).all()
        db.session.remove()
        db.engine.dispose()
    assert sorted(address for address, _ in rows) == sorted(emails), "every person accounted for, once"
    assert Counter(status for _, status in rows) == {"confirmed": seats, "waitlisted": people - seats}
    assert sorted(mails) == sorted(emails), "one e-mail per registration, in the same transaction"


def test_the_access_log_keeps_no_manage_or_password_token(deployment):
    """Whoever reads the access log must not find a link that opens a registration or sets a password."""
    slug = seed_gathering(deployment, capacity=5)
    app = deployment.app()
    app.config["SECRET_KEY"] = deployment.env["SECRET_KEY"]  # the key the gunicorn workers derive links with
    with app.app_context():
        from samlinger.auth import service as accounts
        from samlinger.registration import service

        token = service.register(db.session.scalar(db.select(Gathering.id)), {"name": "Kari", "organisation": "X"},
                                 email="kari@x.no", language="nb").token
        user = accounts.create_user("ola@statsforvalteren.test", "Ola")
        reset = accounts.password_link_token(user, "reset")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    access_log = deployment.folder / "access.log"
    with gunicorn(deployment, workers=1, access_log=str(access_log)) as base:
        manage = requests.get(f"{base}/pamelding/{token}", timeout=30)
        assert manage.status_code == 200 and "Kari" in manage.text, "a working link, so its line is a real one"
        requests.get(f"{base}/pamelding/{token}/presentasjoner/1", timeout=30)
        assert requests.get(f"{base}/logg-inn/nytt-passord/{reset}", timeout=30).status_code == 200
        requests.get(f"{base}/samlinger/{slug}", headers={"Referer": f"{base}/pamelding/{token}"}, timeout=30)
    assert "RATELIMIT_STORAGE_URI is memory://" not in (deployment.folder / "gunicorn.log").read_text(), \
        "one process counts every request"
    log = access_log.read_text()
    assert token not in log and reset not in log
    assert '"GET /pamelding/[token] HTTP/1.1" 200' in log
    assert "/pamelding/[token]/presentasjoner/1" in log and '"GET /logg-inn/nytt-passord/[token] HTTP' in log
    assert f'"{base}/pamelding/[token]"' in log, "the Referer is masked as well"


# --- mail workers: several at once, and one killed mid-send -----------------------------------

class SMTPServer:
    """A real SMTP server. With block_first, the first message is held unanswered until release()."""

    def __init__(self, block_first: bool = False):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.port = free_port()
        self.first_arrived = threading.Event()
        self._released = False
        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                if block_first and not server.first_arrived.is_set():
                    server.first_arrived.set()
                    while not server._released:
                        await asyncio.sleep(0.05)
                    return "451 4.3.0 Try again later"  # the sender is gone by now
                await asyncio.sleep(0.01)  # a little work per message lets the workers overlap
                server.messages.append(email.message_from_bytes(envelope.original_content, policy=policy.default))
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._released = True
        self._controller.stop()

    def subjects(self) -> Counter:
        return Counter(str(m["Subject"]) for m in self.messages)


def queue_messages(deployment: Deployment, count: int) -> list[str]:
    subjects = [f"Melding {n}" for n in range(count)]
    app = deployment.app()
    with app.app_context():
        db.session.add_all(OutboundEmail(kind="test", recipient=f"p{n}@alta.kommune.no", subject=subject,
                                         text_body=f"Hei nummer {n}") for n, subject in enumerate(subjects))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return subjects


def outbox(deployment: Deployment) -> list[OutboundEmail]:
    app = deployment.app()
    with app.app_context():
        rows = list(db.session.scalars(db.select(OutboundEmail).order_by(OutboundEmail.id)))
        db.session.expunge_all()
        db.session.remove()
        db.engine.dispose()
    return rows


def mail_worker(deployment: Deployment, smtp: SMTPServer, name: str, **settings) -> subprocess.Popen:
    env = deployment.env | {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port)}
    env.update({k: str(v) for k, v in settings.items()})
    with deployment.log(name) as log:
        return subprocess.Popen([*FLASK, "mail-worker", "--poll", "0.1"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)


def test_several_mail_workers_send_every_message_exactly_once(deployment):
    subjects = queue_messages(deployment, 90)
    with SMTPServer() as smtp:
        workers = [mail_worker(deployment, smtp, f"worker{n}") for n in range(4)]
        try:
            wait_for(lambda: sum(smtp.subjects().values()) >= len(subjects), 300, "every message")
            wait_for(lambda: all(m.status == "sent" for m in outbox(deployment)), 120, "the outbox to be marked")
            time.sleep(1.0)  # time for a duplicate to show up, if there were one
        finally:
            for worker in workers:
                stop(worker)
        assert all(worker.returncode in (0, -signal.SIGTERM) for worker in workers)
        assert smtp.subjects() == Counter({subject: 1 for subject in subjects})
    assert {(m.status, m.attempts) for m in outbox(deployment)} == {("sent", 1)}


def test_a_worker_killed_mid_send_leaves_its_messages_to_another(deployment):
    subjects = queue_messages(deployment, 3)
    stale = 3
    with SMTPServer(block_first=True) as smtp:
        first = mail_worker(deployment, smtp, "killed", MAIL_STALE_CLAIM_SECONDS=stale)
        try:
            assert smtp.first_arrived.wait(300), "the first worker started sending"
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        claimed = outbox(deployment)
        assert {(m.status, m.attempts) for m in claimed} == {("sending", 1)}, "the dead worker's claim"
        killed_at = utcnow()

        second = mail_worker(deployment, smtp, "survivor", MAIL_STALE_CLAIM_SECONDS=stale)
        try:
            wait_for(lambda: all(m.status == "sent" for m in outbox(deployment)), 300, "the retry")
            time.sleep(0.5)
        finally:
            stop(second)
        assert smtp.subjects() == Counter({subject: 1 for subject in subjects}), "retried once, none dropped"
    delivered = outbox(deployment)
    assert {(m.status, m.attempts) for m in delivered} == {("sent", 2)}
    # Nobody touched the claim before it was stale.
    assert min(m.sent_at for m in delivered) >= min(m.claimed_at for m in claimed) + timedelta(seconds=stale)
    assert killed_at < min(m.sent_at for m in delivered)
