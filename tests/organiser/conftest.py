"""Fixtures for the organiser workspace: a logged-in organiser and registrations made the real way."""

import pytest

from samlinger.auth.models import User
from samlinger.extensions import db
from samlinger.registration import service as registration
from samlinger.registration.models import Registration

from ..conftest import csrf_token


@pytest.fixture
def organiser(app, client):
    """Log the test client in as an organiser, through the login form."""
    with app.app_context():
        user = User(email="kari@statsforvalteren.test", name="Kari Arrangør", role="organiser")
        user.set_password("korrekt hest batteri stift")
        db.session.add(user)
        db.session.commit()
    response = client.post("/logg-inn", data={
        "email": "kari@statsforvalteren.test", "password": "korrekt hest batteri stift",
        "csrf_token": csrf_token(client, "/logg-inn"),
    })
    assert response.status_code == 302
    return client


@pytest.fixture
def register(app):
    """Register someone through the registration rules; returns the registration id."""

    def make(gathering_id: int, name: str, email: str, organisation: str = "Alta kommune", **details) -> int:
        with app.app_context():
            outcome = registration.register(
                gathering_id, {"name": name, "organisation": organisation, **details}, email=email, language="nb"
            )
            return outcome.registration.id
    return make


def post(client, url: str, data: dict | None = None, *, form_url: str):
    """Submit a form the way a browser does: with the CSRF token of the page at *form_url*."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, form_url)})


def reload(app, registration_id: int) -> Registration:
    with app.app_context():
        found = db.session.get(Registration, registration_id)
        db.session.expunge(found)
        return found
