"""The national administrator's pages (samlinger/national/): who comes in, where a sign-in lands, the offices and
a new office with its first admin, and the national reach: each office's reach page added up, its XLSX with the
same numbers, the same statements however many rounds there are, and the same figures after the purge."""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for
from openpyxl import load_workbook
from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.auth.models import User
from samlinger.extensions import db
from samlinger.mail.models import OutboundEmail
from samlinger.municipalities import importing
from samlinger.municipalities.models import Municipality
from samlinger.national import figures as national_figures
from samlinger.offices.models import Office
from samlinger.offices.registry import offices
from samlinger.offices.scope import ALL_OFFICES, use_office
from samlinger.offices.service import create_office, update_office
from samlinger.reach import figures
from samlinger.reach.figures import Tally
from samlinger.timeutil import oslo_today

from . import factories
from .conftest import csrf_token, log_in, text_part
from .races import all_at_once, apps_for

NATIONAL = "nora@statsforvalteren.no"


def national_admin(app, email=NATIONAL) -> None:
    """A national administrator (belongs to no office), with a second factor as every account here."""
    with app.app_context():
        user = factories.user(email, name="Nora Nasjonal")
        user.is_national_admin, user.office_id = True, None
        db.session.commit()


@pytest.fixture
def national_client(app, client):
    national_admin(app)
    assert log_in(client, NATIONAL, factories.PASSWORD).status_code == 302
    return client


def add_rogaland(app) -> int:
    """A second office, Nynorsk by default, with the Rogaland register."""
    with app.app_context():
        office = create_office("rogaland", "Statsforvalteren i Rogaland", names={"nn": "Statsforvaltaren i Rogaland"},
                               default_language="nn", languages=("nb", "nn", "en"), contact_email="sfro@test.no")
        db.session.commit()
        with use_office(offices().by_id(office.id)):
            importing.load(importing.DATA.joinpath("municipalities-rogaland.csv").read_bytes(), county="Rogaland")
        return office.id


def _municipality(number: str) -> int:
    return db.session.scalar(select(Municipality.id).where(Municipality.number == number),
                             execution_options={ALL_OFFICES: True})


def seed_office(prefix: str, numbers: tuple, *, rounds: int = 2, region="east") -> None:
    """In the office in scope: *rounds* past rounds (one gathering each, one cancelled beside it) and one to
    come; per past gathering two who attended, a no-show, one on the waiting list and one withdrawn, from the
    municipalities *numbers*, another organisation and a name not matched; one confirmed for what is to come."""
    today = oslo_today()
    n = iter(range(10_000))

    def add(gathering, municipality, status="confirmed", attended=False, **fields):
        factories.registration_row(
            gathering.id, email=f"{prefix}{next(n)}@deltaker.example.no", status=status, name="Kari Hemmelig",
            municipality_id=_municipality(municipality) if municipality else None,
            checked_in_at=gathering.starts_at if attended else None, **fields)

    for k in range(rounds):
        day = today - timedelta(days=400 - 150 * k)
        round_ = factories.round_(day.year, "spring" if day.month <= 6 else "autumn")
        past = factories.gathering(day=day, round=round_, region=region, slug=f"{prefix}-{k}")
        cancelled = factories.gathering(day=day + timedelta(days=1), round=round_, status="cancelled",
                                        slug=f"{prefix}-{k}-avlyst")
        add(past, numbers[0], attended=True)
        add(past, numbers[1 + k % (len(numbers) - 1)], attended=True)
        add(past, numbers[0])                                   # no-show
        add(past, numbers[1], status="waitlisted")
        add(past, numbers[0], status="cancelled")
        add(past, None, attended=True, organisation="KS")       # another organisation
        add(past, None, unmatched=True, organisation="Ukjent")  # not matched to the register: a no-show
        add(cancelled, numbers[-1])                             # counted nowhere
    later_day = today + timedelta(days=40)
    later = factories.gathering(day=later_day, slug=f"{prefix}-later", region=region,
                                round=factories.round_(later_day.year + 1, "spring"))
    add(later, numbers[1])


def seed_two_offices(app) -> int:
    with app.app_context():
        importing.load_demo()
        seed_office("fi", ("5601", "5607", "5626"))
        rogaland_id = add_rogaland(app)
        with use_office(offices().by_id(rogaland_id)):
            seed_office("ro", ("1103", "1101", "1106", "1108"), rounds=3, region="west")
        db.session.remove()
        return rogaland_id


def office_client(app, office_id: int | None, email: str):
    """A client signed in as an organiser of *office_id* (None: the first office)."""
    with app.app_context():
        user = factories.user(email)
        if office_id is not None:
            user.office_id = office_id
            db.session.commit()
    client = app.test_client()
    assert log_in(client, email, factories.PASSWORD).status_code == 302
    return client


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.data), read_only=True)


def rows_of(book, title: str) -> list[tuple]:
    return list(book[title].iter_rows(values_only=True))


# --- who comes in ---------------------------------------------------------------------------------------

def _national_routes(app) -> list[tuple[str, str]]:
    with app.test_request_context():
        return [(method, url_for(rule.endpoint, **{arg: 3 for arg in rule.arguments}))
                for rule in app.url_map.iter_rules() if rule.endpoint.startswith("workspace.national.")
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_only_a_national_administrator_comes_in(app, client, role):
    routes = _national_routes(app)
    assert {path for _, path in routes} >= {"/arrangor/nasjonalt/", "/arrangor/nasjonalt/rekkevidde",
                                            "/arrangor/nasjonalt/rekkevidde/3.xlsx"}
    assert ("POST", "/arrangor/nasjonalt/") in routes
    with app.app_context():
        factories.user("kontor@statsforvalteren.test", role=role)
    assert log_in(client, "kontor@statsforvalteren.test", factories.PASSWORD).status_code == 302
    token = csrf_token(client, "/arrangor/")
    for method, path in routes:
        response = client.open(path, method=method, data={"csrf_token": token, "slug": "nytt", "name": "Nytt"})
        assert response.status_code == 403, (role, method, path, response.status_code)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Office)) == 1, "nothing was created"


def test_the_national_administrator_lands_on_the_national_page_and_reaches_every_one(app, client):
    national_admin(app)
    response = log_in(client, NATIONAL, factories.PASSWORD)
    assert urlsplit(response.headers["Location"]).path == "/arrangor/nasjonalt/"
    dashboard = client.get("/arrangor/")
    assert dashboard.status_code == 302 and urlsplit(dashboard.headers["Location"]).path == "/arrangor/nasjonalt/"
    for path in ("/arrangor/nasjonalt/", "/arrangor/nasjonalt/rekkevidde", "/arrangor/nasjonalt/rekkevidde?periode=10",
                 "/arrangor/nasjonalt/rekkevidde?periode=x", "/arrangor/nasjonalt/rekkevidde/1.xlsx",
                 "/en/arrangor/nasjonalt/", "/nn/arrangor/nasjonalt/rekkevidde"):
        assert client.get(path).status_code == 200, path
    assert client.get("/arrangor/nasjonalt/rekkevidde/4.xlsx").status_code == 404, "not a period offered"
    html = client.get("/arrangor/nasjonalt/").get_data(as_text=True)
    assert 'href="/arrangor/nasjonalt/rekkevidde"' in html and "/arrangor/runder" not in html, "the national menu"


def test_an_organiser_still_lands_on_the_dashboard(app, client):
    with app.app_context():
        factories.user("ola@statsforvalteren.test")
    response = log_in(client, "ola@statsforvalteren.test", factories.PASSWORD)
    assert urlsplit(response.headers["Location"]).path == "/arrangor/"
    assert client.get("/arrangor/").status_code == 200


# --- the offices and a new one ----------------------------------------------------------------------------

def test_the_list_shows_every_office_with_its_counts_and_section(app, national_client):
    rogaland_id = seed_two_offices(app)
    with app.app_context(), use_office(offices().by_id(rogaland_id)):
        factories.user("rita@rogaland.test", role="admin")
    html = national_client.get("/en/arrangor/nasjonalt/").get_data(as_text=True)
    table = html.split('id="offices"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S)
    cells = [re.findall(r'<t[hd][^>]*>(.*?)</t[hd]>', row, re.S) for row in rows]
    with app.app_context():
        first = offices().first.name_in("en")
    assert [c[0] for c in cells] == [first, "Statsforvalteren i Rogaland"]
    # Its section, in the reader's language where the office offers it
    assert re.fullmatch(r'<a href="/en/([a-z-]+)/">/\1/</a>', cells[0][1]), cells[0][1]
    assert cells[1][1] == '<a href="/en/rogaland/">/rogaland/</a>'
    assert "Nynorsk (default)" in cells[1][2] and "Bokmål" in cells[1][2]
    # Organisers (the national administrator belongs to neither), rounds, gatherings
    assert [c[3:] for c in cells] == [["0", "3", "5"], ["1", "4", "7"]]
    assert national_client.get("/rogaland/").status_code == 200


def test_the_national_pages_are_headed_as_no_one_offices(app, national_client):
    seed_two_offices(app)
    with app.app_context():
        update_office(offices().first.slug, name="Statsforvalteren i Finnmark", name_nn="Statsforvaltaren i Finnmark")
        db.session.commit()
    for path, kind in (("/arrangor/nasjonalt/", "Statsforvalteren"), ("/nn/arrangor/nasjonalt/", "Statsforvaltaren"),
                       ("/arrangor/nasjonalt/rekkevidde", "Statsforvalteren")):
        html = national_client.get(path).get_data(as_text=True)
        assert f'<span class="office">{kind}</span>' in html, path
        with app.app_context():
            assert "Finnmark" not in html.split("<main", 1)[0], "not the first office's name above"


def _office_form(client, **overrides):
    """The new-office form sent in English (the page at /en/…)."""
    data = {"slug": "vestland", "name": "Statsforvalteren i Vestland", "name_nn": "Statsforvaltaren i Vestland",
            "name_en": "", "name_se": "", "default_language": "nn", "languages": ["nb", "nn", "en"],
            "contact_email": "sfvl@statsforvalteren.no", "reply_to": "samling@vestland.no",
            "admin_name": "Vilde Vestland", "admin_email": "vilde@vestland.kommune.no",
            "csrf_token": csrf_token(client, "/en/arrangor/nasjonalt/")} | overrides
    return client.post("/en/arrangor/nasjonalt/", data={k: v for k, v in data.items() if v is not None})


def test_a_new_office_with_its_first_admin(app, national_client, smtp, deliver):
    response = _office_form(national_client)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = national_client.get(response.headers["Location"]).get_data(as_text=True)
    # In English, the office's English name; it has none, so the Bokmål one (not the Nynorsk one)
    assert "Statsforvalteren i Vestland is created at /vestland/. vilde@vestland.kommune.no has been sent" in page
    # The registry sees it at once: its section is there, in its own standard, and / lists the offices.
    assert national_client.get("/vestland/").status_code == 200
    assert "/vestland/" in national_client.get("/").get_data(as_text=True)
    with app.app_context():
        office = db.session.scalar(select(Office).where(Office.slug == "vestland"))
        assert (office.name, office.name_nn, office.default_language, office.languages, office.reply_to) == (
            "Statsforvalteren i Vestland", "Statsforvaltaren i Vestland", "nn", "nb,nn,en", "samling@vestland.no")
        user = db.session.scalar(select(User).where(User.email == "vilde@vestland.kommune.no"),
                                 execution_options={ALL_OFFICES: True})
        assert (user.office_id, user.role, user.is_national_admin, user.language) == (office.id, "admin", False, "nn")
        entries = {e.action: e for e in db.session.scalars(select(AuditEntry), execution_options={ALL_OFFICES: True})
                   if e.action in ("office.create", "user.create")}
        assert entries["office.create"].office_id is None, "the national administrator's own entry"
        assert entries["office.create"].object_id == office.id and "/vestland/" in entries["office.create"].summary
        assert entries["user.create"].office_id == office.id and entries["user.create"].object_id == user.id
        national_id = db.session.scalar(select(User.id).where(User.email == NATIONAL),
                                        execution_options={ALL_OFFICES: True})
        assert {e.user_id for e in entries.values()} == {national_id}
        mail = db.session.scalar(select(OutboundEmail), execution_options={ALL_OFFICES: True})
        assert (mail.kind, mail.office_id, mail.recipient) == (
            "account_welcome", office.id, "vilde@vestland.kommune.no")
    assert deliver() == 1
    message = smtp.to("vilde@vestland.kommune.no")[0]
    assert message["From"].addresses[0].display_name == "Statsforvaltaren i Vestland", "in the office's name"
    assert message["Reply-To"] == "samling@vestland.no"
    link = re.search(r"http://samlinger\.test(/\S*/logg-inn/nytt-passord/\S+)", text_part(message)).group(1)
    assert link.startswith("/vestland/"), link
    # The admin chooses a password with the link and comes into the new office's workspace.
    welcome = app.test_client()
    password = "en ny og lang setning om fjorder"
    form = welcome.get(link)
    assert form.status_code == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    saved = welcome.post(link, data={"new_password": password, "repeat_password": password, "csrf_token": token})
    assert saved.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "vilde@vestland.kommune.no"),
                                 execution_options={ALL_OFFICES: True})
        assert user.check_password(password)


@pytest.mark.parametrize("overrides, field, message", [
    ({"slug": "arrangor"}, "slug", "/arrangor/ is an address the site already uses"),
    ({"slug": "nn"}, "slug", "/nn/ is an address the site already uses"),
    ({"slug": "Vest land!"}, "slug", "a–z"),
    ({"slug": ""}, "slug", None),
    ({"name": " "}, "name", None),
    ({"languages": ["nb", "en"]}, "languages", None),
    ({"languages": []}, "languages", "Offer both Bokmål and Nynorsk"),
    ({"default_language": "se"}, "default_language", None),
    ({"languages": ["nb", "nn", "xx"]}, "languages", None),
    ({"contact_email": "ikke en adresse"}, "contact_email", None),
    ({"admin_email": NATIONAL}, "admin_email", None),
    ({"admin_name": "Vilde\tVestland"}, "admin_name", None),
    ({"name": "x" * 201}, "name", None),
])
def test_a_refused_office_is_told_on_its_field_and_nothing_is_kept(app, national_client, overrides, field, message):
    response = national_client.post("/en/arrangor/nasjonalt/", data=_form_data(national_client) | overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, response.status_code
    error = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert error, (field, html[html.find("error-summary"):][:800])
    if message:
        assert message in error.group(1), error.group(1)
    assert f'href="#{field}"' in html, "the error summary links to the field"
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Office)) == 1
        assert not db.session.scalar(select(User).where(User.email == "vilde@vestland.kommune.no"),
                                     execution_options={ALL_OFFICES: True})


def _form_data(client) -> dict:
    return {"slug": "vestland", "name": "Statsforvalteren i Vestland", "default_language": "nn",
            "languages": ["nb", "nn", "en"], "contact_email": "sfvl@statsforvalteren.no",
            "admin_name": "Vilde Vestland", "admin_email": "vilde@vestland.kommune.no",
            "csrf_token": csrf_token(client, "/en/arrangor/nasjonalt/")}


def test_an_office_already_there_is_refused_by_the_rule(app, national_client):
    assert _office_form(national_client).status_code == 302
    again = _office_form(national_client, admin_email="other@vestland.kommune.no")
    assert again.status_code == 422
    assert "There is already an office at /vestland/." in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Office)) == 2
        assert not db.session.scalar(select(User).where(User.email == "other@vestland.kommune.no"),
                                     execution_options={ALL_OFFICES: True}), "no account for a refused office"


def test_the_form_needs_its_csrf_token(app, national_client):
    data = _form_data(national_client)
    data.pop("csrf_token")
    assert national_client.post("/arrangor/nasjonalt/", data=data).status_code in (400, 422)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Office)) == 1


# --- national reach ---------------------------------------------------------------------------------------

def office_figures(app, office_id):
    with app.app_context():
        office = offices().by_id(office_id) if office_id else offices().first
        with use_office(office):
            reach = figures.reach(years=3)
            return reach.total, reach.reached_count, reach.register_count


def _sum(rows) -> list:
    """The numbers of the tally columns (registered … cancelled) of a sheet's rows, added up."""
    return [sum(row[i] for row in rows if isinstance(row[i], int)) for i in range(2, 8)]


def test_the_national_figures_are_the_sum_of_each_offices_reach_page(app, national_client):
    rogaland_id = seed_two_offices(app)
    finnmark = office_client(app, None, "ola@finnmark.test")
    rogaland = office_client(app, rogaland_id, "olga@rogaland.test")
    own = {}
    for name, client, path in (("finnmark", finnmark, "/en/arrangor/rekkevidde/3.xlsx"),
                               ("rogaland", rogaland, "/en/rogaland/arrangor/rekkevidde/3.xlsx")):
        per_municipality = rows_of(workbook(client.get(path)), "Per municipality")[1:]
        own[name] = _sum(per_municipality)
    assert own["finnmark"] == [15, 6, 4, 1, 2, 2] and own["rogaland"] == [22, 9, 6, 1, 3, 3], own

    book = workbook(national_client.get("/en/arrangor/nasjonalt/rekkevidde/3.xlsx"))
    per_office = rows_of(book, "Per office")
    assert per_office[0][:4] == (
        "Office", "Address segment", "Municipalities reached", "Municipalities in the register")
    by_office = {row[1]: row for row in per_office[1:]}
    assert list(by_office[offices_slug(app)][4:10]) == own["finnmark"]
    assert list(by_office["rogaland"][4:10]) == own["rogaland"]
    total = per_office[-1]
    both = [a + b for a, b in zip(own["finnmark"], own["rogaland"], strict=True)]
    assert total[0] == "Total" and list(total[4:10]) == both
    f_total, f_reached, f_register = office_figures(app, None)
    r_total, r_reached, r_register = office_figures(app, rogaland_id)
    assert (total[2], total[3]) == (f_reached + r_reached, f_register + r_register) == (3 + 4, 18 + 23)

    per_county = {row[0]: row for row in rows_of(book, "Per county")[1:]}
    assert per_county["Finnmark"][1:3] == (3, 18) and per_county["Rogaland"][1:3] == (4, 23)
    assert per_county["Another organisation"][3] == 5 and per_county["Not matched to the register"][3] == 5
    assert list(per_county["Total"][3:9]) == list(total[4:10])
    assert sum(row[3] for name, row in per_county.items() if name != "Total") == total[4], "the counties add up"

    per_round = rows_of(book, "Per round")[1:]
    assert sum(row[1] for row in per_round) == total[4]
    assert per_round[-1][2] == "to come", "the term still to come: nobody could attend yet"

    html = national_client.get("/en/arrangor/nasjonalt/rekkevidde?periode=3").get_data(as_text=True)
    assert html.count('role="img"') == 3 and html.count("<table") == 5
    # The headline figures (reached, registered, attended, no-shows, waiting, withdrawn): the offices' pages added up
    pages = [client.get(path).get_data(as_text=True) for client, path in (
        (finnmark, "/en/arrangor/rekkevidde/?periode=3"), (rogaland, "/en/rogaland/arrangor/rekkevidde/?periode=3"))]
    headline = [headline_figures(page) for page in pages]
    assert len(headline[0]) == 6 and headline_figures(html) == [a + b for a, b in zip(*headline, strict=True)]
    registered = f_total.registered + r_total.registered
    assert f"<strong>{registered}</strong>" in html and f"<strong>{f_reached + r_reached}</strong>" in html
    assert "Kari Hemmelig" not in html and "@deltaker.example.no" not in html


def headline_figures(html: str) -> list[int]:
    figures_list = html.split('<ul class="figures">', 1)[1].split("</ul>", 1)[0]
    return [int(n) for n in re.findall(r"<strong>(\d+)</strong>", figures_list)]


def offices_slug(app) -> str:
    with app.app_context():
        return offices().first.slug


def test_the_page_and_the_export_show_the_same_numbers(app, national_client):
    seed_two_offices(app)
    with app.app_context():
        national = national_figures.national_reach(3)
        assert national.total == Tally(registered=37, confirmed=27, attended=15, no_show=10, waitlisted=5,
                                       cancelled=5)
        assert [part.reach.total for part in national.offices][1].attended == 9
        terms = [term.id for term in national.rounds]
        assert terms == sorted(terms, key=lambda t: (t[0], t[1] != "spring")), "oldest first, spring before autumn"
    html = national_client.get("/en/arrangor/nasjonalt/rekkevidde?periode=3").get_data(as_text=True)
    book = workbook(national_client.get("/en/arrangor/nasjonalt/rekkevidde/3.xlsx"))
    for sheet, section, lines in (("Attended per office and round", "office-grid", 2),
                                  ("Attended per county and round", "county-grid", 4)):
        grid = rows_of(book, sheet)
        assert len(grid) == 1 + lines, grid  # counties: Finnmark, Rogaland, another organisation, not matched
        grid_table = html.split(f'id="{section}"', 1)[1].split("</table>", 1)[0]
        for row in grid[1:]:
            cells = re.search(rf"<th scope=\"row\">{re.escape(row[0])}</th>(.*?)</tr>", grid_table, re.S).group(1)
            shown = re.findall(r'<td class="num">(.*?)</td>', cells)
            assert [cell.split(" / ")[0] if " / " in cell else "0" for cell in shown] == \
                [str(value) for value in row[1:]], (sheet, row[0], shown, row)
    assert "Statsforvaltaren i Rogaland" not in html and "Statsforvalteren i Rogaland" in html, "English: nb name"


def totals(national):
    return (national.total, [(p.office.slug, p.reach.total, p.reach.reached_count) for p in national.offices],
            [(c.name, c.reached, c.register, c.total) for c in national.counties], national.per_round)


def test_the_same_figures_after_the_purge(app, runner, national_client):
    seed_two_offices(app)
    with app.app_context():
        before = totals(national_figures.national_reach(3))
    book_before = [rows_of(workbook(national_client.get("/en/arrangor/nasjonalt/rekkevidde/3.xlsx")), title)
                   for title in ("Per office", "Per county", "Per round")]
    result = runner.invoke(args=["purge-personal-data", "--months", "0"])
    assert result.exit_code == 0 and result.output.count("anonymised") == 2, result.output
    assert "0 registrations" not in result.output
    with app.app_context():
        assert totals(national_figures.national_reach(3)) == before
    book_after = [rows_of(workbook(national_client.get("/en/arrangor/nasjonalt/rekkevidde/3.xlsx")), title)
                  for title in ("Per office", "Per county", "Per round")]
    assert book_after == book_before


def test_statements_do_not_grow_with_the_rounds(app, national_client, statements):
    rogaland_id = seed_two_offices(app)

    def count():
        counted = []
        for path in ("/arrangor/nasjonalt/rekkevidde?periode=10", "/arrangor/nasjonalt/rekkevidde/10.xlsx"):
            assert national_client.get(path).status_code == 200
            statements.clear()
            assert national_client.get(path).status_code == 200
            counted.append(len(statements))
        return counted

    few = count()
    with app.app_context():
        for n, office in enumerate((offices().first, offices().by_id(rogaland_id))):
            with use_office(office):
                for year in range(2, 9):
                    made = factories.round_(oslo_today().year - year, "autumn")
                    gathering = factories.gathering(day=oslo_today().replace(year=made.year, month=10, day=2),
                                                    round=made, slug=f"more-{n}-{year}")
                    factories.registration_row(gathering.id, email=f"more{n}-{year}@example.no",
                                               checked_in_at=gathering.starts_at)
        db.session.remove()
    many = count()
    with app.app_context():
        assert len(national_figures.national_reach(10).rounds) >= 9
    assert many == few, (few, many)


def test_two_offices_made_at_once_at_one_address_one_is_refused_never_a_500(app, app_config):
    """Both pass the form at the same moment: one office and one admin are made, the other is told on its field
    (on PostgreSQL the address's unique index may be what refuses it, not the rule's look-up)."""
    national_admin(app)

    def create(item, ready):
        client, email = item
        data = _form_data(client) | {"admin_email": email}
        ready()
        response = client.post("/en/arrangor/nasjonalt/", data=data)
        return response.status_code, response.get_data(as_text=True)

    apps = apps_for(app_config, 2)
    try:
        clients = [other.test_client() for other in apps]
        for client in clients:  # one after the other: two sign-ins at once would give the same code twice
            assert log_in(client, NATIONAL, factories.PASSWORD).status_code == 302
        results = all_at_once(create, zip(clients, ("en@vestland.kommune.no", "to@vestland.kommune.no"),
                                          strict=True))
    finally:
        for other in apps:
            with other.app_context():
                db.engine.dispose()
    assert sorted(status for status, _ in results) == [302, 422], [status for status, _ in results]
    refused = next(html for status, html in results if status == 422)
    assert "There is already an office at /vestland/." in refused.split('id="slug-error"', 1)[1].split("</p>")[0]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Office)) == 2
        admins = db.session.scalars(select(User.email).where(User.email.like("%@vestland.kommune.no")),
                                    execution_options={ALL_OFFICES: True}).all()
        assert len(admins) == 1, "the refused office's admin is not kept"


def test_the_list_of_offices_takes_the_same_statements_however_many_offices(app, national_client, statements):
    def count():
        assert national_client.get("/arrangor/nasjonalt/").status_code == 200
        statements.clear()
        assert national_client.get("/arrangor/nasjonalt/").status_code == 200
        return len(statements)

    one = count()
    with app.app_context():
        for slug in ("agder", "vestland", "innlandet"):
            create_office(slug, f"Statsforvalteren i {slug.capitalize()}", languages=("nb", "nn", "en"))
            db.session.commit()
    assert count() == one
