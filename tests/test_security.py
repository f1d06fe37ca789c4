"""Security: secret key, cookies, headers, CSRF everywhere, rate limits, tokens that open one registration
only, and no header injection through what people type."""

import os
import re
import secrets
import subprocess
import sys
import uuid

import pytest

from samlinger import ROOT, create_app
from samlinger.config import DEFAULT_SECRET_KEY
from samlinger.extensions import db
from samlinger.registration import service
from samlinger.registration.models import Registration
from samlinger.security import CONTENT_SECURITY_POLICY, InsecureConfiguration

from . import factories
from .conftest import base_config, create_tables, csrf_token, form_data, missing

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")


def make_app(tmp_path, **overrides):
    """An app on a fresh SQLite file; TESTING=False makes it behave as in production."""
    config = base_config(f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite'}", tmp_path)
    config.update(overrides)
    app = create_app(config)
    with app.app_context():
        create_tables()
    return app


@pytest.fixture
def prod_app(tmp_path):
    return make_app(tmp_path, TESTING=False)


def register(client, slug, **overrides):
    url = f"/samlinger/{slug}/pamelding"
    data = form_data(**overrides)
    data["csrf_token"] = csrf_token(client, url)
    return client.post(url, data=data)


# --- secret key and cookies -------------------------------------------------------------------

@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, "", None])
def test_production_refuses_to_start_without_a_real_secret_key(tmp_path, key):
    config = base_config(f"sqlite:///{tmp_path / 'x.sqlite'}", tmp_path) | {"TESTING": False, "SECRET_KEY": key}
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY is not set"):
        create_app(config)
    # A developer's machine in debug mode may use the development key.
    assert create_app(config | {"DEBUG": True}).secret_key == key


def test_cli_in_production_says_why_it_will_not_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_DEBUG")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    refused = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "routes"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr
    env["SECRET_KEY"] = secrets.token_hex(32)
    started = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "routes"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr
    assert "/pamelding/<token>" in started.stdout


def session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_session_cookie_is_secure_httponly_and_samesite_in_production(prod_app):
    cookie = session_cookie(prod_app.test_client().get("/logg-inn"))
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_debug_mode_cookie_works_over_plain_http(tmp_path):
    app = make_app(tmp_path, TESTING=False, DEBUG=True)
    cookie = session_cookie(app.test_client().get("/logg-inn"))
    assert "Secure" not in cookie
    assert "HttpOnly" in cookie


# --- security headers ------------------------------------------------------------------------

PUBLIC_URLS = ["/", "/samlinger/samling-1", "/samlinger/finnes-ikke", "/static/samlinger.css",
               "/api/v1/gatherings", "/samlinger.ics", "/samlinger/samling-1.ics", "/healthz", "/personvern",
               "/logg-inn", "/arrangor/", "/samlinger/samling-1/pamelding", "/pamelding/ugyldig"]


def test_every_response_carries_the_security_headers(app, client, make_gathering):
    make_gathering()
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code < 500, url
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["X-Frame-Options"] == "DENY", url
        assert headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer"), url
        assert "Strict-Transport-Security" not in headers, "no HSTS over plain http"
        response.close()
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'"


def test_organiser_pages_are_not_cached(admin_client):
    assert admin_client.get("/arrangor/").headers["Cache-Control"] == "no-store"


def test_hsts_when_served_over_https(tmp_path):
    app = make_app(tmp_path, TESTING=False, SAMLINGER_HTTPS=True)
    assert app.test_client().get("/").headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_trusted_proxy_the_forwarded_scheme_counts(tmp_path):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    untrusting = make_app(tmp_path, TESTING=False)
    assert "Strict-Transport-Security" not in untrusting.test_client().get("/", headers=forwarded).headers
    behind_proxy = make_app(tmp_path, TESTING=False, PROXY_FIX=1)
    assert "Strict-Transport-Security" in behind_proxy.test_client().get("/", headers=forwarded).headers


def test_templates_need_no_inline_script_or_style():
    """The CSP forbids inline scripts and styles, so no served template may use them."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "email" in path.relative_to(ROOT / "templates").parts:
            continue  # e-mails are not served by the app; mail clients need inline styles
        html = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+=", r"javascript:"):
            if re.search(pattern, html, re.IGNORECASE):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


# --- CSRF ------------------------------------------------------------------------------------

def state_changing_urls(app):
    from flask import url_for

    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        if not methods:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{arg: 1 for arg in rule.arguments})
        for method in sorted(methods):
            yield rule.endpoint, method, url


def test_every_state_changing_request_needs_a_csrf_token(app, admin_client):
    client = admin_client
    checked = []
    for endpoint, method, url in state_changing_urls(app):
        for data in ({}, {"csrf_token": "forged"}):
            response = client.open(url, method=method, data=data)
            assert response.status_code == 400, (endpoint, method, url, response.status_code)
        checked.append(endpoint)
    assert {"registration.register", "registration.manage", "registration.cancel", "auth.login_page",
            "auth.logout"} <= set(checked)


# --- rate limits -----------------------------------------------------------------------------

LIMITED = {
    "registration": ("RATELIMIT_REGISTRATION", "/samlinger/samling-1/pamelding",
                     lambda n: form_data(email=f"person{n}@kommune.no")),
    "manage link": ("RATELIMIT_MANAGE_LINK", "/samlinger/samling-1/ny-lenke",
                    lambda n: {"email": f"person{n}@kommune.no"}),
    "login": ("RATELIMIT_LOGIN", "/logg-inn", lambda n: {"email": "ingen@kommune.no", "password": "feil"}),
    "password reset": ("RATELIMIT_PASSWORD_RESET", "/logg-inn/glemt-passord",
                       lambda n: {"email": f"person{n}@kommune.no"}),
}


def limited_app(tmp_path, setting, **overrides):
    """An app allowing 3 POSTs a minute by *setting*, with one open gathering."""
    app = make_app(tmp_path, **{"RATELIMIT_ENABLED": True, setting: "3/minute"} | overrides)
    with app.app_context():
        factories.gathering(slug="samling-1")
    return app


def post(client, url, data, **kwargs):
    return client.post(url, data=data | {"csrf_token": csrf_token(client, url)}, **kwargs)


@pytest.mark.parametrize("name", LIMITED)
def test_rate_limits_answer_with_a_friendly_429(tmp_path, name):
    setting, url, data = LIMITED[name]
    app = limited_app(tmp_path, setting)
    client = app.test_client()
    for n in range(3):
        assert post(client, url, data(n)).status_code in (200, 302, 422), n
    refused = post(client, url, data(3))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    page = refused.get_data(as_text=True)
    assert "For mange forsøk" in page and "Vent litt og prøv igjen" in page
    assert refused.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    # Reading the page is not limited, and another address has its own allowance.
    assert client.get(url).status_code == 200
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert post(other, url, data(4)).status_code != 429


def test_rate_limits_can_be_turned_off_for_load_tests(tmp_path):
    app = limited_app(tmp_path, "RATELIMIT_REGISTRATION", RATELIMIT_ENABLED=False)
    client = app.test_client()
    for n in range(6):
        assert post(client, "/samlinger/samling-1/pamelding", form_data(email=f"p{n}@kommune.no")).status_code == 302


def test_rate_limit_behind_a_proxy_counts_the_forwarded_client(tmp_path):
    app = limited_app(tmp_path, "RATELIMIT_MANAGE_LINK", PROXY_FIX=1)
    client = app.test_client()
    url = "/samlinger/samling-1/ny-lenke"
    for _ in range(3):
        assert post(client, url, {"email": "a@b.no"}, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 302
    assert post(client, url, {"email": "a@b.no"}, headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    assert post(client, url, {"email": "a@b.no"}, headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 302


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_rate_limit_storage_is_shared_between_processes_only_with_redis(tmp_path, storage):
    """Two app instances stand for two gunicorn workers: with Redis they share one count."""
    if storage == "redis":
        if not REDIS_URL:
            missing("the Redis rate-limit test needs TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/15")
        uri = REDIS_URL
    else:
        uri = "memory://"
    # An address of this test's own keeps its counts apart from other runs sharing the Redis server.
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    url = "/samlinger/samling-1/ny-lenke"
    first = limited_app(tmp_path, "RATELIMIT_MANAGE_LINK", RATELIMIT_STORAGE_URI=uri).test_client()
    first.environ_base["REMOTE_ADDR"] = address
    for _ in range(3):
        assert post(first, url, {"email": "a@b.no"}).status_code == 302
    second = limited_app(tmp_path, "RATELIMIT_MANAGE_LINK", RATELIMIT_STORAGE_URI=uri).test_client()
    second.environ_base["REMOTE_ADDR"] = address
    status = post(second, url, {"email": "a@b.no"}).status_code
    if storage == "redis":
        import redis

        connection = redis.Redis.from_url(REDIS_URL)
        keys = connection.keys(f"*/{address}/*")
        assert keys, "the counts live in Redis"
        connection.delete(*keys)
        connection.close()
        assert status == 429
    else:
        assert status == 302, "memory storage is per process"


# --- tokens and ids ----------------------------------------------------------------------------

def test_a_manage_token_opens_its_own_registration_only(app, client, make_gathering):
    gid = make_gathering()
    with app.app_context():
        mine = service.register(gid, {"name": "Ola Alta", "organisation": "Alta kommune"},
                                email="ola@alta.kommune.no", language="nb")
        theirs = service.register(gid, {"name": "Kari Vardø", "organisation": "Vardø kommune"},
                                  email="kari@vardo.kommune.no", language="nb")
        mine_token, theirs_id, their_hash = mine.token, theirs.registration.id, theirs.registration.manage_token_hash

    page = client.get(f"/pamelding/{mine_token}").get_data(as_text=True)
    assert "ola@alta.kommune.no" in page and "kari@vardo" not in page and "Kari" not in page

    cancel_url = f"/pamelding/{mine_token}/avmeld"
    assert client.post(cancel_url, data={"csrf_token": csrf_token(client, cancel_url),
                                         "id": theirs_id}).status_code == 302
    with app.app_context():
        statuses = dict(db.session.execute(db.select(Registration.email, Registration.status)).all())
    assert statuses == {"ola@alta.kommune.no": "cancelled", "kari@vardo.kommune.no": "confirmed"}

    # The stored hash, a changed character, a prefix, numbers and paths open nothing.
    changed = mine_token[:-1] + ("A" if mine_token[-1] != "A" else "B")
    guesses = [their_hash, changed, mine_token[:20], str(theirs_id), "1", secrets.token_urlsafe(32),
               "x" * 5000, "%2e%2e%2fadmin", "..", "ø" * 43]
    for guess in guesses:
        for url in (f"/pamelding/{guess}", f"/pamelding/{guess}/avmeld"):
            assert client.get(url).status_code == 404, url
    token = csrf_token(client, "/logg-inn")
    for guess in guesses:
        assert client.post(f"/pamelding/{guess}", data={"csrf_token": token, "name": "X",
                                                        "organisation": "Y"}).status_code == 404
    with app.app_context():
        assert db.session.get(Registration, theirs_id).name == "Kari Vardø"


def test_the_receipt_is_only_shown_to_the_browser_that_registered(client, app, make_gathering):
    make_gathering()
    response = register(client, "samling-1")
    assert "oyvind@alta.kommune.no" in client.get(response.headers["Location"]).get_data(as_text=True)
    stranger = app.test_client()
    assert stranger.get(response.headers["Location"]).status_code == 302


# --- header injection ------------------------------------------------------------------------

@pytest.mark.parametrize("field,value", [
    ("name", "Ola\r\nBcc: offer@example.org"),
    ("name", "Ola\nNordmann"),
    ("organisation", "Alta\rkommune"),
    ("role", "Leder\tKari"),
    ("email", "ola@alta.kommune.no\r\nBcc: offer@example.org"),
    ("email", "ola@alta.kommune.no\nto: offer@example.org"),
])
def test_line_breaks_in_one_line_fields_are_refused(app, client, make_gathering, field, value):
    make_gathering()
    response = register(client, "samling-1", **{field: value})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0


def test_a_title_with_line_breaks_cannot_add_mail_headers(app, client, make_gathering, smtp, deliver):
    make_gathering(title="Samling\r\nBcc: offer@example.org\r\n\r\nFalsk tekst")
    assert register(client, "samling-1", needs="Linje 1\r\nBcc: offer@example.org").status_code == 302
    assert deliver() == 1
    [message] = smtp.messages
    assert message.envelope_to == ["oyvind@alta.kommune.no"]
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"] and "Samling Bcc: offer@example.org Falsk tekst" in message["Subject"]
    assert set(message.keys()) <= {"Subject", "From", "To", "Reply-To", "Date", "Message-ID", "Auto-Submitted",
                                   "Content-Type", "MIME-Version", "Content-Transfer-Encoding", "X-Peer",
                                   "X-MailFrom", "X-RcptTo"}


def test_ids_in_urls_outside_the_workspace_lead_nowhere(client, make_gathering):
    make_gathering(status="draft", slug="kladd")
    for url in ("/samlinger/kladd", "/samlinger/kladd/pamelding", "/samlinger/kladd.ics", "/samlinger/1",
                "/samlinger/kladd/ny-lenke"):
        assert client.get(url).status_code == 404, url


# --- organiser-written Markdown ----------------------------------------------------------------

def test_markdown_from_organisers_is_sanitised(client, make_gathering):
    make_gathering(slug="markdown", description=(
        "Om **prosjektarbeid** og [veiviseren](https://prosjektveiviseren.no).\n\n"
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[klikk](javascript:alert(3))\n\n"
        "<iframe src=https://evil.example></iframe><style>body{display:none}</style>"
        "<a href=\"https://evil.example\" onclick=\"alert(4)\" style=\"color:red\">lenke</a>"
    ))
    html = client.get("/samlinger/markdown").get_data(as_text=True)
    assert "<strong>prosjektarbeid</strong>" in html
    assert 'href="https://prosjektveiviseren.no"' in html
    for forbidden in ("<script>alert", "onerror", "javascript:", "<iframe", "<style>", "onclick", 'style="'):
        assert forbidden not in html, forbidden
