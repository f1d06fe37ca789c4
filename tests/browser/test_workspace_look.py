"""The workspace at 1280 px: the current section marked in the navigation, numbers right-aligned, reach charts
that use the width with labels of at least 14 px, room between the evaluation's questions, and the footer at the
bottom of a short page."""

import pytest
from sqlalchemy import select

from samlinger.evaluations.models import Evaluation
from samlinger.extensions import db

from .conftest import log_in

pytestmark = pytest.mark.browser


def current_section(page) -> list[str]:
    return page.locator("nav.site-nav a[aria-current=page]").all_inner_texts()


def test_the_navigation_marks_the_current_section(new_page, live):
    page = new_page()
    log_in(page, live)
    for path, section in (("/arrangor/", "Oversikt"), ("/arrangor/runder", "Runder"),
                          (f"/arrangor/samlinger/{live.gathering_id}/deltakere", "Runder"),
                          ("/arrangor/rekkevidde/", "Rekkevidde"), ("/arrangor/kommuner/", "Kommuner"),
                          ("/arrangor/konto/passord", "Bytt passord")):
        page.goto(live.url + path)
        assert current_section(page) == [section], path


def test_numbers_line_up_on_the_right(new_page, live):
    page = new_page()
    log_in(page, live)
    for path in ("/arrangor/", "/arrangor/rekkevidde/", f"/arrangor/samlinger/{live.gathering_id}/deltakere"):
        page.goto(live.url + path)
        cells = page.locator("main td.num, main th.num")
        assert cells.count() >= 2, path
        aligned = page.evaluate("""() => [...document.querySelectorAll("main td.num, main th.num")]
            .map(c => getComputedStyle(c).textAlign)""")
        assert set(aligned) == {"right"}, (path, set(aligned))


def test_reach_charts_use_the_width_and_their_labels_are_readable(new_page, live):
    page = new_page(width=1280)
    log_in(page, live)
    page.goto(live.url + "/arrangor/rekkevidde/")
    charts = page.evaluate("""() => {
        const column = document.querySelector("main").clientWidth;
        return [...document.querySelectorAll("main svg.chart")].map(svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            const sizes = [...svg.querySelectorAll("text")].map(t => scale * parseFloat(getComputedStyle(t).fontSize));
            return {share: svg.getBoundingClientRect().width / column, smallest: Math.min(...sizes)};
        });
    }""")
    assert len(charts) == 2
    for chart in charts:
        assert chart["share"] >= 0.8, chart
        assert chart["smallest"] >= 14, chart


def test_evaluation_questions_have_room_between_them(new_page, live):
    page = new_page()
    log_in(page, live)
    with live.app.app_context():
        closed = next(e for e in db.session.scalars(select(Evaluation)) if e.state() == "closed")
        gathering_id = closed.gathering_id
    page.goto(f"{live.url}/arrangor/samlinger/{gathering_id}/evalueringsresultat")
    gaps = page.evaluate("""() => [...document.querySelectorAll(".evaluation-question + .evaluation-question")]
        .map(q => q.querySelector("h2, h3, h4").getBoundingClientRect().top
                  - q.previousElementSibling.getBoundingClientRect().bottom)""")
    assert gaps and min(gaps) >= 24, gaps


@pytest.mark.parametrize("path", ["/logg-inn", "/finnes-ikke"])
def test_the_footer_sits_at_the_bottom_of_a_short_page(new_page, live, path):
    page = new_page(width=1280, height=900)
    page.goto(live.url + path)
    bottom = page.evaluate("document.querySelector('footer').getBoundingClientRect().bottom")
    assert abs(bottom - 900) <= 1, bottom
