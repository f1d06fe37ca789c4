"""Writers of different kinds at the same moment, on a file-based SQLite database and on PostgreSQL: participants
saving their details while an organiser checks people in and exports the list. A transaction that writes
begins as a write (BEGIN IMMEDIATE on SQLite), so the others wait their turn instead of answering 500
(«database is locked»), and no write is lost."""

from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.registration import service
from samlinger.registration.models import Registration
from samlinger.timeutil import utcnow

from . import factories
from .conftest import csrf_token, log_in, totp_code
from .races import all_at_once, apps_for
from .test_processes import CSRF, deployment, gunicorn  # noqa: F401 - deployment is a fixture

PEOPLE = 8
SAVES = 3
EXPORTS = 4


ORGANISERS = {"check-in": "ola@statsforvalteren.test", "export": "kari@statsforvalteren.test"}


def _underway(app, dispose: bool = False) -> tuple[int, list[tuple[int, str]]]:
    """A gathering that started an hour ago, with PEOPLE registered: its id and (id, manage token) of each."""
    now = utcnow()
    with app.app_context():
        gathering_id = factories.gathering().id
        people = []
        for n in range(PEOPLE):
            outcome = service.register(gathering_id, {"name": f"Person {n}", "organisation": "Alta kommune"},
                                       email=f"person{n}@alta.kommune.no", language="nb")
            people.append((outcome.registration.id, outcome.token))
        gathering = db.session.get(Gathering, gathering_id)
        gathering.starts_at, gathering.ends_at = now - timedelta(hours=1), now + timedelta(hours=3)
        gathering.registration_deadline = (now - timedelta(days=1)).date()
        db.session.commit()
        for email in ORGANISERS.values():
            factories.user(email)
        db.session.remove()
        if dispose:
            db.engine.dispose()
    return gathering_id, people


def _participant(app, token: str, n: int, ready) -> list[int]:
    client = app.test_client()
    csrf = csrf_token(client, f"/pamelding/{token}")  # the page first, as a person opens it
    ready()
    return [client.post(f"/pamelding/{token}", data={"name": f"Person {n}", "organisation": "Alta kommune",
                                                     "role": f"Rolle {n}.{save}", "phone": "", "needs": "",
                                                     "csrf_token": csrf}).status_code for save in range(SAVES)]


def _organiser(app, job, ready) -> list[int]:
    kind, gathering_id, people = job
    client = app.test_client()
    assert log_in(client, ORGANISERS[kind], factories.PASSWORD).status_code == 302
    csrf = csrf_token(client, f"/arrangor/samlinger/{gathering_id}/innsjekk")
    ready()
    if kind == "check-in":
        return [client.post(f"/arrangor/pameldinger/{registration_id}/innsjekk",
                            data={"present": "1", "csrf_token": csrf},
                            headers={"Accept": "application/json"}).status_code
                for registration_id, _ in people]
    return [client.get(f"/arrangor/samlinger/{gathering_id}/deltakere.{file_format}").status_code
            for file_format in ("csv", "xlsx") * (EXPORTS // 2)]


def test_participants_saving_while_an_organiser_checks_in_and_exports(app, app_config):
    gathering_id, people = _underway(app)
    jobs = [("participant", token, n) for n, (_, token) in enumerate(people)]
    jobs += [("organiser", ("check-in", gathering_id, people)), ("organiser", ("export", gathering_id, people))]
    apps = apps_for(app_config, len(jobs))

    def work(job, ready):
        app_, (kind, *args) = job
        if kind == "participant":
            return _participant(app_, *args, ready)
        return _organiser(app_, args[0], ready)

    results = all_at_once(work, list(zip(apps, jobs, strict=True)))
    for each in apps:
        with each.app_context():
            db.engine.dispose()

    saves, (checked, exported) = results[:PEOPLE], results[PEOPLE:]
    assert all(status == 302 for statuses in saves for status in statuses), saves
    assert checked == [200] * PEOPLE, checked
    assert exported == [200] * EXPORTS, exported
    with app.app_context():
        rows = db.session.execute(select(Registration.name, Registration.role, Registration.checked_in_at)
                                  .where(Registration.gathering_id == gathering_id)
                                  .order_by(Registration.id)).all()
        exports = db.session.scalar(select(db.func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.action == "registration.export"))
    assert [role for _, role, _ in rows] == [f"Rolle {n}.{SAVES - 1}" for n in range(PEOPLE)], "no save lost"
    assert all(arrived is not None for _, _, arrived in rows), "no arrival lost"
    assert exports == EXPORTS, "every export is in the audit log"


def _assert_nothing_lost(app, gathering_id: int) -> None:
    with app.app_context():
        rows = db.session.execute(select(Registration.role, Registration.checked_in_at)
                                  .where(Registration.gathering_id == gathering_id).order_by(Registration.id)).all()
        exports = db.session.scalar(select(db.func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.action == "registration.export"))
        db.session.remove()
        db.engine.dispose()
    assert [role for role, _ in rows] == [f"Rolle {n}.{SAVES - 1}" for n in range(PEOPLE)], "no save lost"
    assert all(arrived is not None for _, arrived in rows), "no arrival lost"
    assert exports == EXPORTS, "every export is in the audit log"


@pytest.mark.slow
def test_the_same_over_http_with_four_gunicorn_workers(deployment):  # noqa: F811 - the fixture
    """The production path: gunicorn with four worker processes on one SQLite file (or PostgreSQL), CSRF on."""
    app = deployment.app()
    app.config["SECRET_KEY"] = deployment.env["SECRET_KEY"]  # the key the workers derive manage links with
    gathering_id, people = _underway(app, dispose=True)

    def participant(job, ready):
        n, token = job
        with requests.Session() as browser:
            url = f"{base}/pamelding/{token}"
            csrf = CSRF.search(browser.get(url, timeout=300).text).group(1)
            ready()
            return [browser.post(url, data={"name": f"Person {n}", "organisation": "Alta kommune", "csrf_token": csrf,
                                            "role": f"Rolle {n}.{save}", "phone": "", "needs": ""},
                                 allow_redirects=False, timeout=300).status_code for save in range(SAVES)]

    def organiser(kind, ready):
        with requests.Session() as browser:
            csrf = CSRF.search(browser.get(f"{base}/logg-inn", timeout=300).text).group(1)
            answer = browser.post(f"{base}/logg-inn", data={"email": ORGANISERS[kind], "csrf_token": csrf,
                                                            "password": factories.PASSWORD},
                                  allow_redirects=False, timeout=300)
            assert answer.status_code == 302
            second = answer.headers["Location"]
            if "/logg-inn/kode" in second:  # the second factor, as the person's app would give it
                second = second if second.startswith("http") else base + second
                csrf = CSRF.search(browser.get(second, timeout=300).text).group(1)
                assert browser.post(second, data={"code": totp_code(app, ORGANISERS[kind]), "csrf_token": csrf},
                                    allow_redirects=False, timeout=300).status_code == 302
            page = browser.get(f"{base}/arrangor/samlinger/{gathering_id}/innsjekk", timeout=300).text
            csrf = CSRF.search(page).group(1)
            ready()
            if kind == "check-in":
                return [browser.post(f"{base}/arrangor/pameldinger/{registration_id}/innsjekk",
                                     data={"present": "1", "csrf_token": csrf},
                                     headers={"Accept": "application/json"}, timeout=300).status_code
                        for registration_id, _ in people]
            return [browser.get(f"{base}/arrangor/samlinger/{gathering_id}/deltakere.{file_format}",
                                timeout=300).status_code for file_format in ("csv", "xlsx") * (EXPORTS // 2)]

    jobs = [("participant", (n, token)) for n, (_, token) in enumerate(people)]
    jobs += [("organiser", "check-in"), ("organiser", "export")]
    with gunicorn(deployment) as base:
        results = all_at_once(lambda job, ready: (participant if job[0] == "participant" else organiser)(
            job[1], ready), jobs, timeout=600)

    saves, (checked, exported) = results[:PEOPLE], results[PEOPLE:]
    log = (deployment.folder / "gunicorn.log").read_text()
    assert "Traceback" not in log and '" 500 ' not in log, log[-3000:]
    assert all(status == 302 for statuses in saves for status in statuses), saves
    assert checked == [200] * PEOPLE, checked
    assert exported == [200] * EXPORTS, exported
    _assert_nothing_lost(app, gathering_id)
