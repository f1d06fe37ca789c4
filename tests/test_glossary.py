"""The written language of /work/shared/LANGUAGE.md holds: one term per concept in Bokmål and Nynorsk, Nynorsk
with e-infinitives and its chosen forms (lenke, dersom, også, alt, gi/gir), «kl. 10.00» times, «Hei, Kari»,
plural forms for amounts that vary. The catalogues are read as they are, and real pages and e-mails are
rendered in each language."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import render_template

from samlinger.auth.notify import queue_password_link
from samlinger.auth.service import LINK_LIFETIMES
from samlinger.extensions import db
from samlinger.gatherings import service as gatherings
from samlinger.i18n import LANGUAGE

from . import factories
from .conftest import csrf_token, form_data, text_part
from .test_translations import used_messages

CATALOGUES = Path(__file__).resolve().parent.parent / "samlinger" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")

#: (pattern in the English msgid, the Bokmål stem, the Nynorsk stem): a message about the concept uses the term
TERMS = [
    (r"\bparticipant", "deltaker", "deltakar"),
    (r"\blinks?\b", "lenke", "lenk"),
    (r"\bconfirm", "bekreft", "stadfest"),
    (r"\bwaiting list", "venteliste", "ventelist"),
    (r"\borganisation\b", "virksomhet", "verksemd"),
    (r"\bpresentations?\b", "presentasjon", "presentasjon"),
    (r"\bpersonal data\b", "personopplysning", "personopplysning"),
    (r"\bgatherings?\b", "samling", "samling"),
]

#: Nynorsk infinitives in -a that are never right (the e-form is the one chosen)
A_INFINITIVES = ["følgja", "koma", "gjera", "vera", "seia", "setja", "leggja", "velja", "skriva", "finna",
                 "sjåa", "gjeva", "bera"]
#: a-verbs whose -a is also the past tense or participle ("er lasta opp"): wrong only as an infinitive
A_VERBS = ["lasta", "opna", "bruka", "endra", "sletta", "hugsa", "laga", "melda", "følgja", "koma", "visa"]
AS_INFINITIVE = r"\b(?:å|kan|kunne|skal|skulle|må|vil|ville|bør)\s+({})\b"
AS_IMPERATIVE = r"(?:^|[.;:!?]\s+)({})\s+(?:dei|det|han|ho|den|inn|opp)\b"

WRONG = {
    "nn": {
        r"\blenkj": "lenke, lenka (not lenkje)",
        r"\bviss\b": "dersom (not viss)",
        r"\bòg\b": "også (not òg)",
        r"\bgje\b|\bgjev\b": "gi, gir (not gje, gjev)",
        r"\ballereie\b": "alt (not allereie)",
        r"personopplysing": "personopplysningar",
        r"(?:^|[.;:!?]\s+)Om (?:du|ho|han|dei|det)\b": "Dersom (not Om) for 'if'",
        r"\bdeltaker": "deltakar (not the Bokmål deltaker)",
        r"\bbekreft": "stadfest… (not bekreft…)",
        r"\bpåmeldt\b": "påmeld (not påmeldt)",
        r"\bsemester": "runde; vår/haust (not semester)",
        r"Tilgjengeerkl|tilgjengeverk": "tilgjengelegheit…",
        r"\bfår melding\b|\bfått melding\b": "får beskjed (a notice is beskjed)",
        r"\borganisasjonen din\b": "verksemda di",
        r"\b\d{1,2}:\d{2}\b": "times as 10.00 (not 10:00)",
        AS_INFINITIVE.format("|".join(A_VERBS)): "e-infinitives (laste, opne, følgje, kome)",
        AS_IMPERATIVE.format("|".join(A_VERBS)): "e-forms as imperative too (opne dei, not opna dei)",
        r"\b({})\b".format("|".join(A_INFINITIVES)): "e-infinitives (følgje, kome, vere, gjere …)",
    },
    "nb": {
        r"\bstadfest": "bekreft… (not the Nynorsk stadfest…)",
        r"\bdeltager|\bdeltakar": "deltaker",
        r"\bpåmeld\b": "påmeldt",
        r"\blenkj": "lenke",
        r"\bsemester": "runde; vår/høst (not semester)",
        r"\borganisasjonen din\b": "virksomheten din",
        r"\b\d{1,2}:\d{2}\b": "times as 10.00 (not 10:00)",
    },
}

#: amounts that vary, named by these words, take ngettext
COUNTED = re.compile(r"%\(\w+\)d (?:minute|hour|day|week|month|year)s?\b")


def load(language: str):
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=language)


def strings(entry) -> list[str]:
    return list(entry.string) if isinstance(entry.string, tuple) else [entry.string]


def english(entry) -> str:
    return " ".join(entry.id) if isinstance(entry.id, tuple) else entry.id


def entries(catalogue):
    return [entry for entry in catalogue if entry.id]


# --- the catalogues ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["nb", "nn"])
def test_no_wrong_forms_in_the_norwegian_catalogues(language):
    problems = [f"{rule}: {english(e)[:60]!r} -> {s!r}"
                for e in entries(load(language)) for s in strings(e)
                for pattern, rule in WRONG[language].items() if re.search(pattern, s, re.IGNORECASE)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_each_concept_has_its_one_term(language):
    column = 1 if language == "nb" else 2
    problems = []
    for entry in entries(load(language)):
        source = PLACEHOLDER.sub("", english(entry))
        for term in TERMS:
            if re.search(term[0], source, re.IGNORECASE):
                problems += [f"{term[column]}: {english(entry)[:60]!r} -> {s!r}"
                             for s in strings(entry) if term[column] not in s.lower()]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_greeting_times_and_the_office_are_written_as_the_glossary_says(language):
    catalogue = load(language)
    assert catalogue.get("Hello %(name)s,").string == "Hei, %(name)s"
    assert catalogue.get("%(day)s, %(start)s–%(end)s").string == "%(day)s kl. %(start)s–%(end)s"
    assert catalogue.get("%(day)s %(time)s").string == "%(day)s kl. %(time)s"
    assert "kl. %(start)s" in catalogue.get("%(start_day)s %(start)s to %(end_day)s %(end)s").string
    # The count column and the date column read differently: påmeldte people, a date they registered.
    plural, date = {"nb": ("Påmeldte", "Påmeldt"), "nn": ("Påmelde", "Påmeld")}[language]
    assert catalogue.get("Registered", context="count").string == plural
    assert catalogue.get("Registered").string == catalogue.get("Registered at").string == date
    expected = {"nb": "Tilgjengelighetserklæring", "nn": "Tilgjengelegheitserklæring"}[language]
    assert catalogue.get("Accessibility statement").string == expected


@pytest.fixture(scope="module")
def messages():
    """Every message the code and templates use, as `make extract-messages` finds them."""
    return used_messages()


def test_amounts_of_time_that_vary_take_a_plural_form(messages):
    problems = [f"{msgid!r} ({where})" for msgid, plural, where in messages.values()
                if plural is None and COUNTED.search(msgid)]
    assert not problems, "use ngettext for:\n" + "\n".join(problems)


def test_english_msgids_are_british_and_plain(messages):
    wrong = {r"\bpercent\b": "per cent", r"\borganiz": "organis…", r"\bprogram\b": "programme",
             r"\bcenter\b": "centre", r"Can you not": "Can't", r"Back to log in": "Back to the login page",
             r"\bsupervises that\b": "checks that", r"^You find\b": "You can find"}
    problems = [f"{rule}: {msgid!r} ({where})" for msgid, plural, where in messages.values()
                for pattern, rule in wrong.items() if re.search(pattern, f"{msgid} {plural or ''}")]
    assert not problems, "\n".join(problems)


# --- what people read --------------------------------------------------------------------------------------

def at(code: str, path: str) -> str:
    return path if code == "nb" else f"/{code}{path}"


RANGE = {"nb": "kl. 10.00–15.30", "nn": "kl. 10.00–15.30", "en": "10:00–15:30"}
CLOCK_WITH_COLON = re.compile(r"\b\d{1,2}:\d{2}\b")


def visible(html: str) -> str:
    """The text of a page without tags, scripts and styles, as a reader gets it."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_page_shows_the_time_of_day_in_the_languages_way(client, make_gathering, language):
    make_gathering()
    text = visible(client.get(at(language, "/samlinger/samling-1")).get_data(as_text=True))
    assert RANGE[language] in text
    if language != "en":
        assert not CLOCK_WITH_COLON.search(text), CLOCK_WITH_COLON.findall(text)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_an_email_shows_the_time_and_the_greeting_in_the_languages_way(client, make_gathering, smtp, deliver,
                                                                       language):
    make_gathering()
    url = at(language, "/samlinger/samling-1/pamelding")
    data = form_data(email="ingrid@volda.kommune.no", name="Ingrid Ås")
    assert client.post(url, data={**data, "csrf_token": csrf_token(client, url)}).status_code == 302
    deliver()
    [message] = smtp.to("ingrid@volda.kommune.no")
    text = text_part(message)
    html = message.get_body(("html",)).get_content()
    greeting = {"nb": "Hei, Ingrid Ås", "nn": "Hei, Ingrid Ås", "en": "Hello Ingrid Ås,"}[language]
    assert text.startswith(greeting + "\r\n") or text.startswith(greeting + "\n")
    assert f"<p>{greeting}</p>" in html
    for body in (text, visible(html)):
        assert RANGE[language] in body
        if language != "en":
            assert not CLOCK_WITH_COLON.search(body), CLOCK_WITH_COLON.findall(body)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_organiser_pages_write_times_with_kl(app, organiser_client, make_gathering, language):
    gathering_id = make_gathering()
    with app.app_context():
        factories.registration(gathering_id)
    text = visible(organiser_client.get(at(language, f"/arrangor/samlinger/{gathering_id}/deltakere"))
                   .get_data(as_text=True))
    assert re.search(r"\d\d\.\d\d\.\d{4} kl\. \d\d\.\d\d", text), "the registered column: 03.02.2027 kl. 14.05"
    assert not CLOCK_WITH_COLON.search(text), CLOCK_WITH_COLON.findall(text)


@pytest.mark.parametrize(("language", "one", "many"), [
    ("nb", "1 måned etter", "12 måneder etter"), ("nn", "1 månad etter", "12 månader etter"),
    ("en", "1 month after", "12 months after")])
def test_the_retention_period_takes_the_plural_form_it_needs(app, client, language, one, many):
    assert many in visible(client.get(at(language, "/personvern")).get_data(as_text=True))
    with app.test_request_context(environ_overrides={LANGUAGE: language}):  # the page is kept: render anew
        assert one in visible(render_template("pages/privacy.html", months=1))


@pytest.mark.parametrize(("language", "validity", "button"), [
    ("nb", "Lenken virker i sju dager og bare én gang.", "Velg passord"),
    ("nn", "Lenka verkar i sju dagar og berre éin gong.", "Vel passord"),
    ("en", "The link works for seven days and only once.", "Choose a password")])
def test_the_welcome_email_says_how_long_its_link_really_works(app, smtp, deliver, language, validity, button):
    assert LINK_LIFETIMES["welcome"] == timedelta(days=7).total_seconds(), "the welcome e-mail says seven days"
    with app.app_context():
        user = factories.user("siv@statsforvalteren.test", name="Siv")
        user.language = language
        queue_password_link(user, "welcome")
        db.session.commit()
    deliver()
    [message] = smtp.to("siv@statsforvalteren.test")
    text, html = text_part(message), message.get_body(("html",)).get_content()
    assert validity in text and validity in html
    assert f">{button}</a>" in html
    assert "168" not in text and "bedt om" not in text and "bede om" not in text and "ask for" not in text


@pytest.mark.parametrize(("language", "validity"), [
    ("nb", "Lenken virker i 2 timer og bare én gang."), ("nn", "Lenka verkar i 2 timar og berre éin gong."),
    ("en", "The link works for 2 hours and only once.")])
def test_the_reset_email_counts_its_hours(app, smtp, deliver, language, validity):
    assert LINK_LIFETIMES["reset"] == 2 * 3600
    with app.app_context():
        user = factories.user("bo@statsforvalteren.test", name="Bo")
        user.language = language
        queue_password_link(user, "reset")
        db.session.commit()
    deliver()
    assert validity in text_part(smtp.to("bo@statsforvalteren.test")[0])


@pytest.mark.parametrize(("language", "removed", "label"), [
    ("nb", "Samlingen er avlyst og fjernet fra kalenderen din.", "Begrunnelse: For få påmeldte."),
    ("nn", "Samlinga er avlyst og fjerna frå kalenderen din.", "Grunngiving: For få påmeldte."),
    ("en", "The gathering is cancelled, and it is removed from your calendar.", "Reason: For få påmeldte.")])
def test_the_cancelled_gathering_email_labels_the_reason_and_tells_only_the_confirmed_of_their_calendar(
        app, make_gathering, smtp, deliver, language, removed, label):
    gathering_id = make_gathering(capacity=1)
    with app.app_context():
        kari = factories.registration(gathering_id, email="kari@alta.kommune.no", language=language)
        per = factories.registration(gathering_id, email="per@alta.kommune.no", language=language)
        assert (kari.status, per.status) == ("confirmed", "waitlisted")
        gatherings.cancel_gathering(gathering_id, "For få påmeldte.")
    smtp.clear()
    deliver()
    confirmed = text_part(smtp.to("kari@alta.kommune.no")[-1])
    waitlisted = text_part(smtp.to("per@alta.kommune.no")[-1])
    assert removed in confirmed and label in confirmed
    assert removed not in waitlisted and label in waitlisted
    assert {"nb": "Samlingen er avlyst.", "nn": "Samlinga er avlyst.",
            "en": "The gathering is cancelled."}[language] in waitlisted
