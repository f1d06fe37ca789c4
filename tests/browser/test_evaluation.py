"""The evaluation in a real browser: a participant answers it in Nynorsk with the keyboard alone (Tab, Space,
arrow keys, typing, Enter), and axe-core finds nothing on the form, the answered page or the results pages."""

import pytest
from sqlalchemy import select

from samlinger.evaluations.models import Evaluation, EvaluationAnswer, new_token
from samlinger.extensions import db

from .conftest import log_in, screenshot
from .test_accessibility import problems_on
from .test_keyboard import press, tab_to

pytestmark = pytest.mark.browser


def _open_evaluation(live):
    """The demo's open evaluation (the last round's western gathering): a new link, as a mail would carry."""
    with live.app.app_context():
        evaluation = next(e for e in db.session.scalars(select(Evaluation)) if e.is_open())
        questions = [(q.id, q.kind) for q in evaluation.questions]
        return evaluation.id, new_token(evaluation.id), questions


def _answers(live, evaluation_id) -> list[dict]:
    with live.app.app_context():
        return list(db.session.scalars(select(EvaluationAnswer.answers)
                                       .where(EvaluationAnswer.evaluation_id == evaluation_id)))


def test_answer_the_evaluation_in_nynorsk_with_the_keyboard_alone(new_page, live):
    evaluation_id, token, questions = _open_evaluation(live)
    before = _answers(live, evaluation_id)
    page = new_page(axe=True, locale="nn-NO")
    link = f"{live.url}/nn/evaluering/{token}"
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "nn"
    assert "anonyme" in page.locator("#anonymous").inner_text()
    assert problems_on(page, "evaluation form", "nn") == []
    screenshot(page, "evaluation-form-nn-1280")
    # Every scale is a radio group in a fieldset whose legend is the question, the ends named.
    assert page.locator("fieldset legend").count() == sum(kind == "scale" for _id, kind in questions)
    assert "svært mykje" in page.locator("fieldset").first.inner_text()

    (first, _), (second, _) = questions[0], questions[1]
    tab_to(page, lambda f: f["id"] == f"q_{first}-0")
    press(page, "Space")
    for _ in range(3):
        press(page, "ArrowRight")  # 1 → 4
    assert page.locator(f"#q_{first}-3").is_checked()
    assert press(page, "Tab")["id"] == f"q_{second}-0"
    press(page, "Space")
    press(page, "ArrowRight")  # 2
    focused = press(page, "Tab")
    assert focused["tag"] == "textarea"
    page.keyboard.type("Meir tid til spørsmål.")
    assert press(page, "Tab")["tag"] == "textarea"
    page.keyboard.type("Gevinstrealisering")
    tab_to(page, lambda f: f["tag"] == "button" and f["type"] == "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Takk for svara"
    assert problems_on(page, "evaluation answered", "nn") == []

    after = _answers(live, evaluation_id)
    assert len(after) == len(before) + 1
    new = next(a for a in after if a not in before)
    assert new[str(first)] == 4 and new[str(second)] == 2 and "Meir tid til spørsmål." in new.values()

    page.goto(link)  # the link works once
    assert page.locator("h1").inner_text() == "Takk for svara"


def test_results_pages_pass_axe(new_page, live):
    page = new_page(axe=True)
    log_in(page, live)
    with live.app.app_context():
        closed = next(e for e in db.session.scalars(select(Evaluation)) if e.state() == "closed")
        gathering_id, round_id = closed.gathering_id, closed.gathering.round_id
    for language, prefix in (("nb", ""), ("nn", "/nn")):
        for name, path in (("evaluation results", f"/arrangor/samlinger/{gathering_id}/evalueringsresultat"),
                           ("evaluation summary", f"/arrangor/samlinger/{gathering_id}/evalueringsrapport"),
                           ("round evaluation", f"/arrangor/runder/{round_id}/evaluering"),
                           ("evaluation page", f"/arrangor/samlinger/{gathering_id}/evaluering")):
            page.goto(f"{live.url}{prefix}{path}")
            if name == "evaluation results":
                assert page.locator("svg[role=img]").count() >= 2
                screenshot(page, f"evaluation-results-{language}-1280")
            assert problems_on(page, name, language) == []
