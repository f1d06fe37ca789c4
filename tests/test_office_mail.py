"""Mail, invites and links carry the office's name and address (issue 23).

Two offices: the first (the installation's settings, Bokmål, at /finnmark/… once there are two) and Rogaland
(Nynorsk by default, its own sender name and reply-to, the Rogaland register). A Bokmål municipality registering
on Rogaland's Nynorsk page gets its mail in Bokmål (språklova § 15), from Rogaland, with Rogaland's links.
"""

import re
from email.utils import parseaddr

import pytest
from icalendar import Calendar
from sqlalchemy import select

from samlinger.auth.models import User
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.municipalities import importing
from samlinger.offices.registry import offices
from samlinger.offices.scope import ALL_OFFICES, use_office
from samlinger.offices.service import create_office
from samlinger.refusal import Refused

from . import factories
from .conftest import calendar_parts, csrf_token, form_data, log_in, text_part

ROGALAND_REPLY_TO = "arrangor@statsforvaltaren-rogaland.no"
ROGALAND_SENDER = "Statsforvaltaren i Rogaland – samlingar"
ROGALAND_CONTACT = "post@statsforvaltaren-rogaland.no"


@pytest.fixture
def app_config(app_config):
    app_config.update(SAMLINGER_OFFICE_NAME="Statsforvalteren i Finnmark",
                      SAMLINGER_OFFICE_NAMES={"nn": "Statsforvaltaren i Finnmark"},
                      SAMLINGER_CONTACT_EMAIL="post@statsforvalteren-finnmark.test",
                      SAMLINGER_LANGUAGES=("nb", "nn", "se", "en"))
    return app_config


@pytest.fixture
def rogaland(app):
    """The second office, with its register and a gathering (slug vest) in a round of its own; returns its
    settings."""
    with app.app_context():
        create_office("rogaland", "Statsforvalteren i Rogaland", names={"nn": "Statsforvaltaren i Rogaland"},
                      default_language="nn", languages=("nn", "nb", "en"), contact_email=ROGALAND_CONTACT,
                      reply_to=ROGALAND_REPLY_TO, sender_name=ROGALAND_SENDER)
        db.session.commit()
        office = offices().by_slug("rogaland")
        with use_office(office):
            importing.load(importing.DATA.joinpath("municipalities-rogaland.csv").read_bytes(), county="Rogaland")
            factories.gathering(slug="vest", title="Samling i vest", title_nn="Samling i vest (nn)")
        db.session.remove()
    return office


@pytest.fixture
def finnmark(app):
    """A gathering (slug nord) of the first office, with the Finnmark register."""
    with app.app_context(), use_office(offices().first):
        importing.load(importing.DATA.joinpath("municipalities-finnmark.csv").read_bytes(), county="Finnmark")
        factories.gathering(slug="nord", title="Samling i nord")
        db.session.remove()


def offices_of(app):
    with app.app_context():
        return offices()


def register(client, path, **overrides):
    data = form_data(**{"organisation": "", **overrides})
    data["csrf_token"] = csrf_token(client, path)
    response = client.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def html_part(message) -> str:
    return message.get_body(("html",)).get_content()


def links(message) -> list[str]:
    """Every address in the mail's text, its HTML and its invite."""
    found = re.findall(r"https?://[^\s\"'<>)]+", text_part(message) + html_part(message))
    for part in calendar_parts(message):
        event = Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
        found.append(str(event["URL"]))
    return found


def invite(message):
    return Calendar.from_ical(calendar_parts(message)[0].get_content()).walk("VEVENT")[0]


def test_a_bokmal_municipality_on_rogalands_nynorsk_page_gets_bokmal_mail_from_rogaland(
        app, client, smtp, deliver, rogaland, finnmark):
    # Haugesund has chosen Bokmål: the Nynorsk page's registration is answered in Bokmål (språklova § 15).
    register(client, "/rogaland/samlinger/vest/pamelding", municipality="1106", email="kari@haugesund.kommune.no")
    deliver()
    [message] = smtp.to("kari@haugesund.kommune.no")
    assert message["Subject"] == "Påmeldingen er bekreftet: Samling i vest"
    assert "Plassen din er bekreftet" in text_part(message)
    assert parseaddr(message["From"]) == (ROGALAND_SENDER, "samlinger@samlinger.test")
    assert message["Reply-To"] == ROGALAND_REPLY_TO
    assert text_part(message).rstrip().endswith("Statsforvalteren i Rogaland"), "signed in the mail's standard"
    found = links(message)
    assert any("/pamelding/" in link for link in found), "the manage link is there"
    assert found and all(link.startswith("http://samlinger.test/nb/rogaland/") for link in found), found
    event = invite(message)
    assert str(event["ORGANIZER"]) == f"mailto:{ROGALAND_REPLY_TO}"
    assert event["ORGANIZER"].params["CN"] == "Statsforvalteren i Rogaland"
    assert str(event["URL"]) == "http://samlinger.test/nb/rogaland/samlinger/vest"
    # The link opens the registration in Rogaland's section, in Bokmål.
    manage = next(link for link in found if "/pamelding/" in link).removeprefix("http://samlinger.test")
    page = client.get(manage)
    assert page.status_code == 200
    assert "Samling i vest" in page.get_data(as_text=True)


def test_a_nynorsk_municipality_gets_nynorsk_mail_with_rogalands_own_addresses(
        app, client, smtp, deliver, rogaland):
    # Klepp has chosen Nynorsk: the Bokmål page's registration is answered in Nynorsk, at /rogaland/… (its default).
    register(client, "/nb/rogaland/samlinger/vest/pamelding", municipality="1120", email="ola@klepp.kommune.no")
    deliver()
    [message] = smtp.to("ola@klepp.kommune.no")
    assert "Samling i vest (nn)" in message["Subject"]
    assert parseaddr(message["From"])[0] == ROGALAND_SENDER
    assert message["Reply-To"] == ROGALAND_REPLY_TO
    assert text_part(message).rstrip().endswith("Statsforvaltaren i Rogaland")
    found = links(message)
    assert found and all(link.startswith("http://samlinger.test/rogaland/") for link in found), found
    assert invite(message)["ORGANIZER"].params["CN"] == "Statsforvaltaren i Rogaland"


def test_the_first_office_writes_in_its_own_name_with_its_segment_and_old_links_still_work(
        app, client, smtp, deliver, rogaland, finnmark):
    # Without a segment the address is the first office's, as it always was.
    register(client, "/samlinger/nord/pamelding", municipality="5601", email="kari@alta.kommune.no")
    deliver()
    [message] = smtp.to("kari@alta.kommune.no")
    assert parseaddr(message["From"]) == ("Statsforvalteren i Finnmark", "samlinger@samlinger.test")
    assert message["Reply-To"] == "arrangor@statsforvalteren.test"
    assert text_part(message).rstrip().endswith("Statsforvalteren i Finnmark")
    found = links(message)
    assert found and all(link.startswith("http://samlinger.test/finnmark/") for link in found), found
    event = invite(message)
    assert str(event["ORGANIZER"]) == "mailto:arrangor@statsforvalteren.test"
    assert event["ORGANIZER"].params["CN"] == "Statsforvalteren i Finnmark"
    manage = next(link for link in found if "/pamelding/" in link).removeprefix("http://samlinger.test")
    assert client.get(manage).status_code == 200
    # The same link as it was mailed before there were two offices: still the registration's page.
    assert client.get(manage.removeprefix("/finnmark")).status_code == 200
    # And never another office's.
    assert client.get("/rogaland" + manage.removeprefix("/finnmark")).status_code == 404


def test_an_organisers_cancellation_reaches_the_participants_in_the_offices_name(
        app, client, smtp, deliver, rogaland):
    register(client, "/rogaland/samlinger/vest/pamelding", municipality="1120", email="ola@klepp.kommune.no")
    register(client, "/rogaland/samlinger/vest/pamelding", municipality="1106", email="kari@haugesund.kommune.no")
    deliver()
    smtp.clear()
    with app.app_context():
        vest = db.session.scalar(select(Gathering.id).where(Gathering.slug == "vest"),
                                 execution_options={ALL_OFFICES: True})
    organiser = signed_in(app, rogaland, "siv@statsforvaltaren-rogaland.no")
    path = f"/rogaland/arrangor/samlinger/{vest}/avlys"
    response = organiser.post(path, data={"reason": "For få påmelde.", "csrf_token": csrf_token(organiser, path)})
    assert response.status_code == 302
    assert deliver() == 2
    for email, prefix, signature in (
            ("ola@klepp.kommune.no", "http://samlinger.test/rogaland/", "Statsforvaltaren i Rogaland"),
            ("kari@haugesund.kommune.no", "http://samlinger.test/nb/rogaland/", "Statsforvalteren i Rogaland")):
        [message] = smtp.to(email)
        assert parseaddr(message["From"])[0] == ROGALAND_SENDER
        assert message["Reply-To"] == ROGALAND_REPLY_TO
        assert text_part(message).rstrip().endswith(signature), email
        found = links(message)
        assert found and all(link.startswith(prefix) for link in found), found
        event = invite(message)
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["ORGANIZER"]) == f"mailto:{ROGALAND_REPLY_TO}"


# --- account mail: in the account's office, whoever asks and at whichever address ---------------------------

def make_account(app, office, email, **fields):
    """An account of *office* (None: a national administrator) that can sign in with factories.PASSWORD."""
    with app.app_context():
        if office is None:
            user = factories.user(email, **fields)
            user.office_id, user.is_national_admin = None, True
            db.session.commit()
        else:
            with use_office(office):
                user = factories.user(email, **fields)
        db.session.remove()


def signed_in(app, office, email, **fields):
    make_account(app, office, email, **fields)
    client = app.test_client()
    assert log_in(client, email, factories.PASSWORD).status_code == 302
    return client


def set_password_link(message) -> str:
    [link] = {link for link in links(message) if "/logg-inn/nytt-passord/" in link}
    return link


def new_user(client, path, **fields):
    data = {"name": "Siv Sandnes", "email": "siv@statsforvaltaren.no", "password_choice": "email",
            **fields}
    data["csrf_token"] = csrf_token(client, path)
    response = client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 302, html[html.find("<main"):][:3000]
    return response


def test_an_admins_new_user_is_in_the_admins_office_and_welcomed_in_its_name(app, smtp, deliver, rogaland):
    admin = signed_in(app, rogaland, "admin@statsforvaltaren-rogaland.no", role="admin")
    new_user(admin, "/rogaland/arrangor/brukere/ny", language="nn")
    with app.app_context():
        siv = db.session.scalar(select(User).where(User.email == "siv@statsforvaltaren.no"),
                                execution_options={ALL_OFFICES: True})
        assert siv.office_id == rogaland.id and not siv.is_national_admin
    deliver()
    [message] = smtp.to("siv@statsforvaltaren.no")
    assert message["Subject"] == "Kontoen din for samlingane"
    assert parseaddr(message["From"])[0] == ROGALAND_SENDER
    assert message["Reply-To"] == ROGALAND_REPLY_TO
    link = set_password_link(message)
    assert link.startswith("http://samlinger.test/rogaland/logg-inn/nytt-passord/"), link
    # The link works: Siv chooses her password in Rogaland's section, and signs in to Rogaland's workspace.
    siv = app.test_client()
    path = link.removeprefix("http://samlinger.test")
    password = "ein lang og god frase om haust"
    page = siv.post(path, data={"new_password": password, "repeat_password": password,
                                "csrf_token": csrf_token(siv, path)})
    assert page.status_code == 302, page.get_data(as_text=True)[:3000]
    assert page.headers["Location"] == "/rogaland/logg-inn"


def test_the_first_offices_admin_welcomes_in_the_first_offices_name(app, smtp, deliver, rogaland):
    admin = signed_in(app, offices_of(app).first, "admin@statsforvalteren.test", role="admin")
    new_user(admin, "/arrangor/brukere/ny", email="nils@statsforvalteren.no", language="nb")
    deliver()
    [message] = smtp.to("nils@statsforvalteren.no")
    assert parseaddr(message["From"])[0] == "Statsforvalteren i Finnmark"
    assert message["Reply-To"] == "arrangor@statsforvalteren.test"
    assert set_password_link(message).startswith("http://samlinger.test/finnmark/logg-inn/nytt-passord/")


@pytest.mark.parametrize("asked_at", ["/logg-inn/glemt-passord", "/en/rogaland/logg-inn/glemt-passord"])
def test_a_password_reset_is_written_in_the_accounts_office_wherever_it_is_asked_for(
        app, client, smtp, deliver, rogaland, asked_at):
    make_account(app, rogaland, "ola@statsforvaltaren-rogaland.no")
    make_account(app, offices_of(app).first, "kari@statsforvalteren.test")
    for email in ("ola@statsforvaltaren-rogaland.no", "kari@statsforvalteren.test"):
        response = client.post(asked_at, data={"email": email, "csrf_token": csrf_token(client, asked_at)})
        assert response.status_code == 302
    assert deliver() == 2
    [ola] = smtp.to("ola@statsforvaltaren-rogaland.no")
    assert parseaddr(ola["From"])[0] == ROGALAND_SENDER
    assert ola["Reply-To"] == ROGALAND_REPLY_TO
    assert set_password_link(ola).startswith("http://samlinger.test/nb/rogaland/logg-inn/nytt-passord/")
    assert "Finnmark" not in text_part(ola)
    [kari] = smtp.to("kari@statsforvalteren.test")
    assert parseaddr(kari["From"])[0] == "Statsforvalteren i Finnmark"
    assert kari["Reply-To"] == "arrangor@statsforvalteren.test"
    assert set_password_link(kari).startswith("http://samlinger.test/finnmark/logg-inn/nytt-passord/")


def test_a_national_administrators_reset_is_in_the_first_offices_name(app, client, smtp, deliver, rogaland):
    make_account(app, None, "nasjonal@statsforvalteren.test")
    path = "/rogaland/logg-inn/glemt-passord"
    assert client.post(path, data={"email": "nasjonal@statsforvalteren.test",
                                   "csrf_token": csrf_token(client, path)}).status_code == 302
    assert deliver() == 1
    [message] = smtp.to("nasjonal@statsforvalteren.test")
    assert parseaddr(message["From"])[0] == "Statsforvalteren i Finnmark"
    link = set_password_link(message)
    assert link.startswith("http://samlinger.test/finnmark/logg-inn/nytt-passord/")
    assert client.get(link.removeprefix("http://samlinger.test")).status_code == 200


# --- the office's name and contact address on its pages ---------------------------------------------------

FINNMARK_CONTACT = "post@statsforvalteren-finnmark.test"


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">'):]


def header(html: str) -> str:
    return html[html.index('<header class="site-header">'):html.index("</header>")]


def test_each_offices_public_pages_name_it_and_give_its_contact_address(app, client, rogaland, finnmark):
    for path in ("/rogaland/", "/rogaland/samlinger/vest", "/nb/rogaland/personvern", "/rogaland/tilgjengelighet"):
        html = client.get(path).get_data(as_text=True)
        assert "Rogaland" in header(html), path
        assert f'href="mailto:{ROGALAND_CONTACT}"' in footer(html), path
        assert FINNMARK_CONTACT not in html and "Finnmark" not in html, path
    privacy = client.get("/nb/rogaland/personvern").get_data(as_text=True)
    assert f'Kontakt <a href="mailto:{ROGALAND_CONTACT}">' in privacy
    for path in ("/finnmark/", "/samlinger/nord", "/personvern", "/tilgjengelighet"):
        html = client.get(path).get_data(as_text=True)
        assert "Statsforvalteren i Finnmark" in header(html) + footer(html), path
        assert f'href="mailto:{FINNMARK_CONTACT}"' in footer(html), path
        assert ROGALAND_CONTACT not in html and "Rogaland" not in html, path
    # The list of offices is no office's page: headed with the kind of office, and no office in its footer.
    national = client.get("/").get_data(as_text=True)
    assert '<span class="office">Statsforvalteren</span>' in header(national)
    assert "mailto:" not in footer(national)
    assert '<span class="office">Statsforvaltaren</span>' in header(client.get("/nn/").get_data(as_text=True))


def test_what_is_offered_is_the_offices_own(app, client, rogaland, finnmark):
    # The first office offers Northern Sami; Rogaland does not: neither its statement nor its form speaks of it.
    assert "Nordsamisk" in client.get("/tilgjengelighet").get_data(as_text=True)
    assert "Nordsamisk" not in client.get("/nb/rogaland/tilgjengelighet").get_data(as_text=True)
    # The language of the mails to someone an organiser adds: the office's languages.
    with app.app_context():
        vest, nord = (db.session.scalar(select(Gathering.id).where(Gathering.slug == slug),
                                        execution_options={ALL_OFFICES: True}) for slug in ("vest", "nord"))
    rogaland_organiser = signed_in(app, rogaland, "ola@statsforvaltaren-rogaland.no")
    form = rogaland_organiser.get(f"/rogaland/arrangor/samlinger/{vest}/deltakere/ny").get_data(as_text=True)
    assert language_choices(form) == ["nn", "nb", "en"]
    first_organiser = signed_in(app, offices_of(app).first, "kari@statsforvalteren.test")
    form = first_organiser.get(f"/arrangor/samlinger/{nord}/deltakere/ny").get_data(as_text=True)
    assert language_choices(form) == ["nb", "nn", "se", "en"]


def language_choices(html: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="language".*?</select>', html, re.S).group()
    return re.findall(r'<option[^>]*value="([a-z]{2})"', select_html)


def test_an_organisers_workspace_is_in_their_offices_name(app, rogaland, finnmark):
    organiser = signed_in(app, rogaland, "ola@statsforvaltaren-rogaland.no")
    response = organiser.get("/arrangor/", follow_redirects=True)
    assert response.request.url.endswith("/rogaland/arrangor/"), response.request.url
    html = response.get_data(as_text=True)
    assert '<span class="office">Statsforvalteren i Rogaland</span>' in header(html), "in Bokmål, as signed in"
    assert f'href="mailto:{ROGALAND_CONTACT}"' in footer(html)
    assert "Finnmark" not in html and FINNMARK_CONTACT not in html
    first = signed_in(app, offices_of(app).first, "kari@statsforvalteren.test")
    html = first.get("/arrangor/", follow_redirects=True).get_data(as_text=True)
    assert '<span class="office">Statsforvalteren i Finnmark</span>' in header(html)
    assert "Rogaland" not in html


def test_the_authenticator_is_labelled_with_the_accounts_office(app, rogaland):
    from samlinger.auth import secondfactor

    make_account(app, rogaland, "ola@statsforvaltaren-rogaland.no")
    with app.test_request_context("/logg-inn/ta-i-bruk"):  # the first office's address, as /logg-inn is
        user = db.session.scalar(select(User).where(User.email == "ola@statsforvaltaren-rogaland.no"))
        uri = secondfactor.provisioning_uri(user, secondfactor.new_secret())
    assert "issuer=Statsforvalteren%20i%20Rogaland" in uri


def test_the_providers_return_address_is_the_same_from_every_offices_login(app, rogaland):
    from samlinger.auth.oidc_views import redirect_uri

    with app.test_request_context("/logg-inn/kontor"):
        with use_office(rogaland):
            assert redirect_uri() == "http://samlinger.test/logg-inn/kontor/svar"
        with use_office(offices().first):
            assert redirect_uri() == "http://samlinger.test/logg-inn/kontor/svar"


# --- the users page: an admin's own office only ---------------------------------------------------------

def account_id(app, email) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email), execution_options={ALL_OFFICES: True})


def test_an_admin_sees_and_changes_only_their_own_offices_accounts(app, rogaland):
    first = offices_of(app).first
    make_account(app, first, "kari@statsforvalteren.test", name="Kari Finnmark")
    make_account(app, None, "nasjonal@statsforvalteren.test", name="Nina Nasjonal")
    make_account(app, rogaland, "ola@statsforvaltaren-rogaland.no", name="Ola Rogaland")
    admin = signed_in(app, rogaland, "admin@statsforvaltaren-rogaland.no", name="Ada Rogaland", role="admin")
    listing = admin.get("/rogaland/arrangor/brukere/").get_data(as_text=True)
    assert "Ola Rogaland" in listing and "Ada Rogaland" in listing
    assert "Kari Finnmark" not in listing and "kari@statsforvalteren.test" not in listing
    assert "Nina Nasjonal" not in listing

    token = csrf_token(admin, "/rogaland/arrangor/brukere/")
    for email in ("kari@statsforvalteren.test", "nasjonal@statsforvalteren.test"):
        other = account_id(app, email)
        for action, data in (("aktiv", {"active": "0"}), ("andre-faktor", {})):
            response = admin.post(f"/rogaland/arrangor/brukere/{other}/{action}", data={"csrf_token": token, **data})
            assert response.status_code == 404, (email, action)
            # Nor through the other office's address: the workspace is the admin's own office, whatever the address.
            response = admin.post(f"/arrangor/brukere/{other}/{action}", data={"csrf_token": token, **data})
            assert response.status_code == 404, (email, action)
    with app.app_context():
        kari = db.session.scalar(select(User).where(User.email == "kari@statsforvalteren.test"))
        assert kari.active and kari.totp_secret is not None, "untouched"
    # Their own office's account they do change.
    ola = account_id(app, "ola@statsforvaltaren-rogaland.no")
    assert admin.post(f"/rogaland/arrangor/brukere/{ola}/aktiv",
                      data={"csrf_token": token, "active": "0"}).status_code == 302
    with app.app_context():
        assert not db.session.scalar(select(User.active).where(User.id == ola), execution_options={ALL_OFFICES: True})


def test_the_first_offices_admin_does_not_see_rogalands_accounts(app, rogaland):
    make_account(app, rogaland, "ola@statsforvaltaren-rogaland.no", name="Ola Rogaland")
    admin = signed_in(app, offices_of(app).first, "admin@statsforvalteren.test", name="Ada Finnmark", role="admin")
    listing = admin.get("/arrangor/brukere/").get_data(as_text=True)
    assert "Ada Finnmark" in listing and "Ola Rogaland" not in listing
    token = csrf_token(admin, "/arrangor/brukere/")
    ola = account_id(app, "ola@statsforvaltaren-rogaland.no")
    assert admin.post(f"/arrangor/brukere/{ola}/aktiv", data={"csrf_token": token, "active": "0"}).status_code == 404
    # The admin's new account is in the admin's office.
    new_user(admin, "/arrangor/brukere/ny", email="per@statsforvalteren.no", name="Per Finnmark")
    with app.app_context():
        per = db.session.scalar(select(User).where(User.email == "per@statsforvalteren.no"),
                                execution_options={ALL_OFFICES: True})
        assert per.office_id == offices().first.id


# --- the office's login (OpenID Connect): the installation's provider ----------------------------------

PROVIDER = {"SAMLINGER_OIDC_ISSUER": "https://login.example.test/tenant/v2.0", "SAMLINGER_OIDC_CLIENT_ID": "id",
            "SAMLINGER_OIDC_CLIENT_SECRET": "secret", "SAMLINGER_OIDC_ALLOWED_DOMAINS": ("statsforvalteren.no",),
            "SAMLINGER_OIDC_GROUPS_CLAIM": "groups", "SAMLINGER_OIDC_GROUP_ROLES": "g-admin=admin, g-org=organiser"}


def test_with_several_offices_the_provider_makes_no_account_and_one_made_in_an_office_stays_there(
        app_config, request):
    from samlinger.auth import oidc
    from samlinger.offices.scope import begin_request
    from samlinger.offices.settings import OFFICE

    app_config.update(PROVIDER)
    app = request.getfixturevalue("app")
    rogaland = request.getfixturevalue("rogaland")
    make_account(app, rogaland, "ola@statsforvalteren.no")
    # The provider's answer, as if it came back at Rogaland's address: a sign-in page, every office's accounts.
    with app.test_request_context("/logg-inn/kontor/svar", method="POST", environ_overrides={OFFICE: rogaland}):
        begin_request()
        # The login page is the person's to choose: it cannot say whose they are, so no account is made in any.
        with pytest.raises(Refused) as refused:
            oidc.account_for({"sub": "astrid", "email": "astrid@statsforvalteren.no", "groups": ["g-org"]})
        assert refused.value.code == "no_account"
        taken = oidc.account_for({"sub": "ola", "email": "ola@statsforvalteren.no", "email_verified": True,
                                  "groups": ["g-admin"]})
        db.session.commit()
        assert db.session.scalar(select(User.id).where(User.email == "astrid@statsforvalteren.no"),
                                 execution_options={ALL_OFFICES: True}) is None
        assert (taken.office_id, taken.role) == (rogaland.id, "admin"), "an account made in an office stays there"


def test_feeds_and_the_api_give_each_gathering_its_offices_addresses_and_organiser(app, client, rogaland, finnmark):
    by_slug = {item["url"].rsplit("/", 1)[1]: item for item in client.get("/api/v1/gatherings").json["gatherings"]}
    assert by_slug["vest"]["url"] == "http://samlinger.test/nb/rogaland/samlinger/vest"
    assert by_slug["vest"]["ics_url"] == "http://samlinger.test/nb/rogaland/samlinger/vest.ics"
    assert by_slug["nord"]["ics_url"] == "http://samlinger.test/finnmark/samlinger/nord.ics"
    [own] = client.get("/rogaland/api/v1/gatherings").json["gatherings"]
    assert own["ics_url"] == "http://samlinger.test/rogaland/samlinger/vest.ics"
    for path, url, organiser, name in (
            ("/rogaland/samlinger.ics", "http://samlinger.test/rogaland/samlinger/vest", ROGALAND_REPLY_TO,
             "Statsforvaltaren i Rogaland"),
            ("/rogaland/samlinger/vest.ics", "http://samlinger.test/rogaland/samlinger/vest", ROGALAND_REPLY_TO,
             "Statsforvaltaren i Rogaland"),
            ("/finnmark/samlinger.ics", "http://samlinger.test/finnmark/samlinger/nord",
             "arrangor@statsforvalteren.test", "Statsforvalteren i Finnmark")):
        [event] = Calendar.from_ical(client.get(path).data).walk("VEVENT")
        assert str(event["URL"]) == url, path
        assert str(event["ORGANIZER"]) == f"mailto:{organiser}", path
        assert event["ORGANIZER"].params["CN"] == name, path
