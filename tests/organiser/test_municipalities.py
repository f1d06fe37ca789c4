"""The municipality register in the workspace: admins list, edit and import; organisers are refused."""

import io
import re

from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.municipalities import importing
from samlinger.municipalities.models import Municipality

from ..conftest import csrf_token, log_in_as

FINNMARK = importing.DATA / "municipalities-finnmark.csv"
NB = {"Accept-Language": "nb"}


def load_finnmark(app) -> int:
    with app.app_context():
        importing.load(FINNMARK.read_bytes(), county="Finnmark")
        return db.session.scalar(select(Municipality.id).where(Municipality.number == "5610"))


def get(app, number: str) -> Municipality:
    with app.app_context():
        found = db.session.scalar(select(Municipality).where(Municipality.number == number))
        db.session.expunge(found)
        return found


def test_anonymous_go_to_login_organisers_are_refused_admins_see_the_list(app, client):
    load_finnmark(app)
    assert client.get("/arrangor/kommuner/").status_code == 302
    log_in_as(app, client)
    assert client.get("/arrangor/kommuner/").status_code == 403
    assert "/arrangor/kommuner/" not in client.get("/arrangor/").get_data(as_text=True), "no link for organisers"


def test_the_list_is_a_table_with_headers_and_a_caption(app, admin_client):
    load_finnmark(app)
    assert 'href="/arrangor/kommuner/"' in admin_client.get("/arrangor/").get_data(as_text=True)
    response = admin_client.get("/arrangor/kommuner/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<caption>" in html and html.count('<th scope="col">') == 7 and html.count('<th scope="row">') == 18
    assert '<td lang="se">Kárášjohka</td>' in html
    assert html.index("5601") < html.index("5610") < html.index("5636")


def test_an_admin_edits_a_municipality_with_an_audit_entry(app, admin_client):
    karasjok = load_finnmark(app)
    url = f"/arrangor/kommuner/{karasjok}"
    page = admin_client.get(url).get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="unknown"', page), "the stored decision is chosen"
    response = admin_client.post(url, data={"language_decision": "bokmal", "sami_name": "Kárášjohka", "sami_area": "y",
                                            "active": "y", "csrf_token": csrf_token(admin_client, url)})
    assert response.status_code == 302
    saved = get(app, "5610")
    assert (saved.language_decision, saved.written_standard, saved.sami_area, saved.active) == (
        "bokmal", "nb", True, True)
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "municipality.edit")).one()
        assert entry.object_type == "municipality" and entry.object_id == karasjok
        assert entry.summary == "5610 Karasjok: language_decision 'unknown' → 'bokmal'"


def test_unticking_marks_a_municipality_merged_away(app, admin_client):
    karasjok = load_finnmark(app)
    url = f"/arrangor/kommuner/{karasjok}"
    response = admin_client.post(url, data={"language_decision": "unknown", "sami_name": "",
                                            "csrf_token": csrf_token(admin_client, url)})
    assert response.status_code == 302
    saved = get(app, "5610")
    assert (saved.active, saved.sami_area, saved.sami_name) == (False, False, "")


def test_the_edit_form_refuses_what_it_cannot_store(app, admin_client):
    karasjok = load_finnmark(app)
    url = f"/arrangor/kommuner/{karasjok}"
    token = csrf_token(admin_client, url)
    for data in ({"language_decision": "samisk"}, {},
                 {"language_decision": "nynorsk", "sami_name": "K" * 101},
                 {"language_decision": "nynorsk", "sami_name": "Kárá\nšjohka"}):
        response = admin_client.post(url, data={**data, "active": "y", "csrf_token": token}, headers=NB)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, data
        assert 'class="error-summary"' in html and 'class="error-message"' in html, data
    assert get(app, "5610").language_decision == "unknown"
    assert admin_client.get("/arrangor/kommuner/999999").status_code == 404


def upload(client, data: bytes, county: str = ""):
    url = "/arrangor/kommuner/importer"
    return client.post(url, data={"file": (io.BytesIO(data), "kommuner.csv"), "county": county,
                                  "csrf_token": csrf_token(client, url)}, headers=NB)


def test_an_admin_imports_a_file(app, admin_client):
    response = upload(admin_client, (importing.DATA / "municipalities-rogaland.csv").read_bytes(), "Rogaland")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(Municipality).count() == 23
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action != "user.sign_in")
                                  ).all() == ["municipality.import"]
    page = admin_client.get("/arrangor/kommuner/", headers=NB).get_data(as_text=True)
    assert "23" in page and "Tysvær" in page


def test_a_bad_upload_names_the_line_and_imports_nothing(app, admin_client):
    response = upload(admin_client, b"number,name,language_decision\n1101,Eigersund,bokm\xc3\xa5l\n1120,Klepp,x\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html and "Linje 3:" in html
    with app.app_context():
        assert db.session.query(Municipality).count() == 0


def test_a_huge_upload_is_refused(app, admin_client):
    response = upload(admin_client, b"number,name,language_decision\n1101,Eigersund,bokmal\n" + b"\n" * 300_000)
    assert response.status_code == 422
    assert "Filen er for stor: høyst 256 kB." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Municipality).count() == 0


def test_the_import_page_is_for_admins_only(app, organiser_client):
    assert organiser_client.get("/arrangor/kommuner/importer").status_code == 403
