"""The outbox: a registration stands when SMTP is down, and its mail is delivered once SMTP is back."""

import email
from datetime import timedelta
from email import policy

from samlinger.extensions import db
from samlinger.mail import worker
from samlinger.mail.models import OutboundEmail
from samlinger.registration import service
from samlinger.registration.models import Registration

from .conftest import calendar_parts, manage_link, text_part


def register_one(app, gid, email="kari@x.no"):
    with app.app_context():
        return service.register(gid, {"name": "Kari Nordmann", "organisation": "Vardø kommune"}, email=email,
                                language="nb").registration.id


def outbox(app):
    with app.app_context():
        return [(m.status, m.attempts) for m in db.session.scalars(db.select(OutboundEmail).order_by(OutboundEmail.id))]


def test_smtp_outage_keeps_registration_and_delivers_later(app, make_gathering, smtp, deliver):
    gid = make_gathering()
    smtp.stop()
    register_one(app, gid)
    assert deliver() == 0
    with app.app_context():
        assert db.session.scalar(db.select(Registration.status)) == "confirmed", "the registration stands"
        message = db.session.scalar(db.select(OutboundEmail))
        assert (message.status, message.attempts) == ("queued", 1)
        assert message.last_error
        # The next attempt waits (backoff); make it due now, as time passing would.
        message.next_attempt_at = message.next_attempt_at - timedelta(minutes=5)
        db.session.commit()

    smtp.start()
    assert deliver() == 1
    assert outbox(app) == [("sent", 2)]
    assert len(smtp.to("kari@x.no")) == 1
    assert "Kari Nordmann" in text_part(smtp.messages[0])


def test_a_request_never_waits_for_smtp(app, client, make_gathering, smtp):
    """Registering over HTTP only writes the outbox; nothing reaches SMTP until the worker runs."""
    from .conftest import csrf_token, form_data

    make_gathering()
    url = "/samlinger/samling-1/pamelding"
    smtp.stop()  # a dead server would make a synchronous send fail or hang
    response = client.post(url, data={**form_data(), "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert outbox(app) == [("queued", 0)]


def test_backoff_grows_and_failures_become_visible(app, make_gathering, smtp):
    gid = make_gathering()
    smtp.stop()
    register_one(app, gid)
    with app.app_context():
        message = db.session.scalar(db.select(OutboundEmail))
        for attempt in range(1, worker.MAX_ATTEMPTS + 1):
            message.next_attempt_at = message.next_attempt_at - timedelta(hours=2)
            db.session.commit()
            worker.deliver_due()
            db.session.refresh(message)
            assert message.attempts == attempt
        assert message.status == "failed", "after the last attempt the organisers see it as failed"
    assert [worker.backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]


def test_a_stale_claim_is_taken_over(app, make_gathering, smtp, deliver):
    """A worker that died after claiming a message leaves it for the next worker."""
    gid = make_gathering()
    register_one(app, gid)
    with app.app_context():
        assert worker.claim_due() == [1]  # claimed, then the worker "dies"
        assert worker.claim_due() == [], "a fresh claim is respected"
        message = db.session.get(OutboundEmail, 1)
        message.claimed_at = message.claimed_at - worker.stale_claim() - timedelta(seconds=1)
        db.session.commit()
    assert deliver() == 1
    assert len(smtp.messages) == 1


def test_console_backend_prints_saves_and_marks_sent(app, make_gathering, deliver, capsys, tmp_path):
    gid = make_gathering()
    register_one(app, gid)
    assert app.config["MAIL_BACKEND"] == "console"
    app.instance_path = str(tmp_path)
    assert deliver() == 1
    assert "kari@x.no" in capsys.readouterr().out
    assert outbox(app) == [("sent", 1)]
    saved = email.message_from_bytes((tmp_path / "mail" / "000001.eml").read_bytes(), policy=policy.default)
    assert saved["To"] == "kari@x.no"
    assert calendar_parts(saved), "the saved message keeps its invite for a mail program to open"


def test_mail_worker_command_delivers_once(app, runner, make_gathering, smtp):
    gid = make_gathering()
    register_one(app, gid)
    result = runner.invoke(args=["mail-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert len(smtp.messages) == 1


def test_subject_with_line_breaks_cannot_inject_headers(app, make_gathering, smtp, deliver):
    gid = make_gathering(title="Samling\r\nBcc: evil@example.com")
    register_one(app, gid)
    deliver()
    [message] = smtp.messages
    assert message["Bcc"] is None
    assert message.envelope_to == ["kari@x.no"]
    assert "Bcc: evil@example.com" in message["Subject"]


def test_the_worker_writes_a_queued_event_and_keeps_no_usable_link(app, make_gathering, smtp, deliver):
    """A registration queues a small row; the worker writes subject, bodies and invite when it sends,
    with the manage link computed then. Neither the queued row nor the copy kept after sending holds it."""
    gid = make_gathering(title="Samling i vest")
    register_one(app, gid)
    with app.app_context():
        queued = db.session.scalar(db.select(OutboundEmail))
        registration = db.session.scalar(db.select(Registration))
        assert queued.unwritten == {"invite": "REQUEST", "link": registration.manage_token_hash}
        assert (queued.subject, queued.text_body, queued.ics) == ("", "", None)

    assert deliver() == 1
    sent = smtp.to("kari@x.no")[0]
    assert sent["Subject"] == "Påmeldingen er bekreftet: Samling i vest"
    token = manage_link(sent).removeprefix("/pamelding/")
    assert calendar_parts(sent)[0].get_param("method") == "REQUEST"
    with app.app_context():
        kept = db.session.scalar(db.select(OutboundEmail))
        # What was sent stays on the row for the organisers, with the link's token replaced.
        assert kept.unwritten is None and kept.subject == sent["Subject"]
        assert "/pamelding/…" in kept.text_body and "/pamelding/…" in kept.html_body
        assert token not in kept.text_body + kept.html_body and "METHOD:REQUEST" in kept.ics


def test_a_message_shows_the_gathering_as_it_is_when_sent(app, make_gathering, smtp, deliver):
    gid = make_gathering(title="Samling i aust", venue="Gamle rådhus")
    register_one(app, gid)
    with app.app_context():
        from samlinger.gatherings.models import Gathering

        db.session.get(Gathering, gid).venue = "Nye kulturhuset"
        db.session.commit()
    assert deliver() == 1
    message = smtp.to("kari@x.no")[0]
    assert "Nye kulturhuset" in text_part(message) and "Gamle rådhus" not in text_part(message)


def test_a_message_whose_registration_is_gone_fails_without_stopping_the_others(app, make_gathering, smtp,
                                                                                deliver):
    gid = make_gathering()
    gone = register_one(app, gid, "borte@x.no")
    register_one(app, gid, "her@x.no")
    with app.app_context():
        db.session.execute(db.update(OutboundEmail).where(OutboundEmail.registration_id == gone)
                           .values(registration_id=None))
        db.session.commit()
    assert deliver() == 1
    assert len(smtp.to("her@x.no")) == 1 and not smtp.to("borte@x.no")
    with app.app_context():
        failed = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.status == "failed"))
        assert failed.recipient == "borte@x.no" and "no longer exists" in failed.last_error


def test_a_domain_with_norwegian_letters_is_sent_to_its_ascii_form(app, make_gathering, smtp, deliver):
    """Stored and shown as typed, sent as IDNA: every mail server accepts xn-- domains."""
    gid = make_gathering()
    register_one(app, gid, email="kari@bø.kommune.no")
    assert deliver() == 1
    assert [m.envelope_to for m in smtp.messages] == [["kari@xn--b-5ga.kommune.no"]]
    assert smtp.messages[0]["To"] == "kari@xn--b-5ga.kommune.no"
    with app.app_context():
        assert db.session.scalar(db.select(Registration.email)) == "kari@bø.kommune.no"


def test_every_kind_of_mail_queued_unwritten_has_its_features_writer(app):
    """mail/ knows no feature: each feature registers how its mails are written (mail/writing.py). Every e-mail
    template but the organiser's message (written when it is queued) is a kind some feature writes."""
    from pathlib import Path

    from samlinger.mail import writing

    templates = Path(__file__).resolve().parent.parent / "templates" / "email"
    kinds = {path.stem for path in templates.glob("*.txt") if not path.stem.startswith("_")} - {"message"}
    assert writing.kinds() == kinds


def test_a_mail_of_a_kind_no_feature_writes_fails_visibly_and_the_rest_go(app, make_gathering, smtp):
    from samlinger.mail.outbox import queue_unwritten

    gid = make_gathering()
    with app.app_context():
        queue_unwritten("unknown_kind", to="ukjent@x.no", language="nb", unwritten={})
        db.session.commit()
    register_one(app, gid)
    with app.app_context():
        assert worker.deliver_due() == (1, 1)
        failed = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.kind == "unknown_kind"))
        assert failed.status == "failed" and "no writer for 'unknown_kind'" in failed.last_error
    assert len(smtp.to("kari@x.no")) == 1
