"""`next` after login and after choosing a language never leads off the site, and never fails.

Each target is written as it would stand in the query string of a link someone was sent.
"""

import re
from urllib.parse import unquote

import pytest

from .conftest import csrf_token, totp_code

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

OFF_THE_SITE = [
    "/%09/evil.example",  # a tab, dropped by browsers: //evil.example
    "/%0d%0a/x",  # a line break in a header
    "/%0A/evil.example",
    "%09//evil.example",
    "/%00/x",
    "/x%7F",
    "/%C2%85/evil.example",  # NEL, a C1 control
    "//evil.example",
    "///evil.example",
    "/%2F/evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "https://evil.example",
    "https:%2F%2Fevil.example",
    "javascript:alert(1)",
    "%20/x",
    "+/x",
    "evil.example",
    "/%2F%2Fevil.example",
    "/%252F%252Fevil.example",  # still encoded once it reaches the view
    "/%2509/evil.example",
    "/%255Cevil.example",
]


def assert_stays_on_the_site(response, expected: str) -> None:
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    for text in (location, unquote(location)):
        assert text.startswith("/") and not text.startswith("//"), location
        assert "\\" not in text and not CONTROL.search(text), location
    assert location == expected


@pytest.fixture
def account(make_user):
    _, email, password = make_user()
    return email, password


def log_in_with_next(client, account, target: str):
    """The password with *next* in the address, then the code: the answer to the code leads on to *next*."""
    url = f"/logg-inn?next={target}"
    token = csrf_token(client, url)
    password = client.post(url, data={"email": account[0], "password": account[1], "csrf_token": token})
    assert password.headers["Location"] == "/logg-inn/kode"
    return client.post("/logg-inn/kode", data={"code": totp_code(client.application, account[0]),
                                               "csrf_token": csrf_token(client, "/logg-inn/kode")})


@pytest.mark.parametrize("target", OFF_THE_SITE)
def test_login_does_not_follow_next_off_the_site(client, account, target):
    assert client.get(f"/logg-inn?next={target}").status_code == 200
    assert_stays_on_the_site(log_in_with_next(client, account, target), "/arrangor/")


@pytest.mark.parametrize("target", OFF_THE_SITE)
def test_the_language_switcher_does_not_follow_next_off_the_site(client, target):
    """The old switcher link leads to the page in that language: the front page when *next* is refused."""
    assert_stays_on_the_site(client.get(f"/sprak/nn?next={target}"), "/nn/")
    assert_stays_on_the_site(client.get(f"/sprak/nb?next={target}"), "/")


@pytest.mark.parametrize("target", ["/arrangor/runder/", "/arrangor/samlinger/1/deltakere?status=venteliste"])
def test_login_follows_next_within_the_site(client, account, target):
    assert_stays_on_the_site(log_in_with_next(client, account, target.replace("?", "%3F")), target)


@pytest.mark.parametrize("target", ["/personvern", "/samlinger/samling-1?x=1", "/samlinger/%C3%A6"])
def test_the_language_switcher_returns_to_the_page(client, target):
    assert_stays_on_the_site(client.get(f"/sprak/nn?next={target.replace('?', '%3F')}"), f"/nn{target}")
    assert_stays_on_the_site(client.get(f"/sprak/nb?next=/en{target.replace('?', '%3F')}"), target)


@pytest.mark.parametrize("target", OFF_THE_SITE)
def test_the_default_language_prefix_does_not_redirect_off_the_site(client, target):
    """/nb/x answers 301 to /x: whatever follows /nb, the redirect stays on the site, and never fails."""
    response = client.get(f"/nb/{target}")
    assert response.status_code in (301, 404), response.status_code
    if response.status_code == 301:
        location = response.headers["Location"]
        for text in (location, unquote(location)):
            assert text.startswith("/") and not text.startswith("//"), location
            assert "\\" not in text and not CONTROL.search(text), location
