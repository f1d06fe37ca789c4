"""The second factor: the password alone never opens the workspace for whoever needs the factor; enrolment with
a QR code and the key as text, codes refused when wrong or used before, recovery codes once each, the reset by an
admin in the audit log, the rate limit, and the secrets sealed at rest."""

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from samlinger import create_app
from samlinger.audit.models import AuditEntry
from samlinger.auth.models import RecoveryCode, User
from samlinger.extensions import db

from . import factories
from .conftest import base_config, create_tables, csrf_token, enrol, log_in, log_in_as, recovery_codes, totp_code

EMAIL = "kari@statsforvalteren.no"


def _password(client, email=EMAIL, password=factories.PASSWORD, path="/logg-inn"):
    return client.post(path, data={"email": email, "password": password, "csrf_token": csrf_token(client, path)})


def _code(client, code):
    return client.post("/logg-inn/kode", data={"code": code, "csrf_token": csrf_token(client, "/logg-inn/kode")})


def _user(app, email=EMAIL) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def _actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.summary) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


WORKSPACE = ("/arrangor/", "/arrangor/brukere/", "/arrangor/logg/", "/arrangor/konto/passord",
             "/arrangor/konto/andre-faktor/")


def test_an_admin_made_with_the_cli_cannot_reach_the_workspace_with_a_password_alone(app, runner, client):
    result = runner.invoke(args=["create-user", EMAIL, "--name", "Kari", "--admin"], input="et langt passord her\n")
    assert result.exit_code == 0 and "second factor" in result.output
    answer = _password(client, password="et langt passord her")
    assert answer.status_code == 302 and answer.headers["Location"] == "/logg-inn/ta-i-bruk"
    for page in WORKSPACE:
        response = client.get(page)
        assert response.status_code == 302 and response.headers["Location"].startswith("/logg-inn?next="), page
    # The code page is not a way around the enrolment, nor a password alone a way to replace a factor.
    assert client.get("/logg-inn/kode").headers["Location"] == "/logg-inn/ta-i-bruk"
    assert len(recovery_codes(enrol(client, "/logg-inn/ta-i-bruk"))) == 10
    assert client.get("/arrangor/brukere/").status_code == 200
    assert ("user.sign_in", f"{EMAIL} signed in with password+totp") in _actions(app)


@pytest.mark.parametrize("setting", ["everyone", "admins"])
def test_who_needs_the_factor(app_config, request, setting):
    app_config["SECOND_FACTOR_REQUIRED_FOR"] = setting
    app = request.getfixturevalue("app")
    with app.app_context():
        factories.user("org@statsforvalteren.test", second_factor=False)
        factories.user("adm@statsforvalteren.test", role="admin", second_factor=False)
    for email, asked in (("org@statsforvalteren.test", setting == "everyone"), ("adm@statsforvalteren.test", True)):
        client = app.test_client()
        answer = _password(client, email)
        assert answer.headers["Location"] == ("/logg-inn/ta-i-bruk" if asked else "/arrangor/"), email
        assert client.get("/arrangor/").status_code == (302 if asked else 200), email


def test_a_setting_that_means_nothing_stops_the_start(app_config):
    with pytest.raises(RuntimeError, match="SECOND_FACTOR_REQUIRED_FOR"):
        create_app(app_config | {"SECOND_FACTOR_REQUIRED_FOR": "nobody"})


def test_enrolment_shows_the_qr_code_and_the_key_and_refuses_a_wrong_code(app, client):
    with app.app_context():
        factories.user(EMAIL, second_factor=False)
    _password(client)
    html = client.get("/logg-inn/ta-i-bruk").get_data(as_text=True)
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="[^"]+"', html), "the QR code"
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    assert len(secret) == 32
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    token = csrf_token(client, "/logg-inn/ta-i-bruk")
    refused = client.post("/logg-inn/ta-i-bruk", data={"code": wrong, "csrf_token": token})
    assert refused.status_code == 422 and "Koden er feil." in refused.get_data(as_text=True)
    assert client.get("/arrangor/").status_code == 302
    # The same key stays on the page until it is taken into use (the person may already have scanned it).
    assert secret in client.get("/logg-inn/ta-i-bruk").get_data(as_text=True).replace(" ", "")
    codes = recovery_codes(client.post("/logg-inn/ta-i-bruk", data={"code": pyotp.TOTP(secret).now(),
                                                                   "csrf_token": token}))
    assert len(set(codes)) == 10
    user = _user(app)
    assert user.totp_secret and secret not in user.totp_secret, "the secret is sealed at rest"
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not {c.replace("-", "") for c in codes} & set(stored), "only hashes are kept"
    for _, summary in _actions(app):
        assert secret not in summary and not any(code in summary for code in codes), "no secret in the log"


def test_a_wrong_code_and_a_replayed_code_are_refused(app, client):
    with app.app_context():
        factories.user(EMAIL)
    _password(client)
    now = pyotp.TOTP(factories.TOTP_SECRET).now()
    wrong = _code(client, f"{(int(now) + 1) % 1_000_000:06d}")
    assert wrong.status_code == 422 and "Koden er feil eller allerede brukt" in wrong.get_data(as_text=True)
    assert client.get("/arrangor/").status_code == 302
    assert _code(client, now).status_code == 302
    assert client.get("/arrangor/").status_code == 200

    other = client.application.test_client()
    _password(other)
    replayed = _code(other, now)
    assert replayed.status_code == 422, "a code is taken once"
    assert other.get("/arrangor/").status_code == 302
    # Nor a code of the step before the one used: the app only moves forward.
    earlier = pyotp.TOTP(factories.TOTP_SECRET).at(time.time() - 30)
    assert _code(other, earlier).status_code == 422


def test_five_wrong_codes_end_the_half_way_sign_in(app, client):
    with app.app_context():
        factories.user(EMAIL)
    _password(client)
    for _ in range(4):
        assert _code(client, "000000").status_code == 422
    last = _code(client, "000000")
    assert last.status_code == 302 and last.headers["Location"] == "/logg-inn"
    assert _code(client, totp_code(app, EMAIL)).headers["Location"] == "/logg-inn", "the password is asked again"


def test_a_recovery_code_works_once(app, client):
    with app.app_context():
        factories.user(EMAIL, second_factor=False)
    codes = recovery_codes(log_in(client, EMAIL, factories.PASSWORD))
    client.post("/logg-ut", data={"csrf_token": csrf_token(client, "/arrangor/")})
    _password(client)
    used = _code(client, codes[3].upper())
    assert used.status_code == 302
    assert "Du har 9 igjen" in client.get("/arrangor/").get_data(as_text=True)
    assert ("user.sign_in", f"{EMAIL} signed in with password+recovery code") in _actions(app)
    client.post("/logg-ut", data={"csrf_token": csrf_token(client, "/arrangor/")})
    _password(client)
    assert _code(client, codes[3]).status_code == 422, "used once, refused after"
    assert _code(client, "abcde-fghjk").status_code == 422
    assert _code(client, codes[4]).status_code == 302


def test_an_admin_resets_a_second_factor_and_the_log_says_so(app, admin_client):
    user_id = log_in_as(app, app.test_client(), email=EMAIL) and _user(app).id
    kari = app.test_client()
    log_in(kari, EMAIL, factories.PASSWORD)
    assert kari.get("/arrangor/").status_code == 200
    listing = admin_client.get("/arrangor/brukere/").get_data(as_text=True)
    url = f"/arrangor/brukere/{user_id}/andre-faktor"
    assert url in listing
    token = csrf_token(admin_client, "/arrangor/brukere/")
    assert admin_client.post(url, data={"csrf_token": token}).status_code == 302
    assert kari.get("/arrangor/").status_code == 302, "the reset ends the person's sessions"
    user = _user(app)
    assert user.totp_secret is None
    with app.app_context():
        assert db.session.scalar(select(RecoveryCode.id).where(RecoveryCode.user_id == user_id)) is None
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.second_factor_reset"))
        assert entry.object_id == user_id and entry.summary == f"Second factor reset for {EMAIL}"
        assert entry.user.email == "admin@statsforvalteren.test"
    assert _password(kari).headers["Location"] == "/logg-inn/ta-i-bruk", "set up again at the next sign-in"
    # An organiser may not reset anyone's.
    assert kari.post(url, data={"csrf_token": csrf_token(kari, "/logg-inn")}).status_code == 302


def test_the_code_page_is_rate_limited_like_the_password(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'limits.sqlite'}", tmp_path)
                     | {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3/minute"})
    with app.app_context():
        create_tables()
        factories.user(EMAIL)
    client = app.test_client()
    _password(client)
    token = csrf_token(client, "/logg-inn/kode")
    answers = [client.post("/logg-inn/kode", data={"code": "000000", "csrf_token": token}).status_code
               for _ in range(4)]
    assert answers == [422, 422, 422, 429]


def test_an_organiser_may_enrol_from_the_account_page_when_not_required(app_config, request):
    app_config["SECOND_FACTOR_REQUIRED_FOR"] = "admins"
    app = request.getfixturevalue("app")
    with app.app_context():
        factories.user(EMAIL, second_factor=False)
    client = app.test_client()
    assert _password(client).headers["Location"] == "/arrangor/"
    page = client.get("/arrangor/konto/andre-faktor/").get_data(as_text=True)
    assert "Sett opp andre faktor" in page and "andre-faktor/?ta-i-bruk=1" in page
    assert len(recovery_codes(enrol(client, "/arrangor/konto/andre-faktor/?ta-i-bruk=1"))) == 10
    client.post("/logg-ut", data={"csrf_token": csrf_token(client, "/arrangor/")})
    assert _password(client).headers["Location"] == "/logg-inn/kode", "once enrolled, always asked"


def test_secrets_sealed_with_a_former_key_still_open_while_it_is_a_fallback(app_config, app):
    with app.app_context():
        factories.user(EMAIL)
    rotated = create_app(app_config | {"SECRET_KEY": "a-new-key", "SECRET_KEY_FALLBACKS": ["test-secret"]})
    client = rotated.test_client()
    assert log_in(client, EMAIL, factories.PASSWORD).status_code == 302
    assert client.get("/arrangor/").status_code == 200
    with rotated.app_context():
        db.engine.dispose()


def test_a_key_changed_without_the_old_one_refuses_the_code_with_a_message_not_a_500(app_config, app, caplog):
    with app.app_context():
        factories.user(EMAIL)
    rotated = create_app(app_config | {"SECRET_KEY": "a-new-key", "SECRET_KEY_FALLBACKS": []})
    client = rotated.test_client()
    assert _password(client).headers["Location"] == "/logg-inn/kode"
    with rotated.app_context():
        code = pyotp.TOTP(factories.TOTP_SECRET).now()
    response = _code(client, code)
    assert response.status_code == 422, response.status_code
    assert "SECRET_KEY_FALLBACKS" in caplog.text
    assert client.get("/arrangor/").status_code == 302
    with rotated.app_context():
        db.engine.dispose()


def test_the_command_line_resets_a_second_factor_for_an_admin_locked_out(app, runner, client):
    with app.app_context():
        factories.user(EMAIL, role="admin")
    result = runner.invoke(args=["reset-second-factor", EMAIL.upper()])
    assert result.exit_code == 0 and "reset" in result.output
    assert _user(app).totp_secret is None
    assert ("user.second_factor_reset", f"Second factor reset for {EMAIL}") in _actions(app)
    assert _password(client).headers["Location"] == "/logg-inn/ta-i-bruk"
    assert runner.invoke(args=["reset-second-factor", "ingen@statsforvalteren.no"]).exit_code != 0
