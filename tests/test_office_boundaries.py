"""Where one office meets another besides the routes (tests/test_office_isolation.py walks those): the offices
read by a request that writes, account mails asked for at another office's address, the municipality numbers and
gathering slugs the installation shares, forms and query strings that name another office's objects, the public
reach page, and the commands run for one office."""

import time
from io import BytesIO

import pytest
from sqlalchemy import select

from samlinger.extensions import db, mark_public_change
from samlinger.gatherings.models import Gathering, Round
from samlinger.municipalities.models import Municipality
from samlinger.offices.service import create_office

from . import factories
from .conftest import csrf_token, log_in, text_part
from .office_world import SECOND_SLUG, Built, national_admin, readable, snapshot, two_offices


@pytest.fixture
def world(app):
    return two_offices(app)


# --- the offices, read by a request that has begun writing ------------------------------------------------

def test_a_request_that_has_begun_writing_reads_the_offices_without_waiting_for_itself(app):
    """On SQLite a writing request holds the database's write lock: the registry reads the offices in
    autocommit beside it, at once (it waited for the busy timeout, then fell back to one office)."""
    with app.app_context():
        create_office(SECOND_SLUG, "Statsforvalteren i Rogaland", default_language="nn", languages=("nn", "nb"))
        db.session.commit()
    registry = app.extensions["samlinger.offices"]
    with app.test_request_context(method="POST"):
        registry.get()
        mark_public_change()
        db.session.commit()  # a new content version: the registry reads the offices again
        db.session.add(Round(year=2027, term="spring", title="Vår", office_id=1))
        db.session.flush()  # this request now writes
        started = time.monotonic()
        known = registry.get()
        assert time.monotonic() - started < 5
        assert [office.slug for office in known.all][1:] == [SECOND_SLUG]
        db.session.rollback()


# --- account mails ---------------------------------------------------------------------------------------

def test_a_reset_asked_for_at_another_offices_address_is_written_in_the_accounts_office(app, world, smtp, deliver):
    """The sign-in pages are every office's: an organiser of the second office who asks for a new password at
    the address without an office (the first office's) gets the mail, in their own office's name, with a link
    in their own office's section. (The worker writes a mail in its office's scope, where another office's
    account is not found: the mail failed.)"""
    _first, second = world
    client = app.test_client()
    response = client.post("/logg-inn/glemt-passord", data={"email": second.organiser,
                                                           "csrf_token": csrf_token(client, "/logg-inn/glemt-passord")})
    assert response.status_code == 302
    smtp.clear()
    assert deliver() >= 1
    [mail] = smtp.to(second.organiser)
    body = text_part(mail)
    assert "Rogaland" in str(mail["From"]) or "Rogaland" in body
    assert f"/{SECOND_SLUG}/logg-inn/nytt-passord/" in body


def test_a_national_administrators_welcome_is_written_though_they_belong_to_no_office(app, world, smtp, deliver):
    from samlinger.auth.models import User
    from samlinger.auth.notify import queue_password_link

    email = national_admin(app)
    with app.test_request_context(method="POST"):
        queue_password_link(db.session.scalar(db.select(User).where(User.email == email)), "welcome")
        db.session.commit()
    smtp.clear()
    deliver()
    [mail] = smtp.to(email)
    assert "/logg-inn/nytt-passord/" in text_part(mail)


# --- the register ----------------------------------------------------------------------------------------

def test_an_import_naming_another_offices_municipality_is_refused_with_its_line(app, world):
    """A municipality number is in one office's register: an admin of another office who imports it is told so
    (the insert failed on the unique number: 500), and neither register changes."""
    first, second = world
    client = app.test_client()
    assert log_in(client, first.admin, factories.PASSWORD).status_code == 302
    before = snapshot(app, second)
    url = "/arrangor/kommuner/importer"
    data = f"number,name,language_decision\n5601,Alta,bokmål\n{second.municipality_number},Sandnes,nynorsk\n".encode()
    response = client.post(url, data={"file": (BytesIO(data), "kommuner.csv"), "csrf_token": csrf_token(client, url)},
                           headers={"Accept-Language": "nb"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Linje 3:" in page or "Line 3:" in page
    assert second.municipality_number in page
    assert snapshot(app, second) == before
    with app.app_context():
        assert db.session.scalar(select(Municipality.id).where(Municipality.number == "5601")) is None


def test_a_gathering_address_another_office_has_is_taken(app, world):
    """Slugs are one namespace: the form says another gathering has the address (the insert failed on the
    unique slug: 500), and a slug made from a title steps past it."""
    from .test_rounds import gathering_data, post

    first, second = world
    client = app.test_client()
    assert log_in(client, first.organiser, factories.PASSWORD).status_code == 302
    before = snapshot(app, second)
    url = f"/arrangor/runder/{first.ids['round'][0]}/samlinger/ny"
    taken = post(client, url, **gathering_data(slug=second.slugs[0]))
    assert taken.status_code == 422
    made = post(client, url, **gathering_data(title=second.slugs[0].replace("-", " ")))
    assert made.status_code == 302
    with app.app_context():
        slugs = set(db.session.scalars(select(Gathering.slug).where(Gathering.office_id == first.office_id)))
    assert f"{second.slugs[0]}-2" in slugs
    assert snapshot(app, second) == before


# --- forms and queries that name another office's objects --------------------------------------------------

def _municipalities_of_registrations(app, office: Built) -> set:
    from samlinger.registration.models import Registration

    with app.app_context():
        return set(db.session.scalars(select(Registration.municipality_id).join(Gathering)
                                      .where(Gathering.office_id == office.office_id)))


def test_a_registration_cannot_name_another_offices_municipality(app, world):
    """Chosen by number, at a public form, on the manage page or by an organiser: another office's municipality
    is not in the register, so the choice is refused (the same form with the office's own municipality is
    saved), and none is ever stored; its name written as the organisation is text, not that municipality."""
    from .conftest import form_data

    first, second = world
    before = snapshot(app, second)
    client = app.test_client()

    def send(url, number, email):
        data = form_data(email=email, municipality=number, organisation=f"{second.marker} kommune")
        return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})

    public = [(f"{first.prefix}/samlinger/{first.slugs[0]}/pamelding", "ny@example.no"),
              (f"{first.prefix}/pamelding/{first.manage_tokens[0]}", "vera@vardo.kommune.no")]
    workspace = [(f"/arrangor/pameldinger/{first.ids['registration'][0]}/endre", "vera@vardo.kommune.no"),
                 (f"/arrangor/samlinger/{first.ids['gathering'][0]}/deltakere/ny", "lagt.til@example.no")]
    for pages in (public, workspace):
        if pages is workspace:
            assert log_in(client, first.organiser, factories.PASSWORD).status_code == 302
        for url, email in pages:
            refused = send(url, second.municipality_number, email)
            assert refused.status_code == 422, url
            assert second.marker.lower() not in readable(refused).replace(f"{second.marker.lower()} kommune", "")
            assert send(url, first.municipality_number, email).status_code == 302, url
    assert not _municipalities_of_registrations(app, first) & set(second.ids["municipality"])
    assert snapshot(app, second) == before


def test_the_reach_page_of_another_offices_round_is_not_found(app, world):
    first, second = world
    client = app.test_client()
    assert log_in(client, first.admin, factories.PASSWORD).status_code == 302
    assert client.get(f"/arrangor/rekkevidde/?periode=runde-{first.ids['round'][0]}").status_code == 200
    response = client.get(f"/arrangor/rekkevidde/?periode=runde-{second.ids['round'][0]}")
    assert response.status_code == 404
    assert second.marker.lower() not in readable(response)


def test_the_public_reach_page_is_each_offices_own(app_config, request):
    app_config["SAMLINGER_PUBLIC_REACH"] = True
    app = request.getfixturevalue("app")
    first, second = two_offices(app)
    client = app.test_client()
    for office, other in ((first, second), (second, first)):
        seen = readable(client.get(f"{office.prefix}/rekkevidde"))
        assert office.marker.lower() in seen and other.marker.lower() not in seen, office.slug


# --- commands ----------------------------------------------------------------------------------------------

def test_a_command_run_for_one_office_leaves_the_other_as_it_was(app, world):
    """Every command with --office that needs nothing more (the cron jobs), run for the first office with
    `--months 0` where it purges: the second office's rows are unchanged."""
    first, second = world
    commands = [(name, command) for name, command in sorted(app.cli.commands.items())
                if any(param.name == "office_slug" for param in command.params)
                and not any(param.required for param in command.params)]
    assert {"send-reminders", "purge-personal-data", "send-evaluations"} <= {name for name, _ in commands}
    runner = app.test_cli_runner()
    for name, command in commands:
        before = snapshot(app, second)
        extra = ["--months", "0"] if any(param.name == "months" for param in command.params) else []
        result = runner.invoke(command, ["--office", first.slug, *extra])
        assert result.exit_code == 0, (name, result.output)
        assert snapshot(app, second) == before, name
    with app.app_context():
        from samlinger.registration.models import Registration

        anonymised = db.session.scalar(select(Registration.name).where(Registration.id == first.ids["registration"][3]))
    assert first.marker not in anonymised, "the purge did its work in the first office"


# --- the audit log -------------------------------------------------------------------------------------------

def test_what_happens_to_an_account_is_in_its_own_offices_log(app, world):
    """The sign-in pages are every office's (no office in scope): a sign-in is in the log of the account's office,
    never in the first office's (where a new row outside any office goes), and the other office's admin does not
    see it; a national administrator's is in no office's log."""
    from samlinger.audit.models import AuditEntry
    from samlinger.offices.scope import ALL_OFFICES

    first, second = world
    client = app.test_client()
    assert log_in(client, second.organiser, factories.PASSWORD).status_code == 302
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.sign_in"),
                                     execution_options={ALL_OFFICES: True}).all()
        assert [(entry.office_id, second.organiser in entry.summary) for entry in entries] == [
            (second.office_id, True)]
    national = national_admin(app)
    assert log_in(app.test_client(), national, factories.PASSWORD).status_code == 302
    admin = app.test_client()
    assert log_in(admin, first.admin, factories.PASSWORD).status_code == 302
    with app.app_context():
        offices_of = {entry.summary.split()[0]: entry.office_id for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.sign_in"), execution_options={ALL_OFFICES: True})}
    assert offices_of == {second.organiser: second.office_id, national: None, first.admin: first.office_id}
    log = readable(admin.get("/arrangor/logg/"))
    assert second.marker.lower() not in log and first.marker.lower() in log
