"""Personal data: `purge-personal-data` anonymises old registrations and keeps the counts per municipality;
a participant deletes their own data through the manage link once the gathering is over."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.mail.models import OutboundEmail
from samlinger.registration import attendance, service
from samlinger.registration.models import Registration
from samlinger.registration.retention import months_before
from samlinger.seats.ledger import ledger
from samlinger.timeutil import oslo_today

from .conftest import csrf_token

PEOPLE = [("Ola Alta", "ola@alta.kommune.no", "Alta kommune"),
          ("Kari Alta", "kari@alta.kommune.no", "Alta kommune"),
          ("Per Vardø", "per@vardo.kommune.no", "Vardø kommune")]


def register_people(app, gathering_id, people=PEOPLE) -> list[tuple[int, str]]:
    """Register each person (as an organiser would, so past gatherings work); return (id, token) pairs."""
    with app.app_context():
        result = []
        for name, email, organisation in people:
            outcome = service.register(gathering_id, {"name": name, "organisation": organisation,
                                                      "role": "Prosjektleder", "phone": "+47 912 34 567",
                                                      "needs": "Vegetar", "answers": {"1": "ja"}},
                                       email=email, language="nb", by_organiser=True)
            result.append((outcome.registration.id, outcome.token))
        return result


def days_ago(days: int):
    return (oslo_today() - timedelta(days=days))


def test_purge_anonymises_old_registrations_and_keeps_counts(app, runner, client, make_gathering):
    old = make_gathering(day=days_ago(400), capacity=10)
    recent = make_gathering(day=days_ago(300))
    upcoming = make_gathering()
    old_people = register_people(app, old)
    register_people(app, recent, PEOPLE[:1])
    register_people(app, upcoming, PEOPLE[:1])
    with app.app_context():
        first = db.session.get(Registration, old_people[0][0])
        first.checked_in_at = first.gathering.starts_at
        db.session.commit()
    service_cancelled = old_people[2][0]
    with app.app_context():
        db.session.get(Registration, service_cancelled).status = "cancelled"
        db.session.commit()
        mails_before = Counter(db.session.scalars(db.select(OutboundEmail.registration_id)))

    result = runner.invoke(args=["purge-personal-data"])
    assert result.exit_code == 0, result.output
    assert "3 registrations anonymised" in result.output

    with app.app_context():
        rows = list(db.session.scalars(db.select(Registration).order_by(Registration.id)))
        purged = [r for r in rows if r.gathering_id == old]
        kept = [r for r in rows if r.gathering_id != old]
        for registration in purged:
            assert (registration.name, registration.email, registration.role, registration.phone,
                    registration.needs, registration.answers) == ("", "", "", "", "", {})
            assert registration.anonymised_at is not None
            assert "@" not in registration.email_normalized
        assert len({r.email_normalized for r in purged}) == 3
        assert Counter(r.organisation for r in purged) == {"Alta kommune": 2, "Vardø kommune": 1}
        assert [r.status for r in purged] == ["confirmed", "confirmed", "cancelled"]
        assert purged[0].checked_in_at is not None, "attendance stays for the statistics"
        assert all(r.anonymised_at is None and r.email for r in kept)
        mails_after = Counter(db.session.scalars(db.select(OutboundEmail.registration_id)))
        assert all(mails_after[r.id] == 0 for r in purged), "the outbox kept whole messages with names"
        assert all(mails_after[r.id] == mails_before[r.id] > 0 for r in kept)
        [entry] = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "registration.purge"))
        assert "3 registrations" in entry.summary
    for _id, token in old_people:
        assert client.get(f"/pamelding/{token}").status_code == 404

    again = runner.invoke(args=["purge-personal-data"])
    assert "0 registrations anonymised" in again.output, "safe to run daily"
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "registration.purge")) == 1

    shorter = runner.invoke(args=["purge-personal-data", "--months", "9"])
    assert "1 registrations anonymised" in shorter.output
    assert runner.invoke(args=["purge-personal-data", "--months", "-1"]).exit_code != 0


def test_retention_period_is_configurable(app, runner, make_gathering):
    app.config["RETENTION_MONTHS"] = 6
    register_people(app, make_gathering(day=days_ago(200)), PEOPLE[:1])
    assert "1 registrations anonymised" in runner.invoke(args=["purge-personal-data"]).output


def test_months_are_calendar_months():
    moment = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert months_before(moment, 1) == datetime(2026, 2, 28, 12, tzinfo=UTC)
    assert months_before(moment, 12) == datetime(2025, 3, 31, 12, tzinfo=UTC)
    assert months_before(datetime(2024, 3, 30, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(2024, 12, 15, tzinfo=UTC)


def test_participant_deletes_own_data_after_the_gathering(app, client, make_gathering):
    past = make_gathering(day=days_ago(2))
    [(mine, token), (theirs, _)] = register_people(app, past, PEOPLE[:2])
    manage = f"/pamelding/{token}"
    erase = f"{manage}/slett"
    assert erase in client.get(manage).get_data(as_text=True)
    assert client.get(erase).status_code == 200
    assert client.post(erase, data={}).status_code == 400, "CSRF protected"
    response = client.post(erase, data={"csrf_token": csrf_token(client, erase)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with app.app_context():
        registration = db.session.get(Registration, mine)
        assert (registration.name, registration.email, registration.needs) == ("", "", "")
        assert registration.organisation == "Alta kommune"
        assert db.session.get(Registration, theirs).name == "Kari Alta", "only this registration"
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)
                                 .where(OutboundEmail.registration_id == mine)) == 0
        assert db.session.scalar(db.select(AuditEntry.action).where(AuditEntry.object_id == mine,
                                                                    AuditEntry.object_type == "registration"))
    assert client.get(manage).status_code == 404
    assert client.get(erase).status_code == 404


def test_before_the_gathering_there_is_nothing_to_delete_yet(app, client, make_gathering):
    [(mine, token)] = register_people(app, make_gathering(), PEOPLE[:1])
    manage, erase = f"/pamelding/{token}", f"/pamelding/{token}/slett"
    assert erase not in client.get(manage).get_data(as_text=True)
    assert client.get(erase).headers["Location"] == manage
    assert client.post(erase, data={"csrf_token": csrf_token(client, manage)}).status_code == 302
    with app.app_context():
        assert db.session.get(Registration, mine).name == "Ola Alta"


def _attendance_facts(gathering_ids):
    """What the reach figures read, per registration, and the figures per municipality: all the purge must keep."""
    from samlinger.gatherings.models import Gathering

    db.session.expire_all()
    rows = {r.id: (r.gathering_id, r.municipality_id, r.organisation, r.status, r.checked_in_at, r.walk_in,
                   attendance.state(r)) for r in db.session.scalars(
                db.select(Registration).where(Registration.gathering_id.in_(gathering_ids)))}
    state = attendance.state_expression().label("state")
    per_municipality = db.session.execute(
        db.select(Registration.municipality_id, state, db.func.count())
        .join(Gathering).where(Registration.gathering_id.in_(gathering_ids))
        .group_by(Registration.municipality_id, state)).all()
    return rows, sorted(per_municipality, key=repr)


def test_anonymising_keeps_everything_attendance_needs(app, make_gathering):
    """The purge and a participant's own deletion keep municipality, status, check-in, walk-in and the gathering:
    who attended, who did not come and who came without registering count the same afterwards."""
    from samlinger.municipalities import importing
    from samlinger.municipalities.models import Municipality
    from samlinger.registration import retention

    with app.app_context():
        importing.load_demo()
        alta, vadso = (db.session.scalar(db.select(Municipality.id).where(Municipality.name == name))
                       for name in ("Alta", "Vadsø"))
    old, recent = make_gathering(day=days_ago(400)), make_gathering(day=days_ago(2))
    with app.app_context():
        ids = {}
        for gathering_id in (old, recent):
            gathering = db.session.get(Gathering, gathering_id)
            during, after = gathering.starts_at + timedelta(minutes=5), gathering.ends_at + timedelta(days=1)
            for name, municipality in (("came", alta), ("away", vadso), ("late", alta), ("gone", vadso)):
                ids[gathering_id, name] = service.register(
                    gathering_id, {"name": name.title(), "municipality_id": municipality, "organisation": ""},
                    email=f"{name}@kommune.no", language="nb", by_organiser=True).registration.id
            attendance.check_in(ids[gathering_id, "came"], True, now=during)
            attendance.mark(ids[gathering_id, "late"], True, now=after)  # marked afterwards
            service.cancel(ids[gathering_id, "gone"], by_organiser=True)
            ids[gathering_id, "walk_in"] = attendance.add_walk_in(
                gathering_id, {"name": "Walk", "municipality_id": vadso, "organisation": ""},
                email="walk@kommune.no", language="nb", now=during).id
            ids[gathering_id, "walk_in_no_address"] = attendance.add_walk_in(
                gathering_id, {"name": "Nameless", "municipality_id": None, "organisation": "Helse Nord"},
                language="nb", now=during).id
        before = _attendance_facts([old, recent])
        summary = attendance.summary(db.session.get(Gathering, old), ledger(db.session.get(Gathering, old)).counts)
        assert summary == attendance.Summary(attended=4, no_shows=1, walk_ins=2)

        assert retention.purge(12) == 6
        retention.erase(ids[recent, "walk_in"])  # a walk-in with an address has a link, and may delete their data
        retention.erase(ids[recent, "away"])
        assert _attendance_facts([old, recent]) == before
        old_gathering = db.session.get(Gathering, old)
        assert attendance.summary(old_gathering, ledger(old_gathering).counts) == summary
        anonymised = db.session.get(Registration, ids[old, "walk_in_no_address"])
        assert (anonymised.name, anonymised.organisation, anonymised.email) == ("", "Helse Nord", "")
        assert db.session.get(Registration, ids[recent, "walk_in"]).anonymised_at is not None
