"""Thousands of hostile and random inputs to the public forms and endpoints (hypothesis): never a server
error, never an unchecked value stored, never a redirect off the site."""

import re
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samlinger import create_app
from samlinger.extensions import db
from samlinger.forms import clean_text
from samlinger.registration import service
from samlinger.registration.models import Registration, canonical_email, normalise_email

from . import factories
from .conftest import base_config, create_tables, csrf_token

HOSTILE = [
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' OR 1=1 --", "'; DROP TABLE registration;--",
    "\r\nBcc: offer@example.org", "Ola\nNordmann", "=cmd|' /C calc'!A0", "+SUM(1+1)", "@SUM(A1)", "../../etc/passwd",
    "..\\..\\windows", "%00", "\x00", "\x1b[31m", "{{ 7*7 }}", "{% raw %}", "%(name)s %s %n", "\u202eevil", "\u200b",
    "\ufeff", "ø" * 300, "x" * 5000, " ", "", "😀" * 10, "a@b", "ola@alta.kommune.no", "OLA@ALTA.KOMMUNE.NO ",
    "ola@alta.kommune.no\r\nBcc: x@y.no", "\"ola\"@alta.kommune.no", "ola@[127.0.0.1]", "ola@xn--bcher-kva.no",
    "æøå@kommune.no", "+47 912 34 567", "912345678901234567890", "javascript:alert(1)", "//evil.example",
    "/\\evil.example", "/\t/evil.example", "https://evil.example/", "/%2F%2Fevil.example", "null", "None", "y", "on",
]
#: Any text a browser can send: all of Unicode except lone surrogates, which cannot be encoded.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
TEXT = st.one_of(st.sampled_from(HOSTILE), ANY_TEXT, st.text(st.characters(max_codepoint=127), max_size=60))
EMAILS = st.one_of(st.emails().map(str), TEXT)
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
FUZZ = settings(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    app = create_app(base_config(f"sqlite:///{folder / 'fuzz.sqlite'}", folder))
    with app.app_context():
        create_tables()
        gid = factories.gathering(slug="samling", title="Samling", capacity=None).id
        outcome = service.register(gid, {"name": "Ola", "organisation": "Alta kommune"},
                                   email="fast@alta.kommune.no", language="nb")
        app.config["FUZZ_TOKEN"] = outcome.token
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser(fuzz_app):
    """One visitor for every example: a session cookie and a CSRF token (they do not expire)."""
    client = fuzz_app.test_client()
    return client, csrf_token(client, "/samlinger/samling/pamelding")


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Registration))


def stored(app, email: str) -> Registration | None:
    with app.app_context():
        registration = db.session.scalar(db.select(Registration).where(
            Registration.email_normalized == normalise_email(email), Registration.status != "cancelled"))
        db.session.expunge_all()
        return registration


def check_details(registration: Registration, sent: dict) -> None:
    """What was stored is what was sent, cleaned (forms.clean_text) and stripped, and passes the rules the form
    promises."""
    for field in ("name", "organisation", "role", "phone"):
        assert getattr(registration, field) == clean_text(sent.get(field) or "").strip(), field
        assert not CONTROL.search(getattr(registration, field)), field
    assert registration.name and registration.organisation
    assert len(registration.name) <= 200 and len(registration.needs) <= 2000
    assert registration.needs == clean_text(sent.get("needs") or "").strip()
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", registration.needs)


@given(name=TEXT, email=EMAILS, organisation=TEXT, role=TEXT, phone=TEXT, needs=TEXT,
       consent=st.sampled_from(["y", "", "nei", None]))
@settings(FUZZ, max_examples=800)
def test_registration_form(fuzz_app, browser, name, email, organisation, role, phone, needs, consent):
    client, token = browser
    url = "/samlinger/samling/pamelding"
    data = {"name": name, "email": email, "organisation": organisation, "role": role, "phone": phone,
            "needs": needs, "consent": consent, "csrf_token": token}
    data = {k: v for k, v in data.items() if v is not None}
    existed = stored(fuzz_app, clean_text(email).strip()) if "@" in email else None
    before = count(fuzz_app)
    response = client.post(url, data=data)
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert count(fuzz_app) == before, "a refused form stores nothing"
        return
    registration = stored(fuzz_app, clean_text(email).strip())
    assert registration is not None and consent not in ("", None)
    if existed is not None:
        assert count(fuzz_app) == before and registration.name == existed.name, "a repeat changes nothing"
    else:
        assert count(fuzz_app) == before + 1
        assert registration.email == canonical_email(clean_text(email)) and "@" in registration.email
        assert not CONTROL.search(registration.email)
        check_details(registration, data)


@given(name=TEXT, organisation=TEXT, role=TEXT, phone=TEXT, needs=TEXT)
@settings(FUZZ, max_examples=400)
def test_manage_page_edits(fuzz_app, browser, name, organisation, role, phone, needs):
    client, token = browser
    url = f"/pamelding/{fuzz_app.config['FUZZ_TOKEN']}"
    before = stored(fuzz_app, "fast@alta.kommune.no")
    data = {"name": name, "organisation": organisation, "role": role, "phone": phone, "needs": needs,
            "email": "someone.else@example.no", "csrf_token": token}
    response = client.post(url, data=data)
    assert response.status_code in (302, 422), response.status_code  # 422: the changes had errors
    after = stored(fuzz_app, "fast@alta.kommune.no")
    assert after is not None, "the address cannot be changed through the form"
    if response.status_code == 302:
        check_details(after, data)
    else:
        assert (after.name, after.needs, after.phone) == (before.name, before.needs, before.phone)


@given(email=EMAILS)
@settings(FUZZ, max_examples=300)
def test_request_link(fuzz_app, browser, email):
    client, token = browser
    before = count(fuzz_app)
    response = client.post("/samlinger/samling/ny-lenke", data={"email": email, "csrf_token": token})
    assert response.status_code in (302, 422)
    assert count(fuzz_app) == before


@given(code=st.one_of(st.sampled_from(["nb", "nn", "en", "se", "NB", ""]), TEXT), target=TEXT)
@settings(FUZZ, max_examples=400)
def test_language_switch_stays_on_the_site(browser, code, target):
    client, _token = browser
    response = client.get(f"/sprak/{quote(code, safe='')}", query_string={"next": target})
    assert response.status_code in (302, 404, 405, 308), response.status_code
    if response.status_code == 302:
        location = response.headers["Location"]
        parts = urlsplit(location)
        assert not parts.scheme and not parts.netloc, location
        assert location.startswith("/") and not re.match(r"/[/\\\s]", location), location
        assert not CONTROL.search(location), location


PATHS = ["/samlinger/{}", "/samlinger/{}.ics", "/samlinger/{}/pamelding", "/samlinger/{}/ny-lenke",
         "/samlinger/{}/kvittering", "/pamelding/{}", "/pamelding/{}/avmeld", "/pamelding/{}/slett",
         "/api/v1/gatherings?{}", "/samlinger.ics?{}", "/?{}", "/personvern?{}"]


@given(template=st.sampled_from(PATHS), value=TEXT, method=st.sampled_from(["GET", "POST", "HEAD"]))
@settings(FUZZ, max_examples=1000)
def test_odd_slugs_tokens_and_queries(fuzz_app, browser, template, value, method):
    client, _token = browser
    before = count(fuzz_app)
    response = client.open(template.format(quote(value, safe="")), method=method)
    assert response.status_code < 500, (template, value, response.status_code)
    assert count(fuzz_app) == before
