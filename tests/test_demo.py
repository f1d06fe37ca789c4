"""`seed-demo` makes both offices of the seeds, as `make run` shows them: Statsforvalteren i Finnmark (the first
office, from the settings `make run` gives it) and Statsforvaltaren i Rogaland at /rogaland/ (Nynorsk by default),
each with its register, rounds, gatherings, organiser and admin; safe to run again, and it adds Rogaland to an
installation that has only Finnmark's demo. A Bokmål municipality of Rogaland registering on the Nynorsk page
gets its mail in Bokmål, in the Rogaland office's name."""

import re

import pytest
from sqlalchemy import func, select

from samlinger import demo
from samlinger.auth.models import User
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering, Round
from samlinger.municipalities.models import Municipality
from samlinger.offices.models import Office
from samlinger.offices.registry import offices
from samlinger.offices.scope import use_office
from samlinger.registration.models import Registration

from .conftest import csrf_token, form_data, log_in, text_part

#: what `make run` sets: the first office is Finnmark's, at /finnmark/ once there are several
FINNMARK = {"SAMLINGER_OFFICE_NAME": "Statsforvalteren i Finnmark", "SAMLINGER_OFFICE_SLUG": "finnmark",
            "SAMLINGER_OFFICE_NAMES": {"nn": "Statsforvaltaren i Finnmark", "en": "The County Governor of Finnmark",
                                       "se": "Stáhtahálddašeaddji Finnmárkkus"},
            "SAMLINGER_LANGUAGES": ("nb", "nn", "se", "en")}
#: this round's five, six past rounds of two, the past gathering with documents among them, one cancelled
FINNMARK_GATHERINGS = 5 + 2 * demo.HISTORY_TERMS + 1
#: this round's three, and the past round's two
ROGALAND_GATHERINGS = 3 + 2


@pytest.fixture
def app_config(app_config):
    return app_config | FINNMARK


def counts(office) -> dict:
    with use_office(office):
        return {
            "gatherings": db.session.scalar(select(func.count()).select_from(Gathering)),
            "rounds": db.session.scalar(select(func.count()).select_from(Round)),
            "registrations": db.session.scalar(select(func.count()).select_from(Registration)),
            "municipalities": db.session.scalar(select(func.count()).select_from(Municipality)),
            "accounts": sorted(db.session.scalars(select(User.email))),
        }


def seed(runner, *args) -> str:
    result = runner.invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_both_offices_with_their_own_register_rounds_gatherings_and_accounts_and_again_adds_nothing(app, runner):
    output = seed(runner)
    with app.app_context():
        known = offices()
        assert [o.slug for o in known.all] == ["finnmark", "rogaland"]
        finnmark, rogaland = known.all
        assert (rogaland.name, rogaland.names, rogaland.default_language, rogaland.languages) == (
            "Statsforvalteren i Rogaland",
            {"nn": "Statsforvaltaren i Rogaland", "en": "The County Governor of Rogaland"}, "nn", ("nn", "nb", "en"))
        first = {office.slug: counts(office) for office in known.all}
        assert first["finnmark"]["gatherings"] == FINNMARK_GATHERINGS
        assert first["finnmark"]["rounds"] == 1 + demo.HISTORY_TERMS
        assert first["rogaland"]["gatherings"] == ROGALAND_GATHERINGS and first["rogaland"]["rounds"] == 2
        assert first["finnmark"]["municipalities"] == 18 and first["rogaland"]["municipalities"] == 23
        assert first["rogaland"]["registrations"] >= 20, "the past round has attendance for the reach page"
        assert first["finnmark"]["accounts"] == ["admin@finnmark.example.no", "arrangor@finnmark.example.no"]
        assert first["rogaland"]["accounts"] == ["admin@rogaland.example.no", "arrangor@rogaland.example.no"]
        with use_office(rogaland):
            decisions = dict(db.session.execute(select(Municipality.name, Municipality.language_decision)).all())
            assert (decisions["Haugesund"], decisions["Klepp"], decisions["Stavanger"]) == (
                "bokmal", "nynorsk", "neutral")
            assert {m.county for m in db.session.scalars(select(Municipality))} == {"Rogaland"}
            # Every registration in Rogaland's gatherings names a Rogaland municipality or another organisation.
            reached = set(db.session.scalars(select(Municipality.number).join(
                Registration, Registration.municipality_id == Municipality.id)))
            assert reached and all(number.startswith("11") for number in reached)
            assert all(g.title_nn for g in db.session.scalars(select(Gathering))), "written in Nynorsk"
    # Each office's organiser and admin, with their passwords, printed for `make run`.
    for line in ("arrangor@finnmark.example.no  password: nordlys over varangerfjorden",
                 "admin@rogaland.example.no  password: lyng og fjell ved lysefjorden",
                 "http://samlinger.test/rogaland/", "http://samlinger.test/finnmark/"):
        assert line in output, output

    again = seed(runner)
    assert "admin@rogaland.example.no" in again
    with app.app_context():
        assert {office.slug: counts(office) for office in offices().all} == first
        assert db.session.scalar(select(func.count()).select_from(Office)) == 2


def test_the_demo_is_added_to_an_installation_with_the_first_offices_demo_only(app, runner):
    """The upgrade path: an installation that ran seed-demo before there were offices (or with --one-office)
    gets Rogaland, and the first office's rows stay as they were."""
    seed(runner, "--one-office")
    with app.app_context():
        assert len(offices().all) == 1
        before = counts(offices().first)
        assert before["gatherings"] == FINNMARK_GATHERINGS
    seed(runner)
    with app.app_context():
        finnmark, rogaland = offices().all
        assert counts(finnmark) == before
        assert counts(rogaland)["gatherings"] == ROGALAND_GATHERINGS


def test_no_demo_accounts_outside_debug_mode(app, runner):
    app.config["TESTING"] = False  # as on a server: a known password is for one's own machine only
    output = seed(runner, "--one-office")
    assert "password" not in output and "create-user" in output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_list_of_offices_and_each_office_in_its_own_standard(app, runner, client):
    seed(runner)
    with app.app_context(), use_office(offices().by_slug("rogaland")):
        year, term = db.session.execute(select(Round.year, Round.term).order_by(Round.year.desc(),
                                                                                 Round.term)).first()
    words_nn, words_nb = demo.TERM_WORDS_NN[term], demo.TERM_WORDS[term]

    home = client.get("/").get_data(as_text=True)
    assert 'href="/finnmark/"' in home and "Statsforvalteren i Finnmark" in home
    # Rogaland in the reader's Bokmål, at /nb/rogaland/
    assert 'href="/nb/rogaland/"' in home and "Statsforvalteren i Rogaland" in home

    nynorsk = client.get("/rogaland/").get_data(as_text=True)
    assert '<html lang="nn"' in nynorsk
    assert f"Samling i Stavanger {words_nn} {year}" in nynorsk and "Statsforvaltaren i Rogaland" in nynorsk
    assert "Samling i øst" not in nynorsk and "Samling i aust" not in nynorsk, "Finnmark's gatherings are not here"

    bokmal = client.get("/nb/rogaland/").get_data(as_text=True)
    assert '<html lang="nb"' in bokmal
    assert f"Samling i Stavanger {words_nb} {year}" in bokmal and "Statsforvalteren i Rogaland" in bokmal

    finnmark = client.get("/finnmark/").get_data(as_text=True)
    assert '<html lang="nb"' in finnmark and "Samling i øst" in finnmark and "Stavanger" not in finnmark
    # An address without an office is the first office's, as before there were several.
    assert client.get("/samlinger.ics").status_code == 200
    assert "Stavanger" not in client.get("/samlinger.ics").get_data(as_text=True)
    assert "Stavanger" in client.get("/rogaland/samlinger.ics").get_data(as_text=True)
    api = client.get("/api/v1/gatherings").get_json()
    assert {g["office"]["slug"] for g in api["gatherings"]} == {"finnmark", "rogaland"}


def register_in_rogaland(app, client, page: str, number: str, email: str):
    with app.app_context(), use_office(offices().by_slug("rogaland")):
        slug = db.session.scalar(select(Gathering.slug).where(Gathering.slug.like("rogaland-%-stavanger"))
                                 .order_by(Gathering.starts_at.desc()))
    url = f"{page}/samlinger/{slug}/pamelding"
    form = client.get(url).get_data(as_text=True)
    assert f'<option value="{number}">' in form and '<option value="5601">' not in form, "Rogaland's register only"
    data = form_data(email=email, organisation="", municipality=number)
    data["csrf_token"] = csrf_token(client, url)
    assert client.post(url, data=data).status_code == 302
    return slug


def test_a_bokmal_municipality_gets_bokmal_mail_from_the_nynorsk_page_in_rogalands_name(app, runner, client,
                                                                                        smtp, deliver):
    seed(runner)
    slug = register_in_rogaland(app, client, "/rogaland", "1106", "kari@haugesund.kommune.no")  # Haugesund
    assert deliver() >= 1
    [message] = smtp.to("kari@haugesund.kommune.no")
    body = text_part(message)
    assert "Plassen din er bekreftet" in body, body[:300]
    assert message["From"].addresses[0].display_name == "Statsforvalteren i Rogaland"
    assert message["Reply-To"] == "arrangor@rogaland.example.no"
    # Its links open in Bokmål, in Rogaland's section.
    assert re.search(r"http://samlinger\.test/nb/rogaland/pamelding/[A-Za-z0-9_-]+", body), body
    assert f"http://samlinger.test/nb/rogaland/samlinger/{slug}" in body or "/nb/rogaland/" in body


def test_a_nynorsk_municipality_gets_nynorsk_mail_from_the_bokmal_page(app, runner, client, smtp, deliver):
    seed(runner)
    register_in_rogaland(app, client, "/nb/rogaland", "1120", "ola@klepp.kommune.no")  # Klepp
    assert deliver() >= 1
    [message] = smtp.to("ola@klepp.kommune.no")
    body = text_part(message)
    assert "Plassen din er stadfesta" in body, body[:300]
    assert message["From"].addresses[0].display_name == "Statsforvaltaren i Rogaland"
    assert re.search(r"http://samlinger\.test/rogaland/pamelding/[A-Za-z0-9_-]+", body), body


def test_each_offices_demo_organiser_sees_their_own_office(app, runner, client):
    seed(runner)
    # The first sign-in sets up the second factor (log_in does it as a person with an app would).
    log_in(client, "arrangor@rogaland.example.no", "lyng og fjell ved lysefjorden")
    response = client.get("/rogaland/arrangor/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Stavanger" in page and "Samling i øst" not in page and "Samling i aust" not in page
    # The workspace's address without an office (where the login sends everyone), or another office's, is the
    # same page in their own office (in the language of the address they opened).
    assert client.get("/arrangor/").headers["Location"] == "/nb/rogaland/arrangor/"
    assert client.get("/nn/finnmark/arrangor/").headers["Location"] == "/rogaland/arrangor/"


def test_each_offices_contact_and_languages_on_its_own_pages(app, runner, client):
    seed(runner)
    rogaland = client.get("/rogaland/personvern").get_data(as_text=True)
    assert "postmottak@rogaland.example.no" in rogaland and app.config["SAMLINGER_CONTACT_EMAIL"] not in rogaland
    finnmark = client.get("/finnmark/personvern").get_data(as_text=True)
    assert app.config["SAMLINGER_CONTACT_EMAIL"] in finnmark and "rogaland" not in finnmark
    # Finnmark offers Northern Sami and its accessibility statement says how far; Rogaland offers none.
    assert "Northern Sami" in client.get("/en/finnmark/tilgjengelighet").get_data(as_text=True)
    assert "Northern Sami" not in client.get("/en/rogaland/tilgjengelighet").get_data(as_text=True)
    assert client.get("/se/rogaland/").status_code == 404
