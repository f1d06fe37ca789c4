"""A hybrid gathering in Chromium: a participant registers online, sees the video link on their page and in
their e-mail, switches to on site (the link is gone) and back (it is there again); the public pages, feeds
and the on-site e-mail never show it; the pages on the way are axe-core clean."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from samlinger.demo import DEMO_VIDEO_LINK
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.mail.worker import deliver_due
from samlinger.registration.models import Registration
from tests import factories
from tests.conftest import SMTPRecorder, text_part

from .conftest import ADMIN, AXE_RUN, AXE_SCRIPT, demo_app, serving, sign_in

pytestmark = pytest.mark.browser

PASSCODE = "Nordlys7"  # the demo's
MANAGE_PATH = re.compile(r"/pamelding/[^\s/\"'<>?#]+")
EMAIL = "ellen@deatnu.kommune.no"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hybrid")
    smtp = SMTPRecorder()
    smtp.start()
    app = demo_app(tmp, smtp)
    with app.app_context():
        slug, gathering_id = db.session.execute(select(Gathering.slug, Gathering.id)
                                                .where(Gathering.mode == "hybrid")).one()
        factories.user(ADMIN[0], name="Ada Arrangør", role="admin", password=ADMIN[1])
    with serving(app) as url:
        app.config["SAMLINGER_BASE_URL"] = url
        yield SimpleNamespace(app=app, url=url, smtp=smtp, slug=slug, gathering_id=gathering_id)
    smtp.stop()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(locale="nb-NO", base_url=site.url)
    context.set_default_timeout(10_000)
    context.add_init_script(AXE_SCRIPT)
    page = context.new_page()
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.failed = failed
    yield page
    context.close()


def axe_clean(page):
    # After a click that submits a form, the new page's elements can be there before its stylesheets are applied
    # (workspace.css comes last); axe measuring the unstyled page finds links too small (target-size).
    page.wait_for_load_state()
    violations = [f"{v['id']}: {v['help']}" for v in page.evaluate(AXE_RUN)["violations"]]
    assert violations == [], violations


def shows_link(page) -> bool:
    html = page.content()
    return DEMO_VIDEO_LINK.replace("&", "&amp;") in html or PASSCODE in html or "teams.example.org" in html


def deliver(site):
    with site.app.app_context():
        while any(deliver_due()):
            pass


def attendance(site) -> tuple:
    with site.app.app_context():
        found = db.session.scalar(select(Registration).where(Registration.email == EMAIL))
        return found.status, found.attendance_mode


def test_online_registration_switch_on_site_and_back_and_the_link_only_where_it_belongs(page, site):
    page.goto(f"/samlinger/{site.slug}")
    expect(page.locator("main")).to_contain_text("Kan også følges på nett")
    assert not shows_link(page)
    axe_clean(page)

    # The form asks which side; sent without a choice, it says so and keeps what was typed.
    page.goto(f"/samlinger/{site.slug}/pamelding")
    page.fill("#name", "Ellen Guttorm")
    page.fill("#email", EMAIL)
    page.select_option("#municipality", label="Deatnu-Tana")
    page.check("#consent")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("Velg om du deltar på stedet eller på nett")
    axe_clean(page)
    assert page.failed == [f"422 {site.url}/samlinger/{site.slug}/pamelding"]  # the form's own answer
    page.failed.clear()
    page.check("#attendance_mode-1")  # online
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/kvittering")
    assert not shows_link(page)
    # The receipt says what happened: a seat, online, a mail on its way.
    expect(page.locator("h1")).to_have_text("Du er påmeldt")
    expect(page.locator("#receipt-outcome")).to_contain_text("Du deltar på nett")
    expect(page.locator("#receipt-outcome")).to_contain_text(f"En e-post er på vei til {EMAIL}")
    assert attendance(site) == ("confirmed", "online")

    deliver(site)
    [confirmation] = site.smtp.to(EMAIL)
    assert DEMO_VIDEO_LINK in text_part(confirmation) and PASSCODE in text_part(confirmation)
    manage = MANAGE_PATH.search(text_part(confirmation)).group(0)

    page.goto(manage)
    expect(page.locator("#video")).to_contain_text(PASSCODE)
    expect(page.locator("#video a")).to_have_attribute("href", DEMO_VIDEO_LINK)
    axe_clean(page)

    page.get_by_role("button", name="Bytt til å delta på stedet").click()
    expect(page.locator(".notice-success")).to_contain_text("Du deltar nå på stedet")
    expect(page.locator("#attendance-mode")).to_have_text("På stedet")
    assert not shows_link(page)
    assert attendance(site) == ("confirmed", "on_site")
    deliver(site)
    to_on_site = site.smtp.to(EMAIL)[-1]
    assert "Endret hvordan du deltar" in to_on_site["Subject"]
    assert not any(secret in to_on_site.as_string() for secret in (PASSCODE, "teams.example.org"))
    for part in to_on_site.walk():
        if part.get_content_type() == "text/calendar":
            assert "teams.example.org" not in part.get_content().replace("\r\n ", "")

    page.get_by_role("button", name="Bytt til å delta på nett").click()
    expect(page.locator(".notice-success")).to_contain_text("Du deltar nå på nett")
    expect(page.locator("#video")).to_contain_text(PASSCODE)
    assert attendance(site) == ("confirmed", "online")

    # The public pages and feeds, in a browser of someone else.
    for path in ("/", f"/samlinger/{site.slug}", f"/nn/samlinger/{site.slug}", "/api/v1/gatherings"):
        page.goto(path)
        assert not shows_link(page), path
    for path in ("/samlinger.ics", f"/samlinger/{site.slug}.ics"):
        body = page.request.get(path).text().replace("\r\n ", "")
        assert "teams.example.org" not in body and PASSCODE not in body
    assert not page.failed, page.failed


def test_the_organiser_pages_for_a_hybrid_gathering_are_axe_clean(page, site):
    sign_in(page, site.app)
    for path in (f"/arrangor/samlinger/{site.gathering_id}/nett", f"/arrangor/samlinger/{site.gathering_id}/endre",
                 f"/arrangor/samlinger/{site.gathering_id}/melding"):
        page.goto(path)
        axe_clean(page)
    # An address that is not https is refused with the field's message, and the stored link stays.
    page.goto(f"/arrangor/samlinger/{site.gathering_id}/nett")
    page.fill("#url", "javascript:alert(1)")
    page.get_by_role("button", name="Lagre lenken").click()
    expect(page.locator(".error-summary")).to_contain_text("https://")
    axe_clean(page)
    page.failed.clear()  # that answer is a 422
