"""Universal design in a real browser: axe-core finds nothing on any page, in every language, with and
without form errors; every page has one h1, its language, and works at 320 px and at 200 % zoom."""

import re

import pytest

from .conftest import LANGUAGES, choose_language, log_in, prefix, screenshot

pytestmark = pytest.mark.browser


def public_pages(live) -> list[tuple[str, str]]:
    return [
        ("front", "/"),
        ("gathering", f"/samlinger/{live.open}"),
        ("gathering-waitlist", f"/samlinger/{live.waitlist}"),
        ("gathering-cancelled", f"/samlinger/{live.cancelled}"),
        ("register", f"/samlinger/{live.open}/pamelding"),
        ("register-waitlist", f"/samlinger/{live.waitlist}/pamelding"),
        ("register-closed", f"/samlinger/{live.closed}/pamelding"),
        ("request-link", f"/samlinger/{live.open}/ny-lenke"),
        ("manage", f"/pamelding/{live.token}"),
        ("cancel", f"/pamelding/{live.token}/avmeld"),
        ("privacy", "/personvern"),
        ("accessibility", "/tilgjengelighet"),
        ("not-found", "/finnes-ikke"),
        ("login", "/logg-inn"),
        ("forgot-password", "/logg-inn/glemt-passord"),
        ("reach", "/rekkevidde"),
    ]


def problems_on(page, name: str, language: str) -> list[str]:
    """What is wrong with the page as it is now: axe violations and our own structure rules."""
    found = []
    results = page.evaluate("axe.run({resultTypes: ['violations']})")
    for violation in results["violations"]:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
        found.append(f"{name} [{language}]: {violation['id']} ({violation['impact']}) {violation['help']} {targets}")
    if page.locator("h1").count() != 1:
        found.append(f"{name} [{language}]: {page.locator('h1').count()} h1 elements")
    if page.locator("html").get_attribute("lang") != language:
        found.append(f"{name} [{language}]: html lang is {page.locator('html').get_attribute('lang')}")
    return found


def overflow(page) -> list[str]:
    """The elements that reach past the right edge of the window, making the page scroll sideways."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return [];
        return [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .map(e => `${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 30)}"`)
            .slice(-3);
    }""")


def submit_empty(page) -> bool:
    """Submit the page's main form with its fields emptied, to show the form errors; False without one."""
    form = page.locator("main form[method=post]:has([aria-required=true])")
    if form.count() == 0:
        return False
    form = form.first
    for box in form.locator("input[type=text]:visible, input[type=email]:visible, input[type=tel]:visible, "
                            "input[type=password]:visible, textarea:visible").all():
        box.fill("")
    for box in form.locator("input[type=checkbox]").all():
        box.uncheck()
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state()
    return True


def check_page(page, name: str, language: str, shots: str | None) -> list[str]:
    """Check the page just opened at 1280 px, then at 320 px, then again after an empty submit of its form.

    With *shots* (a file name prefix), save screenshots at 1280 and 375 px for people to look at.
    """
    found = problems_on(page, name, language)
    if shots:
        screenshot(page, f"{shots}{name}-{language}-1280")
        page.set_viewport_size({"width": 375, "height": 800})
        screenshot(page, f"{shots}{name}-{language}-375")
    page.set_viewport_size({"width": 320, "height": 640})
    if wide := overflow(page):
        found.append(f"{name} [{language}]: scrolls sideways at 320 px: {wide}")
    page.set_viewport_size({"width": 1280, "height": 900})
    if submit_empty(page):
        found += problems_on(page, f"{name} with errors", language)
        if not page.locator("#error-summary").count():
            found.append(f"{name} [{language}]: no error summary after an empty submit")
        if shots:
            screenshot(page, f"{shots}{name}-errors-{language}-1280")
            page.set_viewport_size({"width": 375, "height": 800})
            screenshot(page, f"{shots}{name}-errors-{language}-375")
            page.set_viewport_size({"width": 1280, "height": 900})
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_pass_axe_in_every_language(new_page, live, language):
    page = new_page(axe=True)
    page.goto(live.url + "/")
    choose_language(page, language)
    found = []
    for name, path in public_pages(live):
        page.goto(live.url + prefix(language) + path)
        found += check_page(page, name, language, shots="")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_organiser_pages_pass_axe_in_every_language(new_page, live, language):
    """Every organiser page reachable by links from the dashboard, one of each kind of address."""
    page = new_page(axe=True)
    log_in(page, live)
    choose_language(page, language)
    workspace = f"{prefix(language)}/arrangor/"
    found, seen, queue, checked = [], set(), [workspace], []
    while queue:
        path = queue.pop(0)
        kind = re.sub(r"\d+", "N", path.split("?")[0])
        if kind in seen:
            continue
        seen.add(kind)
        response = page.goto(live.url + path)
        if not response.ok or "text/html" not in response.headers.get("content-type", ""):
            continue
        queue += [href for href in page.eval_on_selector_all(
            f"a[href^='{workspace}']", "links => links.map(a => a.getAttribute('href'))")
            if not href.endswith((".csv", ".xlsx", ".ics", ".pdf"))]
        name = kind.removeprefix(prefix(language)).strip("/").replace("/", "-")
        checked.append(name)
        # Screenshots of the organiser pages in Bokmål only, to keep the run short.
        found += check_page(page, name, language, shots="organiser-" if language == "nb" else None)
    assert {"arrangor", "arrangor-samlinger-N-deltakere", "arrangor-kommuner", "arrangor-kommuner-N",
            "arrangor-kommuner-importer", "arrangor-kommuner-koble", "arrangor-rekkevidde"} <= set(checked)
    assert not found, "\n".join(found)


def test_pages_reflow_at_200_percent_zoom(new_page, live):
    """A 1280 px window zoomed to 200 % lays out like 640 CSS px at twice the pixel density."""
    page = new_page(width=640, height=450, device_scale_factor=2)
    found = []
    for name, path in public_pages(live):
        page.goto(live.url + path)
        if wide := overflow(page):
            found.append(f"{name}: scrolls sideways: {wide}")
    page.goto(f"{live.url}/samlinger/{live.open}/pamelding")
    screenshot(page, "register-nb-zoom200")
    assert not found, "\n".join(found)


def test_text_enlarged_to_200_percent_stays_readable(new_page, live):
    """Text-only zoom (browser setting for font size): nothing is cut off or scrolls sideways."""
    page = new_page(width=1280, bypass_csp=True)  # the test's own style rule is inline
    found = []
    for name, path in public_pages(live):
        page.goto(live.url + path)
        page.add_style_tag(content="html { font-size: 200% !important; }")
        if wide := overflow(page):
            found.append(f"{name}: scrolls sideways: {wide}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_second_factor_pages_pass_axe_in_every_language(new_page, live, language):
    """Enrolment (QR code and key), the recovery codes, and the code asked for at the next sign-in."""
    import pyotp

    from samlinger.extensions import db
    from tests import factories

    email = f"ny-{language}@statsforvalteren.test"
    with live.app.app_context():
        factories.user(email, second_factor=False)
        db.session.remove()
    page = new_page(axe=True)
    shots = "second-factor-" if language == "nb" else None

    def password():
        page.goto(f"{live.url}{prefix(language)}/logg-inn")
        page.locator("#email").fill(email)
        page.locator("#password").fill(factories.PASSWORD)
        page.locator("main form button[type=submit]").click()

    password()
    page.wait_for_url(re.compile(r".*/logg-inn/ta-i-bruk$"))
    found = check_page(page, "enrol", language, shots)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.locator("#code").fill(pyotp.TOTP(secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#recovery-codes")
    assert page.locator("#recovery-codes li").count() == 10
    found += check_page(page, "recovery-codes", language, shots)
    page.context.clear_cookies()
    password()
    page.wait_for_url(re.compile(r".*/logg-inn/kode$"))
    found += check_page(page, "second-factor", language, shots)
    assert not found, "\n".join(found)
