"""Language choice: the switcher, then the browser's languages, then Bokmål; a registration keeps its
language, and every later e-mail to the person is written in it, dates included."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.mail.notify import notify_updated
from samlinger.registration.models import Registration
from samlinger.timeutil import oslo_today

from .conftest import csrf_token, form_data, log_in_as, manage_link, text_part

CATALOGUES = Path(__file__).resolve().parent.parent / "samlinger" / "translations"


def choose(client, code: str, next_url: str = "/"):
    return client.get(f"/sprak/{code}", query_string={"next": next_url})


def page_language(client, url="/", **headers) -> str:
    html = client.get(url, headers=headers).get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(("header", "expected"), [
    ("nn-NO,nn;q=0.9,en;q=0.5", "nn"),
    ("en-GB,en;q=0.8", "en"),
    ("nb-NO", "nb"),
    ("de-DE,fr;q=0.5", "nb"),
    ("", "nb"),
])
def test_browser_languages_choose_the_page_language(client, header, expected):
    assert page_language(client, **{"Accept-Language": header}) == expected


def test_the_switcher_wins_over_the_browser_and_is_remembered(client):
    response = choose(client, "nn", "/personvern?x=1")
    assert response.status_code == 302 and response.headers["Location"] == "/personvern?x=1"
    html = client.get("/personvern", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="nn">' in html and "Personvernerklæring" in html and "Kva vi lagrar" in html
    choose(client, "en")
    html = client.get("/personvern").get_data(as_text=True)
    assert '<html lang="en">' in html and "What we store" in html


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_switcher_only_returns_to_this_site(client, target):
    assert choose(client, "nn", target).headers["Location"] == "/"


def test_the_switcher_refuses_unknown_languages(client):
    assert choose(client, "de").status_code == 404


def test_accessibility_statement_in_each_language(client):
    expected = {"nb": "Tilgjengelighetserklæring", "nn": "Tilgjengeerklæring", "en": "Accessibility statement"}
    for code, title in expected.items():
        choose(client, code)
        html = client.get("/tilgjengelighet").get_data(as_text=True)
        assert f"<h1>{title}</h1>" in html
        assert "uutilsynet.no" in html and "(WCAG) 2.1" in html
        assert f'href="/tilgjengelighet">{title}</a>' in client.get("/").get_data(as_text=True)


def _a_tuesday() -> tuple:
    day = (oslo_today() + timedelta(days=40))
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day


def register_in(client, code: str, email: str):
    choose(client, code)
    url = "/samlinger/samling-1/pamelding"
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
    assert "Plassen din er stadfesta" in body and "Sjå, endre eller meld av påmeldinga di" in body
    assert f"tysdag {day.day}. " in body and "kl. 10:00–15:30" in body  # Nynorsk weekday, 24-hour times
    assert "tirsdag" not in body

    # The person now reads the site in English; e-mails to them stay in Nynorsk.
    choose(client, "en")
    with app.app_context():
        registration = db.session.query(Registration).filter_by(email="ingrid@volda.kommune.no").one()
        assert registration.language == "nn"
        notify_updated(registration)
        db.session.commit()
    link = manage_link(confirmation)
    client.post(f"{link}/avmeld", data={"csrf_token": csrf_token(client, f"{link}/avmeld")})
    deliver()
    subjects = [m["Subject"] for m in smtp.to("ingrid@volda.kommune.no")]
    assert subjects == ["Påmeldinga er stadfesta: Samling i vest", "Endra tid eller stad: Samling i vest",
                        "Du er meld av: Samling i vest"]
    updated, cancelled = smtp.to("ingrid@volda.kommune.no")[1:]
    assert "Tid eller stad for samlinga er endra" in text_part(updated)
    assert "Dersom samlinga låg i kalenderen din" in text_part(cancelled)
    assert "Hei Øyvind Ærø-Sámi," in text_part(cancelled)


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
    choose(client, "en")
    html = client.get("/samlinger/samling-1").get_data(as_text=True)
    assert f"Tuesday {day.day} {day:%B} {day.year}" in html
    choose(client, "nn")
    html = client.get("/samlinger/samling-1").get_data(as_text=True)
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
        slug = next(g.slug for g in gatherings[1:] if g.registration_open())
        registration = db.session.scalars(select(Registration)).first()
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

    data = data_values(app) + [app.config["SAMLINGER_CONTACT_EMAIL"], app.config["SAMLINGER_ORGANISER_NAME"],
                               "Bokmål", "Nynorsk", "English", "uutilsynet.no"]
    with open(CATALOGUES / "nb" / "LC_MESSAGES" / "messages.po", "rb") as f:
        same = {w for m in read_po(f) if m.id and m.string == m.id for w in re.findall(r"[^\W\d_]{2,}", m.id)}
    problems = []
    for path in pages:
        texts = {}
        for code in ("nb", "en"):
            choose(client, code)
            texts[code] = visible_text(client.get(path).get_data(as_text=True))
        problems += [f"{path}: {chunk!r}" for chunk in sorted(texts["nb"] & texts["en"])
                     if untranslated(chunk, data, same)]
    assert not problems, "the same in Bokmål and English:\n" + "\n".join(problems)


def test_the_switcher_is_a_link_on_every_public_page(client, make_gathering):
    make_gathering(slug="lenkje")
    for path in ("/", "/samlinger/lenkje", "/personvern"):
        html = client.get(path).get_data(as_text=True)
        assert f'<a href="/sprak/nn?next={path}" lang="nn" hreflang="nn"' in html, path
        assert '<form method="post" action="/sprak' not in html


@pytest.mark.parametrize("target", ["/\\evil.example/", "/\\/evil.example", "/side\nSet-Cookie: x=1"])
def test_the_switcher_refuses_targets_a_browser_would_read_as_another_site(client, target):
    assert choose(client, "nn", target).headers["Location"] == "/"


def test_pages_in_the_browser_language_tell_shared_caches_so(client, make_gathering):
    make_gathering(slug="vary")
    for path in ("/", "/samlinger/vary", "/personvern", "/tilgjengelighet"):
        for _ in range(2):  # built, then kept
            vary = {v.strip() for v in client.get(path).headers.get("Vary", "").split(",")}
            assert {"Accept-Language", "Cookie"} <= vary, path
