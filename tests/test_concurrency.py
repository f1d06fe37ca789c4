"""Capacity holds under concurrent registrations from many threads and several processes."""

import multiprocessing

from samlinger import create_app
from samlinger.extensions import db
from samlinger.mail.models import OutboundEmail
from samlinger.registration import service
from samlinger.registration.models import Registration

from .races import all_at_once, apps_for

CAPACITY = 5


def _register_many(app, gathering_id: int, emails: list[str], ready) -> list[str]:
    """Register *emails* one after another in *app*, all callers starting together when *ready()* returns."""
    results = []
    with app.app_context():
        ready()
        for address in emails:
            outcome = service.register(gathering_id, {"name": address, "organisation": "Alta kommune"},
                                       email=address, language="nb")
            results.append(outcome.registration.status)
        db.session.remove()
        db.engine.dispose()
    return results


def _process_entry(config, gathering_id, emails, barrier, queue):
    queue.put(_register_many(create_app(config), gathering_id, emails, barrier.wait))


def _assert_exact(app, gathering_id, expected_people):
    with app.app_context():
        rows = db.session.execute(
            db.select(Registration.email, Registration.status).where(Registration.gathering_id == gathering_id)
        ).all()
        mails = db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail))
    emails = [email for email, _ in rows]
    assert sorted(emails) == sorted(expected_people), "none lost, none duplicated"
    statuses = [status for _, status in rows]
    assert statuses.count("confirmed") == CAPACITY
    assert statuses.count("waitlisted") == len(expected_people) - CAPACITY
    assert mails == len(expected_people), "every registration committed its e-mail"


def test_many_threads_at_once_never_exceed_capacity(app, app_config, make_gathering):
    gid = make_gathering(capacity=CAPACITY)
    people = [f"traad{n}@x.no" for n in range(24)]
    results = all_at_once(lambda job, ready: _register_many(*job, ready),
                          [(a, gid, [p]) for a, p in zip(apps_for(app_config, len(people)), people, strict=True)])
    statuses = [status for result in results for status in result]
    assert statuses.count("confirmed") == CAPACITY
    _assert_exact(app, gid, people)


def test_several_processes_at_once_never_exceed_capacity(app, app_config, make_gathering):
    gid = make_gathering(capacity=CAPACITY)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4, timeout=120)
    queue = context.Queue()
    batches = [[f"prosess{p}-{n}@x.no" for n in range(6)] for p in range(4)]
    processes = [context.Process(target=_process_entry, args=(app_config, gid, batch, barrier, queue))
                 for batch in batches]
    for process in processes:
        process.start()
    results = [queue.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    assert sum(r.count("confirmed") for r in results) == CAPACITY
    _assert_exact(app, gid, [p for batch in batches for p in batch])
