"""Signing in with a real OpenID Provider (oidc-provider on node, tests/oidc_provider/) in Chromium, the app
served over HTTPS with production settings: the first sign-in makes the account; someone outside the allowed
domain or group is refused with a clear message; a forged or replayed state, a replayed code and a nonce that
is not ours are refused; a person removed from the group at the provider loses access at the next sign-in,
and every session of theirs ends; signing out ends the provider's session too."""

import json
import os
import re
import secrets
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import select

from samlinger import create_app
from samlinger.audit.models import AuditEntry
from samlinger.auth.models import User
from samlinger.extensions import db
from tests.conftest import REQUIRE_ALL, base_config, free_port, missing

from ..conftest import create_tables
from .conftest import self_signed_certificate, serving

PROVIDER = Path(__file__).resolve().parents[1] / "oidc_provider"
ORGANISERS, ADMINS = "samlinger-arrangorer", "samlinger-admin"
ACCOUNTS = {
    "alice": {"email": "alice@statsforvalteren.test", "email_verified": True, "name": "Alice Arrangør",
              "groups": [ORGANISERS]},
    "astrid": {"email": "astrid@statsforvalteren.test", "email_verified": True, "name": "Astrid Admin",
               "groups": [ORGANISERS, ADMINS]},
    "bjorn": {"email": "bjorn@statsforvalteren.test", "email_verified": True, "name": "Bjørn", "groups": ["andre"]},
    "mallory": {"email": "mallory@example.test", "email_verified": True, "name": "Mallory", "groups": [ORGANISERS]},
}
# The messages in Bokmål: the provider sends everyone back to the one registered address, in the default language.
REFUSED = "gir ikke tilgang til arrangørsidene"
DID_NOT_GO_THROUGH = "gikk ikke gjennom"


def _installed() -> None:
    """oidc-provider installed from tests/oidc_provider/package-lock.json (npm ci), once."""
    if (PROVIDER / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        missing("the OpenID Connect tests need npm to install oidc-provider (tests/oidc_provider/)")
    result = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER, capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        (pytest.fail if REQUIRE_ALL else pytest.skip)(f"npm ci in {PROVIDER} failed: {result.stderr[-2000:]}")


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """The app over HTTPS (production settings) with a real OpenID Provider over HTTPS beside it."""
    node = shutil.which("node")
    if node is None:
        missing("the OpenID Connect tests need node (and npm) to run oidc-provider (tests/oidc_provider/)")
    _installed()
    tmp = tmp_path_factory.mktemp("oidc")
    cert, key = self_signed_certificate(tmp)
    accounts = tmp / "accounts.json"
    accounts.write_text(json.dumps(ACCOUNTS))
    issuer = f"https://127.0.0.1:{free_port()}"
    client_secret = secrets.token_urlsafe(24)
    app = create_app(base_config(f"sqlite:///{tmp / 'oidc.sqlite'}", tmp) | {
        "TESTING": False, "SECRET_KEY": secrets.token_hex(32), "SAMLINGER_HTTPS": True,
        "SAMLINGER_OIDC_ISSUER": issuer, "SAMLINGER_OIDC_CLIENT_ID": "samlinger",
        "SAMLINGER_OIDC_CLIENT_SECRET": client_secret, "SAMLINGER_OIDC_NAME": "Statsforvalterens pålogging",
        "SAMLINGER_OIDC_ALLOWED_DOMAINS": ("statsforvalteren.test",), "SAMLINGER_OIDC_GROUPS_CLAIM": "groups",
        "SAMLINGER_OIDC_GROUP_ROLES": f"{ORGANISERS}=organiser,{ADMINS}=admin",
    })
    assert app.config["SESSION_COOKIE_SECURE"]
    with app.app_context():
        create_tables()
    # The app asks the provider over TLS (Authlib with requests): trust the test certificate for this process.
    former_bundle = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = cert
    with serving(app, ssl_context=(cert, key)) as url:
        app.config["SAMLINGER_BASE_URL"] = url
        settings = tmp / "provider.json"
        settings.write_text(json.dumps({
            "port": int(issuer.rsplit(":", 1)[1]), "issuer": issuer, "cert": cert, "key": key,
            "accounts": str(accounts),
            "client": {"client_id": "samlinger", "client_secret": client_secret,
                       "redirect_uris": [f"{url}/logg-inn/kontor/svar"],
                       "post_logout_redirect_uris": [f"{url}/logg-inn"]},
        }))
        log = open(tmp / "provider.log", "w")  # noqa: SIM115 - open while the provider runs
        process = subprocess.Popen([node, str(PROVIDER / "provider.js"), str(settings)], stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            _wait_for(issuer, process, tmp / "provider.log", cert)
            yield SimpleNamespace(app=app, url=url, issuer=issuer, accounts=accounts)
        finally:
            process.terminate()
            process.wait(timeout=10)
            log.close()
            if former_bundle is None:
                os.environ.pop("REQUESTS_CA_BUNDLE", None)
            else:
                os.environ["REQUESTS_CA_BUNDLE"] = former_bundle


def _wait_for(issuer: str, process, log: Path, cert: str) -> None:
    for _ in range(100):
        if process.poll() is not None:
            pytest.fail(f"the OpenID Provider stopped: {log.read_text()}")
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", verify=cert, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"the OpenID Provider did not start: {log.read_text()}")


@pytest.fixture
def context(browser, office):
    """A fresh browser; every cookie it gets from the app must be Secure."""
    contexts = []

    def make():
        made = browser.new_context(ignore_https_errors=True, locale="en-GB")
        made.set_default_timeout(15_000)
        contexts.append(made)
        return made
    yield make
    for made in contexts:
        assert all(c["secure"] for c in made.cookies() if c["domain"] == "127.0.0.1"), made.cookies()
        made.close()


def _provider_login(page, office, login: str) -> None:
    """At the provider's (development) login page: the login name, any password, then consent if asked."""
    page.wait_for_url(f"{office.issuer}/**")
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if page.url.startswith(office.issuer) and page.locator("input[name=prompt][value=consent]").count():
        page.locator("button[type=submit]").click()


def sign_in(page, office, login: str, expect_workspace: bool = True) -> None:
    page.goto(f"{office.url}/logg-inn")
    page.locator("#provider-login").click()
    _provider_login(page, office, login)
    page.wait_for_url(re.compile(r".*/arrangor/$" if expect_workspace else r".*/logg-inn$"))
    # The favicon and the theme are asked for after "load", and each answer sets the session cookie again: a
    # test that clears the cookies next must not have them come back.
    page.wait_for_load_state("networkidle")


def _user(office, email) -> User | None:
    with office.app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _audit(office) -> list[tuple[str, str]]:
    with office.app.app_context():
        return [(e.action, e.summary) for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_the_login_page_offers_the_office_login_first(context, office):
    page = context().new_page()
    page.goto(f"{office.url}/en/logg-inn")
    first = page.locator("main a.button, main button").first
    assert first.get_attribute("id") == "provider-login" and "Statsforvalterens pålogging" in first.inner_text()


def test_the_first_sign_in_makes_the_account_with_the_role_of_the_groups(context, office):
    assert _user(office, "alice@statsforvalteren.test") is None
    page = context().new_page()
    sign_in(page, office, "alice")
    alice = _user(office, "alice@statsforvalteren.test")
    assert alice.active and alice.role == "organiser" and alice.name == "Alice Arrangør"
    assert alice.oidc_subject == f"{office.issuer} alice" and not alice.has_second_factor
    assert page.goto(f"{office.url}/arrangor/brukere/").status == 403
    admin_page = context().new_page()
    sign_in(admin_page, office, "astrid")
    assert _user(office, "astrid@statsforvalteren.test").role == "admin"
    assert admin_page.goto(f"{office.url}/arrangor/brukere/").status == 200, "no TOTP: the provider is the factor"
    log = _audit(office)
    assert ("user.sign_in", "alice@statsforvalteren.test signed in with oidc") in log
    assert not any("eyJ" in summary or "code" in summary.lower() for _, summary in log), "no token in the log"


@pytest.mark.parametrize("login", ["mallory", "bjorn"], ids=["outside the domain", "outside the groups"])
def test_someone_outside_the_domain_or_the_groups_is_refused_with_a_clear_message(context, office, login):
    page = context().new_page()
    sign_in(page, office, login, expect_workspace=False)
    assert REFUSED in page.locator("main").inner_text()
    assert _user(office, ACCOUNTS[login]["email"]) is None
    assert page.goto(f"{office.url}/arrangor/").url.startswith(f"{office.url}/logg-inn")


def test_a_forged_state_is_refused(context, office):
    page = context().new_page()
    page.goto(f"{office.url}/logg-inn/kontor/svar?code=forged&state=forged")
    assert page.url.startswith(f"{office.url}/logg-inn") and DID_NOT_GO_THROUGH in page.locator("main").inner_text()
    assert page.goto(f"{office.url}/arrangor/").url.startswith(f"{office.url}/logg-inn")


def _requests(page, prefix: str) -> list[str]:
    """The addresses the page asks for that start with *prefix*, redirects included, as they happen."""
    seen = []
    page.on("request", lambda request: seen.append(request.url) if request.url.startswith(prefix) else None)
    return seen


def _authorize_url(page, office) -> str:
    """Start a sign-in at the app and return the provider's authorization address it sent the browser to (with
    the app's state, nonce and PKCE challenge, kept in this browser's session)."""
    asked = _requests(page, f"{office.issuer}/auth?")
    page.goto(f"{office.url}/logg-inn")
    page.locator("#provider-login").click()
    page.wait_for_url(f"{office.issuer}/**")
    return asked[0]


def test_a_replayed_state_and_code_are_refused(context, office):
    page = context().new_page()
    answers = _requests(page, f"{office.url}/logg-inn/kontor/svar?")
    sign_in(page, office, "alice")
    [answer] = answers
    page.context.clear_cookies()  # signed out here, and the provider's answer sent again: its state was used up
    page.goto(answer)
    assert DID_NOT_GO_THROUGH in page.locator("main").inner_text()
    assert page.goto(f"{office.url}/arrangor/").url.startswith(f"{office.url}/logg-inn")
    # The used code with a fresh, valid state of another browser: the provider refuses a code used before (and
    # one made for another PKCE challenge).
    other = context().new_page()
    state = dict(parse_qsl(urlsplit(_authorize_url(other, office)).query))["state"]
    used = dict(parse_qsl(urlsplit(answer).query))
    other.goto(f"{office.url}/logg-inn/kontor/svar?" + urlencode(used | {"state": state}))
    assert DID_NOT_GO_THROUGH in other.locator("main").inner_text()
    assert other.goto(f"{office.url}/arrangor/").url.startswith(f"{office.url}/logg-inn")


def test_a_nonce_that_is_not_ours_is_refused(context, office):
    page = context().new_page()
    parts = urlsplit(_authorize_url(page, office))
    query = dict(parse_qsl(parts.query))
    assert query["code_challenge_method"] == "S256" and query["nonce"] and query["state"]
    # The same request with another nonce: the provider puts that one into the ID token.
    forged = parts._replace(query=urlencode(query | {"nonce": "not-the-one-the-app-made"})).geturl()
    page.goto(forged)
    _provider_login(page, office, "alice")
    page.wait_for_url(re.compile(r".*/logg-inn$"))
    assert DID_NOT_GO_THROUGH in page.locator("main").inner_text()
    assert page.goto(f"{office.url}/arrangor/").url.startswith(f"{office.url}/logg-inn")


def test_someone_removed_from_the_group_loses_access_at_the_next_sign_in(context, office):
    accounts = json.loads(office.accounts.read_text())
    accounts["karin"] = {"email": "karin@statsforvalteren.test", "email_verified": True, "name": "Karin",
                         "groups": [ORGANISERS]}
    office.accounts.write_text(json.dumps(accounts))
    earlier = context().new_page()
    sign_in(earlier, office, "karin")
    accounts["karin"]["groups"] = []
    office.accounts.write_text(json.dumps(accounts))
    page = context().new_page()
    sign_in(page, office, "karin", expect_workspace=False)
    assert REFUSED in page.locator("main").inner_text()
    karin = _user(office, "karin@statsforvalteren.test")
    assert not karin.active
    assert earlier.goto(f"{office.url}/arrangor/").url.startswith(f"{office.url}/logg-inn"), "sessions end"
    assert ("user.deactivate", "karin@statsforvalteren.test: the office's login no longer lets them in") in _audit(
        office)


def test_signing_out_ends_the_session_at_the_provider_too(context, office):
    page = context().new_page()
    sign_in(page, office, "alice")
    page.get_by_role("button", name="Log out").or_(page.get_by_role("button", name="Logg ut")).click()
    page.wait_for_url(f"{office.issuer}/**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(re.compile(r".*/logg-inn(\?state=.*)?$"))
    assert page.url.startswith(office.url) and "Du er logget ut" in page.locator("main").inner_text()
    assert page.goto(f"{office.url}/arrangor/").url.startswith(f"{office.url}/logg-inn")
    # The provider asks for the login again: its session has ended as well.
    page.locator("#provider-login").click()
    page.wait_for_url(f"{office.issuer}/**")
    assert page.locator("input[name=login]").is_visible()


def test_an_account_the_office_login_knows_cannot_come_in_with_a_password(context, office):
    page = context().new_page()
    sign_in(page, office, "alice")
    with office.app.app_context():  # as if a set-password link had been used
        user = db.session.scalar(select(User).where(User.email == "alice@statsforvalteren.test"))
        user.set_password("et langt passord her")
        db.session.commit()
    other = context().new_page()
    other.goto(f"{office.url}/logg-inn")
    other.locator("#email").fill("alice@statsforvalteren.test")
    other.locator("#password").fill("et langt passord her")
    other.locator("main form button[type=submit]").click()
    assert "Denne kontoen logger inn med kontorets pålogging" in other.locator("main").inner_text()
    assert other.goto(f"{office.url}/arrangor/").url.startswith(f"{office.url}/logg-inn")
