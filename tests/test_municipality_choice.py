"""A registration names its municipality from the register, and every e-mail to the person follows the written
standard that municipality has chosen (språklova § 15): Time (nynorsk) on the Bokmål page gets Nynorsk, Eigersund
(bokmål) on the Nynorsk page gets Bokmål, Stavanger (neutral) gets the page's language."""

import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from samlinger.extensions import db
from samlinger.municipalities import importing, matching
from samlinger.municipalities.models import Municipality
from samlinger.registration import service
from samlinger.registration.models import Registration

from . import factories
from .conftest import calendar_parts, csrf_token, form_data, manage_link, text_part


@pytest.fixture
def counties(app):
    """Rogaland and Finnmark in the register, and a gathering (slug samling-1) to register for."""
    with app.app_context():
        importing.load(importing.DATA.joinpath("municipalities-rogaland.csv").read_bytes(), county="Rogaland")
        importing.load(importing.DATA.joinpath("municipalities-finnmark.csv").read_bytes(), county="Finnmark")
        factories.gathering(title="Samling i vest")


def register(client, prefix="", **overrides):
    url = f"{prefix}/samlinger/samling-1/pamelding"
    data = form_data(**{"organisation": "", **overrides})
    data["csrf_token"] = csrf_token(client, url)
    return client.post(url, data=data)


def registration(app, email="oyvind@alta.kommune.no") -> Registration:
    with app.app_context():
        found = db.session.scalar(select(Registration).where(Registration.email == email))
        db.session.expunge_all()
        return found


def municipality_of(app, email="oyvind@alta.kommune.no") -> str | None:
    with app.app_context():
        found = db.session.scalar(select(Registration).where(Registration.email == email))
        return found.municipality.number if found.municipality else None


def test_the_form_offers_the_register_grouped_by_county_and_another_organisation(client, counties):
    html = client.get("/samlinger/samling-1/pamelding").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="municipality".*?</select>', html, re.S).group()
    groups = re.findall(r'<optgroup label="([^"]+)">', select_html)
    assert groups == ["Finnmark", "Rogaland", "Ikke en kommune"]
    assert '<option selected value="">Velg kommunen din</option>' in select_html
    assert '<option value="5610">Kárášjohka-Karasjok</option>' in select_html
    assert '<option value="other">Annen virksomhet</option>' in select_html
    assert re.search(r'<label for="municipality">Kommune</label>', html)
    assert 'aria-describedby="municipality-hint"' in select_html, "the hint is read with the field"


def test_no_register_asks_for_the_organisation_as_before(app, client, make_gathering):
    make_gathering()
    html = client.get("/samlinger/samling-1/pamelding").get_data(as_text=True)
    assert 'name="municipality"' not in html
    assert register(client, organisation="Vadsø kommune").status_code == 302
    found = registration(app)
    assert (found.municipality_id, found.organisation, found.unmatched) == (None, "Vadsø kommune", True)


@pytest.mark.parametrize(("sent", "number"), [
    ({"municipality": "1121"}, "1121"),
    ({"municipality": "vadsø"}, "5607"),  # a hand-made form, matched on the server
    ({"municipality": " Vadsø kommune "}, "5607"),
    ({"municipality": "Kárášjohka-Karasjok"}, "5610"),
    ({"municipality": "other", "organisation": "Vadsø kommune"}, "5607"),  # written as the organisation
    ({"municipality": "other", "organisation": "karasjok k."}, "5610"),
    ({"municipality": "", "organisation": "5601"}, "5601"),
    ({"municipality": None, "organisation": "Alta kommune"}, "5601"),  # a client that sends no choice at all
    ({"municipality": "other", "organisation": "Helse Nord RHF"}, None),
])
def test_the_municipality_is_found_however_it_is_written(app, client, counties, sent, number):
    assert register(client, **sent).status_code == 302
    assert municipality_of(app) == number
    found = registration(app)
    assert found.unmatched is False
    assert found.organisation == ("" if number else "Helse Nord RHF")


@pytest.mark.parametrize(("sent", "message"), [
    ({"municipality": ""}, "Velg kommunen din, eller «Annen virksomhet»."),
    ({"municipality": "other"}, "Skriv navnet på virksomheten din."),
    ({"municipality": "9999"}, "Velg en kommune fra listen."),
    ({"municipality": "Vadsø og Vardø"}, "Velg en kommune fra listen."),
    ({"municipality": "<script>alert(1)</script>"}, "Velg en kommune fra listen."),
    # Written but not chosen, and not certainly a municipality: neither a municipality nor another organisation.
    ({"municipality": "", "organisation": "Vadsø helse og omsorg"},
     "Velg kommunen din, eller «Annen virksomhet»."),
    ({"municipality": None, "organisation": "Helse Nord"}, "Velg kommunen din, eller «Annen virksomhet»."),
])
def test_a_missing_or_unknown_municipality_is_a_clear_message_and_nothing_is_lost(app, client, counties, sent,
                                                                                 message):
    response = register(client, **sent)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="Øyvind Ærø-Sámi"' in html, "what was typed is kept"
    assert "<script>alert(1)</script>" not in html
    assert registration(app) is None


def test_a_merged_municipality_is_not_offered_but_stays_on_its_registrations(app, client, counties):
    assert register(client, municipality="5636").status_code == 302
    with app.app_context():
        db.session.scalar(select(Municipality).where(Municipality.number == "5636")).active = False
        db.session.commit()
    html = client.get("/samlinger/samling-1/pamelding").get_data(as_text=True)
    assert 'value="5636"' not in html
    assert register(client, municipality="5636", email="ny@nesseby.kommune.no").status_code == 422
    assert municipality_of(app) == "5636"


def mail_to(smtp, deliver, address="oyvind@alta.kommune.no"):
    deliver()
    [message] = smtp.to(address)
    return message


@pytest.mark.parametrize(("prefix", "number", "expected"), [
    ("", "1121", "nn"),  # Time, nynorsk, on the Bokmål page
    ("/nn", "1101", "nb"),  # Eigersund, bokmål, on the Nynorsk page
    ("/nn", "1103", "nn"),  # Stavanger, neutral: the page's language
    ("", "1103", "nb"),
    ("/en", "1103", "en"),
    ("/en", "1121", "nn"),  # the municipality's decision, whatever the page language
    ("/nn", "other", "nn"),  # another organisation: the page's language
])
def test_mail_and_invite_are_in_the_municipalitys_written_standard(app, client, counties, smtp, deliver, prefix,
                                                                   number, expected):
    extra = {"organisation": "Helse Vest"} if number == "other" else {}
    assert register(client, prefix, municipality=number, **extra).status_code == 302
    message = mail_to(smtp, deliver)
    confirmed = {"nb": "Plassen din er bekreftet", "nn": "Plassen din er stadfesta", "en": "Your seat is confirmed"}
    assert confirmed[expected] in text_part(message), text_part(message)[:300]
    language_path = "" if expected == "nb" else f"/{expected}"
    assert manage_link(message).startswith(f"{language_path}/pamelding/")
    [event] = Calendar.from_ical(calendar_parts(message)[0].get_content()).walk("VEVENT")
    assert str(event["URL"]) == f"http://samlinger.test{language_path}/samlinger/samling-1"


def test_a_changed_municipality_changes_the_language_of_later_mail(app, client, counties, smtp, deliver):
    register(client, municipality="1103")  # Stavanger: Bokmål, the page's language
    link = manage_link(mail_to(smtp, deliver))
    smtp.clear()
    page = client.get(link).get_data(as_text=True)
    assert "Vi skriver til deg på bokmål, språket du brukte da du meldte deg på." in page
    data = {**form_data(organisation=""), "municipality": "1121", "csrf_token": csrf_token(client, link)}
    data.pop("email"), data.pop("consent")
    assert client.post(link, data=data).status_code == 302
    page = client.get(link).get_data(as_text=True)
    assert "Vi skriver til deg på nynorsk, målformen Time kommune har valgt." in page
    assert '<option selected value="1121">Time</option>' in page
    with app.app_context():
        service.cancel(db.session.scalar(select(Registration.id)))
    assert "/nn/samlinger/samling-1" in text_part(mail_to(smtp, deliver)), "the cancellation is in Nynorsk"


def test_sami_chosen_on_the_page_is_kept_whatever_the_municipality(app):
    from samlinger.municipalities.models import mail_language
    time = Municipality(number="1121", name="Time", language_decision="nynorsk")
    assert mail_language(time, "se") == "se"
    assert mail_language(time, "nb") == "nn"
    assert mail_language(None, "en") == "en"


def test_matching_is_certain_or_nothing(ctx):
    importing.load(importing.DATA.joinpath("municipalities-finnmark.csv").read_bytes(), county="Finnmark")
    found = {text: (m.number if (m := matching.find(text)) else None) for text in (
        "Vadsø", "vadsø kommune", "VADSØ K.", "Vadsø  kommune", "5607", "kommune Vadsø", "Deatnu", "Tana kommune",
        "Deatnu-Tana", "Unjárga gielda", "Vadsø kommune, helse", "Vadsø og Vardø", "Vads", "", "kommune",
        "Kommunen i Vadso", "VADSO", "Vadsø helsesenter")}
    assert found == {"Vadsø": "5607", "vadsø kommune": "5607", "VADSØ K.": "5607", "Vadsø  kommune": "5607",
                     "5607": "5607", "kommune Vadsø": "5607", "Deatnu": "5628", "Tana kommune": "5628",
                     "Deatnu-Tana": "5628", "Unjárga gielda": "5636", "Vadsø kommune, helse": "5607",
                     "Vadsø og Vardø": None, "Vads": None, "": None, "kommune": None, "Kommunen i Vadso": "5607",
                     "VADSO": "5607", "Vadsø helsesenter": None}


def test_text_nobody_has_matched_is_not_saved_as_another_organisation(app, client, counties, smtp, deliver):
    """A registration from before the register is not quietly made "another organisation" when its owner
    saves a change: they are asked to choose, and their choice resolves it."""
    with app.app_context():
        gathering_id = db.session.scalar(select(Registration.gathering_id)) or factories.gathering().id
        old = factories.registration_row(gathering_id, email="old@vadso.kommune.no",
                                         organisation="Vadsø helse og omsorg", unmatched=True)
        link = f"/pamelding/{old.manage_token()}"
    page = client.get(link).get_data(as_text=True)
    assert '<option selected value="">Velg kommunen din</option>' in page
    assert 'value="Vadsø helse og omsorg"' in page
    data = {"name": "Kari Nordmann", "organisation": "Vadsø helse og omsorg", "phone": "+47 912 34 567",
            "municipality": "", "csrf_token": csrf_token(client, link)}
    response = client.post(link, data=data)
    assert response.status_code == 422
    assert "Velg kommunen din, eller «Annen virksomhet»." in response.get_data(as_text=True)
    assert registration(app, "old@vadso.kommune.no").unmatched is True
    assert client.post(link, data={**data, "municipality": "5607"}).status_code == 302
    found = registration(app, "old@vadso.kommune.no")
    assert (found.unmatched, municipality_of(app, "old@vadso.kommune.no")) == (False, "5607")


def test_a_language_no_longer_offered_falls_back_to_the_default(app, counties, smtp, deliver):
    """Someone who registered in Northern Sami, after the installation stopped offering it: the mail is in
    the default language, and its links open pages that exist."""
    with app.app_context():
        gathering_id = db.session.scalar(select(Registration.gathering_id)) or factories.gathering().id
        factories.registration(gathering_id, email="maret@karasjok.kommune.no", language="se")
    message = mail_to(smtp, deliver, "maret@karasjok.kommune.no")
    assert "Plassen din er bekreftet" in text_part(message)
    assert manage_link(message).startswith("/pamelding/")
