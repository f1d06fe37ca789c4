"""Manage links: nothing in the database opens a registration or sets a password; a participant's link
stays the same until the registration ends or the participant or an organiser revokes it."""

import re
from datetime import timedelta

from sqlalchemy import MetaData, Table, inspect, select

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.mail import worker
from samlinger.mail.models import OutboundEmail
from samlinger.registration.models import Registration
from samlinger.registration.reminders import send_reminders

from . import factories
from .conftest import csrf_token, form_data, manage_link, text_part


def database_text(app) -> str:
    """Every value of every row of every table in the database, as one text to search."""
    with app.app_context():
        engine = db.engine
        values = []
        with engine.connect() as conn:
            for name in inspect(engine).get_table_names():
                table = Table(name, MetaData(), autoload_with=conn)
                for row in conn.execute(select(table)):
                    values.extend(repr(value) for value in row)
        return "\n".join(values)


def register(client, slug="samling-1", **fields):
    url = f"/samlinger/{slug}/pamelding"
    response = client.post(url, data={**form_data(**fields), "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def links_to(smtp, address) -> list[str]:
    return [manage_link(m) for m in smtp.to(address) if "/pamelding/" in text_part(m)]


def organiser_edit_url(app) -> str:
    """The organiser's edit page of the (only) registration."""
    with app.app_context():
        return f"/arrangor/pameldinger/{db.session.scalar(select(Registration.id))}/endre"


def test_no_usable_manage_link_in_any_table_queued_sent_or_failed(app, client, make_gathering, smtp, deliver):
    make_gathering()
    register(client)
    queued = database_text(app)
    assert deliver() == 1
    link = manage_link(smtp.to("oyvind@alta.kommune.no")[0])
    token = link.removeprefix("/pamelding/")
    assert client.get(link).status_code == 200
    assert token not in queued, "the queued message holds no token"
    assert token not in database_text(app), "nor does the copy kept after sending"

    # A message that failed for good: the link it would have carried is the participant's link.
    smtp.stop()
    register(client, email="kari@vardo.kommune.no", name="Kari Nordmann")
    with app.app_context():
        message = db.session.scalar(select(OutboundEmail).where(OutboundEmail.recipient == "kari@vardo.kommune.no"))
        message.attempts, message_id = worker.MAX_ATTEMPTS - 1, message.id
        db.session.commit()
    deliver()
    with app.app_context():
        assert db.session.get(OutboundEmail, message_id).status == "failed"
        registration = db.session.scalar(select(Registration).filter_by(email="kari@vardo.kommune.no"))
        failed_token = registration.manage_token()
    assert client.get(f"/pamelding/{failed_token}").status_code == 200
    assert failed_token not in database_text(app)


def test_no_usable_password_link_in_the_outbox(app, client, make_user, smtp, deliver):
    _, email, _ = make_user()
    url = "/logg-inn/glemt-passord"
    assert client.post(url, data={"email": email, "csrf_token": csrf_token(client, url)}).status_code == 302
    queued = database_text(app)
    assert "/nytt-passord/" not in queued, "the queued reset e-mail holds no link"
    assert deliver() == 1
    link = re.search(r"http://samlinger\.test(/logg-inn/nytt-passord/\S+)", text_part(smtp.to(email)[0])).group(1)
    assert client.get(link).status_code == 200, "the link written by the worker works"
    token = link.rsplit("/", 1)[1]
    kept = database_text(app)
    assert token not in kept and "/logg-inn/nytt-passord/…" in kept


def test_the_first_link_survives_a_second_sign_up_a_request_a_promotion_and_a_reminder(app, client, make_gathering,
                                                                                          smtp, deliver):
    gid = make_gathering(capacity=1)
    register(client, email="forst@x.no", name="Først")
    register(client)  # waitlisted
    deliver()
    [first] = links_to(smtp, "oyvind@alta.kommune.no")

    register(client, name="Someone Else")  # the same address again
    url = "/samlinger/samling-1/ny-lenke"
    client.post(url, data={"email": "oyvind@alta.kommune.no", "csrf_token": csrf_token(client, url)})
    with app.app_context():
        from samlinger.registration import service

        service.cancel(db.session.scalar(select(Registration.id).filter_by(email="forst@x.no")))
        starts_at = db.session.get(Gathering, gid).starts_at
        assert send_reminders(now=starts_at - timedelta(days=1)) == 1
    deliver()
    kinds = [m["Subject"].split(":")[0] for m in smtp.to("oyvind@alta.kommune.no")]
    assert len(kinds) == 5, kinds  # waiting list, link again twice, seat, reminder
    assert set(links_to(smtp, "oyvind@alta.kommune.no")) == {first}, "every e-mail carries the same link"
    assert client.get(first).status_code == 200


def test_the_participant_revokes_their_links(app, client, make_gathering, smtp, deliver):
    make_gathering()
    register(client)
    deliver()
    [old] = links_to(smtp, "oyvind@alta.kommune.no")
    smtp.clear()
    response = client.post(f"{old}/ny-lenke", data={"csrf_token": csrf_token(client, old)})
    assert response.status_code == 302 and response.headers["Location"] == "/samlinger/samling-1"
    assert client.get(old).status_code == 404
    assert deliver() == 1
    [new] = links_to(smtp, "oyvind@alta.kommune.no")
    assert new != old and client.get(new).status_code == 200
    assert client.post(f"{new}/ny-lenke").status_code == 400, "a POST without its CSRF token changes nothing"
    assert client.get(new).status_code == 200


def test_an_organiser_revokes_the_links_and_the_audit_names_nobody(app, organiser_client, make_gathering, smtp,
                                                                   deliver):
    make_gathering()
    participant = app.test_client()
    register(participant)
    deliver()
    [old] = links_to(smtp, "oyvind@alta.kommune.no")
    edit = organiser_edit_url(app)
    response = organiser_client.post(edit.replace("/endre", "/ny-lenke"),
                                     data={"csrf_token": csrf_token(organiser_client, edit)})
    assert response.status_code == 302
    assert participant.get(old).status_code == 404
    deliver()
    new = links_to(smtp, "oyvind@alta.kommune.no")[-1]
    assert new != old and participant.get(new).status_code == 200
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.new_link"))
        assert entry is not None
        assert "Øyvind" not in entry.summary and "oyvind" not in entry.summary


def test_correcting_the_address_ends_the_old_address_access(app, organiser_client, make_gathering, smtp, deliver):
    make_gathering()
    participant = app.test_client()
    register(participant)
    deliver()
    [old] = links_to(smtp, "oyvind@alta.kommune.no")
    smtp.clear()
    # A message still queued for the old address when the address is corrected.
    url = "/samlinger/samling-1/ny-lenke"
    participant.post(url, data={"email": "oyvind@alta.kommune.no", "csrf_token": csrf_token(participant, url)})
    edit = organiser_edit_url(app)
    response = organiser_client.post(edit, data={
        "name": "Øyvind Ærø-Sámi", "email": "oyvind.sami@alta.kommune.no", "organisation": "Alta kommune",
        "csrf_token": csrf_token(organiser_client, edit)})
    assert response.status_code == 302
    assert participant.get(old).status_code == 404
    deliver()
    assert not smtp.to("oyvind@alta.kommune.no"), "the queued message goes to the address of now..."
    assert len(smtp.to("oyvind.sami@alta.kommune.no")) == 2, "...without the old link, and the new link"
    [new] = links_to(smtp, "oyvind.sami@alta.kommune.no")
    assert participant.get(new).status_code == 200
    with app.app_context():
        summary = db.session.scalar(select(AuditEntry.summary).where(AuditEntry.action == "registration.edit"))
        assert "oyvind" not in summary and "old link ended" in summary


def test_an_unchanged_address_keeps_the_link(app, organiser_client, make_gathering, smtp, deliver):
    make_gathering()
    participant = app.test_client()
    register(participant)
    deliver()
    [link] = links_to(smtp, "oyvind@alta.kommune.no")
    edit = organiser_edit_url(app)
    organiser_client.post(edit, data={"name": "Øyvind Sámi", "email": "Oyvind@Alta.kommune.no ",
                                      "organisation": "Alta kommune", "csrf_token": csrf_token(organiser_client, edit)})
    assert participant.get(link).status_code == 200
    deliver()
    assert len(smtp.messages) == 1, "no new link was sent"


def test_a_changed_secret_key_ends_every_link_and_the_next_mail_brings_a_working_one(app, client, make_gathering,
                                                                                       smtp, deliver):
    make_gathering()
    register(client)
    deliver()
    [old] = links_to(smtp, "oyvind@alta.kommune.no")
    app.config["SECRET_KEY"] = "another-secret"
    assert client.get(old).status_code == 404
    url = "/samlinger/samling-1/ny-lenke"
    client.post(url, data={"email": "oyvind@alta.kommune.no", "csrf_token": csrf_token(client, url)})
    deliver()
    new = links_to(smtp, "oyvind@alta.kommune.no")[-1]
    assert new != old and client.get(new).status_code == 200


def test_the_upgrade_scrubs_old_tokens_and_keeps_old_links_until_one_is_mailed(database_url, tmp_path):
    """Migration 0006 on data from before: tokens leave the outbox, a queued message still gets a working link."""
    import email
    import hashlib
    from email import policy

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import JSON, bindparam, text

    from samlinger import create_app
    from samlinger.registration import service
    from samlinger.timeutil import UTCDateTime, utcnow

    from .conftest import base_config

    app = create_app(base_config(database_url, tmp_path))
    app.instance_path = str(tmp_path)
    old_token, reset_token = "gammel-lenke_" + "x" * 30, "eyJ1IjoxfQ.aGVp.c2lnbmF0dXI"
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()
        # Rows of the current schema, before going back to the old one.
        factories.gathering(slug="samling-1")
        factories.user(name="Ola")
        outcome = service.register(1, {"name": "Kari", "organisation": "Alta"}, email="kari@x.no", language="nb")
        registration_id, gathering_id = outcome.registration.id, outcome.registration.gathering_id
        db.session.execute(db.delete(OutboundEmail))
        db.session.commit()
        downgrade(revision="0005_outbox_written_by_worker")

        # As the previous version left things: a random token's hash, and tokens in the outbox.
        old_hash = hashlib.sha256(old_token.encode()).hexdigest()
        db.session.execute(db.text("UPDATE registration SET manage_token_hash = :h"), {"h": old_hash})
        link = f"http://samlinger.test/pamelding/{old_token}"
        common = dict(recipient="kari@x.no", language="nb", registration_id=registration_id,
                      gathering_id=gathering_id)
        # In SQL, with the columns of revision 0005 and the model's defaults: the model describes today's table.
        insert = text(
            "INSERT INTO outbound_email (kind, recipient, reply_to, subject, text_body, html_body, language, "
            "unwritten, status, attempts, next_attempt_at, last_error, created_at, gathering_id, registration_id) "
            "VALUES (:kind, :recipient, '', :subject, :text_body, :html_body, :language, :unwritten, :status, 0, "
            ":now, '', :now, :gathering_id, :registration_id)"
        ).bindparams(bindparam("unwritten", type_=JSON), bindparam("now", type_=UTCDateTime()))
        defaults = dict(subject="", text_body="", html_body="", language="nb", unwritten=None, gathering_id=None,
                        registration_id=None, now=utcnow())
        db.session.execute(insert, [{**defaults, **row} for row in [
            dict(kind="confirmation", status="sent", subject="s", text_body=f"Lenke: {link}\n",
                 html_body=f'<a href="{link}">x</a>', **common),
            dict(kind="confirmation", status="failed", unwritten={"token": old_token, "invite": "REQUEST"},
                 **common),
            dict(kind="waitlisted", status="queued", unwritten={"token": old_token, "invite": None},
                 **common),
            dict(kind="account_reset", status="queued", recipient="ola@statsforvalteren.test",
                 subject="Velg nytt passord",
                 text_body=f"http://samlinger.test/logg-inn/nytt-passord/{reset_token}\n", html_body=""),
        ]])
        db.session.commit()
        db.session.remove()

        upgrade()
    scrubbed = database_text(app)
    assert old_token not in scrubbed and reset_token not in scrubbed
    assert "/pamelding/…" in scrubbed and "/logg-inn/nytt-passord/…" in scrubbed
    client = app.test_client()
    assert client.get(f"/pamelding/{old_token}").status_code == 200, "the old link works until one is mailed"

    with app.app_context():
        while worker.deliver_due() != (0, 0):
            pass
        statuses = dict(db.session.execute(select(OutboundEmail.kind, OutboundEmail.status)
                                           .where(OutboundEmail.status != "failed")).all())
    assert statuses == {"confirmation": "sent", "waitlisted": "sent", "account_reset": "sent"}
    sent = [email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted((tmp_path / "mail").glob("*.eml"))]
    by_kind = {m["To"]: text_part(m) for m in sent}
    new_link = re.search(r"http://samlinger\.test(/pamelding/\S+)", by_kind["kari@x.no"]).group(1)
    reset_link = re.search(r"http://samlinger\.test(/logg-inn/nytt-passord/\S+)",
                           by_kind["ola@statsforvalteren.test"]).group(1)
    assert client.get(new_link).status_code == 200, "the queued message got a working link"
    assert client.get(f"/pamelding/{old_token}").status_code == 404, "which replaced the old one"
    assert client.get(reset_link).status_code == 200
    assert new_link.rsplit("/", 1)[1] not in database_text(app)

    with app.app_context():
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def test_an_anonymised_registration_gets_no_new_link(app, make_gathering, smtp, deliver):
    import pytest

    from samlinger.refusal import Refused
    from samlinger.registration import links, service
    from samlinger.timeutil import utcnow

    gid = make_gathering()
    with app.app_context():
        registration_id = service.register(gid, {"name": "Kari", "organisation": "X"}, email="kari@x.no",
                                           language="nb").registration.id
        db.session.get(Registration, registration_id).anonymised_at = utcnow()
        db.session.commit()
        with pytest.raises(Refused):
            links.renew_link(registration_id, by_organiser=True)
        db.session.rollback()
        assert db.session.scalar(select(OutboundEmail.kind).where(OutboundEmail.kind == "new_link")) is None
