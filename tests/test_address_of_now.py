"""Mail goes to the address of now: a message queued before an organiser corrects a participant's address is
sent, when the worker gets to it, to the corrected address; the old address gets nothing, neither the video
link, its passcode nor a manage link, nor the rest of the message (issue 21, observation 7)."""

from sqlalchemy import select

from samlinger.extensions import db
from samlinger.mail.models import OutboundEmail
from samlinger.messaging import service as messaging
from samlinger.online import service as online
from samlinger.registration import service
from samlinger.registration.models import Registration

from . import factories
from .conftest import text_part

LINK = "https://teams.example.org/l/meetup-join/19%3ameeting_ADDRESSCHECK%40thread.v2/0"
OLD, NEW = "kari@alta.kommune.no", "kari.nordmann@alta.kommune.no"


def _online_participant(app) -> int:
    with app.app_context():
        gathering = factories.gathering(mode="online", online_capacity=10)
        online.set_video_link(gathering.id, LINK, "812 443 190 55", "Passord-7731")
        registration = factories.registration(gathering.id, email=OLD, mode="online")
        return registration.id


def test_a_queued_secret_goes_to_the_corrected_address_and_never_to_the_old_one(app, smtp, deliver):
    registration_id = _online_participant(app)
    deliver()  # the confirmation, before the correction: to the address of then
    assert len(smtp.to(OLD)) == 1
    smtp.clear()
    with app.app_context():  # a reminder with the video link and the manage link waits in the outbox...
        from samlinger.registration.notify import notify_reminder
        notify_reminder(db.session.get(Registration, registration_id))
        db.session.commit()
        service.edit(registration_id, {}, email=NEW)  # ...when the organiser corrects the address
        queued = db.session.scalars(select(OutboundEmail).where(OutboundEmail.status == "queued")).all()
        assert {m.recipient for m in queued} == {OLD, NEW}, "queued for the old address, and the new link"
    deliver()
    assert smtp.to(OLD) == [], "the old address gets nothing"
    mails = smtp.to(NEW)
    assert len(mails) == 2
    assert any("Passord-7731" in text_part(m) and "ADDRESSCHECK" in text_part(m) for m in mails)
    assert all(m["To"] == NEW for m in mails)
    with app.app_context():
        assert set(db.session.scalars(select(OutboundEmail.recipient).where(OutboundEmail.status == "sent"))) \
            == {OLD, NEW}, "the outbox shows where each message went: the reminder to the new address"


def test_an_organisers_message_queued_before_the_correction_goes_to_the_new_address(app, smtp, deliver):
    registration_id = _online_participant(app)
    deliver()
    smtp.clear()
    with app.app_context():
        gathering_id = db.session.get(Registration, registration_id).gathering_id
        messaging.send_message(None, [gathering_id], "confirmed", "Husk mat", "Vi spiser kl. 12.")
        service.edit(registration_id, {}, email=NEW)
    deliver()
    assert smtp.to(OLD) == []
    assert any("Vi spiser kl. 12." in text_part(m) for m in smtp.to(NEW))


def test_a_message_whose_registration_has_no_address_now_is_not_sent(app, smtp, deliver):
    registration_id = _online_participant(app)
    with app.app_context():
        db.session.get(Registration, registration_id).email = ""
        db.session.commit()
    assert deliver() == 0
    assert smtp.messages == []
    with app.app_context():
        [message] = db.session.scalars(select(OutboundEmail)).all()
        assert message.status == "failed" and "no address now" in message.last_error
