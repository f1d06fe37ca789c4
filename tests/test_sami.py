"""Northern Sami (se) for the participant's path: offered where the installation says (SAMLINGER_LANGUAGES),
never in the workspace; a catalogue that covers every participant message (a draft, and says so); Bokmål for
anything it leaves out; and the Sami letters á č đ ŋ š ŧ ž kept in pages, mails, headers, invites and exports,
and sorted as Sami and Norwegian readers sort them."""

import csv
import io
import re
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from babel import support
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select

from samlinger import config as settings
from samlinger import create_app, i18n
from samlinger.collation import sort_key, sorted_by_name
from samlinger.documents.notify import notify_documents_ready
from samlinger.extensions import db
from samlinger.formatting import date_long
from samlinger.mail.models import OutboundEmail
from samlinger.mail.worker import content_of
from samlinger.municipalities.models import Municipality
from samlinger.registration import lists, notify
from samlinger.registration.models import Registration

from . import factories
from .conftest import calendar_parts, csrf_token, form_data, log_in_as, text_part
from .participant_sources import PARTICIPANT_PARTS, PARTICIPANT_SOURCES

ROOT = Path(__file__).resolve().parent.parent
SE_PO = ROOT / "samlinger" / "translations" / "se" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
WITH_SAMI = ("nb", "nn", "se", "en")

# A Karasjok participant, with every Northern Sami letter in what she types.
NAME, ORGANISATION, NEEDS = "Máret Šárá Ŋuolla", "Kárášjoga gielda", "Čáhci, đ, ŧ, ž"
TITLE = "Ođđa čoakkalmas Kárášjogas: áčđŋšŧž"


@pytest.fixture
def sami(app_config):
    app_config["SAMLINGER_LANGUAGES"] = WITH_SAMI


def html_language(html: str) -> str:
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def sami_form(**overrides) -> dict:
    return form_data(**{"name": NAME, "email": "maret@karasjok.kommune.no", "organisation": ORGANISATION,
                        "role": "Prošeaktajođiheaddji", "needs": NEEDS, **overrides})


def register_at(client, url: str, **overrides):
    data = sami_form(**overrides)
    data["csrf_token"] = csrf_token(client, url)
    return client.post(url, data=data)


def se_link(message) -> str:
    match = re.search(r"http://samlinger\.test(/se/pamelding/[A-Za-z0-9_-]+)", text_part(message))
    assert match, "no Sami manage link in the message"
    return match.group(1)


# --- settings -------------------------------------------------------------------------------------

def test_the_setting_is_a_comma_list_in_switcher_order(monkeypatch):
    monkeypatch.setenv("SAMLINGER_LANGUAGES", " nb, NN ,se,en ")
    assert settings.from_environment("/tmp")["SAMLINGER_LANGUAGES"] == ("nb", "nn", "se", "en")
    monkeypatch.delenv("SAMLINGER_LANGUAGES")
    assert settings.from_environment("/tmp")["SAMLINGER_LANGUAGES"] == ("nb", "nn", "en")


@pytest.mark.parametrize(("languages", "default", "says"), [
    ("nb,se,en", "nb", "both Bokmål (nb) and Nynorsk (nn)"),
    ("nn,se", "nn", "both Bokmål (nb) and Nynorsk (nn)"),
    ("nb,nn,de", "nb", "once each"),
    ("nb,nn,nb", "nb", "once each"),
    ("nb,nn", "en", "SAMLINGER_DEFAULT_LANGUAGE"),
    ("nb,nn,se", "se", "SAMLINGER_DEFAULT_LANGUAGE"),  # the workspace falls back to the default: never se
])
def test_settings_the_site_cannot_serve_stop_the_start(app_config, languages, default, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        create_app({**app_config, "SAMLINGER_LANGUAGES": languages, "SAMLINGER_DEFAULT_LANGUAGE": default})


def test_without_sami_there_is_no_sami_address(client):
    assert client.get("/se/").status_code == 404
    assert html_language(client.get("/se/personvern").get_data(as_text=True)) == "nb"  # an ordinary path
    assert client.get("/sprak/se").status_code == 404
    html = client.get("/").get_data(as_text=True)
    assert "Davvisámegiella" not in html and 'hreflang="se"' not in html


def test_with_sami_every_public_page_has_a_sami_version(sami, client, make_gathering):
    make_gathering(title=TITLE)
    for path in ("/", "/samlinger/samling-1", "/samlinger/samling-1/pamelding", "/personvern", "/tilgjengelighet",
                 "/samlinger/samling-1/ny-lenke"):
        html = client.get("/se" + path).get_data(as_text=True)
        assert html_language(html) == "se", path
        assert f'<link rel="alternate" hreflang="se" href="http://samlinger.test/se{path}">' in html
        assert f'<a href="/se{path}" lang="se" hreflang="se" aria-current="true">Davvisámegiella</a>' in html
    # The switcher keeps the installation's order.
    html = client.get("/").get_data(as_text=True)
    assert [m for m in re.findall(r'lang="(\w\w)" hreflang', html)] == list(WITH_SAMI)
    assert "Dieđit iežat" in client.get("/se/samlinger/samling-1").get_data(as_text=True)


def test_the_workspace_is_never_in_sami(sami, app, client):
    """A workspace or login address under /se/ opens the same page in the default language; its switcher has
    no Sami; account e-mails can only be in nb, nn or en. A participant's e-mails may be in Sami."""
    response = client.get("/se/logg-inn?next=/arrangor/")
    assert response.status_code == 302 and response.headers["Location"] == "/logg-inn?next=/arrangor/"
    assert client.post("/se/logg-inn").status_code == 307
    log_in_as(app, client)
    response = client.get("/se/arrangor/")
    assert response.status_code == 302 and response.headers["Location"] == "/arrangor/"
    assert client.get("/nn/arrangor/").status_code == 200
    html = client.get("/arrangor/").get_data(as_text=True)
    assert 'hreflang="nn"' in html and 'hreflang="se"' not in html and "Davvisámegiella" not in html
    with app.test_request_context("/arrangor/"):
        from samlinger.auth.forms import NewUserForm
        from samlinger.registration.forms import RegistrationAddForm

        assert [c[0] for c in NewUserForm(meta={"csrf": False}).language.iter_choices()] == ["nb", "nn", "en"]
        assert "se" in [c[0] for c in RegistrationAddForm(meta={"csrf": False}).language.iter_choices()]


# --- the catalogue --------------------------------------------------------------------------------

def participant_messages() -> dict:
    found = {}
    for source in PARTICIPANT_SOURCES + PARTICIPANT_PARTS:
        method = "python" if source.endswith(".py") else "jinja2"
        for lineno, message, _comments, context in extract_from_file(method, ROOT / source, keywords=KEYWORDS):
            singular = message if isinstance(message, str) else message[0]
            found.setdefault((context, singular), f"{source}:{lineno}")
    return found


def test_the_sami_catalogue_translates_every_participant_message():
    with open(SE_PO, "rb") as f:
        catalogue = read_po(f, locale="se")
    messages = participant_messages()
    assert len(messages) > 150, "the participant's path has fewer messages than expected: are the sources right?"
    problems = []
    for (context, msgid), where in sorted(messages.items(), key=str):
        entry = catalogue.get(msgid, context=context)
        strings = entry.string if entry and isinstance(entry.string, tuple) else (entry.string if entry else "",)
        if entry is None or entry.fuzzy or not all(strings):
            problems.append(f"untranslated: {msgid!r} ({where})")
            continue
        expected = set(PLACEHOLDER.findall(str(entry.id)))
        if any(set(PLACEHOLDER.findall(string)) != expected for string in strings):
            problems.append(f"placeholders differ: {msgid!r}")
    assert not problems, "translate into Northern Sami (se):\n" + "\n".join(problems)


def test_the_sami_catalogue_says_it_is_a_draft():
    text = SE_PO.read_text(encoding="utf-8")
    assert text.startswith("# Northern Sami") and "# REVIEW STATUS: DRAFT" in text
    assert '"Language: se\\n"' in text
    assert '"X-Review-Status: draft — not yet reviewed by a qualified translator\\n"' in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "draft" in readme and "qualified translator" in readme


def test_the_accessibility_statement_says_the_sami_translation_is_a_draft(sami, client):
    for prefix, words in (("", "utkast"), ("/nn", "utkast"), ("/en", "a draft"), ("/se", "evttohus")):
        html = client.get(prefix + "/tilgjengelighet").get_data(as_text=True)
        assert words in html, prefix


def test_the_statement_says_nothing_of_sami_where_it_is_not_offered(client):
    assert "Nordsamisk" not in client.get("/tilgjengelighet").get_data(as_text=True)


def test_an_untranslated_sami_message_shows_bokmal(sami, app):
    with app.test_request_context("/se/"), force_locale("se"):
        assert gettext("Log out") == "Logg ut"  # a workspace word the Sami catalogue leaves out
        assert gettext("Gatherings") == "Čoakkalmasat"
    with app.test_request_context("/en/"), force_locale("en"):
        assert gettext("Log out") == "Log out"


def test_sami_dates_put_the_month_in_the_genitive_before_the_day(sami, app):
    from datetime import date

    from samlinger.formatting import date_plain

    with app.test_request_context("/se/"), force_locale("se"):
        assert date_long(date(2027, 2, 3)) == "gaskavahkku guovvamánu 3. b. 2027"
        assert date_plain(date(2027, 1, 6)) == "ođđajagemánu 6. b. 2027"
        assert date_plain(date(2026, 12, 17)) == "juovlamánu 17. b. 2026"
        assert {date_plain(date(2027, month, 1)).split()[0] for month in range(1, 13)} == {
            "ođđajagemánu", "guovvamánu", "njukčamánu", "cuoŋománu", "miessemánu", "geassemánu", "suoidnemánu",
            "borgemánu", "čakčamánu", "golggotmánu", "skábmamánu", "juovlamánu"}
    with app.test_request_context("/"), force_locale("nb"):
        assert date_plain(date(2026, 11, 22)) == "22. november 2026"


class Leak(support.NullTranslations):
    """Stands in for the Bokmål fallback: a message the Sami catalogue lacks shows up marked."""

    def gettext(self, message):
        return f"⟦{message}⟧"

    def ngettext(self, singular, plural, n):
        return f"⟦{singular}⟧"


def test_the_whole_path_in_sami_uses_no_message_the_catalogue_lacks(sami, app, client, smtp, deliver, monkeypatch):
    """Front page to cancelling, with an error on the way, every participant e-mail: nothing falls back."""
    monkeypatch.setattr(i18n.FallbackDomain, "fallback_for", lambda self, locale: Leak())
    factories_gathering(app, capacity=1)
    pages = {}

    def page(url, expected=200, **kwargs):
        response = client.get(url, **kwargs)
        assert response.status_code == expected, url
        pages[url] = response.get_data(as_text=True)
        return pages[url]

    page("/se/")
    page("/se/samlinger/samling-1")
    page("/se/personvern")
    page("/se/tilgjengelighet")
    page("/se/finnes-ikke", 404)
    page("/se/samlinger/samling-1/ny-lenke")
    url = "/se/samlinger/samling-1/pamelding"
    response = register_at(client, url, name="", email="ikke-en-adresse", consent=None, phone="12ab")
    assert response.status_code == 422
    pages["error"] = response.get_data(as_text=True)
    assert "Čále iežat nama." in pages["error"]
    assert register_at(client, url).status_code == 302
    page("/se/samlinger/samling-1/kvittering")
    register_at(client, url, email="ande@karasjok.kommune.no", name="Ánde Čoavddá")  # the waiting list
    deliver()
    link = se_link(smtp.to("maret@karasjok.kommune.no")[0])
    page(link)
    data = sami_form(needs="Gáffe")
    data["csrf_token"] = csrf_token(client, link)
    assert client.post(link, data=data).status_code == 302
    page(link)
    page(link + "/avmeld")
    client.post(link + "/avmeld", data={"csrf_token": csrf_token(client, link + "/avmeld")})
    page(link)
    for url, html in pages.items():
        assert html_language(html) == "se", url
        assert "⟦" not in html, f"{url}: {re.findall(r'⟦[^⟧]*⟧', html)}"

    # Every participant e-mail, written in Sami.
    with app.app_context():
        registration = db.session.scalar(select(Registration).filter_by(email_normalized="ande@karasjok.kommune.no"))
        notify.notify_updated(registration)
        notify.notify_reminder(registration)
        notify.notify_new_link(registration)
        notify.notify_manage_link(registration)
        notify_documents_ready(registration, batch="b1", link=True)
        notify.notify_gathering_cancelled(registration, "Dálki")
        notify.notify_cancelled(registration, was_confirmed=True, by_organiser=True)
        db.session.commit()
        kinds = set()
        for message in db.session.scalars(select(OutboundEmail)):
            assert message.language == "se"
            written = content_of(message)
            kinds.add(message.kind)
            for part in (written.subject, written.text_body, written.html_body):
                assert "⟦" not in part, f"{message.kind}: {re.findall(r'⟦[^⟧]*⟧', part)}"
    assert kinds >= {"confirmation", "waitlisted", "promoted", "cancelled", "updated", "reminder", "new_link",
                     "manage_link", "documents_ready", "gathering_cancelled"}


def factories_gathering(app, **fields) -> int:
    with app.app_context():
        return factories.gathering(title=TITLE, venue="Sámi allaskuvla", address="Kárášjohka", **fields).id


# --- the letters survive ----------------------------------------------------------------------------

def test_sami_letters_survive_mail_headers_bodies_and_the_invite(sami, app, client, smtp, deliver):
    from samlinger.offices.models import Office

    with app.app_context():
        db.session.scalar(db.select(Office)).name_se = "Stáhtahálddašeaddji Finnmárkkus"
        db.session.commit()
    factories_gathering(app)
    assert register_at(client, "/se/samlinger/samling-1/pamelding").status_code == 302
    assert deliver() == 1
    [message] = smtp.to("maret@karasjok.kommune.no")
    raw = message.as_bytes()
    # Subject and From go over the wire encoded (RFC 2047) and decode back to the Sami letters.
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0].lower() or b"=?utf-8?" in raw.split(b"\n\n", 1)[0].lower()
    assert message["Subject"] == f"Dieđiheapmi duođaštuvvon: {TITLE}"
    assert str(make_header(decode_header(message_from_bytes(raw, policy=policy.compat32)["Subject"]))) == \
        f"Dieđiheapmi duođaštuvvon: {TITLE}"
    assert message["From"].addresses[0].display_name == "Stáhtahálddašeaddji Finnmárkkus"
    assert message["To"].addresses[0].addr_spec == "maret@karasjok.kommune.no"
    body = text_part(message)
    assert f"Buorre beaivi, {NAME}" in body and TITLE in body and "Dearvvuođaiguin" in body
    assert "Stáhtahálddašeaddji Finnmárkkus" in body
    assert NAME in message.get_body(("html",)).get_content()
    invite = calendar_parts(message)[0]
    event = Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == TITLE and "Kárášjohka" in str(event["LOCATION"])
    assert event["ATTENDEE"].params["CN"] == NAME
    assert event["ORGANIZER"].params["CN"] == "Stáhtahálddašeaddji Finnmárkkus"
    # The public calendar file and feed too.
    for path in ("/se/samlinger/samling-1.ics", "/se/samlinger.ics"):
        assert str(Calendar.from_ical(client.get(path).data).walk("VEVENT")[0]["SUMMARY"]) == TITLE


def test_sami_letters_survive_exports_and_the_printable_list(sami, app, client, organiser_client):
    gathering_id = factories_gathering(app)
    assert register_at(client, "/se/samlinger/samling-1/pamelding").status_code == 302
    base = f"/arrangor/samlinger/{gathering_id}"
    csv_file = organiser_client.get(f"{base}/deltakere.csv")
    assert csv_file.status_code == 200 and csv_file.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(csv_file.data.decode("utf-8-sig")), delimiter=";"))
    flat = [cell for row in rows for cell in row]
    assert {NAME, ORGANISATION, NEEDS, "se"} <= set(flat), flat
    with app.app_context():
        from samlinger.gatherings.models import Gathering

        round_id = db.session.get(Gathering, gathering_id).round_id
    round_file = organiser_client.get(f"/arrangor/runder/{round_id}/deltakere.csv").data.decode("utf-8-sig")
    assert TITLE in round_file and NAME in round_file
    xlsx = organiser_client.get(f"{base}/deltakere.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).active
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert NAME in cells and ORGANISATION in cells and NEEDS in cells
    for page in (f"{base}/deltakerliste", f"{base}/innsjekk", f"{base}/deltakere"):
        html = organiser_client.get(page).get_data(as_text=True)
        assert NAME in html, page
        assert html_language(html) == "nb"


# --- order --------------------------------------------------------------------------------------------

def test_names_sort_in_sami_and_norwegian_order():
    names = ["Åse", "Zakariassen", "Øystein", "ærlig", "Čáhcesuolu", "Cecilie", "Dávvet", "Đuolla", "Dora",
             "Ánde", "anna", "Ŋuolla", "Nils", "Oda", "Šárá", "Sara", "Tor", "Ŧeađa", "Ulla", "Žanna", "Zoe",
             "Émile", "Eva", "Ärm"]
    assert sorted(names, key=sort_key) == [
        "anna", "Ánde", "Cecilie", "Čáhcesuolu", "Dávvet", "Dora", "Đuolla", "Émile", "Eva", "Nils", "Ŋuolla",
        "Oda", "Sara", "Šárá", "Tor", "Ŧeađa", "Ulla", "Zakariassen", "Zoe", "Žanna", "ærlig", "Ärm", "Øystein",
        "Åse"]
    # Case does not order names; it only breaks a tie.
    assert sorted(["ola", "Ola", "Nils", "OLA", "nils"], key=sort_key) == ["nils", "Nils", "ola", "Ola", "OLA"]
    assert sort_key("Máret") == sort_key("Máret".encode().decode())  # NFC and NFD alike
    assert sort_key("Ma\u0301ret") == sort_key("Máret")
    assert sorted_by_name([{"n": "Åse"}, {"n": "Zoe"}], lambda item: item["n"]) == [{"n": "Zoe"}, {"n": "Åse"}]


def test_lists_by_name_are_in_sami_and_norwegian_order(sami, app, client, organiser_client):
    gathering_id = factories_gathering(app)
    people = [("Åse Aas", "Åfjord kommune"), ("Zakariassen", "Vardø kommune"), ("Čáhppes Niillas", "Čorgaš"),
              ("Dávvet", "Deatnu"), ("Đuolla", "Kárášjohka")]
    with app.app_context():
        for n, (name, organisation) in enumerate(people):
            factories.registration(gathering_id, email=f"p{n}@example.no", name=name, organisation=organisation,
                                   language="se")
        expected = ["Čáhppes Niillas", "Dávvet", "Đuolla", "Zakariassen", "Åse Aas"]
        assert [r.name for r in lists.checkin_list(gathering_id)] == expected
        assert [e[0] for e in lists.organisation_counts(gathering_id)] == [
            "Čorgaš", "Deatnu", "Kárášjohka", "Vardø kommune", "Åfjord kommune"]
        db.session.add_all([Municipality(number="5610", name="Kárášjohka", county="Finnmark"),
                            Municipality(number="5636", name="Unjárga", county="Finnmark"),
                            Municipality(number="5605", name="Sør-Varanger", county="Finnmark"),
                            Municipality(number="5601", name="Alta", county="Finnmark"),
                            Municipality(number="5603", name="Hammerfest", county="Finnmark")])
        db.session.commit()
        from samlinger.municipalities import service

        assert [m.name for m in service.register()] == ["Alta", "Hammerfest", "Kárášjohka", "Sør-Varanger",
                                                        "Unjárga"]
    # End to end: the printable list shows them in that order.
    html = organiser_client.get(f"/arrangor/samlinger/{gathering_id}/deltakerliste").get_data(as_text=True)
    positions = [html.index(name) for name in expected]
    assert positions == sorted(positions)
