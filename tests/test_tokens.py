"""One module for the tokens in links (samlinger/tokens.py), used by manage links, evaluation links and
set-password links: the same derivation as the links already mailed, nothing longer than a token looked up,
and a link made under an earlier SECRET_KEY opens nothing, whichever kind it is."""

import base64
import json

import pytest
from sqlalchemy import select

from samlinger import tokens
from samlinger.auth import service as accounts
from samlinger.auth.models import User
from samlinger.evaluations.models import Evaluation, new_token
from samlinger.extensions import db

from .test_evaluations import open_evaluation, past_gathering

#: the ends of the three kinds of link, and what each opens
LINKS = {"manage": "/pamelding/{}", "evaluation": "/evaluering/{}", "password": "/logg-inn/nytt-passord/{}"}


def test_tokens_are_derived_as_in_the_links_already_mailed(app):
    """Links in mails already sent must keep working: the derivation is pinned (HMAC-SHA256 of the purpose and
    the secret under SECRET_KEY, URL-safe base64 without padding)."""
    app.config["SECRET_KEY"] = "a-key-only-for-this-test-0123456789abcdef"
    with app.app_context():
        assert tokens.derive("manage-link", "ab" * 32) == "iBgGPOv1AsjuH12knpjkm36KEM2csLcmWEDlHfZN_Mw"
        assert tokens.digest("x") == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"


@pytest.mark.parametrize("kind", LINKS)
def test_a_token_longer_than_any_of_ours_is_refused_before_the_database_is_read(app, client, statements, kind):
    statements.clear()
    assert client.get(LINKS[kind].format("A" * (tokens.MAX_LENGTH + 1))).status_code == 404
    assert not [s for s in statements if "registration" in s or "evaluation_invitation" in s or '"user"' in s
                or "FROM user" in s], statements


def test_every_token_of_ours_fits_the_length_guard(app):
    with app.test_request_context():
        user = User(email="lang@statsforvalteren.test", name="Lang", role="admin", active=True, language="nb")
        user.set_password("et langt passord som ingen gjetter")
        user.id = 2**31 - 1  # the longest id a link can name
        for purpose in accounts.LINK_LIFETIMES:
            assert tokens.plausible(accounts.password_link_token(user, purpose))
        assert tokens.plausible(tokens.derive("manage-link", tokens.new_secret()))
        assert tokens.plausible(new_token(2**31 - 1))
        assert tokens.plausible(tokens.unguessable())


def test_a_changed_secret_key_ends_evaluation_links_as_it_ends_manage_links(app, client):
    gid = past_gathering(app, attended=1, others=False)
    open_evaluation(app, gid)
    with app.app_context():
        token = new_token(db.session.scalar(select(Evaluation.id)))
    assert client.get(LINKS["evaluation"].format(token)).status_code == 200
    app.config["SECRET_KEY"] = "another-secret-key-for-this-test-0123456789"
    assert client.get(LINKS["evaluation"].format(token)).status_code == 404


def test_a_signed_random_token_carries_its_number_under_its_salt_only(app):
    """Evaluation links: every one another, each read back with the salt and key it was made under, and
    nothing else read as one."""
    with app.app_context():
        made = {tokens.sign_random(7, salt="evaluation-link") for _ in range(50)}
        assert len(made) == 50
        carried = [tokens.unsign_random(token, salt="evaluation-link") for token in made]
        assert {number for number, _random in carried} == {7} and len({r for _n, r in carried}) == 50
        token = made.pop()
        assert tokens.unsign_random(token, salt="manage-link") is None
        for wrong in ("", "A" * (tokens.MAX_LENGTH + 1), None, 7, token + "x", "x" + token,
                      tokens.sign([7, "a"], salt="evaluation-link"), tokens.sign_random(7, salt="other")):
            assert tokens.unsign_random(wrong, salt="evaluation-link") is None, wrong
        app.config["SECRET_KEY"] = "another-secret-key-for-this-test-0123456789"
        assert tokens.unsign_random(token, salt="evaluation-link") is None


def test_a_forged_set_password_link_naming_an_id_out_of_range_is_refused(app, client, make_user):
    """The payload is read before its signature can be checked (the salt holds the password hash): an id no
    database column holds must not reach the database (PostgreSQL answers "integer out of range")."""
    make_user()
    for forged_id in (2**31, 2**63, 10**20, -1, 0):
        payload = base64.urlsafe_b64encode(json.dumps({"u": forged_id, "p": "reset"}).encode()).rstrip(b"=")
        assert client.get(LINKS["password"].format(payload.decode() + ".aGVq.c2lnbg")).status_code == 404
