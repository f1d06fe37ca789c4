"""Logging in tells nothing about which addresses have an account, and common passwords are refused."""

import pytest
from werkzeug.security import check_password_hash

from samlinger.auth import service
from samlinger.auth.models import User
from samlinger.extensions import db

from .conftest import csrf_token, log_in


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash the login checks against, also the dummy one."""
    checked = []

    def counting(pwhash, password):
        checked.append(pwhash)
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(service, "check_password_hash", counting)
    monkeypatch.setattr("samlinger.auth.models.check_password_hash", counting)
    return checked


def _method(pwhash: str) -> str:
    """The algorithm and its cost, as werkzeug writes them before the salt: 'scrypt:32768:8:1'."""
    return pwhash.split("$", 1)[0]


@pytest.mark.parametrize("who", ["unknown", "inactive", "wrong password"])
def test_a_failed_login_runs_one_hash_check_like_a_real_one(app, client, make_user, hash_checks, who):
    _, email, password = make_user(active=who != "inactive")
    attempt = {"unknown": ("nobody@statsforvalteren.test", password), "inactive": (email, password),
               "wrong password": (email, "feil passord her")}[who]
    response = log_in(client, *attempt)
    assert response.status_code == 422, "the login form again, with its error"
    assert len(hash_checks) == 1, "exactly one hash checked, as for a known account"
    with app.app_context():
        real = service.find_by_email(email).password_hash
    assert _method(hash_checks[0]) == _method(real), "same algorithm and cost as a real hash"


def test_the_dummy_hash_is_made_once(hash_checks, client, make_user):
    make_user()
    for _ in range(2):
        log_in(client, "nobody@statsforvalteren.test", "riktig hest batteri stift")
    assert len(hash_checks) == 2 and hash_checks[0] == hash_checks[1]


def test_a_right_password_still_logs_in(client, make_user, hash_checks):
    _, email, password = make_user()
    assert log_in(client, email, password).status_code == 302
    assert len(hash_checks) == 1


# --- common passwords ----------------------------------------------------------------------

COMMON = ["passord123", "Sommer2024", "qwertyuiop", "123456789012", "Passord2024!"]
GOOD = "riktig hest batteri stift"


def _change(client, current, new, language="en"):
    url = "/arrangor/konto/passord"
    data = {"current_password": current, "new_password": new, "repeat_password": new,
            "csrf_token": csrf_token(client, url)}
    return client.post(("" if language == "nb" else f"/{language}") + url, data=data)


@pytest.mark.parametrize("password", COMMON)
def test_changing_to_a_common_password_is_refused(organiser_client, password):
    response = _change(organiser_client, GOOD, password)
    assert response.status_code == 422
    assert "This password is too common or too easy to guess." in response.get_data(as_text=True)


def test_a_passphrase_is_accepted_and_the_refusal_is_translated(organiser_client):
    assert "for vanleg eller for lett å gjette" in _change(organiser_client, GOOD, "Sommer2024", "nn").get_data(
        as_text=True)
    assert "for vanlig eller for lett å gjette" in _change(organiser_client, GOOD, "Sommer2024", "nb").get_data(
        as_text=True)
    assert _change(organiser_client, GOOD, "blå kaffekopp under brua").status_code == 302


def test_a_reset_link_and_a_new_account_refuse_common_passwords(app, admin_client, make_user):
    user_id, _, _ = make_user()
    with app.app_context():
        link = f"/logg-inn/nytt-passord/{service.password_link_token(db.session.get(User, user_id), 'reset')}"
    data = {"new_password": "qwertyuiop", "repeat_password": "qwertyuiop", "csrf_token": csrf_token(admin_client, link)}
    assert admin_client.post(link, data=data).status_code == 422

    url = "/arrangor/brukere/ny"
    data = {"name": "Tor", "email": "tor@statsforvalteren.no", "password_choice": "initial",
            "initial_password": "passord123", "csrf_token": csrf_token(admin_client, url)}
    response = admin_client.post(f"/en{url}", data=data)
    assert response.status_code == 422 and "too common" in response.get_data(as_text=True)
    data.update(initial_password=GOOD, csrf_token=csrf_token(admin_client, url))
    response = admin_client.post(f"/en{url}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.parametrize("password", COMMON)
def test_create_user_refuses_common_passwords(runner, password):
    result = runner.invoke(args=["create-user", "a@statsforvalteren.no", "--name", "A"], input=f"{password}\n")
    assert result.exit_code != 0 and "too common" in result.output
    assert runner.invoke(args=["create-user", "a@statsforvalteren.no", "--name", "A"], input=f"{GOOD}\n").exit_code == 0
