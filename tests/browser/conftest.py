"""Browser tests: the app on a live server in a thread, driven by Debian's Chromium through Playwright.

One browser for the whole session; each test gets fresh browser contexts (cookies, viewport) from it.
The database is SQLite with the demo data, plus an organiser account and a registration whose manage
link we know.
"""

import ipaddress
import os
import re
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from samlinger import create_app
from samlinger.extensions import db
from tests import factories
from tests.conftest import base_config, missing, totp_code

CHROMIUM = "/usr/bin/chromium"
#: axe-core as bundled (offline) by axe-playwright-python
AXE_SCRIPT = Axe().axe_script
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
#: every language an installation may offer: the participant's pages are checked in all four
LANGUAGES = ("nb", "nn", "se", "en")
#: the workspace and login pages are in Norwegian and English only (i18n.WORKSPACE_LANGUAGES)
WORKSPACE_LANGUAGES = ("nb", "nn", "en")
#: the widths of the phones every participant page must fit (CSS pixels)
PHONE_WIDTHS = (320, 360, 375, 390)
#: axe-core's rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA, and its best practices; rules tagged
#: wcag22aa (target-size) are off unless asked for by tag
AXE_RUN = ("axe.run({runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', "
           "'wcag22aa', 'best-practice']}, resultTypes: ['violations']})")
ADMIN = ("ada@statsforvalteren.test", "riktig hest batteri stift")


def _seed(app) -> dict:
    """Demo gatherings, a cancelled one, an admin, and a registration with a known manage link."""
    from sqlalchemy import select

    from samlinger.gatherings.models import Gathering

    result = app.test_cli_runner().invoke(args=["seed-demo", "--one-office"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        gatherings = db.session.scalars(select(Gathering).order_by(Gathering.starts_at)).all()
        by_slug = {g.slug: g for g in gatherings}
        open_one = next(g for g in gatherings if g.slug.endswith("-ost") and g.registration_open())
        waitlist = next(g for g in gatherings if g.slug.endswith("-verksted"))
        closed = next(g for g in gatherings if g.slug.endswith("-frist-ute"))
        hybrid = next(g for g in gatherings if g.mode == "hybrid")
        cancelled = next(g for g in gatherings if g.slug.endswith("-vest"))
        cancelled.status = "cancelled"
        cancelled.cancel_reason = "For få påmeldte. Vi inviterer til en ny samling i høst."
        db.session.commit()
        factories.user(ADMIN[0], name="Ada Arrangør", role="admin", password=ADMIN[1])
        registration = factories.registration_row(
            open_one.id, name="Kari Nordmann", email="kari@vardo.kommune.no", organisation="Vardø kommune",
            role="Rådgiver",
        )
        token = registration.manage_token()
        # A municipality written as text before the register, for the admin's resolving page.
        factories.registration_row(open_one.id, email="per@example.no", organisation="Vadsø og Vardø",
                                   unmatched=True)
        assert len(by_slug) >= 5
        return {
            "open": open_one.slug, "waitlist": waitlist.slug, "closed": closed.slug,
            "cancelled": cancelled.slug, "hybrid": hybrid.slug, "gathering_id": open_one.id,
            "registration_id": registration.id,
            "token": token,
        }


def self_signed_certificate(directory: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 valid for two days, and its key: (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert, key_file = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert), str(key_file)


@contextmanager
def serving(app, port: int = 0, ssl_context=None):
    """Serve *app* on 127.0.0.1 in a thread (over TLS with *ssl_context*); yields its base URL."""
    server = make_server("127.0.0.1", port, app, threaded=True, ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if ssl_context else 'http'}://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def demo_app(tmp: Path, smtp, **config):
    """The first office's demo (`seed-demo --one-office`) in a new SQLite database in *tmp*, its mail going to the
    *smtp* recorder."""
    app = create_app(base_config(f"sqlite:///{tmp / 'demo.sqlite'}", tmp) | {
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, **config})
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--one-office"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The app served on a free port of 127.0.0.1, with its data."""
    tmp = tmp_path_factory.mktemp("browser")
    # The public reach page is on, so that it is checked with the other public pages.
    # Four languages, as in Finnmark: the language switcher is at its widest.
    app = create_app(base_config(f"sqlite:///{tmp / 'browser.sqlite'}", tmp) | {
        "SAMLINGER_PUBLIC_REACH": True, "SAMLINGER_LANGUAGES": LANGUAGES})
    with app.app_context():
        db.create_all()
    data = _seed(app)
    with serving(app) as url:
        yield SimpleNamespace(app=app, url=url, **data)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        missing(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live):
    """Open pages in fresh contexts: `new_page(width=375, locale="nn-NO", axe=True)`.

    Every request must stay on our host: no CDN, fonts or scripts from elsewhere.
    """
    contexts = []
    foreign = []

    def make(width=1280, height=900, locale="nb-NO", axe=False, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale, **options)
        context.set_default_timeout(10_000)
        if axe:  # axe-core in every page of the context, ready for page.evaluate("axe.run()")
            context.add_init_script(AXE_SCRIPT)
        contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: None if request.url.startswith((live.url, "data:", "about:"))
                else foreign.append(request.url))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not foreign, f"requests to other hosts: {foreign}"


def prefix(code: str) -> str:
    """The address prefix of a language: none for the default (Bokmål), /nn, /en."""
    return "" if code == "nb" else f"/{code}"


def choose_language(page, code: str):
    """Switch language with the visible switcher, as a person would."""
    label = {"nb": "Bokmål", "nn": "Nynorsk", "se": "Davvisámegiella", "en": "English"}[code]
    page.get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == code


def log_in(page, live):
    sign_in(page, live.app, live.url)


def sign_in(page, app, url: str = "", email: str = ADMIN[0], password: str = ADMIN[1]):
    """Log in as a person would: the password, then the code from the authenticator app (factories.TOTP_SECRET)."""
    page.goto(f"{url}/logg-inn")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/logg-inn/kode$"))
    page.locator("#code").fill(totp_code(app, email))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/arrangor/.*"))


def screenshot(page, name: str):
    """Save a full-page screenshot for people to look at (test-artifacts/screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
