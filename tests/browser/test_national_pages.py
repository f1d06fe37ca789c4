"""The national administrator's pages in a real browser: axe-core finds nothing on the offices, the new-office form
sent empty and the national reach with its charts, in each workspace language; nothing scrolls sideways at 320 px."""

import pytest

from samlinger.auth.models import User
from samlinger.extensions import db
from tests import factories

from .conftest import WORKSPACE_LANGUAGES, choose_language, prefix, sign_in
from .test_accessibility import check_page

pytestmark = pytest.mark.browser

NATIONAL = ("nils@statsforvalteren.no", factories.PASSWORD)


@pytest.fixture(scope="module")
def national(live):
    """A national administrator in the live app (belongs to no office, so no office's page shows them)."""
    with live.app.app_context():
        if db.session.scalar(db.select(User).where(User.email == NATIONAL[0])) is None:
            user = factories.user(NATIONAL[0], name="Nils Nasjonal", password=NATIONAL[1])
            user.is_national_admin, user.office_id = True, None
            db.session.commit()
        db.session.remove()
    return NATIONAL


@pytest.mark.parametrize("language", WORKSPACE_LANGUAGES)
def test_the_national_pages_pass_axe(new_page, live, national, language):
    page = new_page(axe=True)
    sign_in(page, live.app, live.url, *national)
    assert page.url.endswith("/arrangor/nasjonalt/"), "a sign-in lands on the national page"
    choose_language(page, language)
    found = []
    for name, path in (("offices", "/arrangor/nasjonalt/"), ("reach", "/arrangor/nasjonalt/rekkevidde?periode=10")):
        response = page.goto(live.url + prefix(language) + path)
        assert response.ok, (path, response.status)
        if name == "reach":
            assert page.locator("svg[role=img]").count() == 3
        found += check_page(page, f"national-{name}", language, shots="national-" if language == "nb" else None)
    assert not found, "\n".join(found)
