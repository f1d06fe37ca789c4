"""The operator commands of offices, a contract (the README documents the names): create-office; --office on the
commands that act on one office (optional while there is one); create-user --national-admin; the cron commands
for each office in turn, each office's mail in its own name; a register that cannot take another office's
municipality."""

import re
from datetime import timedelta
from email.utils import parseaddr

import pytest
from sqlalchemy import func, select

from samlinger.audit.models import AuditEntry
from samlinger.auth.models import User
from samlinger.extensions import db
from samlinger.municipalities import importing
from samlinger.municipalities.models import Municipality
from samlinger.offices.models import Office
from samlinger.offices.registry import offices
from samlinger.offices.scope import ALL_OFFICES, use_office
from samlinger.timeutil import oslo_today

from . import factories
from .conftest import csrf_token, log_in, text_part

FINNMARK = importing.DATA / "municipalities-finnmark.csv"
ROGALAND = importing.DATA / "municipalities-rogaland.csv"
PASSWORD = "et langt passord her\n"
ROGALAND_OFFICE = ["create-office", "rogaland", "--name", "Statsforvalteren i Rogaland",
                   "--name-nn", "Statsforvaltaren i Rogaland", "--default-language", "nn", "--languages", "nn,nb,en",
                   "--contact-email", "post@sfro.no", "--reply-to", "samlingar@sfro.no",
                   "--sender-name", "Statsforvaltaren i Rogaland"]


@pytest.fixture
def app_config(app_config):
    """The installation's first office: Finnmark, in Bokmål."""
    app_config.update(SAMLINGER_OFFICE_NAME="Statsforvalteren i Finnmark", SAMLINGER_OFFICE_NAMES={},
                      SAMLINGER_OFFICE_SLUG="finnmark", SAMLINGER_REPLY_TO="samlinger@sffi.test")
    return app_config


def error_line(result) -> str:
    """The one line a refused command says what is wrong in (click's 'Error: …'), after checking that it stopped
    as a command stops, not with an exception."""
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


def office_slugs(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(Office.slug).order_by(Office.id),
                                  execution_options={ALL_OFFICES: True}).all()


def add_rogaland(runner):
    result = runner.invoke(args=ROGALAND_OFFICE)
    assert result.exit_code == 0, result.output
    return result


# --- create-office ------------------------------------------------------------------------------------

def test_create_office_says_what_it_made_and_the_office_is_served_at_once(app, runner, client):
    assert client.get("/").status_code == 200  # the front page of one office, kept
    result = add_rogaland(runner)
    assert result.output.splitlines() == [
        "created office rogaland: Statsforvalteren i Rogaland, at /rogaland/ (nn; nn,nb,en)",
        "Next: flask load-municipalities FILE --office rogaland, then "
        "flask create-user EMAIL --name NAME --office rogaland --admin"]
    with app.app_context():
        office = db.session.scalar(select(Office).where(Office.slug == "rogaland"))
        assert (office.name, office.name_nn, office.default_language, office.languages) == (
            "Statsforvalteren i Rogaland", "Statsforvaltaren i Rogaland", "nn", "nn,nb,en")
        assert (office.contact_email, office.reply_to, office.sender_name) == (
            "post@sfro.no", "samlingar@sfro.no", "Statsforvaltaren i Rogaland")
    assert office_slugs(app) == ["finnmark", "rogaland"]
    home = client.get("/rogaland/")
    assert home.status_code == 200 and '<html lang="nn">' in home.get_data(as_text=True)
    assert client.get("/nb/rogaland/").status_code == 200
    listing = client.get("/").get_data(as_text=True)
    assert 'href="/finnmark/"' in listing and 'href="/nb/rogaland/"' in listing, "in the reader's language"


@pytest.mark.parametrize("arguments, said", [
    (["Rogaland!"], "'rogaland!': an office's address segment is 1–40 lower-case letters a–z, digits and hyphens"),
    (["rogaland-"], "an office's address segment is 1–40 lower-case letters"),
    (["sør"], "an office's address segment is 1–40 lower-case letters"),
    (["r" * 41], "an office's address segment is 1–40 lower-case letters"),
    (["arrangor"], "'arrangor' is an address the site already uses; choose another"),
    (["samlinger"], "'samlinger' is an address the site already uses"),
    (["logg-inn"], "'logg-inn' is an address the site already uses"),
    (["static"], "'static' is an address the site already uses"),
    (["nn"], "'nn' is an address the site already uses"),
    (["se"], "'se' is an address the site already uses"),
    (["finnmark"], "there is already an office at /finnmark/"),
    (["rogaland", "--languages", "nn,en"], "must offer both Bokmål (nb) and Nynorsk (nn)"),
    (["rogaland", "--languages", "nb,se"], "must offer both Bokmål (nb) and Nynorsk (nn)"),
    (["rogaland", "--languages", "nb,nn,de"], "--languages must list languages from nb, nn, se, en once each"),
    (["rogaland", "--languages", "nb,nn,nb"], "--languages must list languages from nb, nn, se, en once each"),
    (["rogaland", "--default-language", "en"], "Invalid value for '--default-language': 'en' is not one of"),
    (["rogaland", "--default-language", "se", "--languages", "nb,nn,se"],
     "Invalid value for '--default-language': 'se' is not one of"),
    (["rogaland", "--name", "   "], "an office needs a name"),
    (["rogaland", "--name", "S" * 201], "its name must be one line of at most 200 characters"),
    (["rogaland", "--name-nn", "Statsforvaltaren\ni Rogaland"], "its name in nn must be one line of at most 200"),
    (["rogaland", "--sender-name", "Rogaland\r\nBcc: alle@example.no"], "its sender name must be one line"),
    (["rogaland", "--reply-to", "samlingar på sfro"], "its reply-to 'samlingar på sfro' is not a valid e-mail address"),
    (["rogaland", "--contact-email", "post@"], "its contact address 'post@' is not a valid e-mail address"),
])
def test_create_office_refuses_with_one_line_and_exit_code_2(app, runner, arguments, said):
    slug, *options = arguments
    if "--name" not in options:
        options += ["--name", "Statsforvalteren i Rogaland"]
    with app.app_context():
        version = db.session.execute(db.text("SELECT version FROM content_version")).scalar()
    result = runner.invoke(args=["create-office", slug, *options])
    assert result.exit_code == 2, result.output
    assert said in error_line(result)
    assert office_slugs(app) == ["finnmark"], "nothing made"
    with app.app_context():
        assert db.session.execute(db.text("SELECT version FROM content_version")).scalar() == version


def test_a_second_office_of_the_same_slug_is_refused(app, runner):
    add_rogaland(runner)
    again = runner.invoke(args=ROGALAND_OFFICE)
    assert again.exit_code == 2
    assert "there is already an office at /rogaland/" in error_line(again)
    capitals = runner.invoke(args=["create-office", "ROGALAND", "--name", "Statsforvalteren i Rogaland"])
    assert capitals.exit_code == 2 and "there is already an office at /rogaland/" in error_line(capitals)
    assert office_slugs(app) == ["finnmark", "rogaland"]


# --- --office -----------------------------------------------------------------------------------------

def test_office_is_optional_with_one_office_and_named_with_two(app, runner):
    loaded = runner.invoke(args=["load-municipalities", str(FINNMARK)])
    assert loaded.exit_code == 0 and "18 municipalities: 18 new" in loaded.output
    made = runner.invoke(args=["create-user", "ola@statsforvalteren.no", "--name", "Ola"], input=PASSWORD)
    assert made.exit_code == 0 and "created organiser of finnmark ola@statsforvalteren.no" in made.output
    add_rogaland(runner)

    for command in (["load-municipalities", str(ROGALAND)],
                    ["create-user", "kari@statsforvalteren.no", "--name", "Kari", "--admin"]):
        refused = runner.invoke(args=command, input=PASSWORD)
        assert refused.exit_code == 2, refused.output
        assert "name the office with --office (finnmark, rogaland)" in error_line(refused)
        nosuch = runner.invoke(args=[*command, "--office", "nosuch"], input=PASSWORD)
        assert nosuch.exit_code == 2
        assert "no office 'nosuch'; there are: finnmark, rogaland" in error_line(nosuch)
    for command in ("send-reminders", "purge-personal-data", "release-held-seats", "release-unconfirmed",
                    "send-evaluations"):
        nosuch = runner.invoke(args=[command, "--office", "nosuch"])
        assert nosuch.exit_code == 2 and "no office 'nosuch'" in error_line(nosuch), command
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "kari@statsforvalteren.no"),
                                 execution_options={ALL_OFFICES: True}) == 0
        assert db.session.scalar(select(func.count()).select_from(Municipality),
                                 execution_options={ALL_OFFICES: True}) == 18

    loaded = runner.invoke(args=["load-municipalities", str(ROGALAND), "--office", "rogaland"])
    assert loaded.exit_code == 0 and "23 municipalities: 23 new" in loaded.output, loaded.output
    made = runner.invoke(args=["create-user", "kari@statsforvalteren.no", "--name", "Kari", "--admin",
                               "--office", "ROGALAND"],
                         input=PASSWORD)
    assert made.exit_code == 0 and "created admin of rogaland kari@statsforvalteren.no" in made.output, made.output
    with app.app_context():
        finnmark, rogaland = (offices().by_slug(slug).id for slug in ("finnmark", "rogaland"))
        by_office = dict(db.session.execute(select(Municipality.office_id, func.count()).group_by(
            Municipality.office_id), execution_options={ALL_OFFICES: True}).all())
        assert by_office == {finnmark: 18, rogaland: 23}
        accounts = dict(db.session.execute(select(User.email, User.office_id),
                                           execution_options={ALL_OFFICES: True}).all())
        assert accounts == {"ola@statsforvalteren.no": finnmark, "kari@statsforvalteren.no": rogaland}


def test_a_national_administrator_belongs_to_no_office(app, runner):
    for extra in (["--office", "finnmark"], ["--admin"], ["--office", "finnmark", "--admin"]):
        refused = runner.invoke(args=["create-user", "nasjonal@sf.no", "--name", "N", "--national-admin", *extra],
                                input=PASSWORD)
        assert refused.exit_code == 2, refused.output
        assert "a national administrator belongs to no office: leave out --office and --admin" in error_line(refused)
    made = runner.invoke(args=["create-user", "nasjonal@sf.no", "--name", "N", "--national-admin"], input=PASSWORD)
    assert made.exit_code == 0 and "created national administrator nasjonal@sf.no" in made.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nasjonal@sf.no"),
                                 execution_options={ALL_OFFICES: True})
        assert (user.office_id, user.is_national_admin) == (None, True)
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "nasjonal@sf.no"),
                                 execution_options={ALL_OFFICES: True}) == 1


# --- the cron commands --------------------------------------------------------------------------------

def test_the_cron_commands_run_for_each_office_and_its_mail_goes_out_in_its_name(app, runner, smtp, deliver):
    add_rogaland(runner)
    soon = oslo_today() + timedelta(days=2)
    with app.app_context():
        for slug, email in (("finnmark", "kari@alta.kommune.no"), ("rogaland", "per@stavanger.kommune.no")):
            with use_office(offices().by_slug(slug)):
                gathering = factories.gathering(day=soon, slug=f"samling-{slug}", title=f"Samling i {slug}")
                factories.registration_row(gathering.id, email=email, language="nn" if slug == "rogaland" else "nb")
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["finnmark:", "1 reminders queued", "rogaland:", "1 reminders queued"], \
        "each office in turn, named"
    assert runner.invoke(args=["send-reminders"]).output.splitlines() == [
        "finnmark:", "0 reminders queued", "rogaland:", "0 reminders queued"]
    assert deliver() == 2

    finnmark, = smtp.to("kari@alta.kommune.no")
    rogaland, = smtp.to("per@stavanger.kommune.no")
    assert parseaddr(finnmark["From"]) == ("Statsforvalteren i Finnmark", "samlinger@samlinger.test")
    assert parseaddr(rogaland["From"]) == ("Statsforvaltaren i Rogaland", "samlinger@samlinger.test")
    assert (finnmark["Reply-To"], rogaland["Reply-To"]) == ("samlinger@sffi.test", "samlingar@sfro.no")
    assert "Samling i finnmark" in text_part(finnmark) and "Samling i rogaland" in text_part(rogaland)
    # Each link opens in its office's section; the first office's also without its segment, as before.
    finnmark_link, rogaland_link = (re.search(r"http://samlinger\.test(/\S*pamelding/[\w-]+)", text_part(message))
                                    .group(1) for message in (finnmark, rogaland))
    assert finnmark_link.startswith("/finnmark/pamelding/"), finnmark_link
    assert rogaland_link.startswith("/rogaland/pamelding/"), rogaland_link
    client = app.test_client()
    assert client.get(finnmark_link).status_code == 200
    assert client.get(finnmark_link.removeprefix("/finnmark")).status_code == 200, "the first office's, as before"
    assert client.get(rogaland_link).status_code == 200
    assert client.get(rogaland_link.removeprefix("/rogaland")).status_code == 404, "not the first office's"

    only = runner.invoke(args=["send-evaluations", "--office", "rogaland"])
    assert only.output.splitlines() == ["0 evaluations opened, 0 reminders queued"], "one office when named"
    every = {command: runner.invoke(args=[command]) for command in (
        "purge-personal-data", "release-held-seats", "release-unconfirmed", "send-evaluations")}
    for command, run in every.items():
        lines = run.output.splitlines()
        assert run.exit_code == 0 and len(lines) == 4 and lines[::2] == ["finnmark:", "rogaland:"], (command, lines)


# --- one register per office, one number nationally ---------------------------------------------------

def test_a_municipality_of_another_offices_register_is_refused_by_number_and_office(app, runner, tmp_path):
    assert runner.invoke(args=["load-municipalities", str(FINNMARK)]).exit_code == 0
    add_rogaland(runner)
    with app.app_context():
        audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry),
                                         execution_options={ALL_OFFICES: True})
    mixed = tmp_path / "kommuner.csv"
    mixed.write_text("number,name,language_decision\n1101,Eigersund,bokmål\n1103,Stavanger,nøytral\n"
                     "5601,Alta,bokmål\n", encoding="utf-8")
    result = runner.invoke(args=["load-municipalities", str(mixed), "--office", "rogaland"])
    assert result.exit_code == 1, result.output
    # in the office's written standard, as the command's other refusals (Rogaland: Nynorsk)
    assert result.stderr.strip() == (
        f"{mixed}: Linje 4: kommunenummeret 5601 (Alta) er i registeret til Statsforvalteren i Finnmark. "
        "Ein kommune er berre i registeret til éin statsforvaltar.")
    assert "Traceback" not in result.output and "IntegrityError" not in result.output
    with app.app_context():
        numbers = dict(db.session.execute(select(Municipality.number, Municipality.office_id),
                                          execution_options={ALL_OFFICES: True}).all())
        assert len(numbers) == 18 and "1101" not in numbers, "nothing of the file written"
        assert numbers["5601"] == offices().by_slug("finnmark").id, "Alta stays Finnmark's"
        assert db.session.scalar(select(Municipality.language_decision).where(Municipality.number == "5601"),
                                 execution_options={ALL_OFFICES: True}) == "unknown", "and unchanged"
        assert db.session.scalar(select(func.count()).select_from(AuditEntry),
                                 execution_options={ALL_OFFICES: True}) == audit_before

    # The office's own numbers load again as before (an update, not a refusal).
    again = runner.invoke(args=["load-municipalities", str(FINNMARK), "--office", "finnmark"])
    assert again.exit_code == 0 and "18 unchanged" in again.output, again.output


def test_the_import_page_refuses_another_offices_municipality_with_the_message(app, runner, client):
    import io

    assert runner.invoke(args=["load-municipalities", str(FINNMARK)]).exit_code == 0
    add_rogaland(runner)
    with app.app_context(), use_office(offices().by_slug("rogaland")):
        factories.user("kari@statsforvalteren.no", name="Kari Admin", role="admin")
    response = log_in(client, "kari@statsforvalteren.no", factories.PASSWORD)
    assert response.status_code == 302, response.status_code
    url = "/nb/rogaland/arrangor/kommuner/importer"
    response = client.post(url, data={"file": (io.BytesIO("number,name,language_decision\n5603,Hammerfest,bokmål\n"
                                                          .encode()), "kommuner.csv"),
                                      "county": "", "csrf_token": csrf_token(client, url)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422, response.status_code
    assert "5603 (Hammerfest)" in html and "Statsforvalteren i Finnmark" in html
    with app.app_context():
        assert db.session.scalar(select(Municipality.office_id).where(Municipality.number == "5603"),
                                 execution_options={ALL_OFFICES: True}) == offices().by_slug("finnmark").id
