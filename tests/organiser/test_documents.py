"""Presentations afterwards: organisers attach files and links; participants download them."""

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from samlinger.documents.models import Document
from samlinger.extensions import db
from samlinger.files.storage import LocalStorage
from samlinger.gatherings.models import Gathering
from samlinger.timeutil import oslo_today

from ..conftest import csrf_token, manage_link, text_part
from .conftest import post

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pptx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<presentation/>")
    return buffer.getvalue()


def past_gathering(make_gathering, **fields):
    day = (oslo_today() - timedelta(days=5))
    return make_gathering(day=day, registration_deadline=day - timedelta(days=7), **fields)


def upload(client, gid, filename, data, title="Prosjektveiviseren", speaker="Åse Ødegård"):
    url = f"/arrangor/samlinger/{gid}/presentasjoner"
    return client.post(f"{url}/fil", data={
        "upload-title": title, "upload-speaker": speaker, "upload-file": (io.BytesIO(data), filename),
        "csrf_token": csrf_token(client, url),
    }, content_type="multipart/form-data")


def test_public_presentations_are_listed_and_downloaded(app, organiser, make_gathering, client):
    gid = make_gathering(slug="samling-ost")
    assert upload(organiser, gid, "Prosjekt – del 1.pdf", PDF).status_code == 302
    assert upload(organiser, gid, "erfaringer.PPTX", pptx(), title="Erfaringer").status_code == 302
    url = f"/arrangor/samlinger/{gid}/presentasjoner"
    assert post(organiser, f"{url}/lenke", {"link-title": "Opptak", "link-url": "https://video.example.no/1"},
                form_url=url).status_code == 302

    with app.app_context():
        documents = db.session.query(Document).order_by(Document.position).all()
        assert [d.title for d in documents] == ["Prosjektveiviseren", "Erfaringer", "Opptak"]
        stored = documents[0]
        assert stored.storage_key != "Prosjekt – del 1.pdf" and stored.storage_key.endswith(".pdf")
        assert stored.filename == "Prosjekt – del 1.pdf" and stored.size == len(PDF)
        assert documents[1].filename == "erfaringer.pptx"
        first_id, second_id = documents[0].id, documents[1].id

    # Move the second one up.
    post(organiser, f"/arrangor/dokumenter/{second_id}/flytt", {"step": "-1"}, form_url=url)
    page = client.get("/samlinger/samling-ost").get_data(as_text=True)
    section = page[page.index('id="documents-title"'):]
    assert "Presentasjoner" in page
    assert section.index("Erfaringer") < section.index("Prosjektveiviseren") < section.index("Opptak")
    assert 'href="https://video.example.no/1"' in section

    href = re.search(rf'href="(/samlinger/samling-ost/presentasjoner/{first_id})"', section).group(1)
    with client.get(href) as response:
        assert response.status_code == 200
        assert response.get_data() == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert "filename*=UTF-8''Prosjekt%20%E2%80%93%20del%201.pdf" in disposition
    # A document of another gathering is not reachable through this one.
    other = make_gathering(slug="samling-vest")
    assert client.get(f"/samlinger/samling-vest/presentasjoner/{first_id}").status_code == 404
    assert other

    # Removing deletes the stored file too.
    post(organiser, f"/arrangor/dokumenter/{first_id}/slett", form_url=url)
    assert client.get(href).status_code == 404


def test_uploads_are_checked_by_content(app, organiser, make_gathering):
    gid = make_gathering()
    renamed = upload(organiser, gid, "slides.pdf", b"<html><script>alert(1)</script></html>")
    assert renamed.status_code == 422
    assert "Bare PDF-, PowerPoint-" in renamed.get_data(as_text=True)
    assert "Prosjektveiviseren" in renamed.get_data(as_text=True), "the title typed is kept"
    mismatch = upload(organiser, gid, "slides.docx", PDF)
    assert mismatch.status_code == 422 and "stemmer ikke med innholdet" in mismatch.get_data(as_text=True)
    app.config["MAX_UPLOAD_MB"] = 0
    assert "større enn grensen" in upload(organiser, gid, "big.pdf", PDF).get_data(as_text=True)
    bad_link = post(organiser, f"/arrangor/samlinger/{gid}/presentasjoner/lenke",
                    {"link-title": "x", "link-url": "javascript:alert(1)"},
                    form_url=f"/arrangor/samlinger/{gid}/presentasjoner")
    assert bad_link.status_code == 422
    with app.app_context():
        assert db.session.query(Document).count() == 0


def test_participants_only_presentations_need_a_manage_link(app, organiser, make_gathering, client, smtp, deliver):
    from samlinger.registration import service as registration

    day = (oslo_today() + timedelta(days=1))
    gid = make_gathering(slug="samling-lukket", day=day, registration_deadline=day, capacity=1)
    with app.app_context():
        registration.register(gid, {"name": "Åse", "organisation": "Vardø"}, email="ase@vardo.kommune.no",
                              language="nb")
        registration.register(gid, {"name": "Venter", "organisation": "Alta"}, email="venter@alta.kommune.no",
                              language="nb")
    url = f"/arrangor/samlinger/{gid}/presentasjoner"
    assert post(organiser, f"{url}/synlighet", {"visibility": "participants"}, form_url=url).status_code == 302
    upload(organiser, gid, "slides.pdf", PDF)
    with app.app_context():
        document_id = db.session.query(Document).one().id
        assert db.session.get(Gathering, gid).documents_visibility == "participants"

    page = client.get("/samlinger/samling-lukket").get_data(as_text=True)
    assert "via lenken i bekreftelsen" in page
    assert "/presentasjoner/" not in page
    assert client.get(f"/samlinger/samling-lukket/presentasjoner/{document_id}").status_code == 404

    deliver()
    smtp.clear()
    response = post(organiser, f"{url}/varsle", form_url=url)
    assert response.status_code == 302 and "/arrangor/utsendinger/" in response.headers["Location"]
    deliver()
    assert smtp.to("venter@alta.kommune.no") == [], "only confirmed participants are told"
    [ready] = smtp.to("ase@vardo.kommune.no")
    assert "Presentasjonene fra samlingen er klare" in text_part(ready)
    assert "Se presentasjonene:" in text_part(ready), "the link is named for what it opens"
    assert ">Se presentasjonene</a>" in ready.get_body(("html",)).get_content()
    link = manage_link(ready)

    manage = client.get(link).get_data(as_text=True)
    href = re.search(r'href="(/pamelding/[^"]+/presentasjoner/\d+)"', manage).group(1)
    with client.get(href) as response:
        assert response.status_code == 200 and response.get_data() == PDF
        assert response.headers["Cache-Control"] == "private, no-store"
    # Guessing: a wrong token, or someone else's gathering's document, gets nothing.
    assert client.get(f"/pamelding/{'x' * 43}/presentasjoner/{document_id}").status_code == 404
    other = make_gathering(slug="annen")
    with app.app_context():
        registration.register(other, {"name": "Ola", "organisation": "Alta"}, email="ola@alta.kommune.no",
                              language="nb")
    deliver()
    other_link = manage_link(smtp.to("ola@alta.kommune.no")[0])
    assert client.get(f"{other_link}/presentasjoner/{document_id}").status_code == 404


def test_documents_page_of_a_past_gathering(app, organiser, make_gathering):
    gid = past_gathering(make_gathering, title="Samling i fjor")
    page = organiser.get("/arrangor/").get_data(as_text=True)
    assert "Samling i fjor" in page
    assert organiser.get(f"/arrangor/samlinger/{gid}/presentasjoner").status_code == 200


def stored_file(app, key):
    return Path(app.config["UPLOAD_FOLDER"]) / key


def uploaded_keys(app, gid) -> list[str]:
    with app.app_context():
        return [d.storage_key for d in db.session.query(Document).filter_by(gathering_id=gid) if d.storage_key]


def test_deleting_a_gathering_deletes_its_stored_files(app, organiser, make_gathering):
    gid, kept = make_gathering(), make_gathering()
    upload(organiser, gid, "slides.pdf", PDF)
    upload(organiser, gid, "erfaringer.pptx", pptx(), title="Erfaringer")
    upload(organiser, kept, "andre.pdf", PDF)
    url = f"/arrangor/samlinger/{gid}/presentasjoner"
    post(organiser, f"{url}/lenke", {"link-title": "Opptak", "link-url": "https://video.example.no/1"}, form_url=url)
    keys, [other] = uploaded_keys(app, gid), uploaded_keys(app, kept)
    assert len(keys) == 2 and all(stored_file(app, key).is_file() for key in keys)

    response = post(organiser, f"/arrangor/samlinger/{gid}/slett", form_url=f"/arrangor/samlinger/{gid}/endre")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Gathering, gid) is None
        assert db.session.query(Document).filter_by(gathering_id=gid).count() == 0
    assert not any(stored_file(app, key).exists() for key in keys)
    assert stored_file(app, other).is_file(), "another gathering's files stay"


def test_files_stay_when_deleting_the_gathering_fails(app, organiser, make_gathering, monkeypatch):
    from samlinger.gatherings import service

    gid = make_gathering()
    upload(organiser, gid, "slides.pdf", PDF)
    [key] = uploaded_keys(app, gid)
    with app.app_context():
        def failing_commit():
            raise RuntimeError("the database went away")
        monkeypatch.setattr(db.session, "commit", failing_commit)
        with pytest.raises(RuntimeError):
            service.delete_gathering(gid)
        monkeypatch.undo()
        db.session.rollback()
        assert db.session.get(Gathering, gid) is not None
    assert stored_file(app, key).is_file(), "the document still points to its file"


def test_a_file_that_cannot_be_deleted_is_logged_not_an_error(app, organiser, make_gathering, monkeypatch, caplog):
    gid, other = make_gathering(), make_gathering()
    upload(organiser, gid, "slides.pdf", PDF)
    upload(organiser, other, "andre.pdf", PDF)
    [key], [other_key] = uploaded_keys(app, gid), uploaded_keys(app, other)
    with app.app_context():
        document_id = db.session.query(Document).filter_by(gathering_id=other).one().id

    def failing_delete(self, key):
        raise PermissionError("read-only file system")
    monkeypatch.setattr(LocalStorage, "delete", failing_delete)
    response = post(organiser, f"/arrangor/samlinger/{gid}/slett", form_url=f"/arrangor/samlinger/{gid}/endre")
    assert response.status_code == 302
    url = f"/arrangor/samlinger/{other}/presentasjoner"
    assert post(organiser, f"/arrangor/dokumenter/{document_id}/slett", form_url=url).status_code == 302
    with app.app_context():
        assert db.session.get(Gathering, gid) is None
        assert db.session.get(Document, document_id) is None
    logged = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert any(key in message for message in logged) and any(other_key in message for message in logged)
