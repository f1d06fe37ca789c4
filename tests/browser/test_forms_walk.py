"""Every form a person uses, walked in Chromium twice: over plain http as on a developer's machine, and over
HTTPS as deployed (a real TLS server with a self-signed certificate, production settings: Secure cookies,
HSTS, Flask-WTF's strict Referer check). A form that works over http can answer 400 over HTTPS, so each step
asserts what it achieved (the notice, the database, the download), and no response may be an error.

The manage links come from the e-mails, as a participant gets them: only the /pamelding/<token> address
pattern is relied on.
"""

import re
import secrets
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from samlinger.documents.models import Document
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.registration.models import Registration
from samlinger.timeutil import utcnow
from tests import factories
from tests.conftest import SMTPRecorder, text_part

from .conftest import ADMIN, demo_app, self_signed_certificate, serving, sign_in

pytestmark = pytest.mark.browser

MANAGE_PATH = re.compile(r"/pamelding/[^\s/\"'<>?#]+")
ELSEWHERE = "https://presentasjoner.example.no"


@pytest.fixture(scope="module", params=["http", "https"])
def site(request, tmp_path_factory):
    """Demo data served over *http* (development settings) or *https* (production settings)."""
    https = request.param == "https"
    tmp = tmp_path_factory.mktemp(request.param)
    smtp = SMTPRecorder()
    smtp.start()
    # With https as in production: not testing, a real key, cookie flags decided by security.init_app.
    production = {"TESTING": False, "SECRET_KEY": secrets.token_hex(32), "SAMLINGER_HTTPS": True} if https else {}
    app = demo_app(tmp, smtp, **production)
    assert app.config["SESSION_COOKIE_SECURE"] is https and app.config["WTF_CSRF_SSL_STRICT"]
    with app.app_context():
        gatherings = db.session.scalars(select(Gathering)).all()
        ost = next(g for g in gatherings if g.slug.endswith("-ost") and g.registration_open())
        vest = next(g for g in gatherings if g.slug.endswith("-vest"))
        workshop = next(g for g in gatherings if g.slug.endswith("-verksted"))
        db.session.add(Document(gathering=vest, title="Lysark", url=f"{ELSEWHERE}/lysark.pdf"))
        db.session.commit()
        factories.user(ADMIN[0], name="Ada Arrangør", role="admin", password=ADMIN[1])
        data = {"open": ost.slug, "vest": vest.slug, "vest_id": vest.id, "workshop_id": workshop.id}
    ssl_context = self_signed_certificate(tmp) if https else None
    with serving(app, ssl_context=ssl_context) as url:  # port 0: the server binds first, then the links follow
        app.config["SAMLINGER_BASE_URL"] = url
        yield SimpleNamespace(app=app, url=url, https=https, smtp=smtp, **data)
    smtp.stop()


@pytest.fixture
def page(browser, site):
    """A page in a fresh context; every response from our server must be a success or a redirect."""
    context = browser.new_context(ignore_https_errors=True, locale="nb-NO", base_url=site.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.request.method} {r.url}")
            if r.url.startswith(site.url) and r.status >= 400 else None)
    page.failed = failed
    yield page
    if site.https:  # production cookies: none may travel over plain http
        assert all(cookie["secure"] for cookie in context.cookies()), context.cookies()
    context.close()
    assert not failed, f"error responses: {failed}"


def registration(site, email: str) -> Registration:
    with site.app.app_context():
        found = db.session.scalar(select(Registration).where(Registration.email == email))
        db.session.expunge_all()
        return found


def manage_path(site, email: str) -> str:
    """Deliver the queued mail and return the manage link from the newest message to *email*."""
    from samlinger.mail.worker import deliver_due

    with site.app.app_context():
        while any(deliver_due()):
            pass
    for message in reversed(site.smtp.to(email)):
        if match := MANAGE_PATH.search(text_part(message)):
            return match.group(0)
    raise AssertionError(f"no manage link in the mail to {email}")


def succeeded(page):
    """The page after a form shows a success notice."""
    assert not page.failed, f"error responses: {page.failed}"
    expect(page.locator(".notice-success").first).to_be_visible()


def register(page, site, slug: str, name: str, email: str):
    response = page.goto(f"/samlinger/{slug}/pamelding")
    if site.https:
        assert "max-age" in response.headers["strict-transport-security"]
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#organisation", "Sør-Varanger kommune")
    page.check("#consent")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/kvittering")
    assert registration(site, email).status == "confirmed"


def test_a_participant_registers_changes_and_cancels(page, site):
    email = f"siri-{site.url.partition(':')[0]}@sor-varanger.kommune.no"
    register(page, site, site.open, "Siri Hætta", email)

    page.goto(manage_path(site, email))
    page.fill("#role", "Prosjektkoordinator")
    page.locator("form:has(#role) button[type=submit]").click()
    succeeded(page)
    assert registration(site, email).role == "Prosjektkoordinator"

    page.locator("main a[href$='/avmeld']").click()
    page.locator("main form button[type=submit]").click()
    succeeded(page)
    assert registration(site, email).status == "cancelled"


def test_a_participant_gets_a_new_link_and_deletes_their_data_after_the_gathering(page, site):
    email = f"nils-{site.url.partition(':')[0]}@alta.kommune.no"
    register(page, site, site.vest, "Nils Somby", email)
    with site.app.app_context():  # the gathering is over
        ended = utcnow() - timedelta(days=2)
        db.session.execute(update(Gathering).where(Gathering.id == site.vest_id).values(
            starts_at=ended - timedelta(hours=6), ends_at=ended, registration_deadline=(ended - timedelta(days=7))
            .date()))
        db.session.commit()

    page.goto(f"/samlinger/{site.vest}/ny-lenke")
    page.fill("#email", email)
    page.locator("main form button[type=submit]").click()
    succeeded(page)
    link = manage_path(site, email)

    page.goto(link)
    # The token in the address never reaches another site: the presentation link asks for no Referer, and
    # the page's own policy (same-origin) withholds it from any other cross-site request too.
    external = page.locator(f"main a[href^='{ELSEWHERE}']")
    assert "noreferrer" in external.get_attribute("rel")
    referers = []
    page.route(f"{ELSEWHERE}/**", lambda route: (referers.append(route.request.headers.get("referer")),
                                                 route.fulfill(body="ok", content_type="text/plain")))
    external.click()
    page.wait_for_url(f"{ELSEWHERE}/**")
    page.goto(link)
    page.evaluate(f"location.href = '{ELSEWHERE}/uten-rel'")
    page.wait_for_url(f"{ELSEWHERE}/uten-rel")
    assert referers == [None, None]

    page.goto(link)
    page.locator("main a[href$='/slett']").click()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{site.url}/")
    succeeded(page)
    assert registration(site, email) is None
    assert page.goto(link).status == 404
    page.failed.remove(f"404 GET {site.url}{link}")


def test_an_organiser_logs_in_edits_exports_and_checks_in(page, site):
    sign_in(page, site.app)
    gathering_id = site.workshop_id
    with site.app.app_context():
        participant = db.session.scalar(select(Registration).filter_by(gathering_id=gathering_id, status="confirmed")
                                        .order_by(Registration.id))
        participant_id, name = participant.id, participant.name

    page.goto(f"/arrangor/samlinger/{gathering_id}/endre")
    page.fill("#venue", "Vadsø rådhus, bystyresalen")
    page.locator("form:has(#venue) button[type=submit]").click()
    succeeded(page)
    with site.app.app_context():
        assert db.session.get(Gathering, gathering_id).venue == "Vadsø rådhus, bystyresalen"

    page.goto(f"/arrangor/pameldinger/{participant_id}/endre")
    page.fill("#role", "Kommunalsjef")
    page.locator("form:has(#role) button[type=submit]").click()
    succeeded(page)
    assert db_role(site, participant_id) == "Kommunalsjef"

    page.goto(f"/arrangor/samlinger/{gathering_id}/deltakere")
    with page.expect_download() as download:
        page.locator("a[href$='/deltakere.csv']").first.click()
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert name in exported and "Kommunalsjef" in exported

    page.goto(f"/arrangor/samlinger/{gathering_id}/innsjekk")
    row = page.locator(f"#r{participant_id}")
    row.locator("button[type=submit]").click()
    expect(row).to_have_class("arrived")
    with site.app.app_context():
        assert db.session.get(Registration, participant_id).checked_in_at is not None


def db_role(site, registration_id: int) -> str:
    with site.app.app_context():
        return db.session.get(Registration, registration_id).role
