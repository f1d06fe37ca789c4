"""A whole registration with the keyboard alone: Tab, Shift+Tab, Space, Enter and typing, from the front page
to the receipt, through a form error; every element that gets focus shows it."""

import pytest
from sqlalchemy import select

from samlinger.extensions import db
from samlinger.registration.models import Registration

from .conftest import screenshot

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    return {tag: e.tagName.toLowerCase(), id: e.id, href: e.getAttribute("href") || "",
            text: (e.innerText || "").trim(), type: e.type || "",
            ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2};
}"""


def press(page, key: str) -> dict:
    page.keyboard.press(key)
    focused = page.evaluate(FOCUSED)
    if focused["tag"] != "body":
        assert focused["ring"], f"no visible focus on {focused}"
    return focused


def tab_to(page, wanted, key="Tab", limit=60) -> dict:
    for _ in range(limit):
        focused = press(page, key)
        if wanted(focused):
            return focused
    raise AssertionError(f"{key} never reached the element")


def test_register_with_the_keyboard_alone(new_page, live):
    page = new_page(width=1280, locale="nn-NO")  # the browser asks for Nynorsk; the address gives it
    page.goto(live.url + "/nn/")
    assert page.locator("html").get_attribute("lang") == "nn"

    skip = press(page, "Tab")
    assert skip["href"] == "#main" and skip["text"] == "Gå til hovudinnhaldet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    register_link = f"/nn/samlinger/{live.open}/pamelding"
    tab_to(page, lambda f: f["href"] == register_link)
    with page.expect_navigation(url=f"**{register_link}"):
        page.keyboard.press("Enter")

    tab_to(page, lambda f: f["id"] == "name")
    page.keyboard.type("Ingrid Kvam")
    assert press(page, "Tab")["id"] == "email"
    page.keyboard.type("ingrid@vardo.kommune.no")
    # Forget the municipality and the consent, and send.
    tab_to(page, lambda f: f["tag"] == "button" and f["type"] == "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "error-summary"
    screenshot(page, "keyboard-errors-nn-1280")
    first = press(page, "Tab")
    assert first["href"] == "#municipality" and first["text"] == "Vel kommunen din, eller «Anna verksemd»."
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "municipality"
    assert page.locator("#municipality").get_attribute("aria-invalid") == "true"
    assert page.input_value("#name") == "Ingrid Kvam" and page.input_value("#email") == "ingrid@vardo.kommune.no"
    page.keyboard.type("Vardø")  # a closed select takes the typed name, as on a phone's picker
    assert page.input_value("#municipality") == "5634"

    tab_to(page, lambda f: f["id"] == "consent")
    page.keyboard.press("Space")
    assert page.is_checked("#consent")
    # Shift+Tab goes back to the privacy link just before the box; Tab returns.
    assert press(page, "Shift+Tab")["href"] == "/nn/personvern"
    assert press(page, "Tab")["id"] == "consent"
    tab_to(page, lambda f: f["tag"] == "button" and f["type"] == "submit")
    with page.expect_navigation(url="**/kvittering"):
        page.keyboard.press("Enter")

    assert page.locator("h1").inner_text() == "Du er påmeld"
    screenshot(page, "keyboard-receipt-nn-1280")
    with live.app.app_context():
        registration = db.session.scalar(select(Registration).filter_by(email="ingrid@vardo.kommune.no"))
        assert registration.status == "confirmed"
        assert registration.language == "nn"
        assert registration.municipality.name == "Vardø" and registration.organisation == ""
