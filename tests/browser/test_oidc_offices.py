"""The office's login (OpenID Connect) with two offices, against the real provider of test_oidc.py: the provider
is the installation's, registered with one return address, which every office's login page sends people back
to. With several offices it makes no account (the login page a person starts from is theirs to choose, so it
cannot tell whose they are); one made in an office beforehand is taken over and stays there, and its owner lands
in that office's workspace."""

import json
import re

from sqlalchemy import select

from samlinger.auth.models import User
from samlinger.extensions import db
from samlinger.offices.registry import offices
from samlinger.offices.scope import use_office
from samlinger.offices.service import create_office
from tests import factories

from .test_oidc import ORGANISERS, _provider_login, context, office  # noqa: F401 - the fixtures, for this module


def _office_of(served, email) -> str:
    with served.app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        return next(o.slug for o in offices().all if o.id == user.office_id)


def test_every_offices_login_page_comes_back_to_the_one_registered_address(context, office):  # noqa: F811
    accounts = json.loads(office.accounts.read_text())
    for login in ("rune", "siri"):
        accounts[login] = {"email": f"{login}@statsforvalteren.test", "email_verified": True, "name": login.title(),
                           "groups": [ORGANISERS]}
    office.accounts.write_text(json.dumps(accounts))
    with office.app.app_context():
        create_office("rogaland", "Statsforvalteren i Rogaland", names={"nn": "Statsforvaltaren i Rogaland"},
                      default_language="nn", languages=("nn", "nb", "en"))
        db.session.commit()
        with use_office(offices().by_slug("rogaland")):  # made in Rogaland beforehand, with create-user --office
            factories.user("siri@statsforvalteren.test", name="Siri", second_factor=False)
        db.session.remove()

    # Rune has no account and starts at Rogaland's login page: he is told to ask for one, and none is made.
    page = context().new_page()
    returns = []
    page.on("request", lambda request: returns.append(request.url) if "/logg-inn/kontor/svar" in request.url
            else None)
    page.goto(f"{office.url}/rogaland/logg-inn")
    page.locator("#provider-login").click()
    _provider_login(page, office, "rune")
    page.wait_for_url(re.compile(r".*/logg-inn$"))
    assert returns and all(url.startswith(f"{office.url}/logg-inn/kontor/svar?") for url in returns), returns
    assert "Du har ingen konto her ennå" in page.locator("main").inner_text()
    with office.app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == "rune@statsforvalteren.test")) is None

    # Siri's account was made in Rogaland: the provider takes it over, and she lands in Rogaland's workspace.
    page = context().new_page()
    page.goto(f"{office.url}/nb/rogaland/logg-inn")
    page.locator("#provider-login").click()
    _provider_login(page, office, "siri")
    page.wait_for_url(re.compile(r".*/rogaland/arrangor/$"))
    assert _office_of(office, "siri@statsforvalteren.test") == "rogaland"
    assert "Statsforvalteren i Rogaland" in page.locator("header").inner_text()
