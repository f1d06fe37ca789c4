"""Upgrading an installation of one office (revision 0021) to offices (0022): everything moves into one office made
from the installation's settings, nothing is lost, and every address of before keeps working — also once a
second office has been created. The downgrade keeps every row with one office and refuses with several.

The rows of before are written in SQL against the tables as 0021 left them (reflected from the database): the
models describe today's schema. The tables are enumerated from the database, not listed by hand, so a table
added before 0022 without data here fails the test.
"""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, func, inspect, select, text
from werkzeug.security import generate_password_hash

from samlinger import create_app
from samlinger.extensions import db

from . import factories
from .conftest import base_config, csrf_token, empty_database, log_in

BEFORE = "0021_confirm_address"
OFFICES = "0022_offices"

#: the installation's settings of before, from the environment as an operator has them
ENVIRONMENT = {
    "SAMLINGER_OFFICE_NAME": "Statsforvalteren i Vestland",
    "SAMLINGER_OFFICE_NAME_NN": "Statsforvaltaren i Vestland",
    "SAMLINGER_OFFICE_NAME_EN": "The County Governor of Vestland",
    "SAMLINGER_DEFAULT_LANGUAGE": "nn",
    "SAMLINGER_LANGUAGES": "nn,nb,se,en",
    "SAMLINGER_CONTACT_EMAIL": "post@sfvl.test",
    "SAMLINGER_REPLY_TO": "samlingar@sfvl.test",
}
RECOVERY_CODES = ("abcde-fghjk", "kmnpq-rstuv")
PDF = b"%PDF-1.4\n% presentasjon fra Voss\n%%EOF\n"
PRIVATE_PDF = b"%PDF-1.4\n% berre for deltakarar\n%%EOF\n"


@pytest.fixture
def make_app(database_url, tmp_path, monkeypatch):
    """An app (a process of the installation) with the settings of ENVIRONMENT read from the environment."""
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SAMLINGER_OFFICE_SLUG", raising=False)

    def make():
        config = base_config(database_url, tmp_path)
        del config["SAMLINGER_REPLY_TO"]  # the environment's
        app = create_app(config)
        app.instance_path = str(tmp_path)  # the console mail backend writes to instance_path/mail
        return app

    apps = []
    yield lambda: apps.append(make()) or apps[-1]
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    with apps[0].app_context():
        empty_database()
        db.session.remove()
        db.engine.dispose()


# --- the installation of before, in SQL -----------------------------------------------------------------

def _insert(conn, meta, table, **values):
    conn.execute(meta.tables[table].insert().values(**values))


def _manage_link(secret: str) -> tuple[str, str]:
    """(token, stored hash) of a registration's derived manage link (tokens.derive, as 0006 and after make it)."""
    from samlinger.tokens import derive, digest

    token = derive("manage-link", secret)
    return token, digest(token)


def seed_before(app, uploads) -> dict:
    """Data in every table of revision 0021, written in SQL; returns what the test opens afterwards."""
    from samlinger.auth.secondfactor import _SEALED_AS, _code_hashes
    from samlinger.evaluations.models import answer_key, new_token
    from samlinger.sealing import seal
    from samlinger.timeutil import oslo_today
    from samlinger.tokens import digest

    now = datetime.now(UTC).replace(microsecond=0)
    ahead, behind = oslo_today() + timedelta(days=30), oslo_today() - timedelta(days=3)
    at = factories.oslo_dt
    with db.engine.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        ins = lambda table, **values: _insert(conn, meta, table, **values)  # noqa: E731
        conn.execute(text("UPDATE content_version SET version = 41"))
        ins("round", id=1, year=ahead.year, term="spring", title="Samlinger våren", title_nn="Samlingar våren",
            intro="Velkommen", intro_nn="Velkomen", published=True, created_at=now)
        ins("round", id=2, year=behind.year, term="autumn", title="Samlinger høsten", title_nn="Samlingar hausten",
            intro="", intro_nn="", published=True, created_at=now)
        gathering = dict(venue="Grand Hotel", address="Storgata 1", region="west", status="published",
                         cancel_reason="", revision=0, description="Om samlinga", programme="", waitlist_enabled=True,
                         created_at=now, updated_at=now, description_nn="Om samlinga", programme_nn="")
        ins("gathering", id=1, round_id=1, slug="nettverk-bergen", uid="1@sfvl", title="Nettverkssamling i Bergen",
            title_nn="Nettverkssamling i Bergen (nn)", starts_at=at(ahead, 10), ends_at=at(ahead, 15),
            registration_deadline=ahead - timedelta(days=7), capacity=30, mode="on_site",
            documents_visibility="participants", per_municipality_limit=3, **gathering)
        ins("gathering", id=2, round_id=1, slug="hybrid-forde", uid="2@sfvl", title="Hybridsamling i Førde",
            title_nn="Hybridsamling i Førde (nn)", starts_at=at(ahead, 12), ends_at=at(ahead, 14),
            registration_deadline=ahead - timedelta(days=7), capacity=10, mode="hybrid", online_capacity=100,
            documents_visibility="public", confirm_address_hours=48, **gathering)
        ins("gathering", id=3, round_id=2, slug="samling-voss", uid="3@sfvl", title="Samling på Voss",
            title_nn="Samling på Voss (nn)", starts_at=at(behind, 10), ends_at=at(behind, 15),
            registration_deadline=behind - timedelta(days=7), capacity=40, mode="on_site",
            documents_visibility="public", **gathering)
        ins("question", id=1, gathering_id=1, position=0, kind="yesno", label="Et du middag?", choices=[],
            required=True, created_at=now)
        ins("question", id=2, gathering_id=1, position=1, kind="choice", label="Verkstad", choices=["A", "B"],
            required=False, created_at=now)
        for n, (number, name, decision) in enumerate(
                (("4601", "Bergen", "nynorsk"), ("4602", "Kinn", "nynorsk"), ("4640", "Sogndal", "nynorsk"),
                 ("4621", "Voss", "nynorsk")), start=1):
            ins("municipality", id=n, number=number, name=name, sami_name="", language_decision=decision,
                sami_area=False, active=True, county="Vestland")
        secrets = {n: f"{n:02d}" * 32 for n in range(1, 10)}
        old_random = "gammal-tilfeldig-lenke_" + "x" * 20  # a link from before derived links (0006)
        registrations = [
            # id, gathering, status, name, email, municipality, side, checked in, link secret (None: the old link)
            (1, 1, "confirmed", "Kari Nordmann", "kari@bergen.kommune.no", 1, "on_site", None, secrets[1]),
            (2, 1, "confirmed", "Per Gamal", "per@kinn.kommune.no", 2, "on_site", None, None),
            (3, 1, "waitlisted", "Siri Venteliste", "siri@sogndal.kommune.no", 3, "on_site", None, secrets[3]),
            (4, 1, "cancelled", "Ola Avmeldt", "ola@bergen.kommune.no", 1, "on_site", None, secrets[4]),
            (5, 2, "confirmed", "Nils Nett", "nils@kinn.kommune.no", 2, "online", None, secrets[5]),
            (6, 2, "confirmed", "Anne Salen", "anne@voss.kommune.no", 4, "on_site", None, secrets[6]),
            (7, 3, "confirmed", "Liv Voss", "liv@voss.kommune.no", 4, "on_site", at(behind, 9), secrets[7]),
            (8, 3, "confirmed", "Tor Voss", "tor@voss.kommune.no", 4, "on_site", at(behind, 9), secrets[8]),
            (9, 3, "confirmed", "Eva Bergen", "eva@bergen.kommune.no", 1, "on_site", at(behind, 9), secrets[9]),
        ]
        for rid, gid, status, name, email, municipality, side, checked_in, secret in registrations:
            token_hash = _manage_link(secret)[1] if secret else digest(old_random)
            ins("registration", id=rid, gathering_id=gid, status=status, name=name, email=email,
                email_normalized=email, organisation="", municipality_id=municipality, role="Rådgjevar",
                phone="", needs="", answers={"1": "yes", "2": "B"} if gid == 1 else {}, language="nn",
                link_secret=secret, manage_token_hash=token_hash, created_at=now - timedelta(days=20, minutes=-rid),
                updated_at=now, confirmed_at=now if status == "confirmed" else None,
                cancelled_at=now if status == "cancelled" else None, checked_in_at=checked_in,
                added_by_organiser=False, unmatched=False, walk_in=False, attendance_mode=side,
                address_from_organiser=False)
        ins("video_link", gathering_id=2, url="https://video.example/m/4242", meeting_id="4242", passcode="5151",
            updated_at=now)
        ins("document", id=1, gathering_id=3, title="Lysark frå Voss", title_nn="Lysark frå Voss", speaker="Ho",
            url=None, storage_key="lysark_voss_0001.pdf", filename="lysark-voss.pdf",
            content_type="application/pdf", size=len(PDF), position=0, created_at=now)
        ins("document", id=2, gathering_id=1, title="Berre for deltakarar", title_nn="", speaker="",
            url=None, storage_key="deltakar_bergen_01.pdf", filename="deltakarar.pdf",
            content_type="application/pdf", size=len(PRIVATE_PDF), position=0, created_at=now)
        ins("document", id=3, gathering_id=3, title="Opptak", title_nn="", speaker="", url="https://video.example/o",
            storage_key=None, filename="", content_type="", size=0, position=1, created_at=now)
        uploads.mkdir(parents=True, exist_ok=True)
        (uploads / "lysark_voss_0001.pdf").write_bytes(PDF)
        (uploads / "deltakar_bergen_01.pdf").write_bytes(PRIVATE_PDF)
        ins("evaluation", id=1, gathering_id=3, status="open", auto_open=False, reminder_days=5,
            closes_on=oslo_today() + timedelta(days=14), opened_at=now - timedelta(days=2),
            created_at=now - timedelta(days=5), organiser_added=0, reminded=False)
        for n, (kind, code) in enumerate((("scale", "benefit"), ("text", None)), start=1):
            ins("evaluation_question", id=n, evaluation_id=1, position=n, kind=kind, code=code,
                label="" if code else "Kva kan vi gjere betre?", choices=[], required=kind == "scale")
        for n, registration_id in enumerate((7, 8, 9), start=1):
            ins("evaluation_invitation", id=n, evaluation_id=1, registration_id=registration_id)
        answered = new_token(1)
        ins("evaluation_answer", id=answer_key(answered), evaluation_id=1, answers={"1": 5, "2": "Meir kaffi"})
        ins("user_account", id=1, email="ola@sfvl.test", name="Ola Arrangør", role="organiser", active=True,
            password_hash=generate_password_hash(factories.PASSWORD), session_version=1, created_at=now,
            language="nn", totp_secret=seal(factories.TOTP_SECRET, _SEALED_AS), totp_enrolled_at=now)
        ins("user_account", id=2, email="ada@sfvl.test", name="Ada Admin", role="admin", active=True,
            password_hash=generate_password_hash(factories.PASSWORD), session_version=1, created_at=now,
            language="nb", totp_secret=seal(factories.TOTP_SECRET, _SEALED_AS), totp_enrolled_at=now)
        for n, code in enumerate(RECOVERY_CODES, start=1):
            ins("recovery_code", id=n, user_id=2, code_hash=_code_hashes(code)[0], used_at=None)
        for n, (action, object_type, object_id, summary) in enumerate((
                ("round.publish", "round", 1, "Samlingar våren"),
                ("gathering.publish", "gathering", 3, "Samling på Voss: publisert"),
                ("municipality.import", None, None, "4 municipalities: 4 new, 0 changed, 0 unchanged")), start=1):
            ins("audit_entry", id=n, created_at=now, user_id=2, action=action, object_type=object_type or "",
                object_id=object_id, summary=summary)
        mail = dict(reply_to="samlingar@sfvl.test", text_body="Hei", html_body="<p>Hei</p>", language="nn",
                    attempts=1, next_attempt_at=now, last_error="", created_at=now)
        ins("outbound_email", id=1, kind="confirmation", recipient="kari@bergen.kommune.no", subject="Stadfesta",
            status="sent", sent_at=now, gathering_id=1, registration_id=1, **mail)
        ins("outbound_email", id=2, kind="account_welcome", recipient="ola@sfvl.test", subject="Velkomen",
            status="failed", gathering_id=None, registration_id=None, **mail | {"last_error": "550 no"})
        if conn.dialect.name == "postgresql":  # as rows added one by one leave the id sequences
            for name, columns in columns_of(conn).items():
                sequence = "id" in columns and conn.execute(
                    text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar()
                if sequence:
                    conn.execute(text(f'SELECT setval(:s, (SELECT max(id) FROM "{name}"))'), {"s": sequence})
    return {"manage_token": _manage_link(secrets[1])[0], "old_random": old_random,
            "voss_token": _manage_link(secrets[7])[0], "answered": answered}


def tables(conn) -> list[str]:
    return sorted(name for name in inspect(conn).get_table_names() if name != "alembic_version")


def snapshot(conn, columns: dict | None = None) -> dict:
    """Every row of every table, ordered by primary key: with *columns* ({table: names}), only those columns."""
    meta = MetaData()
    meta.reflect(conn)
    rows = {}
    for name in columns or tables(conn):
        table = meta.tables[name]
        chosen = [table.c[column] for column in columns[name]] if columns else list(table.c)
        key = list(table.primary_key.columns)
        rows[name] = [tuple(row) for row in conn.execute(select(*chosen).order_by(*key))]
    return rows


def columns_of(conn) -> dict:
    return {name: [column["name"] for column in inspect(conn).get_columns(name)] for name in tables(conn)}


def counts(conn) -> dict:
    return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() for name in tables(conn)}


def at_revision(app) -> str:
    with app.app_context(), db.engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


# --- what the upgrade must keep --------------------------------------------------------------------------

def assert_every_row_is_the_first_offices(office_id: int) -> None:
    """Each table's own office column names the office; and the one filter (offices/scope.py), with that office
    in scope, finds every row of every model that has an office."""
    from samlinger.offices.registry import offices
    from samlinger.offices.scope import ALL_OFFICES, use_office

    with db.engine.connect() as conn:
        owned = [name for name, columns in columns_of(conn).items() if "office_id" in columns]
        assert set(owned) >= {"round", "gathering", "municipality", "user_account", "audit_entry",
                              "outbound_email"}
        for name in owned:
            strays = conn.execute(text(f'SELECT count(*) FROM "{name}" WHERE office_id IS NULL '
                                       "OR office_id <> :office"), {"office": office_id}).scalar()
            assert strays == 0, f"{name}: {strays} rows not in the first office"
        assert conn.execute(text("SELECT count(*) FROM user_account WHERE is_national_admin")).scalar() == 0
    scoped = [mapper.class_ for mapper in db.Model.registry.mappers if getattr(mapper.class_, "office_scope", None)]
    assert len(scoped) >= 10
    with use_office(offices().by_id(office_id)):
        for model in scoped:
            every = db.session.scalar(select(func.count()).select_from(model), execution_options={ALL_OFFICES: True})
            seen = db.session.scalar(select(func.count()).select_from(model))
            assert every > 0 and seen == every, f"{model.__name__}: {seen} of {every} rows in the office"


def sign_in_with_recovery_code(client, email: str, code: str):
    response = client.post("/logg-inn", data={"email": email, "password": factories.PASSWORD,
                                              "csrf_token": csrf_token(client, "/logg-inn")})
    location = response.headers["Location"]
    assert location.split("?")[0].endswith("/logg-inn/kode"), location
    return client.post(location, data={"code": code, "csrf_token": csrf_token(client, location)})


def page(client, path: str, *expected: str, status: int = 200) -> str:
    with client.get(path) as response:
        body = response.get_data(as_text=True)
    assert response.status_code == status, f"{path}: {response.status_code}"
    for part in expected:
        assert part in body, f"{path}: {part!r} missing"
    return body


def assert_the_addresses_of_before_work(client, seeded: dict, *, national: bool = False) -> None:
    """Every public address an installation of one office had, without an office in it: the first office's."""
    from samlinger.evaluations.models import new_token

    if not national:
        page(client, "/", "Nettverkssamling i Bergen (nn)", "Hybridsamling i Førde (nn)", "Samlingar våren")
    page(client, "/nb/samlinger/nettverk-bergen", "Nettverkssamling i Bergen")
    page(client, "/samlinger/nettverk-bergen", "Nettverkssamling i Bergen (nn)")
    page(client, "/samlinger/nettverk-bergen/pamelding", "Et du middag?", "Verkstad")
    page(client, "/se/samlinger/hybrid-forde", "Hybridsamling i Førde")
    page(client, "/en/samlinger/samling-voss", "Samling på Voss")
    ics = page(client, "/samlinger/hybrid-forde.ics", "BEGIN:VCALENDAR", "2@sfvl")
    assert "Hybridsamling i Førde" in ics.replace("\r\n ", "")
    feed = page(client, "/samlinger.ics", "1@sfvl", "2@sfvl")
    assert "Rogaland" not in feed
    api = client.get("/api/v1/gatherings").get_json()
    ours = [item for item in api["gatherings"] if item["office"]["slug"] == "vestland"]
    assert {item["title"] for item in ours} >= {"Nettverkssamling i Bergen (nn)", "Hybridsamling i Førde (nn)"}
    assert {item["office"]["name"] for item in ours} == {"Statsforvaltaren i Vestland"}
    assert national or len(ours) == len(api["gatherings"])

    # The manage links in mail sent before: a derived one, and a random one from before derived links.
    page(client, f"/pamelding/{seeded['manage_token']}", "Kari Nordmann", "Nettverkssamling i Bergen")
    page(client, f"/pamelding/{seeded['old_random']}", "Per Gamal")
    page(client, f"/nb/pamelding/{seeded['manage_token']}", "Kari Nordmann")
    # Presentations: public from the gathering page, participants-only through the manage link.
    with client.get("/samlinger/samling-voss/presentasjoner/1") as public:
        assert (public.status_code, public.get_data()) == (200, PDF)
    with client.get(f"/pamelding/{seeded['manage_token']}/presentasjoner/2") as private:
        assert (private.status_code, private.get_data()) == (200, PRIVATE_PDF)
    assert client.get("/samlinger/nettverk-bergen/presentasjoner/2").status_code == 404, "still participants-only"
    # An evaluation link: one answered before says so; a new one (mailed now) opens the form and answers once.
    page(client, f"/evaluering/{seeded['answered']}", "Takk for svara", "Samling på Voss")
    app = client.application
    with app.app_context():
        fresh = new_token(1)
    page(client, f"/evaluering/{fresh}", 'name="q_1"', 'name="q_2"')
    answered = client.post(f"/evaluering/{fresh}", data={"q_1": "4", "q_2": "Meir tid",
                                                         "csrf_token": csrf_token(client, f"/evaluering/{fresh}")})
    assert answered.status_code == 302
    page(client, f"/evaluering/{fresh}", "Takk for svara")


def assert_mail_goes_out_in_the_offices_name(app, seeded: dict, segment: str = "") -> None:
    """A manage link asked for again now: from the office's name, replies to its mailbox, a link that works."""
    from email import message_from_bytes, policy
    from email.utils import parseaddr

    from samlinger.mail.worker import deliver_due

    client = app.test_client()
    url = "/samlinger/nettverk-bergen/ny-lenke"
    client.post(url, data={"email": "kari@bergen.kommune.no", "csrf_token": csrf_token(client, url)})
    with app.app_context():
        while deliver_due() != (0, 0):
            pass
    newest = max((Path(app.instance_path) / "mail").glob("*.eml"))
    message = message_from_bytes(newest.read_bytes(), policy=policy.default)
    assert message["To"] == "kari@bergen.kommune.no"
    assert parseaddr(message["From"])[0] == "Statsforvaltaren i Vestland", "the office's name in Nynorsk"
    assert message["Reply-To"] == "samlingar@sfvl.test"
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://samlinger\.test(/\S*pamelding/[\w-]+)", body).group(1)
    assert link == f"{segment}/pamelding/{seeded['manage_token']}", "the same link as before"
    page(client, link, "Kari Nordmann")


def assert_the_workspace_shows_the_data(app, recovery_code: str) -> None:
    organiser = app.test_client()
    assert log_in(organiser, "ola@sfvl.test", factories.PASSWORD).status_code == 302
    page(organiser, "/arrangor/runder/", "Samlingar våren", "Samlingar hausten")
    page(organiser, "/arrangor/samlinger/1/deltakere", "Kari Nordmann", "Per Gamal", "Siri Venteliste")
    page(organiser, "/arrangor/samlinger/2/nett", "https://video.example/m/4242")
    page(organiser, "/arrangor/samlinger/3/presentasjoner", "Lysark frå Voss")
    page(organiser, "/arrangor/samlinger/1/sporsmal", "Et du middag?")
    page(organiser, "/arrangor/samlinger/3/evaluering")
    with organiser.get("/arrangor/samlinger/1/deltakere.csv") as export:
        assert export.status_code == 200 and "Kari Nordmann" in export.get_data(as_text=True)

    admin = app.test_client()
    assert sign_in_with_recovery_code(admin, "ada@sfvl.test", recovery_code).status_code == 302
    page(admin, "/arrangor/kommuner/", "Bergen", "Sogndal", "4621")
    page(admin, "/arrangor/logg/", "Samling på Voss: publisert")
    page(admin, "/arrangor/brukere/", "ola@sfvl.test")


def test_the_upgrade_moves_everything_into_one_office_and_every_address_keeps_working(make_app, tmp_path):
    from samlinger.evaluations.models import new_token
    from samlinger.offices.models import Office

    app = make_app()
    with app.app_context():
        empty_database()
        upgrade(revision=BEFORE)
        seeded = seed_before(app, tmp_path / "uploads")
        with db.engine.connect() as conn:
            before, old_columns = counts(conn), columns_of(conn)
            rows_before = snapshot(conn)
        empty = [name for name, count in before.items() if count == 0]
        assert not empty, f"tables without data before the upgrade: {empty}"

        upgrade()

        with db.engine.connect() as conn:
            after = counts(conn)
            rows_after = snapshot(conn, old_columns)
            if db.engine.dialect.name == "sqlite":  # 0022 adds the columns with the foreign key check off
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert set(after) == set(before) | {"office"}
        assert {name: after[name] for name in before} == before
        assert rows_after == rows_before, "a row changed in the upgrade"
        office = db.session.scalar(select(Office))
        assert after["office"] == 1
        assert (office.slug, office.name, office.name_nn, office.name_en, office.name_se) == (
            "vestland", "Statsforvalteren i Vestland", "Statsforvaltaren i Vestland",
            "The County Governor of Vestland", "")
        assert (office.default_language, office.languages, office.contact_email, office.reply_to) == (
            "nn", "nn,nb,se,en", "post@sfvl.test", "samlingar@sfvl.test")
        assert_every_row_is_the_first_offices(office.id)
        db.session.remove()

    served = make_app()  # the processes started again after `flask db upgrade`
    client = served.test_client()
    assert_the_addresses_of_before_work(client, seeded)
    assert_the_workspace_shows_the_data(served, RECOVERY_CODES[0])
    assert_mail_goes_out_in_the_offices_name(served, seeded)

    # A second office, created with the command line on the running installation.
    result = served.test_cli_runner().invoke(args=[
        "create-office", "rogaland", "--name", "Statsforvalteren i Rogaland", "--name-nn",
        "Statsforvaltaren i Rogaland", "--default-language", "nn", "--languages", "nn,nb,en"])
    assert result.exit_code == 0, result.output
    assert "created office rogaland" in result.output

    listing = page(client, "/", "Statsforvaltaren i Vestland", "Statsforvaltaren i Rogaland")
    assert 'href="/vestland/"' in listing and 'href="/rogaland/"' in listing
    assert "Nettverkssamling i Bergen" not in listing, "/ lists the offices"
    assert_the_addresses_of_before_work(client, seeded, national=True)
    page(client, "/vestland/", "Nettverkssamling i Bergen (nn)", "Samling på Voss (nn)")
    page(client, "/nb/vestland/", "Nettverkssamling i Bergen")
    page(client, "/vestland/samlinger/hybrid-forde", "Hybridsamling i Førde (nn)")
    page(client, "/vestland/samlinger.ics", "1@sfvl")
    own = client.get("/vestland/api/v1/gatherings").get_json()["gatherings"]
    assert {item["office"]["slug"] for item in own} == {"vestland"} and len(own) == 3
    assert client.get("/rogaland/api/v1/gatherings").get_json()["gatherings"] == []
    page(client, f"/vestland/pamelding/{seeded['manage_token']}", "Kari Nordmann")
    rogaland = page(client, "/rogaland/")
    assert "Nettverkssamling i Bergen" not in rogaland
    page(client, "/rogaland/samlinger/nettverk-bergen", status=404)
    page(client, f"/rogaland/pamelding/{seeded['manage_token']}", status=404)
    page(client, f"/rogaland/pamelding/{seeded['manage_token']}/presentasjoner/2", status=404)
    page(client, "/rogaland/samlinger/samling-voss/presentasjoner/1", status=404)
    with served.app_context():
        another = new_token(1)
    page(client, f"/rogaland/evaluering/{another}", status=404)
    page(client, f"/vestland/evaluering/{another}", 'name="q_1"')
    assert "1@sfvl" not in page(client, "/rogaland/samlinger.ics")
    assert_the_workspace_shows_the_data(served, RECOVERY_CODES[1])
    assert_mail_goes_out_in_the_offices_name(served, seeded, "/vestland")


def test_the_downgrade_keeps_every_row_with_one_office_and_refuses_with_several(make_app, tmp_path, capfd):
    from samlinger.auth.models import User
    from samlinger.offices.models import Office

    app = make_app()
    with app.app_context():
        empty_database()
        upgrade(revision=BEFORE)
        seed_before(app, tmp_path / "uploads")
        with db.engine.connect() as conn:
            rows_before, columns_before = snapshot(conn), columns_of(conn)
        upgrade(revision=OFFICES)
        db.session.remove()

        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert columns_of(conn) == columns_before, "the schema of 0021 again"
            assert snapshot(conn) == rows_before, "every row kept"
            if db.engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert at_revision(app) == BEFORE

        # A national administrator made since: without offices the account would read the office's data.
        upgrade(revision=OFFICES)
        db.session.add(User(email="nasjonal@sf.no", name="N", role="organiser", active=True, password_hash="x",
                            session_version=1, is_national_admin=True, office_id=None))
        db.session.commit()
        db.session.remove()
        capfd.readouterr()
        downgrade(revision=BEFORE)
        assert "national administrators deactivated, as they would be organisers of the office without " \
               "offices: nasjonal@sf.no" in capfd.readouterr().out
        with db.engine.connect() as conn:
            kept = conn.execute(text("SELECT active, session_version FROM user_account WHERE email = 'nasjonal@sf.no'"))
            assert kept.one() == (False, 2), "kept, deactivated, signed out"
            assert conn.execute(text("SELECT count(*) FROM user_account WHERE active")).scalar() == 2
            conn.execute(text("DELETE FROM user_account WHERE email = 'nasjonal@sf.no'"))
            conn.commit()

        upgrade(revision=OFFICES)
        db.session.add(Office(slug="rogaland", name="Statsforvalteren i Rogaland", default_language="nn",
                              languages="nn,nb,en"))
        db.session.commit()
        with db.engine.connect() as conn:
            rows_with_two, columns_with_two = snapshot(conn), columns_of(conn)
        db.session.remove()
        capfd.readouterr()
        with pytest.raises(SystemExit) as stopped:  # as `flask db downgrade` stops: the message, no traceback
            downgrade(revision=BEFORE)
        said = capfd.readouterr().err
        assert stopped.value.code == 1 and "Traceback" not in said
        assert "Error: 0022_offices: more than one office; a downgrade would mix their data into one" in said
        assert at_revision(app) == OFFICES
        with db.engine.connect() as conn:
            assert columns_of(conn) == columns_with_two and snapshot(conn) == rows_with_two, "nothing changed"


@pytest.mark.parametrize("environment, said", [
    ({"SAMLINGER_OFFICE_SLUG": "arrangor"},
     "SAMLINGER_OFFICE_SLUG: 'arrangor' is an address the site already uses; choose another"),
    ({"SAMLINGER_OFFICE_SLUG": "vest land"},
     "SAMLINGER_OFFICE_SLUG: 'vest land': an office's address segment is 1–40 lower-case letters"),
    ({"SAMLINGER_OFFICE_NAME": "Statsforvalteren i NN"},
     "the address segment made from SAMLINGER_OFFICE_NAME: 'nn' is an address the site already uses"),
])
def test_a_first_segment_no_office_can_have_stops_the_upgrade_before_anything_changes(
        make_app, tmp_path, capfd, monkeypatch, environment, said):
    """The first office's segment would shadow a route or a language (with one office too: SitePath reads the
    segment first), or could not be written in an address: the upgrade says so in one line and changes nothing."""
    from samlinger.offices.models import Office

    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    app = make_app()
    with app.app_context():
        empty_database()
        upgrade(revision=BEFORE)
        seed_before(app, tmp_path / "uploads")
        with db.engine.connect() as conn:
            rows_before = snapshot(conn)
        capfd.readouterr()
        with pytest.raises(SystemExit) as stopped:
            upgrade()
        told = capfd.readouterr().err
        assert stopped.value.code == 1 and "Traceback" not in told
        assert f"Error: 0022_offices: {said}" in told
        assert "Set SAMLINGER_OFFICE_SLUG to the office's segment" in told
        assert at_revision(app) == BEFORE
        with db.engine.connect() as conn:
            assert snapshot(conn) == rows_before and "office" not in tables(conn), "nothing changed"

    monkeypatch.setenv("SAMLINGER_OFFICE_SLUG", "vestland-fylke")
    fixed = make_app()
    with fixed.app_context():
        upgrade()
        assert db.session.scalar(select(Office.slug)) == "vestland-fylke"
        db.session.remove()
