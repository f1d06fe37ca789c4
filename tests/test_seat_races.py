"""Seats shared between municipalities under real concurrency: gunicorn with 4 workers over HTTP, on SQLite
and PostgreSQL (the deployment of tests/test_processes.py). Many people from one municipality and from
others register at once, then cancel at once; neither the seats nor the limit per municipality is ever
exceeded, and every promotion keeps both. With held seats, the invariant the rule keeps at every moment
(free seats >= held seats - municipalities with a seat) is checked; which person gets which seat depends on
the order the requests arrive, so the held-seat rule itself is proven case by case in tests/test_seats.py,
and here that the lock keeps all of them together (remove FOR UPDATE and this test fails on PostgreSQL)."""

from collections import Counter
from datetime import timedelta

import pytest
import requests

from samlinger.extensions import db
from samlinger.mail.models import OutboundEmail
from samlinger.municipalities.models import Municipality
from samlinger.registration.models import Registration
from samlinger.timeutil import oslo_today

from . import factories
from .conftest import form_data
from .races import all_at_once
from .test_processes import CSRF, gunicorn
from .test_processes import deployment as deployment  # noqa: F401 - the fixture, SQLite and PostgreSQL

pytestmark = pytest.mark.slow

SEATS = 6
#: a limit of 2 alone; a limit of 3 with 3 seats held for municipalities not yet registered
RULES = {"limit": {"per_municipality_limit": 2},
         "limit and held seats": {"per_municipality_limit": 3, "held_seats": 3}}
#: municipality number: people registering from it at once
CROWD = {"5601": 16, "5603": 6, "5605": 6, "5607": 6}


def seed(deployment, rules: dict) -> dict[str, int]:
    app = deployment.app()
    with app.app_context():
        ids = {}
        for number in CROWD:
            municipality = Municipality(number=number, name=f"Kommune {number}", language_decision="neutral")
            db.session.add(municipality)
            db.session.flush()
            ids[municipality.id] = number
        db.session.commit()
        held = {"held_until": oslo_today() + timedelta(days=5)} if "held_seats" in rules else {}
        factories.gathering(slug="prosjektledere", capacity=SEATS, **rules, **held)
        db.session.remove()
        db.engine.dispose()
    return ids


def state(deployment):
    """[(email, municipality id, status, confirmed_at)] and the kinds of mail queued per address."""
    app = deployment.app()
    with app.app_context():
        rows = db.session.execute(db.select(Registration.email, Registration.municipality_id, Registration.status,
                                            Registration.id)).all()
        mails = Counter(db.session.execute(db.select(OutboundEmail.recipient, OutboundEmail.kind)).all())
        db.session.remove()
        db.engine.dispose()
    return rows, mails


def assert_within_the_rules(rows, rules: dict):
    confirmed = Counter(municipality for _, municipality, status, _ in rows if status == "confirmed")
    assert sum(confirmed.values()) <= SEATS, confirmed
    assert max(confirmed.values()) <= rules["per_municipality_limit"], f"a municipality over its limit: {confirmed}"
    # Held seats keep this true at every moment (registration/seats.py): free seats >= held - municipalities.
    free, municipalities = SEATS - sum(confirmed.values()), len(confirmed)
    assert free >= rules.get("held_seats", 0) - municipalities, f"held seats given away: {confirmed}"
    return confirmed


@pytest.mark.parametrize("rules", RULES.values(), ids=RULES.keys())
def test_a_crowd_from_one_municipality_and_others_never_exceeds_seats_or_the_limit(deployment, rules):  # noqa: F811
    seed(deployment, rules)
    people = [(f"p{n}-{number}@kommune{number}.no", number) for number, count in CROWD.items() for n in range(count)]

    with gunicorn(deployment) as base:
        url = f"{base}/samlinger/prosjektledere/pamelding"

        def register(person, ready):
            address, number = person
            with requests.Session() as browser:
                token = CSRF.search(browser.get(url, timeout=300).text).group(1)
                ready()
                return browser.post(url, data=form_data(email=address, name=address[:6], municipality=number,
                                                        organisation="") | {"csrf_token": token},
                                    allow_redirects=False, timeout=300).status_code

        statuses = all_at_once(register, people, timeout=600)
        assert Counter(statuses) == {302: len(people)}, statuses

        rows, mails = state(deployment)
        assert sorted(email for email, *_ in rows) == sorted(address for address, _ in people), "each once"
        confirmed = assert_within_the_rules(rows, rules)
        # Four municipalities, each with enough people: the six seats are all given.
        assert sum(confirmed.values()) == SEATS
        assert all(mails[(email, "confirmation" if status == "confirmed" else "waitlisted")] == 1
                   for email, _, status, _ in rows), "one mail per registration, in the same transaction"

        # Every confirmed person and a few waiting ones cancel at the same moment, through their links.
        app = deployment.app()
        app.config["SECRET_KEY"] = deployment.env["SECRET_KEY"]  # the key the workers derive links with
        with app.app_context():
            leaving = [(registration.email, registration.status, registration.manage_token()) for registration in
                       db.session.scalars(db.select(Registration).order_by(Registration.id))
                       if registration.status == "confirmed" or registration.id % 5 == 0]
            db.session.remove()
            db.engine.dispose()

        def cancel(person, ready):
            _address, _status, token = person
            page = f"{base}/pamelding/{token}/avmeld"
            with requests.Session() as browser:
                csrf = CSRF.search(browser.get(page, timeout=300).text).group(1)
                ready()
                return browser.post(page, data={"csrf_token": csrf}, allow_redirects=False, timeout=300).status_code

        cancelled = all_at_once(cancel, leaving, timeout=600)
        assert Counter(cancelled) == {302: len(leaving)}, cancelled

    log = (deployment.folder / "gunicorn.log").read_text()
    assert "Traceback" not in log and '" 500 ' not in log, log[-3000:]
    rows, mails = state(deployment)
    gone = {address for address, *_ in leaving}
    assert {email for email, _, status, _ in rows if status == "cancelled"} == gone
    confirmed = assert_within_the_rules(rows, rules)
    waiting = Counter(municipality for _, municipality, status, _ in rows if status == "waitlisted")
    # Promotion filled the seats again: enough people from enough municipalities were still waiting.
    assert sum(confirmed.values()) == SEATS, (confirmed, waiting)
    seated = {email for email, _, status, _ in rows if status == "confirmed"}
    assert all(mails[(email, "promoted")] == 1 for email in seated), "each promotion mailed with its invite"
    # A waiting person who cancelled in the same moment may have been promoted first; nobody else was.
    assert {email for (email, kind) in mails if kind == "promoted"} <= seated | gone
