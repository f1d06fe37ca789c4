"""Fixtures for the organiser workspace: a logged-in organiser and registrations made the real way."""

import pytest

from samlinger.extensions import db
from samlinger.registration.models import Registration

from .. import factories
from ..conftest import csrf_token, log_in_as


@pytest.fixture
def organiser(app, client):
    """Log the test client in as an organiser, through the login form."""
    return log_in_as(app, client, email="kari@statsforvalteren.test", name="Kari Arrangør")


@pytest.fixture
def register(app):
    """Register someone through the registration rules; returns the registration id."""

    def make(gathering_id: int, name: str, email: str, organisation: str = "Alta kommune", **details) -> int:
        with app.app_context():
            return factories.registration(gathering_id, name=name, email=email, organisation=organisation,
                                          **details).id
    return make


def post(client, url: str, data: dict | None = None, *, form_url: str):
    """Submit a form the way a browser does: with the CSRF token of the page at *form_url*."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, form_url)})


def reload(app, registration_id: int) -> Registration:
    with app.app_context():
        found = db.session.get(Registration, registration_id)
        db.session.expunge(found)
        return found
