"""Every participant page on a phone, with all four languages offered (the language switcher at its widest): at
320, 360, 375 and 390 px nothing scrolls sideways, everything one touches is at least 44 × 44 px, and every form
control wears Designsystemet's style."""

import pytest

from .conftest import LANGUAGES, PHONE_WIDTHS, prefix
from .test_accessibility import overflow, public_pages

pytestmark = pytest.mark.browser

#: what a finger touches: buttons, fields, the boxes of radios and checkboxes, and the links that stand alone
#: (header, navigation, footer, breadcrumb, the cards' titles); links inside running text are exempt (WCAG 2.5.8)
TARGETS = ("button, select, textarea, input:not([type=hidden], [type=radio], [type=checkbox]), "
           ".ds-field:has(input[type=radio], input[type=checkbox]), header a, nav a, footer a, .breadcrumb a, "
           ".card h3 a")
MINIMUM = 44


def small_targets(page) -> list[str]:
    return page.evaluate("""([selector, minimum]) => [...document.querySelectorAll(selector)]
        .filter(e => e.offsetParent !== null && !e.closest(".skip-link"))
        .map(e => [e, e.getBoundingClientRect()])
        .filter(([e, box]) => box.width < minimum - 0.5 || box.height < minimum - 0.5)
        .map(([e, box]) => `${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 25)}" `
                           + `${Math.round(box.width)}×${Math.round(box.height)}`)""", [TARGETS, MINIMUM])


def unstyled_controls(page) -> list[str]:
    """Form controls the browser draws by itself: every visible one must be one of Designsystemet's."""
    return page.evaluate("""() => [...document.querySelectorAll("main input, main select, main textarea, main button")]
        .filter(e => e.type !== "hidden" && e.offsetParent !== null)
        .filter(e => !e.classList.contains("ds-input") && !e.classList.contains("ds-button"))
        .map(e => `${e.tagName.toLowerCase()}#${e.id} (${e.type})`)""")


def participant_pages(live) -> list[tuple[str, str]]:
    return [(name, path) for name, path in public_pages(live)
            if name not in ("login", "forgot-password")] + [
        ("gathering-hybrid", f"/samlinger/{live.hybrid}"), ("register-hybrid", f"/samlinger/{live.hybrid}/pamelding")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_participant_page_fits_every_phone(new_page, live, language):
    page = new_page(width=PHONE_WIDTHS[0], height=700)
    found = []
    for name, path in participant_pages(live):
        response = page.goto(live.url + prefix(language) + path)
        if response.status >= 500:
            found.append(f"{name} [{language}]: {response.status}")
            continue
        for width in PHONE_WIDTHS:
            page.set_viewport_size({"width": width, "height": 700})
            if wide := overflow(page):
                found.append(f"{name} [{language}] at {width} px scrolls sideways: {wide}")
            if small := small_targets(page):
                found.append(f"{name} [{language}] at {width} px: targets under {MINIMUM} px: {small[:4]}")
        if bare := unstyled_controls(page):
            found.append(f"{name} [{language}]: controls without Designsystemet's style: {bare}")
    assert not found, "\n".join(found)


def test_the_language_switcher_wraps_rather_than_widening_the_page(new_page, live):
    """With four languages at 320 px the switcher takes two lines; every language stays visible."""
    page = new_page(width=320, height=700)
    page.goto(live.url + "/")
    links = page.locator("nav.lang a")
    assert links.count() == len(LANGUAGES)
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, (links.nth(i).text_content(), box)


def test_registering_on_a_phone_in_sami_and_the_receipt_fits(new_page, live):
    """The longest language on the narrowest phone: the hybrid gathering's form, its outlined choices, and the
    receipt that says what happened."""
    page = new_page(width=320, height=700, locale="se-NO")
    page.goto(f"{live.url}/se/samlinger/{live.hybrid}/pamelding")
    boxes = page.locator(".choice-box")
    assert boxes.count() == 2
    for i in range(2):  # each side a box the full width, its seats inside it
        box = boxes.nth(i).bounding_box()
        assert box["width"] >= 280 and box["height"] >= 44, box
        assert boxes.nth(i).locator(".badge").count() >= 1
    page.fill("#name", "Ánde Guttorm")
    page.fill("#email", "ande@deatnu.kommune.no")
    page.select_option("#municipality", index=2)
    boxes.nth(1).locator("label").click()  # the whole box chooses: online
    assert page.is_checked("#attendance_mode-1")
    page.check("#consent")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/kvittering")
    assert page.locator("h1").inner_text() == "Don leat dieđihan iežat"
    assert "neahtas" in page.locator("#receipt-outcome").inner_text()
    found = []
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 700})
        found += [f"receipt at {width} px scrolls sideways: {wide}" for wide in [overflow(page)] if wide]
        found += [f"receipt at {width} px: {small}" for small in [small_targets(page)] if small]
    assert not found, "\n".join(found)
