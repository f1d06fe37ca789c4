"""Writers of different kinds at the same moment, on a file-based SQLite database and on PostgreSQL: participants
saving their details while an organiser checks people in and exports the list. A transaction that writes
begins as a write (BEGIN IMMEDIATE on SQLite), so the others wait their turn instead of answering 500
(«database is locked»), and no write is lost."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.registration import service
from samlinger.registration.models import Registration
from samlinger.timeutil import utcnow

from . import factories
from .races import all_at_once, apps_for

PEOPLE = 8
SAVES = 3
EXPORTS = 4


@pytest.fixture
def app_config(app_config):
    return app_config | {"WTF_CSRF_ENABLED": False}


def _underway(app) -> tuple[int, list[tuple[int, str]]]:
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
        factories.user()
        db.session.remove()
    return gathering_id, people


def _participant(app, token: str, n: int, ready) -> list[int]:
    client = app.test_client()
    client.get(f"/pamelding/{token}")  # the page first, as a person opens it
    ready()
    return [client.post(f"/pamelding/{token}", data={"name": f"Person {n}", "organisation": "Alta kommune",
                                                     "role": f"Rolle {n}.{save}", "phone": "", "needs": ""},
                        ).status_code for save in range(SAVES)]


def _organiser(app, job, ready) -> list[int]:
    kind, gathering_id, people = job
    client = app.test_client()
    assert client.post("/logg-inn", data={"email": "ola@statsforvalteren.test",
                                          "password": factories.PASSWORD}).status_code == 302
    ready()
    if kind == "check-in":
        return [client.post(f"/arrangor/pameldinger/{registration_id}/innsjekk", data={"present": "1"},
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
