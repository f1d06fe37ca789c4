"""The language is in the address (/nn/…, /en/…, the default language at /); a registration keeps the
language of the page it was made on, and every later e-mail to the person is written in it, dates and
links included."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.registration import service
from samlinger.registration.models import Registration
from samlinger.registration.notify import notify_updated
from samlinger.timeutil import oslo_today

from .conftest import csrf_token, form_data, log_in_as, manage_link, text_part, totp_code

CATALOGUES = Path(__file__).resolve().parent.parent / "samlinger" / "translations"
BASE = "http://samlinger.test"  # SAMLINGER_BASE_URL in the tests


def at(code: str, path: str = "/") -> str:
    """*path* in a language: the default language (nb) at the root, the others below /nn, /en."""
    return path if code == "nb" else f"/{code}{path}"


def choose(client, code: str, next_url: str = "/"):
    """The old switcher link, kept working."""
    return client.get(f"/sprak/{code}", query_string={"next": next_url})


def page_language(client, url="/", **headers) -> str:
    html = client.get(url, headers=headers).get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(("path", "expected"), [
    ("/", "nb"), ("/nn/", "nn"), ("/nn", "nn"), ("/en/", "en"), ("/en/personvern", "en"), ("/personvern", "nb"),
    ("/nn/finnes-ikke", "nn"), ("/en/samlinger/finnes-ikke", "en"),
])
def test_the_path_gives_the_page_language(client, path, expected):
    assert page_language(client, path) == expected


@pytest.mark.parametrize("header", ["nn-NO,nn;q=0.9,en;q=0.5", "en-GB,en;q=0.8", "de-DE", ""])
def test_the_browser_languages_do_not_change_a_page(client, header):
    """/ is the default language for everyone (the switcher is on every page); a link shared in Nynorsk
    opens in Nynorsk, whatever the browser prefers."""
    assert page_language(client, "/", **{"Accept-Language": header}) == "nb"
    assert page_language(client, "/nn/personvern", **{"Accept-Language": header}) == "nn"
    html = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert '<a href="/nn/" lang="nn" hreflang="nn">Nynorsk</a>' in html


def test_the_old_switcher_link_opens_the_page_in_that_language_and_remembers_nothing(client):
    response = choose(client, "nn", "/personvern?x=1")
    assert response.status_code == 302 and response.headers["Location"] == "/nn/personvern?x=1"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="nn">' in html and "Personvernerklæring" in html and "Kva vi lagrar" in html
    assert choose(client, "en", "/nn/personvern").headers["Location"] == "/en/personvern"
    assert choose(client, "nb", "/en/personvern").headers["Location"] == "/personvern"
    # Nothing is remembered: the page at / stays in the default language, and no cookie is set.
    assert "Set-Cookie" not in response.headers
    assert page_language(client, "/personvern") == "nb"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)",
                                    "/nn//evil.example"])
def test_the_switcher_only_returns_to_this_site(client, target):
    assert choose(client, "nn", target).headers["Location"] == "/nn/"


def test_the_switcher_refuses_unknown_languages(client):
    assert choose(client, "de").status_code == 404


@pytest.mark.parametrize(("method", "status"), [("get", 301), ("head", 301), ("post", 308)])
def test_the_default_language_has_one_address(client, method, status):
    """/nb/x is /x: a permanent redirect, with the query string; a POST keeps its method (308)."""
    response = getattr(client, method)("/nb/personvern?x=1")
    assert response.status_code == status and response.headers["Location"] == "/personvern?x=1"
    assert client.get("/nb/").headers["Location"] == "/"
    assert client.get("/nb").headers["Location"] == "/"


@pytest.fixture
def nynorsk_by_default(app_config):
    app_config["SAMLINGER_DEFAULT_LANGUAGE"] = "nn"


def test_another_default_language_moves_bokmal_below_nb(nynorsk_by_default, client):
    assert page_language(client, "/") == "nn" and page_language(client, "/nb/") == "nb"
    response = client.get("/nn/personvern")
    assert response.status_code == 301 and response.headers["Location"] == "/personvern"
    html = client.get("/nb/personvern").get_data(as_text=True)
    assert f'<link rel="alternate" hreflang="x-default" href="{BASE}/personvern">' in html
    assert f'<link rel="alternate" hreflang="nb" href="{BASE}/nb/personvern">' in html
    assert choose(client, "nn", "/nb/personvern").headers["Location"] == "/personvern"


def test_an_unknown_default_language_stops_the_start(app_config):
    from samlinger import create_app

    with pytest.raises(ValueError, match="SAMLINGER_DEFAULT_LANGUAGE"):
        create_app({**app_config, "SAMLINGER_DEFAULT_LANGUAGE": "de"})


def test_accessibility_statement_in_each_language(client):
    expected = {"nb": "Tilgjengelighetserklæring", "nn": "Tilgjengelegheitserklæring", "en": "Accessibility statement"}
    for code, title in expected.items():
        html = client.get(at(code, "/tilgjengelighet")).get_data(as_text=True)
        assert f"<h1>{title}</h1>" in html
        assert "uutilsynet.no" in html and "(WCAG) 2.1" in html
        assert f'href="{at(code, "/tilgjengelighet")}">{title}</a>' in client.get(at(code)).get_data(as_text=True)


def _a_tuesday() -> tuple:
    day = (oslo_today() + timedelta(days=40))
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day


def register_in(client, code: str, email: str):
    url = at(code, "/samlinger/samling-1/pamelding")
    data = form_data(email=email)
    data["csrf_token"] = csrf_token(client, url)
    assert client.post(url, data=data).status_code == 302


def test_nynorsk_registration_gets_every_email_in_nynorsk(app, client, make_gathering, smtp, deliver):
    day = _a_tuesday()
    make_gathering(title="Samling i vest", day=day)
    register_in(client, "nn", "ingrid@volda.kommune.no")
    deliver()
    [confirmation] = smtp.to("ingrid@volda.kommune.no")
    assert confirmation["Subject"] == "Påmeldinga er stadfesta: Samling i vest"
    body = text_part(confirmation)
    assert "Plassen din er stadfesta" in body and "Sjå eller endre påmeldinga, eller meld deg av" in body
    assert f"tysdag {day.day}. " in body and "kl. 10.00–15.30" in body  # Nynorsk weekday, kl. and 24-hour times
    assert "tirsdag" not in body

    # Every link in the mail opens in Nynorsk.
    links = re.findall(r"http://samlinger\.test\S*", body)
    assert links and all(link.startswith(f"{BASE}/nn/") for link in links), links
    assert f"{BASE}/nn/samlinger/samling-1" in body

    # The person now reads the site in English; e-mails to them stay in Nynorsk.
    with app.app_context():
        registration = db.session.query(Registration).filter_by(email="ingrid@volda.kommune.no").one()
        assert registration.language == "nn"
        notify_updated(registration)
        db.session.commit()
    link = manage_link(confirmation)
    assert link.startswith("/nn/pamelding/")
    link = "/en" + link.removeprefix("/nn")
    client.post(f"{link}/avmeld", data={"csrf_token": csrf_token(client, f"{link}/avmeld")})
    deliver()
    subjects = [m["Subject"] for m in smtp.to("ingrid@volda.kommune.no")]
    assert subjects == ["Påmeldinga er stadfesta: Samling i vest", "Endra tid eller stad: Samling i vest",
                        "Du er meld av: Samling i vest"]
    updated, cancelled = smtp.to("ingrid@volda.kommune.no")[1:]
    assert "Tid eller stad for samlinga er endra" in text_part(updated)
    assert "Dersom samlinga låg i kalenderen din" in text_part(cancelled)
    assert "Hei, Øyvind Ærø-Sámi\r\n" in text_part(cancelled)


@pytest.mark.parametrize(("code", "subject", "weekday"), [
    ("nb", "Påmeldingen er bekreftet: Samling i vest", "tirsdag {d}. "),
    ("en", "Registration confirmed: Samling i vest", "Tuesday {d} "),
])
def test_bokmal_and_english_registrations_get_their_language(client, make_gathering, smtp, deliver, code,
                                                              subject, weekday):
    day = _a_tuesday()
    make_gathering(title="Samling i vest", day=day)
    register_in(client, code, "per@alta.kommune.no")
    deliver()
    [message] = smtp.to("per@alta.kommune.no")
    assert message["Subject"] == subject
    assert weekday.format(d=day.day) in text_part(message)


def test_english_dates_are_written_the_british_way(client, make_gathering):
    day = _a_tuesday()
    make_gathering(day=day)
    html = client.get("/en/samlinger/samling-1").get_data(as_text=True)
    assert f"Tuesday {day.day} {day:%B} {day.year}" in html
    html = client.get("/nn/samlinger/samling-1").get_data(as_text=True)
    assert f"tysdag {day.day}. " in html


# --- every visible word follows the language ---------------------------------------------------

class VisibleText(HTMLParser):
    """The text a person sees or hears on a page: text nodes and the labels in attributes."""

    SPOKEN = ("aria-label", "alt", "title", "placeholder")

    def __init__(self):
        super().__init__()
        self.chunks, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._hidden += 1
        self.chunks += [value for name, value in attrs if name in self.SPOKEN and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return set(parser.chunks)


def data_values(app) -> list[str]:
    """Every string stored in the database: names, titles, places, which no catalogue translates."""
    values = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                for value in (v for v in row if isinstance(v, str)):
                    # Markdown texts are shown line by line, without their list and heading marks.
                    values.update(line.strip().lstrip("-*# ") for line in [value, *value.splitlines()])
    # Codes such as "cancelled" or "east" are not data a person reads: they must be shown through a catalogue.
    values = {v for v in values if v and not re.fullmatch(r"[a-z_]+", v)}
    return sorted(values, key=len, reverse=True)


def untranslated(chunk: str, data: list[str], same_in_english: set[str]) -> bool:
    """Whether a chunk that reads the same in Bokmål and English has words beyond data and shared words."""
    for value in data:
        chunk = chunk.replace(value, " ")
    words = re.findall(r"[^\W\d_]{2,}", chunk)
    return any(word not in same_in_english for word in words)


def test_switching_language_changes_every_visible_word(app, client, runner):
    """On every public page and every organiser page, in Bokmål and in English, the same text appears only
    where it is data (titles, places, names) or a word that is the same in both languages."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    log_in_as(app, client, role="admin")
    with app.app_context():
        gatherings = db.session.scalars(select(Gathering).order_by(Gathering.starts_at.desc())).all()
        gatherings[0].status = "cancelled"
        open_gathering = next(g for g in gatherings[1:] if g.registration_open())
        slug = open_gathering.slug
        # One that may still be cancelled: a registration of a past gathering sends its cancel page to the manage page.
        registration = db.session.scalars(select(Registration).where(
            Registration.gathering_id == open_gathering.id, Registration.status == "confirmed")).first()
        registration.ensure_link()
        token = registration.manage_token()
        db.session.commit()
    pages = ["/", f"/samlinger/{slug}", f"/samlinger/{slug}/pamelding", f"/samlinger/{slug}/ny-lenke",
             f"/pamelding/{token}", f"/pamelding/{token}/avmeld",
             "/personvern", "/tilgjengelighet", "/finnes-ikke", "/logg-inn/glemt-passord"]
    # Organiser pages: everything linked from the dashboard, one of each kind of address.
    queue, kinds = ["/arrangor/"], set()
    while queue:
        path = queue.pop(0)
        kind = re.sub(r"\d+", "N", path.split("?")[0])
        response = client.get(path)
        if kind in kinds or response.status_code != 200 or response.mimetype != "text/html":
            continue
        kinds.add(kind)
        pages.append(path)
        queue += re.findall(r'href="(/arrangor/[^"]*)"', response.get_data(as_text=True))
    assert len(kinds) > 5

    data = data_values(app) + [app.config["SAMLINGER_CONTACT_EMAIL"], app.config["SAMLINGER_OFFICE_NAME"],
                               "Bokmål", "Nynorsk", "English", "uutilsynet.no"]
    with open(CATALOGUES / "nb" / "LC_MESSAGES" / "messages.po", "rb") as f:
        same = {w for m in read_po(f) if m.id and m.string == m.id for w in re.findall(r"[^\W\d_]{2,}", m.id)}
    problems = []
    for path in pages:
        texts = {}
        for code in ("nb", "en"):
            texts[code] = visible_text(client.get(at(code, path)).get_data(as_text=True))
        problems += [f"{path}: {chunk!r}" for chunk in sorted(texts["nb"] & texts["en"])
                     if untranslated(chunk, data, same)]
    assert not problems, "the same in Bokmål and English:\n" + "\n".join(problems)


def test_the_switcher_is_a_link_to_the_same_page_on_every_public_page(client, make_gathering):
    make_gathering(slug="lenkje")
    for path in ("/", "/samlinger/lenkje", "/personvern"):
        for code in ("nb", "nn", "en"):
            html = client.get(at(code, path)).get_data(as_text=True)
            assert f'<a href="{at("nn", path)}" lang="nn" hreflang="nn"' in html, path
            assert f'<a href="{path}" lang="nb" hreflang="nb"' in html, path
            assert '<form method="post" action="/sprak' not in html and "/sprak/" not in html


@pytest.mark.parametrize("target", ["/\\evil.example/", "/\\/evil.example", "/side\nSet-Cookie: x=1"])
def test_the_switcher_refuses_targets_a_browser_would_read_as_another_site(client, target):
    assert choose(client, "nn", target).headers["Location"] == "/nn/"


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def test_every_public_page_names_itself_in_each_language(app, client, make_gathering):
    """hreflang alternates (absolute, on SAMLINGER_BASE_URL) for nb, nn, en and x-default; <html lang> is the
    path's language; the page is the same for every reader, so it does not vary on Accept-Language."""
    make_gathering(slug="alt")
    with app.app_context():
        registration = service.register(db.session.scalar(select(Gathering.id)), {"name": "A", "organisation": "B"},
                                        email="a@alta.kommune.no", language="nb").registration
        token = registration.manage_token()
    pages = ["/", "/samlinger/alt", "/samlinger/alt/pamelding", "/samlinger/alt/ny-lenke", "/personvern",
             "/tilgjengelighet", "/logg-inn", "/logg-inn/glemt-passord", f"/pamelding/{token}", "/finnes-ikke"]
    for path in pages:
        for code in ("nb", "nn", "en"):
            response = client.get(at(code, path))
            html = response.get_data(as_text=True)
            assert f'<html lang="{code}">' in html, (code, path)
            assert alternates(html) == {"nb": BASE + path, "nn": f"{BASE}/nn{path}", "en": f"{BASE}/en{path}",
                                        "x-default": BASE + path}, (code, path)
            assert "Accept-Language" not in response.headers.get("Vary", ""), path


def test_every_link_keeps_the_reader_in_their_language(app, client, make_gathering, make_user):
    """url_for carries the language (public pages, forms, the workspace); static files stay at /static."""
    make_gathering(slug="lenker")
    html = client.get("/nn/samlinger/lenker").get_data(as_text=True)
    assert 'href="/nn/samlinger/lenker/pamelding"' in html and 'href="/nn/personvern"' in html
    assert 'href="/static/samlinger.css"' in html and "/nn/static/" not in html
    _, email, password = make_user()
    token = csrf_token(client, "/en/logg-inn")
    response = client.post("/en/logg-inn", data={"email": email, "password": password, "csrf_token": token})
    assert response.headers["Location"] == "/en/logg-inn/kode", "the second factor's page in the same language"
    response = client.post("/en/logg-inn/kode", data={"code": totp_code(app, email),
                                                      "csrf_token": csrf_token(client, "/en/logg-inn/kode")})
    assert response.headers["Location"] == "/en/arrangor/"
    html = client.get("/en/arrangor/").get_data(as_text=True)
    assert '<html lang="en">' in html and 'href="/en/arrangor/runder/"' in html
    assert 'href="/static/workspace.css"' in html or "/en/static/" not in html
    assert client.get("/en/arrangor/").status_code == 200 and client.get("/arrangor/").status_code == 200
    login_page = app.test_client().get("/nn/arrangor/")
    assert login_page.status_code == 302 and login_page.headers["Location"].startswith("/nn/logg-inn")


def test_a_form_sent_under_nn_answers_in_nynorsk(client, make_gathering):
    make_gathering(slug="feil")
    url = "/nn/samlinger/feil/pamelding"
    data = form_data(name="", csrf_token=csrf_token(client, url))
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and '<html lang="nn">' in html
    assert "Skriv inn namnet ditt." in html
    assert "Skriv inn navnet ditt." not in html
    response = client.post(url, data=form_data(csrf_token=csrf_token(client, url)))
    assert response.status_code == 302 and response.headers["Location"] == "/nn/samlinger/feil/kvittering"
    assert '<html lang="nn">' in client.get(response.headers["Location"]).get_data(as_text=True)
