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
        entries = db.session.execute(select(AuditEntry.action, AuditEntry.summary)).all()
    assert {"message.send", "registration.edit", "registration.add", "gathering.cancel"} <= {a for a, _ in entries}
    for action, summary in entries:
        assert not [word for word in PERSONAL if word.lower() in summary.lower()], (action, summary)
    assert any("Samling i øst" in summary for _, summary in entries), "the gathering is named"
