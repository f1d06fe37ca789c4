"""The seats of each side of a hybrid gathering hold when many register and switch at once, on SQLite and
PostgreSQL (threads with apps of their own, as in test_concurrency.py)."""

from samlinger.extensions import db
from samlinger.refusal import Refused
from samlinger.registration import service
from samlinger.registration.models import Registration

from . import factories
from .races import all_at_once, apps_for

ON_SITE, ONLINE = 3, 2


def _counts(app, gathering_id):
    with app.app_context():
        rows = db.session.execute(db.select(Registration.attendance_mode, Registration.status)
                                  .where(Registration.gathering_id == gathering_id)).all()
    return {key: sum(1 for row in rows if tuple(row) == key) for key in set(map(tuple, rows))}


def test_registering_and_switching_at_once_never_exceed_either_side(app, app_config):
    with app.app_context():
        g = factories.gathering(mode="hybrid", capacity=ON_SITE, online_capacity=ONLINE)
        gid = g.id
        # Already seated on site: they all try to move online while others register for both sides.
        movers = [service.register(gid, {"name": f"M{n}", "organisation": "Alta kommune"}, email=f"m{n}@x.no",
                                   language="nb", mode="on_site").registration.id for n in range(ON_SITE)]
    newcomers = [(f"n{n}@x.no", "online" if n % 2 else "on_site") for n in range(16)]
    jobs = [("switch", mover) for mover in movers] + [("register", person) for person in newcomers]

    def run(job, ready):
        thread_app, (kind, what) = job
        with thread_app.app_context():
            ready()
            try:
                if kind == "switch":
                    service.switch_mode(what, "online")
                else:
                    service.register(gid, {"name": what[0], "organisation": "Alta kommune"}, email=what[0],
                                     language="nb", mode=what[1])
                refused = None
            except Refused as error:
                refused = error.code
            db.session.remove()
            db.engine.dispose()
        return refused

    refused = all_at_once(run, zip(apps_for(app_config, len(jobs)), jobs, strict=True))
    assert set(refused) <= {None, "side_full"}
    counts = _counts(app, gid)
    assert counts.get(("on_site", "confirmed"), 0) == ON_SITE, counts
    assert counts.get(("online", "confirmed"), 0) == ONLINE, counts
    total = len(movers) + len(newcomers)
    assert sum(counts.values()) == total, "none lost, none duplicated"
    # Whoever waits, waits on a side that is full; nobody waits where a seat is free.
    with app.app_context():
        waiting = db.session.scalars(db.select(Registration).where(Registration.gathering_id == gid,
                                                                  Registration.status == "waitlisted")).all()
        assert all(r.attendance_mode in ("on_site", "online") for r in waiting)
