"""The office speaks its own language: its name per language, organiser texts in Bokmål and Nynorsk with
fallback to the other standard, on every page, feed and e-mail, and the default written standard at `/`."""

import copy
import json
import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from samlinger.documents.models import Document
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering, Round
from samlinger.texts import office_names_from, pick

from . import factories
from .conftest import calendar_parts, text_part
from .test_rounds import gathering_data, post

FINNMARK = {"SAMLINGER_OFFICE_NAME": "Statsforvalteren i Finnmark",
            "SAMLINGER_OFFICE_NAMES": {"nn": "Statsforvaltaren i Finnmark", "en": "The County Governor of Finnmark"}}


def at(language: str, path: str) -> str:
    return path if language == "nb" else f"/{language}{path}"


@pytest.fixture
def app_config(app_config, request):
    """The office's names set; a test parametrised indirectly gives the default language."""
    app_config.update(copy.deepcopy(FINNMARK))
    if getattr(request, "param", None):
        app_config["SAMLINGER_DEFAULT_LANGUAGE"] = request.param
    return app_config


@pytest.fixture
def both(app):
    """A round and a gathering written in both standards, with a document in both; returns the slug."""
    with app.app_context():
        round_ = factories.round_(title="Samlinger våren 2027", title_nn="Samlingar våren 2027",
                                  intro="Velkommen til **bokmål**.", intro_nn="Velkomen til **nynorsk**.")
        gathering = factories.gathering(
            round=round_, slug="begge", title="Samling i øst", title_nn="Samling i aust",
            description="Beskrivelse på bokmål.", description_nn="Skildring på nynorsk.",
            programme="Program på bokmål.", programme_nn="Program på nynorsk.")
        db.session.add(Document(gathering=gathering, title="Presentasjonen", title_nn="Presentasjonen vår",
                                url="https://example.no/p.pdf", position=0))
        db.session.commit()
    return "begge"


def test_pick_is_the_readers_standard_else_the_other():
    assert pick("bokmål", "nynorsk", "nn") == "nynorsk"
    assert pick("bokmål", "nynorsk", "nb") == "bokmål"
    assert pick("bokmål", "nynorsk", "en") == "bokmål"
    assert pick("bokmål", "nynorsk", "se") == "bokmål"
    assert pick("bokmål", "", "nn") == "bokmål"
    assert pick("", "nynorsk", "nb") == "nynorsk"
    assert pick("", "nynorsk", "en") == "nynorsk"
    assert pick("", "", "nn") == ""


def test_office_names_from_the_environment():
    assert office_names_from({}) == ("Statsforvalteren",
                                     {"nn": "Statsforvaltaren", "en": "The County Governor"})
    # An installation that names itself: a language without its own name gets the Bokmål one.
    assert office_names_from({"SAMLINGER_OFFICE_NAME": "Statsforvalteren i Finnmark"}) == (
        "Statsforvalteren i Finnmark", {})
    assert office_names_from({"SAMLINGER_OFFICE_NAME": "Statsforvalteren i Finnmark",
                              "SAMLINGER_OFFICE_NAME_NN": "Statsforvaltaren i Finnmark",
                              "SAMLINGER_OFFICE_NAME_SE": "Stáhtahálddahus Finnmárkkus",
                              "SAMLINGER_OFFICE_NAME_EN": " "}) == (
        "Statsforvalteren i Finnmark", {"nn": "Statsforvaltaren i Finnmark", "se": "Stáhtahálddahus Finnmárkkus"})
    # The old name of the setting still works, and the new one wins over it.
    assert office_names_from({"SAMLINGER_ORGANISER_NAME": "Statsforvalteren i Rogaland"})[0] == \
        "Statsforvalteren i Rogaland"
    assert office_names_from({"SAMLINGER_ORGANISER_NAME": "Gammel", "SAMLINGER_OFFICE_NAME": "Ny"})[0] == "Ny"


def test_the_office_name_is_in_each_languages_page_header(client):
    for language, name in (("nb", "Statsforvalteren i Finnmark"), ("nn", "Statsforvaltaren i Finnmark"),
                           ("en", "The County Governor of Finnmark")):
        html = client.get(at(language, "/")).get_data(as_text=True)
        assert f'<span class="office">{name}</span>' in html, language


@pytest.mark.parametrize("language, title, round_title, intro, description, programme, document", [
    ("nb", "Samling i øst", "Samlinger våren 2027", "Velkommen til <strong>bokmål", "Beskrivelse på bokmål",
     "Program på bokmål", "Presentasjonen<"),
    ("nn", "Samling i aust", "Samlingar våren 2027", "Velkomen til <strong>nynorsk", "Skildring på nynorsk",
     "Program på nynorsk", "Presentasjonen vår<"),
    ("en", "Samling i øst", "Samlinger våren 2027", "Velkommen til <strong>bokmål", "Beskrivelse på bokmål",
     "Program på bokmål", "Presentasjonen<"),
])
def test_each_reader_sees_their_own_standard(client, both, language, title, round_title, intro, description,
                                            programme, document):
    front = client.get(at(language, "/")).get_data(as_text=True)
    assert f">{title}</a>" in front and f">{round_title}</h2>" in front and intro in front
    page = client.get(at(language, f"/samlinger/{both}")).get_data(as_text=True)
    # Norwegian text on an English page says which language it is in, for screen readers (WCAG 3.1.2).
    lang = ' lang="nb"' if language == "en" else ""
    assert f"<h1{lang}>{title}</h1>" in page and f"{lang}>{round_title}</p>" in page
    assert description in page and programme in page and document in page
    assert f'<div{lang}><p>{description}' in page
    other = {"Samling i øst", "Samling i aust"} - {title}
    assert f">{other.pop()}</h1>" not in page


def test_a_text_written_in_one_standard_shows_to_readers_of_the_other(app, client):
    with app.app_context():
        factories.gathering(slug="bare-nynorsk", title="", title_nn="Berre nynorsk", description="",
                            description_nn="Skildringa.")
        factories.gathering(slug="bare-bokmal", title="Bare bokmål", description="Beskrivelsen.")
    for language in ("nb", "nn", "en"):
        # The text shown in the other standard carries its own lang, for screen readers (WCAG 3.1.2).
        html = client.get(at(language, "/samlinger/bare-nynorsk")).get_data(as_text=True)
        lang = "" if language == "nn" else ' lang="nn"'
        assert f"<h1{lang}>Berre nynorsk</h1>" in html and f"<div{lang}><p>Skildringa." in html, language
        html = client.get(at(language, "/samlinger/bare-bokmal")).get_data(as_text=True)
        lang = "" if language == "nb" else ' lang="nb"'
        assert f"<h1{lang}>Bare bokmål</h1>" in html and f"<div{lang}><p>Beskrivelsen." in html, language


def test_the_api_carries_the_paths_language(client, both):
    for language, title, round_title in (("nb", "Samling i øst", "Samlinger våren 2027"),
                                         ("nn", "Samling i aust", "Samlingar våren 2027"),
                                         ("en", "Samling i øst", "Samlinger våren 2027")):
        body = json.loads(client.get(at(language, "/api/v1/gatherings")).get_data())
        assert body["language"] == language
        assert [(g["title"], g["round"]) for g in body["gatherings"]] == [(title, round_title)], language


def _events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def test_calendar_files_carry_the_readers_language(client, both):
    for language, title, office in (("nb", "Samling i øst", "Statsforvalteren i Finnmark"),
                                    ("nn", "Samling i aust", "Statsforvaltaren i Finnmark"),
                                    ("en", "Samling i øst", "The County Governor of Finnmark")):
        for path in ("/samlinger.ics", f"/samlinger/{both}.ics"):
            [event] = _events(client.get(at(language, path)).data)
            assert str(event["SUMMARY"]) == title, (language, path)
            assert event["ORGANIZER"].params["CN"] == office, (language, path)
            assert str(event["DESCRIPTION"]).startswith(title)


@pytest.mark.parametrize("language, title, office", [
    ("nn", "Samling i aust", "Statsforvaltaren i Finnmark"),
    ("nb", "Samling i øst", "Statsforvalteren i Finnmark"),
    ("en", "Samling i øst", "The County Governor of Finnmark"),
])
def test_mail_and_invite_are_in_the_recipients_language(app, smtp, deliver, both, language, title, office):
    with app.app_context():
        gathering_id = db.session.scalar(select(Gathering.id).where(Gathering.slug == both))
        factories.registration(gathering_id, language=language)
    deliver()
    [message] = smtp.to("kari@alta.kommune.no")
    assert title in message["Subject"]
    body = text_part(message)
    assert title in body and body.rstrip().endswith(office)
    assert office in message.get_body(("html",)).get_content()
    assert message["From"].addresses[0].display_name == office
    assert message["From"].addresses[0].addr_spec == "samlinger@samlinger.test"
    [invite] = {Calendar.from_ical(part.get_content()).walk("VEVENT")[0]["SUMMARY"]: part
                for part in calendar_parts(message)}.values()
    event = Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == title
    assert event["ORGANIZER"].params["CN"] == office


def test_a_from_name_that_is_not_ascii_is_encoded(app, smtp, deliver, both):
    from samlinger.offices.models import Office

    with app.app_context():
        db.session.scalar(select(Office)).name_nn = "Statsforvaltaren i Møre og Romsdal"
        db.session.commit()
        gathering_id = db.session.scalar(select(Gathering.id).where(Gathering.slug == both))
        factories.registration(gathering_id, language="nn")
    deliver()
    [message] = smtp.to("kari@alta.kommune.no")
    raw = message.as_bytes()
    from_line = re.search(rb"^From: (.*)$", raw, re.MULTILINE).group(1)
    assert b"=?utf-8?" in from_line.lower() and "Møre".encode() not in from_line
    assert message["From"].addresses[0].display_name == "Statsforvaltaren i Møre og Romsdal"


def test_the_workspace_marks_texts_without_a_translation(app, organiser_client, both):
    with app.app_context():
        factories.gathering(slug="uten", title="Uten oversettelse", description="Bare bokmål.")
        factories.gathering(slug="berre", title="", title_nn="Berre nynorsk")
        round_ = db.session.scalar(select(Round))
        round_.intro_nn = ""
        gathering_id = db.session.scalar(select(Gathering.id).where(Gathering.slug == "uten"))
        db.session.add(Document(gathering_id=gathering_id, title="Bare bokmål-tittel", url="https://example.no/x",
                                position=0))
        db.session.commit()
        round_id = round_.id
    for page in ("/arrangor/runder/", f"/arrangor/runder/{round_id}"):
        html = organiser_client.get(page).get_data(as_text=True)
        row = re.search(r"<tr>\s*<th scope=\"row\"><a[^>]*>Uten oversettelse</a>(.*?)</th>", html, re.S).group(1)
        assert "Mangler på nynorsk: tittel, beskrivelse" in row, page
        row = re.search(r"<tr>\s*<th scope=\"row\"><a[^>]*>Berre nynorsk</a>(.*?)</th>", html, re.S).group(1)
        assert "Mangler på bokmål: tittel" in row, page
        row = re.search(r"<tr>\s*<th scope=\"row\"><a[^>]*>Samling i øst</a>(.*?)</th>", html, re.S).group(1)
        assert "Mangler" not in row, page  # written in both
        assert "Mangler på nynorsk: innledning" in html, page  # the round's intro
    nn = organiser_client.get(f"/nn/arrangor/runder/{round_id}").get_data(as_text=True)
    assert "Manglar på nynorsk: tittel, skildring" in nn
    documents = organiser_client.get(f"/arrangor/samlinger/{gathering_id}/presentasjoner").get_data(as_text=True)
    assert "Mangler på nynorsk: tittel" in documents


def test_organisers_write_both_standards_and_at_least_one_title(app, client, organiser_client):
    with app.app_context():
        round_id = factories.round_().id
    url = f"/arrangor/runder/{round_id}/samlinger/ny"
    neither = post(organiser_client, url, **gathering_data(title="", title_nn=""))
    assert neither.status_code == 422
    assert "Skriv inn en tittel på bokmål eller nynorsk, eller begge." in neither.get_data(as_text=True)
    only_nn = post(organiser_client, url, **gathering_data(title="", title_nn="Samling i aust hausten 2027",
                                                           description="", description_nn="Om prosjektarbeid."))
    assert only_nn.status_code == 302
    with app.app_context():
        gathering = db.session.scalar(select(Gathering).where(Gathering.title_nn == "Samling i aust hausten 2027"))
        assert (gathering.slug, gathering.title, gathering.description) == ("samling-i-aust-hausten-2027", "", "")
        assert gathering.description_nn == "Om prosjektarbeid."
        gathering.status = "published"
        db.session.commit()
        gathering_id = gathering.id
    edit = f"/arrangor/samlinger/{gathering_id}/endre"
    assert 'value="Samling i aust hausten 2027"' in organiser_client.get(edit).get_data(as_text=True)
    assert "Om prosjektarbeid." in client.get("/nn/samlinger/samling-i-aust-hausten-2027").get_data(as_text=True)
    saved = post(organiser_client, edit, **gathering_data(title="Samling i øst høsten 2027",
                                                          slug="samling-i-aust-hausten-2027",
                                                          title_nn="Samling i aust hausten 2027",
                                                          description_nn="Ny skildring."))
    assert saved.status_code == 302
    # The kept Nynorsk page is built again after the Nynorsk text changed.
    page = client.get("/nn/samlinger/samling-i-aust-hausten-2027").get_data(as_text=True)
    assert "Ny skildring." in page and "<h1>Samling i aust hausten 2027</h1>" in page
    assert "<h1>Samling i øst høsten 2027</h1>" in client.get("/samlinger/samling-i-aust-hausten-2027").get_data(
        as_text=True)


def test_a_title_in_either_standard_is_one_line(app, organiser_client):
    """A title reaches mail bodies and calendar files: no line break in either standard."""
    with app.app_context():
        round_id = factories.round_().id
    url = f"/arrangor/runder/{round_id}/samlinger/ny"
    for field in ("title", "title_nn", "venue"):
        response = post(organiser_client, url, **gathering_data(**{field: "Samling\r\nX-Injected: 1"}))
        assert response.status_code == 422, field
        assert "Teksten inneholder tegn som ikke er tillatt." in response.get_data(as_text=True)


def test_a_round_in_nynorsk_only(app, organiser_client):
    missing = post(organiser_client, "/arrangor/runder/ny", year="2028", term="autumn", title="", title_nn="")
    assert missing.status_code == 422
    made = post(organiser_client, "/arrangor/runder/ny", year="2028", term="autumn", title="",
                title_nn="Samlingar hausten 2028", intro_nn="Velkomen.")
    assert made.status_code == 302
    with app.app_context():
        round_ = db.session.scalar(select(Round).where(Round.year == 2028))
        assert (round_.title, round_.title_nn, round_.intro_nn) == ("", "Samlingar hausten 2028", "Velkomen.")
        assert round_.text("title", "nb") == "Samlingar hausten 2028"


def test_documents_get_a_title_in_either_standard(app, organiser_client, client, both):
    with app.app_context():
        gathering_id = db.session.scalar(select(Gathering.id).where(Gathering.slug == both))
    url = f"/arrangor/samlinger/{gathering_id}/presentasjoner"
    link = f"{url}/lenke"

    def add(**data):
        data["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                                       organiser_client.get(url).get_data(as_text=True)).group(1)
        return organiser_client.post(link, data=data)

    assert add(**{"link-title": "", "link-title_nn": "", "link-url": "https://example.no/a"}).status_code == 422
    assert add(**{"link-title": "", "link-title_nn": "Berre nynorsk-lenke",
                  "link-url": "https://example.no/b"}).status_code == 302
    assert "Berre nynorsk-lenke" in client.get(f"/samlinger/{both}").get_data(as_text=True)


def test_copy_to_next_round_keeps_both_standards(app, organiser_client, both):
    with app.app_context():
        round_id = db.session.scalar(select(Round.id))
    copied = post(organiser_client, f"/arrangor/runder/{round_id}/kopier")
    assert copied.status_code == 302
    with app.app_context():
        copy = db.session.scalar(select(Round).where(Round.term == "autumn"))
        assert (copy.title, copy.title_nn) == ("Samlinger høsten 2027", "Samlingar hausten 2027")
        [gathering] = copy.gatherings
        assert (gathering.title_nn, gathering.description_nn) == ("Samling i aust", "Skildring på nynorsk.")


@pytest.mark.parametrize("app_config", ["nn"], indirect=True)
def test_a_nynorsk_installation_is_nynorsk_at_the_root(client, both):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nn">' in html
    assert "<h1>Samlingar i prosjektnettverket</h1>" in html
    assert ">Samlingar våren 2027</h2>" in html and ">Samling i aust</a>" in html
    assert '<span class="office">Statsforvaltaren i Finnmark</span>' in html
    bokmal = client.get("/nb/").get_data(as_text=True)
    assert '<html lang="nb">' in bokmal and ">Samling i øst</a>" in bokmal
