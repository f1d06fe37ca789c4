"""A Karasjok participant does the whole path in Northern Sami at /se/, in Chromium: front page, gathering
page, the form (once with errors, shown in Sami), receipt, the manage page from the e-mail (a change), and
cancelling. Every page says lang="se", has one h1 and axe-core finds nothing on it."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.registration.models import Registration
from tests.conftest import SMTPRecorder, text_part

from .conftest import AXE_SCRIPT, demo_app, screenshot, serving
from .test_accessibility import problems_on

pytestmark = pytest.mark.browser

EMAIL = "maret@karasjok.kommune.no"
NAME = "Máret Šárá Ŋuolla"
MANAGE_PATH = re.compile(r"/se/pamelding/[^\s/\"'<>?#]+")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo (the Finnmark installation, Sami offered) over http, with a real SMTP server."""
    tmp = tmp_path_factory.mktemp("sami")
    smtp = SMTPRecorder()
    smtp.start()
    app = demo_app(tmp, smtp, SAMLINGER_LANGUAGES="nb,nn,se,en")
    with app.app_context():
        gatherings = db.session.scalars(select(Gathering)).all()
        open_one = next(g for g in gatherings if g.slug.endswith("-ost") and g.registration_open())
        data = {"open": open_one.slug, "title": open_one.title}
    with serving(app) as url:
        app.config["SAMLINGER_BASE_URL"] = url
        yield SimpleNamespace(app=app, url=url, smtp=smtp, **data)
    smtp.stop()


def registration(site) -> Registration:
    with site.app.app_context():
        found = db.session.scalar(select(Registration).where(Registration.email == EMAIL))
        db.session.expunge_all()
        return found


def manage_path(site) -> str:
    from samlinger.mail.worker import deliver_due

    with site.app.app_context():
        while any(deliver_due()):
            pass
    for message in reversed(site.smtp.to(EMAIL)):
        if match := MANAGE_PATH.search(text_part(message)):
            return match.group(0)
    raise AssertionError(f"no Sami manage link in the mail to {EMAIL}")


def test_a_karasjok_participant_does_the_whole_path_in_northern_sami(browser, site):
    context = browser.new_context(locale="se-NO", base_url=site.url)
    context.set_default_timeout(10_000)
    context.add_init_script(AXE_SCRIPT)
    page = context.new_page()
    responses = []
    page.on("response", lambda r: responses.append((r.status, r.request.method, r.url))
            if r.url.startswith(site.url) and r.request.resource_type == "document" else None)
    problems = []

    def check(name: str):
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "se", name
        problems.extend(problems_on(page, name, "se"))
        screenshot(page, f"sami-{name}")

    page.goto("/se/")
    check("front")
    page.locator(f'a[href="/se/samlinger/{site.open}"]').first.click()
    page.wait_for_url(f"**/se/samlinger/{site.open}")
    check("gathering")
    page.get_by_role("link", name="Dieđit iežat", exact=True).click()
    page.wait_for_url("**/pamelding")
    check("register")

    # Once with errors: no name, a malformed address. The summary and the messages are in Sami.
    page.fill("#email", "maret-karasjok")
    page.fill("#organisation", "Kárášjoga gielda")
    page.check("#consent")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".error-summary")).to_contain_text("Divo čuovvovaččaid")
    expect(page.locator("main")).to_contain_text("Čále iežat nama.")
    check("register-errors")

    page.fill("#name", NAME)
    page.fill("#email", EMAIL)
    page.select_option("select[name=municipality]", "5610")  # Kárášjohka-Karasjok, in the Sami area
    page.fill("#needs", "Čáhci, đ, ŧ, ž")
    if not page.is_checked("#consent"):
        page.check("#consent")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/se/samlinger/*/kvittering")
    expect(page.locator("h1")).to_have_text("Don leat dieđihan iežat")
    expect(page.locator("#receipt-outcome")).to_contain_text("Don oassálasttát báikkis.")
    check("receipt")
    found = registration(site)
    assert (found.name, found.language, found.status) == (NAME, "se", "confirmed")
    with site.app.app_context():
        assert db.session.get(Registration, found.id).municipality.number == "5610"

    page.goto(manage_path(site))
    expect(page.locator("h1")).to_have_text("Du dieđiheapmi")
    # Karasjok has no Bokmål or Nynorsk decision, and the person chose Sami: we write in Sami.
    expect(page.locator("#mail-language")).to_have_text(
        "Mii čállit dutnje davvisámegillii, dan gillii maid geavahit go dieđihit iežat.")
    check("manage")
    page.fill("#role", "Prošeaktajođiheaddji")
    page.get_by_role("button", name="Vurke rievdadusaid").click()
    page.wait_for_load_state()
    expect(page.locator(".notice-success")).to_have_text("Du rievdadusat leat vurkejuvvon.")
    check("manage-saved")
    assert registration(site).role == "Prošeaktajođiheaddji"

    page.get_by_role("link", name="Geasse dieđiheami ruovttoluotta").click()
    page.wait_for_url("**/avmeld")
    check("cancel")
    page.get_by_role("button", name="Juo, geasse mu dieđiheami ruovttoluotta").click()
    page.wait_for_load_state()
    expect(page.locator(".notice-success")).to_contain_text("Du dieđiheapmi lea gessojuvvon ruovttoluotta.")
    check("cancelled")
    assert registration(site).status == "cancelled"
    context.close()

    assert not problems, "\n".join(problems)
    errors = [r for r in responses if r[0] >= 400]
    assert errors == [(422, "POST", f"{site.url}/se/samlinger/{site.open}/pamelding")], errors
