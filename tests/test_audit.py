"""The audit log: entries commit with the change they describe; only admins read them."""

from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.audit.service import record
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering


def test_record_commits_with_the_change_and_rolls_back_with_it(app, make_gathering):
    gid = make_gathering()
    with app.app_context():
        gathering = db.session.get(Gathering, gid)
        gathering.title = "Endret"
        record("gathering.edit", gathering, "Title changed")
        db.session.rollback()
        assert db.session.scalars(select(AuditEntry)).all() == []

        gathering = db.session.get(Gathering, gid)
        gathering.title = "Endret"
        record("gathering.edit", gathering, "Title  changed\nagain")
        db.session.commit()
        [entry] = db.session.scalars(select(AuditEntry)).all()
        assert (entry.action, entry.object_type, entry.object_id) == ("gathering.edit", "gathering", gid)
        assert entry.summary == "Title changed again"
        assert entry.user_id is None
        assert entry.created_at.tzinfo is not None


def test_admin_reads_the_log_with_paging(app, admin_client):
    with app.app_context():
        for n in range(60):
            record("gathering.publish", None, f"Oppføring {n}")
        db.session.commit()
    first = admin_client.get("/arrangor/logg/").get_data(as_text=True)
    assert "Oppføring 59" in first and "Oppføring 10" in first
    assert "Oppføring 9<" not in first
    assert "side=2" in first
    second = admin_client.get("/arrangor/logg/?side=2").get_data(as_text=True)
    assert "Oppføring 9<" in second and "Oppføring 0<" in second
    assert admin_client.get("/arrangor/logg/?side=99").status_code == 200
    assert admin_client.get("/arrangor/logg/?side=x").status_code == 200


def test_organisers_may_not_read_the_log(organiser_client):
    assert organiser_client.get("/arrangor/logg/").status_code == 403
    assert "/arrangor/logg/" not in organiser_client.get("/arrangor/").get_data(as_text=True)
