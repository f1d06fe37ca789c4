"""Every organiser page refuses anyone not logged in; admin pages refuse organisers.

Each route and method is its own test case, so one missing guard cannot hide behind another. POSTs carry
a valid CSRF token: without one, CSRF would answer 400 before any login check, and a missing guard would
go unnoticed.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from samlinger import create_app

from .conftest import csrf_token, log_in_as, totp_code


def _workspace_routes() -> list[tuple[str, str, dict]]:
    """(endpoint, method, arguments) for every method of every workspace rule, read from a throwaway app."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return [
        (rule.endpoint, method, {arg: 1 for arg in rule.arguments})
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
        if rule.endpoint.startswith("workspace.")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


ROUTES = _workspace_routes()
ADMIN_ONLY = ("workspace.users.", "workspace.audit.", "workspace.municipalities.")
ADMIN_ROUTES = [route for route in ROUTES if route[0].startswith(ADMIN_ONLY)]


def _case_id(route) -> str:
    return f"{route[1]} {route[0]}"


def _url(app, endpoint: str, values: dict) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


def test_the_route_list_covers_the_workspace():
    endpoints = {endpoint for endpoint, _, _ in ROUTES}
    assert {"workspace.dashboard", "workspace.registrations.move_up", "workspace.gatherings.delete_gathering",
            "workspace.account.change_password", "workspace.users.set_active"} <= endpoints
    assert {method for _, method, _ in ROUTES} == {"GET", "POST"}
    assert len(ADMIN_ROUTES) >= 4, "users and audit pages are admin-only"


@pytest.mark.parametrize("route", ROUTES, ids=_case_id)
def test_anonymous_users_are_sent_to_the_login_page(app, client, route):
    endpoint, method, values = route
    url = _url(app, endpoint, values)
    token = csrf_token(client, "/logg-inn")  # a valid token: CSRF must not be what refuses the request
    response = client.open(url, method=method, data={"csrf_token": token})
    assert response.status_code == 302, (method, url, response.status_code)
    location = urlsplit(response.headers["Location"])
    assert location.path == "/logg-inn"
    assert parse_qs(location.query)["next"] == [url]


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=_case_id)
def test_organisers_are_refused_admin_pages(app, organiser_client, route):
    endpoint, method, values = route
    url = _url(app, endpoint, values)
    token = csrf_token(organiser_client, "/arrangor/")
    response = organiser_client.open(url, method=method, data={"csrf_token": token})
    assert response.status_code == 403, (method, url, response.status_code)


@pytest.fixture
def organiser(make_user):
    _, email, password = make_user()
    return (email, password)


def test_login_and_logout(client, organiser):
    token = csrf_token(client, "/logg-inn")
    bad = client.post("/logg-inn", data={"email": organiser[0], "password": "feil", "csrf_token": token})
    assert bad.status_code == 422
    response = client.post("/logg-inn", data={"email": organiser[0], "password": organiser[1], "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/logg-inn/kode"
    assert client.get("/arrangor/").status_code == 302, "the password alone opens nothing"
    code = totp_code(client.application, organiser[0])
    token = csrf_token(client, "/logg-inn/kode")
    assert client.post("/logg-inn/kode", data={"code": code, "csrf_token": token}).status_code == 302
    assert client.get("/arrangor/").status_code == 200
    client.post("/logg-ut", data={"csrf_token": csrf_token(client, "/arrangor/")})
    assert client.get("/arrangor/").status_code == 302


def test_the_workspace_header_shows_who_is_logged_in_next_to_log_out(app, client):
    log_in_as(app, client, name="Kari <script>alert(1)</script> Nordmann")
    html = client.get("/arrangor/", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    name = "Logget inn som Kari &lt;script&gt;alert(1)&lt;/script&gt; Nordmann</span>"
    assert name in html
    signed_in = html[html.index(name):]
    assert signed_in.index("Logg ut") < signed_in.index("</li>"), "the logout button is next to the name"
