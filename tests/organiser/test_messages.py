"""Messages to participants through the outbox, and reminders before a gathering."""

from datetime import timedelta

from samlinger.extensions import db
from samlinger.mail.models import OutboundEmail
from samlinger.registration.models import Registration
from samlinger.timeutil import oslo_today

from ..conftest import text_part
from ..races import all_at_once
from .conftest import post


def test_message_to_confirmed_goes_through_the_outbox(app, organiser, make_gathering, register, smtp, deliver):
    gid = make_gathering(capacity=1, title="Samling i øst")
    register(gid, "Åse Ødegård", "ase@vardo.kommune.no")
    register(gid, "Venter Vik", "venter@alta.kommune.no")
    deliver()
    smtp.clear()
    url = f"/arrangor/samlinger/{gid}/melding"
    page = organiser.get(url).get_data(as_text=True)
    assert "(1)" in page and "(2)" in page, "how many each choice reaches"
    body = "Husk å ta med PC.\n\n<b>Parkering</b> er gratis.\r\nVelkommen!"
    response = post(organiser, url, {"audience": "confirmed", "subject": "Praktisk info\r\nBcc: x@evil.test",
                                     "body": body}, form_url=url)
    assert response.status_code == 302
    status_url = response.headers["Location"]
    assert "data-queued>1</strong>" in organiser.get(status_url).get_data(as_text=True)

    deliver()
    assert smtp.to("venter@alta.kommune.no") == []
    [message] = smtp.to("ase@vardo.kommune.no")
    assert message["Subject"] == "Praktisk info Bcc: x@evil.test"
    assert message["Bcc"] is None
    assert "Husk å ta med PC." in text_part(message)
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;Parkering&lt;/b&gt;" in html and "<b>" not in html
    assert "/pamelding/" not in text_part(message), "a message does not replace the person's manage link"
    status = organiser.get(status_url).get_data(as_text=True)
    assert "data-sent>1</strong>" in status and "data-queued>0</strong>" in status
    assert "Praktisk info" in organiser.get(url).get_data(as_text=True), "earlier mailings are listed"


def test_failed_messages_are_shown_per_mailing(app, organiser, make_gathering, register, smtp, deliver):
    gid = make_gathering()
    register(gid, "Åse", "ase@vardo.kommune.no")
    register(gid, "Bjørn", "bjorn@alta.kommune.no")
    with app.app_context():
        db.session.execute(OutboundEmail.__table__.delete())
        db.session.commit()
    round_id = _round_id(app, gid)
    url = f"/arrangor/runder/{round_id}/melding"
    response = post(organiser, url, {"audience": "all", "subject": "Ny info", "body": "Hei"}, form_url=url)
    smtp.stop()  # the mail server is down: the outbox keeps the messages for later
    deliver()
    with app.app_context():
        message = db.session.query(OutboundEmail).filter_by(recipient="bjorn@alta.kommune.no").one()
        message.status, message.last_error = "failed", "SMTPRecipientsRefused: 550 no such user"
        db.session.commit()
    status = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "data-queued>1</strong>" in status
    assert "bjorn@alta.kommune.no" in status and "550 no such user" in status
    assert organiser.get("/arrangor/utsendinger/ukjent").status_code == 404


def test_empty_message_is_refused_and_kept(app, organiser, make_gathering):
    gid = make_gathering()
    url = f"/arrangor/samlinger/{gid}/melding"
    response = post(organiser, url, {"audience": "confirmed", "subject": "Emne beholdes", "body": ""}, form_url=url)
    assert response.status_code == 422
    assert "Emne beholdes" in response.get_data(as_text=True)
    bad = post(organiser, url, {"audience": "everyone", "subject": "x", "body": "y"}, form_url=url)
    assert bad.status_code == 422


def _round_id(app, gathering_id):
    with app.app_context():
        from samlinger.gatherings.models import Gathering

        return db.session.get(Gathering, gathering_id).round_id


def test_reminders_are_sent_once(app, runner, make_gathering, register, smtp, deliver):
    app.config["REMINDER_DAYS_BEFORE"] = 3
    soon = make_gathering(day=(oslo_today() + timedelta(days=2)), capacity=1,
                          registration_deadline=oslo_today() + timedelta(days=1))
    later = make_gathering(day=(oslo_today() + timedelta(days=10)))
    seated = register(soon, "Åse Ødegård", "ase@vardo.kommune.no")
    register(soon, "Venter Vik", "venter@alta.kommune.no")
    register(later, "Senere", "senere@alta.kommune.no")
    deliver()
    smtp.clear()

    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert runner.invoke(args=["send-reminders"]).exit_code == 0
    deliver()
    assert [m["To"] for m in smtp.messages] == ["ase@vardo.kommune.no"]
    text = text_part(smtp.messages[0])
    assert "påminnelse" in text and "/pamelding/" in text
    with app.app_context():
        assert db.session.get(Registration, seated).reminder_sent_at is not None


def test_concurrent_reminder_runs_send_each_once(app, make_gathering, register):
    from samlinger.registration.reminders import send_reminders

    gid = make_gathering(day=(oslo_today() + timedelta(days=1)), capacity=None,
                         registration_deadline=oslo_today())
    for n in range(12):
        register(gid, f"Person {n}", f"p{n}@alta.kommune.no")

    def run(_, ready):
        with app.app_context():
            ready()
            sent = send_reminders()
            db.session.remove()
        return sent

    assert sum(all_at_once(run, range(4))) == 12
    with app.app_context():
        reminders = db.session.query(OutboundEmail).filter_by(kind="reminder").count()
        assert reminders == 12
