"""The audit log names gatherings, counts and ids, never a participant: it outlives the retention purge."""

from datetime import timedelta

from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering

from .conftest import post

#: what must not be left anywhere in the log once the registrations are purged
PERSONAL = ("Kari", "Nordmann", "kari@", "kari.berg@", "allergi", "Per Hansen", "per@", "syk")


def test_no_personal_data_is_left_in_the_audit_log_after_the_purge(app, organiser, make_gathering, register,
                                                                   runner):
    past = make_gathering(title="Samling i øst")
    upcoming = make_gathering(title="Samling i vest")
    kari = register(past, "Kari Nordmann", "kari@alta.kommune.no")

    url = f"/arrangor/samlinger/{past}/melding"
    sent = post(organiser, url, {"audience": "all", "subject": "Om Kari Nordmann og allergien hennes",
                                 "body": "Kari Nordmann (kari@alta.kommune.no) har allergi."}, form_url=url)
    assert sent.status_code == 302
    url = f"/arrangor/pameldinger/{kari}/endre"
    edited = post(organiser, url, {"name": "Kari Nordmann-Berg", "email": "kari.berg@alta.kommune.no",
                                   "organisation": "Alta kommune", "needs": "Allergi mot nøtter"}, form_url=url)
    assert edited.status_code == 302
    url = f"/arrangor/samlinger/{upcoming}/deltakere/ny"
    added = post(organiser, url, {"name": "Per Hansen", "email": "per@alta.kommune.no",
                                  "organisation": "Alta kommune", "language": "nb"}, form_url=url)
    assert added.status_code == 302
    url = f"/arrangor/samlinger/{upcoming}/avlys"
    cancelled = post(organiser, url, {"reason": "Per Hansen er syk."}, form_url=url)
    assert cancelled.status_code == 302

    with app.app_context():  # a year later
        gathering = db.session.get(Gathering, past)
        for field in ("starts_at", "ends_at"):
            setattr(gathering, field, getattr(gathering, field) - timedelta(days=400))
        gathering.registration_deadline -= timedelta(days=400)
        db.session.commit()
    assert "1 registrations anonymised" in runner.invoke(args=["purge-personal-data"]).output
    with app.app_context():
        # The organiser's own sign-in names the organiser (kari@statsforvalteren.test), not a participant.
        entries = db.session.execute(select(AuditEntry.action, AuditEntry.summary)
                                     .where(AuditEntry.action != "user.sign_in")).all()
    assert {"message.send", "registration.edit", "registration.add", "gathering.cancel"} <= {a for a, _ in entries}
    for action, summary in entries:
        assert not [word for word in PERSONAL if word.lower() in summary.lower()], (action, summary)
    assert any("Samling i øst" in summary for _, summary in entries), "the gathering is named"


def test_the_upgrade_takes_subjects_and_reasons_out_of_earlier_entries(database_url, tmp_path):
    """0008: entries written before keep their counts, not the organisers' words."""
    from flask_migrate import upgrade

    from samlinger import create_app

    from ..conftest import base_config, empty_database

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0007_email_normalized_as_mailbox")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO season (id, year, term, title, intro, published, created_at) "
                                 "VALUES (1, 2027, 'spring', 'Våren 2027', '', true, '2027-01-01 10:00:00')")
            conn.exec_driver_sql(
                "INSERT INTO gathering (id, season_id, slug, uid, title, region, venue, address, starts_at, ends_at, "
                "registration_deadline, waitlist_enabled, status, cancel_reason, revision, description, programme, "
                "documents_visibility, created_at, updated_at) VALUES (1, 1, 'ost', 'u@s', 'Samling: øst', 'east', "
                "'', '', '2027-03-10 09:00:00', '2027-03-10 14:00:00', '2027-03-03', true, 'cancelled', '', 0, "
                "'', '', 'public', '2027-01-01 10:00:00', '2027-01-01 10:00:00')")
            for action, object_type, summary in [
                    ("message.send", "gathering", "Message to all (3): Om Kari Nordmann: allergi"),
                    ("gathering.cancel", "gathering", "Samling: øst: Per Hansen er syk (2 notified)"),
                    ("gathering.edit", "gathering", "Samling: øst")]:
                conn.execute(AuditEntry.__table__.insert().values(
                    action=action, object_type=object_type, object_id=1, summary=summary))
        upgrade()
        summaries = list(db.session.scalars(select(AuditEntry.summary).order_by(AuditEntry.id)))
        assert summaries == ["Message to all (3)", "Samling: øst (2 notified)", "Samling: øst"]
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def test_a_seat_out_of_turn_is_logged_with_a_chosen_reason_and_no_one_named(app, organiser, make_gathering,
                                                                            register):
    """The reason for a seat out of turn is one of a fixed choice: nothing an organiser types reaches the log."""
    gid = make_gathering(title="Samling i nord", capacity=1)
    register(gid, "Kari Nordmann", "kari@alta.kommune.no")
    waiting = register(gid, "Per Hansen", "per@alta.kommune.no")
    url = f"/arrangor/pameldinger/{waiting}/flytt-opp"
    typed = post(organiser, url, {"reason": "Per Hansen er syk"}, form_url=url)
    assert typed.status_code == 422, "only the choices are accepted"
    assert post(organiser, url, {"reason": "municipality_asked"}, form_url=url).status_code == 302
    with app.app_context():
        summary = db.session.scalar(select(AuditEntry.summary).filter_by(action="registration.move_up"))
    assert summary == ("Given a seat from the waiting list of Samling i nord out of turn "
                       "(reason: municipality_asked); over capacity")
    assert not [word for word in PERSONAL if word.lower() in summary.lower()]


def test_walk_ins_and_attendance_corrections_name_no_one(app, organiser, make_gathering, register, runner):
    """Adding someone who came without registering and correcting attendance afterwards: the gathering and ids."""
    gid = make_gathering(title="Samling i nord")
    kari = register(gid, "Kari Nordmann", "kari@alta.kommune.no")
    with app.app_context():  # today
        gathering = db.session.get(Gathering, gid)
        for field in ("starts_at", "ends_at"):
            setattr(gathering, field, getattr(gathering, field) - timedelta(days=30))
        db.session.commit()
    url = f"/arrangor/samlinger/{gid}/innsjekk"
    added = post(organiser, f"{url}/uten-pamelding", {"name": "Per Hansen", "municipality": "other",
                                                      "organisation": "Hansen og sønn syk AS",
                                                      "email": "per@alta.kommune.no"}, form_url=url)
    assert added.status_code == 302
    with app.app_context():  # over, and a year later
        gathering = db.session.get(Gathering, gid)
        for field in ("starts_at", "ends_at"):
            setattr(gathering, field, getattr(gathering, field) - timedelta(days=400))
        gathering.registration_deadline -= timedelta(days=430)
        db.session.commit()
    url = f"/arrangor/samlinger/{gid}/deltakere"
    assert post(organiser, f"/arrangor/pameldinger/{kari}/oppmote", {"attended": "1"}, form_url=url).status_code == 302
    assert "2 registrations anonymised" in runner.invoke(args=["purge-personal-data"]).output
    with app.app_context():
        # The organiser's own sign-in names the organiser (kari@statsforvalteren.test), not a participant.
        entries = db.session.execute(select(AuditEntry.action, AuditEntry.summary)
                                     .where(AuditEntry.action != "user.sign_in")).all()
    assert {"registration.walk_in", "registration.attendance"} <= {action for action, _ in entries}
    for action, summary in entries:
        assert not [word for word in PERSONAL if word.lower() in summary.lower()], (action, summary)
        if action in ("registration.walk_in", "registration.attendance"):
            assert "Samling i nord" in summary
