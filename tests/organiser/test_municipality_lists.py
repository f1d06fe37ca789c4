"""Organisers see the municipality by number and name in lists and exports; an admin resolves registrations
whose municipality was written as text, and migration 0012 matches the certain ones."""

import csv
import io

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from samlinger import create_app
from samlinger.extensions import db
from samlinger.municipalities import importing
from samlinger.municipalities.models import Municipality
from samlinger.registration.models import Registration

from .. import factories
from ..conftest import base_config, empty_database
from ..test_migrations import _clean_up, old_gatherings, old_registration
from .conftest import post


def number(name: str) -> int:
    return db.session.scalar(select(Municipality.id).where(Municipality.name == name))


@pytest.fixture
def finnmark(app):
    with app.app_context():
        importing.load_demo()


def test_lists_exports_and_counts_show_number_and_name(app, organiser, make_gathering, finnmark):
    gid = make_gathering(capacity=1)
    with app.app_context():
        factories.registration(gid, name="Máret Ánde", email="maret@karasjok.kommune.no", organisation="",
                               municipality_id=number("Karasjok"))
        factories.registration(gid, name="Ola Vadsø", email="ola@vadso.kommune.no", organisation="",
                               municipality_id=number("Vadsø"))
        factories.registration(gid, name="Per Helse", email="per@helse-nord.no", organisation="Helse Nord")
    html = organiser.get(f"/arrangor/samlinger/{gid}/deltakere").get_data(as_text=True)
    assert "5610 Kárášjohka-Karasjok" in html and "5607 Vadsø" in html and "Helse Nord" in html
    assert organiser.get(f"/arrangor/samlinger/{gid}/deltakere?q=5610").get_data(as_text=True).count(
        "Máret Ánde") >= 1
    searched = organiser.get(f"/arrangor/samlinger/{gid}/deltakere?q=karasjok").get_data(as_text=True)
    assert "Máret Ánde" in searched and "Ola Vadsø" not in searched

    data = organiser.get(f"/arrangor/samlinger/{gid}/deltakere.csv").get_data().decode("utf-8-sig")
    rows = {row["Navn"]: row for row in csv.DictReader(io.StringIO(data), delimiter=";")}
    assert (rows["Máret Ánde"]["Kommunenummer"], rows["Máret Ánde"]["Kommune eller virksomhet"]) == (
        "5610", "Kárášjohka-Karasjok")
    assert (rows["Per Helse"]["Kommunenummer"], rows["Per Helse"]["Kommune eller virksomhet"]) == ("", "Helse Nord")

    print_list = organiser.get(f"/arrangor/samlinger/{gid}/deltakerliste").get_data(as_text=True)
    assert "5610 Kárášjohka-Karasjok" in print_list


def test_an_organiser_adds_a_participant_by_municipality(app, organiser, make_gathering, finnmark):
    gid = make_gathering()
    url = f"/arrangor/samlinger/{gid}/deltakere/ny"
    response = post(organiser, url, {"name": "Ánne Sara", "email": "anne@kautokeino.kommune.no",
                                     "municipality": "5612", "language": "nb"}, form_url=url)
    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalar(select(Registration).where(Registration.name == "Ánne Sara"))
        assert added.municipality.name == "Kautokeino" and added.organisation == ""
        registration_id = added.id
    edit = f"/arrangor/pameldinger/{registration_id}/endre"
    assert '<option selected value="5612">Guovdageaidnu-Kautokeino</option>' in organiser.get(edit).get_data(
        as_text=True)


def test_an_admin_resolves_the_texts_in_groups(app, client, admin_client, make_gathering):
    gid = make_gathering()
    with app.app_context():
        for n, written in enumerate(["Vadsø kommune", "vadsø  KOMMUNE", "Alta", "Helse Nord", "Vadsø og Vardø"]):
            factories.registration_row(gid, email=f"p{n}@example.no", organisation=written, unmatched=True)
        factories.registration_row(gid, email="chosen@example.no", organisation="Helse Vest")  # chosen: another
        importing.load_demo()  # the register arrives after the registrations
    page = admin_client.get("/arrangor/kommuner/koble").get_data(as_text=True)
    assert "3 påmeldinger viser utvetydig til en kommune i registeret." in page
    assert "Helse Vest" not in page, "a registration that chose another organisation is not asked about"
    assert page.index("Vadsø kommune") < page.index("Alta"), "the most used text first"

    assert post(admin_client, "/arrangor/kommuner/koble/sikre", form_url="/arrangor/kommuner/koble"
                ).status_code == 302
    with app.app_context():
        matched = {r.organisation: (r.municipality.number if r.municipality else None, r.unmatched)
                   for r in db.session.scalars(select(Registration))}
    assert matched["Vadsø kommune"] == matched["vadsø  KOMMUNE"] == ("5607", False)
    assert matched["Alta"] == ("5601", False)
    assert matched["Helse Nord"] == (None, True)

    post(admin_client, "/arrangor/kommuner/koble", {"key": "vadsø og vardø", "municipality": "5634"},
         form_url="/arrangor/kommuner/koble")
    post(admin_client, "/arrangor/kommuner/koble", {"key": "helse nord", "municipality": "other"},
         form_url="/arrangor/kommuner/koble")
    with app.app_context():
        rows = {r.organisation: r for r in db.session.scalars(select(Registration))}
        assert rows["Vadsø og Vardø"].municipality.name == "Vardø" and not rows["Vadsø og Vardø"].unmatched
        assert rows["Helse Nord"].municipality is None and not rows["Helse Nord"].unmatched
    page = admin_client.get("/arrangor/kommuner/koble").get_data(as_text=True)
    assert "Alle påmeldinger har en kommune fra registeret eller en annen virksomhet." in page


def test_migration_0012_matches_certain_texts_and_marks_the_rest(database_url, tmp_path):
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0011_account_language")
        start = utcnow()
        with db.engine.begin() as conn:
            old_gatherings(conn, start, start.date(), round_table="round")
            # the demo register as importing.load_demo() writes it, in SQL: the models have columns later
            # revisions add
            conn.execute(text(
                "INSERT INTO municipality (number, name, sami_name, language_decision, sami_area, active, county) "
                "VALUES (:number, :name, :sami_name, :language_decision, :sami_area, true, 'Finnmark')"),
                [{"number": row.number, "name": row.name, "sami_name": row.sami_name or "",
                  "language_decision": row.language_decision, "sami_area": bool(row.sami_area)}
                 for row in importing.parse(importing.DEMO_FILE.read_bytes())])
        written = ["Vadsø kommune", "VARDØ K.", "5610", "Deatnu-Tana", "Vadsø og Vardø", "Helse Nord", "Alta"]
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE municipality SET active = false WHERE number = '5601'"))  # Alta merged
            for n, organisation in enumerate(written):
                old_registration(conn, gathering_id=1, status="confirmed", email=f"p{n}@example.no",
                                 email_normalized=f"p{n}@example.no", organisation=organisation,
                                 manage_token_hash=f"{n:064d}", created_at=start)
        upgrade(revision="0012_registration_municipality")
        with db.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT r.organisation, m.number, r.unmatched FROM registration r "
                "LEFT JOIN municipality m ON m.id = r.municipality_id ORDER BY r.id")).all()
        assert [tuple(row) for row in rows] == [
            ("Vadsø kommune", "5607", False), ("VARDØ K.", "5634", False), ("5610", "5610", False),
            ("Deatnu-Tana", "5628", False), ("Vadsø og Vardø", None, True), ("Helse Nord", None, True),
            ("Alta", None, True)]
        downgrade(revision="0011_account_language")
        with db.engine.connect() as conn:
            kept = [organisation for (organisation,) in conn.execute(
                text("SELECT organisation FROM registration ORDER BY id"))]
        assert kept == written, "the downgrade keeps every text"
        _clean_up()
