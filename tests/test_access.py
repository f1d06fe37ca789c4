"""Every organiser page refuses anyone not logged in; admin pages refuse organisers."""

import pytest

from samlinger.auth.models import User
from samlinger.extensions import db


def organiser_rules(app):
    """Every URL rule of the workspace, with dummy values for its arguments."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("organiser."):
            values = {arg: 1 for arg in rule.arguments}
            yield rule, values


def test_every_organiser_route_refuses_anonymous_users(app, client):
    rules = list(organiser_rules(app))
    assert rules, "the workspace has routes"
    for rule, values in rules:
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in (302, 400, 401), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/logg-inn" in response.headers["Location"], (method, url)


@pytest.fixture
def organiser(app):
    with app.app_context():
        user = User(email="ola@statsforvalteren.test", name="Ola Arrangør", role="organiser")
        user.set_password("riktig hest batteri stift")
        db.session.add(user)
        db.session.commit()
    return ("ola@statsforvalteren.test", "riktig hest batteri stift")


def test_login_and_logout(client, organiser):
    from .conftest import csrf_token

    token = csrf_token(client, "/logg-inn")
    bad = client.post("/logg-inn", data={"email": organiser[0], "password": "feil", "csrf_token": token})
    assert bad.status_code == 422
    response = client.post("/logg-inn", data={"email": organiser[0], "password": organiser[1], "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/arrangor/").status_code == 200
    client.post("/logg-ut", data={"csrf_token": csrf_token(client, "/arrangor/")})
    assert client.get("/arrangor/").status_code == 302


ADMIN_ONLY = ("organiser.users.", "organiser.audit.")


def test_every_admin_route_refuses_organisers(app, organiser_client):
    from .conftest import csrf_token

    token = csrf_token(organiser_client, "/arrangor/")
    rules = [(rule, values) for rule, values in organiser_rules(app) if rule.endpoint.startswith(ADMIN_ONLY)]
    assert len(rules) >= 4, "users and audit pages are admin-only"
    for rule, values in rules:
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = organiser_client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 403, (method, url, response.status_code)
