"""`flask update-office SLUG [options]`: the SAMLINGER_OFFICE_* settings are read once (a new database, or the
upgrade to offices); after that an office's row is what pages and mail read, and this command changes it."""

from sqlalchemy import select

from samlinger.extensions import db
from samlinger.offices.models import Office
from samlinger.offices.registry import offices


def office_row(app, slug: str) -> Office:
    with app.app_context():
        row = db.session.scalar(select(Office).where(Office.slug == slug))
        db.session.expunge_all()
        return row


def invoke(runner, *args):
    return runner.invoke(args=list(args))


def test_only_the_options_given_change_and_every_page_shows_them_at_once(app, runner, client):
    result = invoke(runner, "create-office", "rogaland", "--name", "Statsforvalteren i Rogaland", "--name-nn",
                    "Statsforvaltaren i Rogaland", "--default-language", "nn", "--languages", "nn,nb,en",
                    "--reply-to", "arrangor@rogaland.no")
    assert result.exit_code == 0, result.output
    assert "Statsforvaltaren i Rogaland" in client.get("/rogaland/").get_data(as_text=True)  # now kept

    result = invoke(runner, "update-office", "rogaland", "--name-nn", "Statsforvaltaren i Rogaland (Stavanger)",
                    "--contact-email", "post@rogaland.no", "--sender-name", "Statsforvaltaren")
    assert result.exit_code == 0, result.output
    assert "changed name_nn, contact_email, sender_name" in result.output
    row = office_row(app, "rogaland")
    assert (row.name, row.name_nn, row.default_language, row.languages, row.reply_to, row.contact_email,
            row.sender_name) == ("Statsforvalteren i Rogaland", "Statsforvaltaren i Rogaland (Stavanger)", "nn",
                                 "nn,nb,en", "arrangor@rogaland.no", "post@rogaland.no", "Statsforvaltaren")
    with app.app_context():
        assert offices().by_slug("rogaland").name_in("nn") == "Statsforvaltaren i Rogaland (Stavanger)"
    assert "Statsforvaltaren i Rogaland (Stavanger)" in client.get("/rogaland/").get_data(as_text=True)

    again = invoke(runner, "update-office", "rogaland", "--sender-name", "Statsforvaltaren")
    assert again.exit_code == 0 and "nothing changed" in again.output
    emptied = invoke(runner, "update-office", "rogaland", "--sender-name", "")
    assert emptied.exit_code == 0 and office_row(app, "rogaland").sender_name == ""


def test_the_first_office_changes_its_written_standard_and_languages(app, runner, client):
    first = offices_first_slug(app)
    assert '<html lang="nb"' in client.get("/").get_data(as_text=True)
    result = invoke(runner, "update-office", first, "--default-language", "nn", "--languages", "nn,nb,se")
    assert result.exit_code == 0, result.output
    assert '<html lang="nn"' in client.get("/").get_data(as_text=True)
    assert client.get("/se/").status_code == 200 and client.get("/en/").status_code == 404
    assert client.get("/nb/").status_code == 200


def offices_first_slug(app) -> str:
    with app.app_context():
        return offices().first.slug


def test_refused_without_change(app, runner):
    first = offices_first_slug(app)
    before = office_row(app, first)
    for args, says in ((("--languages", "nb,se"), "--languages"), (("--default-language", "nn", "--languages",
                                                                     "nb,en,nn,de"), "--languages"),
                       (("--name", " "), "needs a name")):
        result = invoke(runner, "update-office", first, *args)
        assert result.exit_code == 2 and says in result.output, result.output
    missing = invoke(runner, "update-office", "nordland", "--name", "Statsforvalteren i Nordland")
    assert missing.exit_code == 2 and "no office 'nordland'" in missing.output
    after = office_row(app, first)
    assert (after.name, after.languages, after.default_language) == (before.name, before.languages,
                                                                     before.default_language)


def test_the_deployment_guides_steps_add_an_office_to_a_running_installation(app, runner, client):
    """docs/DEPLOYMENT.md, "Adding an office", command by command: the office, its register, its first admin; then
    the commands that act on one office want --office, and the cron commands run for each office."""
    from samlinger.municipalities.importing import DATA

    from .conftest import log_in

    steps = [
        ["create-office", "rogaland", "--name", "Statsforvalteren i Rogaland",
         "--name-nn", "Statsforvaltaren i Rogaland", "--name-en", "The County Governor of Rogaland",
         "--default-language", "nn", "--languages", "nn,nb,en",
         "--contact-email", "postmottak@example.no", "--reply-to", "samlinger-rogaland@example.no"],
        ["load-municipalities", str(DATA / "municipalities-rogaland.csv"), "--office", "rogaland", "--county",
         "Rogaland"],
    ]
    for args in steps:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    password = "lyng og fjell ved lysefjorden"
    result = runner.invoke(args=["create-user", "--office", "rogaland", "--admin", "--name", "Kari Nordmann",
                                 "kari@statsforvalteren.no"], input=password + "\n")
    assert result.exit_code == 0 and "admin of rogaland" in result.output, result.output

    log_in(client, "kari@statsforvalteren.no", password)
    workspace = client.get("/rogaland/arrangor/kommuner/")
    assert workspace.status_code == 200 and '<html lang="nn"' in workspace.get_data(as_text=True)
    assert "Haugesund" in workspace.get_data(as_text=True)
    assert 'lang="nn"' in client.get("/rogaland/").get_data(as_text=True)

    unnamed = runner.invoke(args=["load-municipalities", str(DATA / "municipalities-finnmark.csv")])
    assert unnamed.exit_code == 2 and "--office" in unnamed.output
    reminders = runner.invoke(args=["send-reminders"])
    assert reminders.exit_code == 0 and reminders.output.count("reminders queued") == 2
