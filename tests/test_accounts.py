"""Organiser accounts: the create-user command, login sessions, password change and reset, user admin."""

import re
import time
from datetime import timedelta

from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.auth.models import User
from samlinger.extensions import db
from samlinger.mail.models import OutboundEmail

from .conftest import csrf_token, log_in, log_in_as, recovery_codes, text_part


def _user(app, email):
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


def test_create_user_reads_the_password_from_stdin(app, runner, client):
    result = runner.invoke(args=["create-user", "kari@statsforvalteren.no", "--name", "Kari Nordmann", "--admin"],
                           input="et langt passord her\n")
    assert result.exit_code == 0, result.output
    assert "et langt passord" not in result.output
    user = _user(app, "kari@statsforvalteren.no")
    assert user.is_admin and user.name == "Kari Nordmann"
    assert user.password_hash != "et langt passord her"
    assert "asks the person to set up a second factor" in result.output
    assert len(recovery_codes(log_in(client, "kari@statsforvalteren.no", "et langt passord her"))) == 10
    assert client.get("/arrangor/brukere/").status_code == 200

    organiser = runner.invoke(args=["create-user", "per@statsforvalteren.no", "--name", "Per"],
                              input="et annet langt passord\n")
    assert organiser.exit_code == 0 and not _user(app, "per@statsforvalteren.no").is_admin


def test_create_user_refuses_short_passwords_bad_and_taken_addresses(app, runner):
    short = runner.invoke(args=["create-user", "a@statsforvalteren.no", "--name", "A"], input="kort\n")
    assert short.exit_code != 0 and "at least 10" in short.output
    bad = runner.invoke(args=["create-user", "ikke-en-adresse", "--name", "A"], input="et langt passord her\n")
    assert bad.exit_code != 0 and "valid e-mail" in bad.output
    ok = runner.invoke(args=["create-user", "a@statsforvalteren.no", "--name", "A"], input="et langt passord her\n")
    assert ok.exit_code == 0
    taken = runner.invoke(args=["create-user", "A@statsforvalteren.no", "--name", "A"], input="et langt passord her\n")
    assert taken.exit_code != 0 and "already has an account" in taken.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ikke-en-adresse")) is None


def test_logout_ends_the_session_also_for_a_copied_cookie(app, client):
    log_in_as(app, client)
    stolen = client.get_cookie("session").value
    assert client.get("/arrangor/").status_code == 200
    client.post("/logg-ut", data={"csrf_token": csrf_token(client, "/arrangor/")})
    assert client.get("/arrangor/").status_code == 302
    client.set_cookie("session", stolen)
    assert client.get("/arrangor/").status_code == 302


def test_session_expires_after_the_configured_lifetime(app, client):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    log_in_as(app, client)
    assert client.get("/arrangor/").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie.expires is not None, "the session cookie is not kept after the browser closes"
    time.sleep(2.2)
    response = client.get("/arrangor/")
    assert response.status_code == 302 and "/logg-inn" in response.headers["Location"]


def test_deactivated_user_cannot_log_in(client, make_user):
    _, email, password = make_user(active=False)
    assert log_in(client, email, password).status_code == 422
    assert client.get("/arrangor/").status_code == 302


def test_changing_password_ends_other_sessions_but_not_this_one(app, make_user):
    _, email, password = make_user()
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, email, password)
    log_in(phone, email, password)
    url = "/arrangor/konto/passord"

    wrong = laptop.post(url, data={"current_password": "feil", "new_password": "nytt passord som er langt",
                                   "repeat_password": "nytt passord som er langt",
                                   "csrf_token": csrf_token(laptop, url)})
    assert wrong.status_code == 422
    assert "nåværende passordet er feil" in wrong.get_data(as_text=True) or "current password is wrong" in \
        wrong.get_data(as_text=True)
    mismatch = laptop.post(url, data={"current_password": password, "new_password": "nytt passord som er langt",
                                      "repeat_password": "noe annet", "csrf_token": csrf_token(laptop, url)})
    assert mismatch.status_code == 422

    new = "nytt passord som er langt"
    done = laptop.post(url, data={"current_password": password, "new_password": new, "repeat_password": new,
                                  "csrf_token": csrf_token(laptop, url)})
    assert done.status_code == 302
    assert laptop.get("/arrangor/").status_code == 200
    assert phone.get("/arrangor/").status_code == 302
    fresh = app.test_client()
    assert log_in(fresh, email, password).status_code == 422
    assert log_in(fresh, email, "nytt passord som er langt").status_code == 302


def _reset_link(message) -> str:
    match = re.search(r"http://samlinger\.test(/logg-inn/nytt-passord/\S+)", text_part(message))
    assert match, "no link in the message"
    return match.group(1)


def test_password_reset_through_the_outbox_and_smtp(app, client, make_user, smtp, deliver):
    _, email, _password = make_user()
    url = "/logg-inn/glemt-passord"
    known = client.post(url, data={"email": email.upper(), "csrf_token": csrf_token(client, url)})
    unknown = client.post(url, data={"email": "ingen@statsforvalteren.test", "csrf_token": csrf_token(client, url)})
    # The same answer whether the address has an account or not.
    assert known.status_code == unknown.status_code == 302
    flashed = [client.get(r.headers["Location"]).get_data(as_text=True) for r in (known, unknown)]
    assert flashed[0].count("notice-success") == 1

    assert deliver() == 1
    [message] = smtp.to(email)
    assert not smtp.to("ingen@statsforvalteren.test")
    link = _reset_link(message)
    assert "Ola Arrangør" in text_part(message)

    page = client.get(link)
    assert page.status_code == 200
    short = client.post(link, data={"new_password": "kort", "repeat_password": "kort",
                                    "csrf_token": csrf_token(client, link)})
    assert short.status_code == 422
    saved = client.post(link, data={"new_password": "helt nytt passord", "repeat_password": "helt nytt passord",
                                    "csrf_token": csrf_token(client, link)})
    assert saved.status_code == 302
    assert log_in(client, email, "helt nytt passord").status_code == 302

    # A used link dies, and so does a tampered one.
    assert client.get(link).status_code == 404
    assert client.get(link[:-3] + "abc").status_code == 404
    assert client.get("/logg-inn/nytt-passord/ikke-en-lenke").status_code == 404


def test_reset_link_expires(app, client, make_user, monkeypatch):
    from samlinger.auth import service

    user_id, email, _ = make_user()
    with app.test_request_context():
        user = db.session.get(User, user_id)
        token = service.password_link_token(user, "reset")
    monkeypatch.setitem(service.LINK_LIFETIMES, "reset", -1)
    assert client.get(f"/logg-inn/nytt-passord/{token}").status_code == 404


def test_organisers_cannot_administer_users(organiser_client):
    assert organiser_client.get("/arrangor/brukere/").status_code == 403
    assert organiser_client.get("/arrangor/brukere/ny").status_code == 403
    token = csrf_token(organiser_client, "/arrangor/konto/passord")
    assert organiser_client.post("/arrangor/brukere/1/aktiv", data={"csrf_token": token, "active": "0"}
                                 ).status_code == 403
    assert "/arrangor/brukere/" not in organiser_client.get("/arrangor/").get_data(as_text=True)


def test_admin_creates_users_with_welcome_mail_or_initial_password(app, admin_client, smtp, deliver):
    url = "/arrangor/brukere/ny"
    missing = admin_client.post(url, data={"name": "Nina", "email": "nina@statsforvalteren.no",
                                           "password_choice": "initial", "initial_password": "",
                                           "csrf_token": csrf_token(admin_client, url)})
    assert missing.status_code == 422
    assert 'value="nina@statsforvalteren.no"' in missing.get_data(as_text=True), "nothing typed is lost"

    created = admin_client.post(url, data={"name": "Nina", "email": "nina@statsforvalteren.no",
                                           "password_choice": "initial", "initial_password": "startpassord 123",
                                           "csrf_token": csrf_token(admin_client, url)})
    assert created.status_code == 302
    # No second factor yet, as for every new account: the sign-in sets it up and shows the recovery codes.
    assert len(recovery_codes(log_in(app.test_client(), "nina@statsforvalteren.no", "startpassord 123"))) == 10

    welcomed = admin_client.post(url, data={"name": "Tor", "email": "tor@statsforvalteren.no", "admin": "y",
                                            "password_choice": "email", "csrf_token": csrf_token(admin_client, url)})
    assert welcomed.status_code == 302
    deliver()
    [message] = smtp.to("tor@statsforvalteren.no")
    link = _reset_link(message)
    tor = app.test_client()
    assert tor.post(link, data={"new_password": "tors eget passord", "repeat_password": "tors eget passord",
                                "csrf_token": csrf_token(tor, link)}).status_code == 302
    assert len(recovery_codes(log_in(tor, "tor@statsforvalteren.no", "tors eget passord"))) == 10
    assert tor.get("/arrangor/brukere/").status_code == 200, "created as admin"

    taken = admin_client.post(url, data={"name": "Tor", "email": "TOR@statsforvalteren.no",
                                         "password_choice": "email", "csrf_token": csrf_token(admin_client, url)})
    assert taken.status_code == 422
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions.count("user.create") == 2
        assert db.session.scalar(select(OutboundEmail.kind).where(
            OutboundEmail.recipient == "tor@statsforvalteren.no")) == "account_welcome"


def test_admin_deactivates_a_user_and_ends_their_session(app, admin_client, make_user):
    user_id, email, password = make_user("per@statsforvalteren.test", name="Per")
    per = app.test_client()
    log_in(per, email, password)
    listing = admin_client.get("/arrangor/brukere/").get_data(as_text=True)
    assert "per@statsforvalteren.test" in listing
    token = csrf_token(admin_client, "/arrangor/brukere/")
    assert admin_client.post(f"/arrangor/brukere/{user_id}/aktiv", data={"csrf_token": token, "active": "0"}
                             ).status_code == 302
    assert per.get("/arrangor/").status_code == 302
    assert log_in(per, email, password).status_code == 422
    assert admin_client.post(f"/arrangor/brukere/{user_id}/aktiv", data={"csrf_token": token, "active": "1"}
                             ).status_code == 302
    assert log_in(per, email, password).status_code == 302
    assert admin_client.post("/arrangor/brukere/999/aktiv", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action != "user.sign_in")
                                     .order_by(AuditEntry.id)).all()
        assert actions == ["user.deactivate", "user.activate"]


def _subject(message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))


def test_account_mails_are_in_the_account_holders_language_not_the_senders(app, client, admin_client, smtp,
                                                                           deliver, make_user):
    # An admin reading the English pages makes an account for someone who reads Nynorsk.
    url = "/en/arrangor/brukere/ny"
    assert admin_client.post(url, data={"name": "Siv", "email": "siv@statsforvalteren.no", "language": "nn",
                                        "password_choice": "email", "csrf_token": csrf_token(admin_client, url)}
                             ).status_code == 302
    # Anyone may ask for a new password from the English page: the mail goes out in the account's language.
    _, email, password = make_user("bo@statsforvalteren.no")
    url = "/en/logg-inn/glemt-passord"
    assert client.post(url, data={"email": email, "csrf_token": csrf_token(client, url)}).status_code == 302
    deliver()
    assert _subject(smtp.to("siv@statsforvalteren.no")[0]) == "Kontoen din for samlingane"
    assert _subject(smtp.to(email)[0]) == "Velg nytt passord"

    # The language the person logs in with becomes their account's language.
    assert log_in(app.test_client(), email, password, path="/nn/logg-inn").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.language).where(User.email == email)) == "nn"
