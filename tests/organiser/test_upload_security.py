"""Uploads under attack: hostile file names, oversized requests, tokens that should not open documents,
and the S3 backend chosen by environment variables, against moto's real S3 server."""

import uuid

import pytest

from samlinger import config as settings
from samlinger.documents.models import Document
from samlinger.extensions import db
from samlinger.files.storage import S3Storage, storage_from_config
from samlinger.registration import retention
from samlinger.registration import service as registration

from ..test_body_limits import upload_body
from ..test_storage import aws_env, s3_endpoint  # noqa: F401  (fixtures: moto's S3 server, dummy credentials)
from .conftest import post
from .test_documents import PDF, past_gathering, upload


def test_hostile_file_names_never_reach_the_disk(app, organiser, make_gathering, tmp_path):
    gid = make_gathering()
    names = ["../../../etc/passwd.pdf", "..\\..\\boot.pdf", "/abs/path.pdf", '".pdf', "a\r\nb\x00.pdf"]
    statuses = [upload(organiser, gid, name, PDF).status_code for name in names]
    assert statuses[:3] == [302] * 3, "folders in a name are dropped"
    assert set(statuses[3:]) <= {302, 422}, "quotes and control characters: cleaned or refused, never a 500"
    folder = tmp_path / "uploads"
    stored = sorted(p.name for p in folder.iterdir())
    with app.app_context():
        documents = db.session.scalars(db.select(Document).order_by(Document.id)).all()
        assert sorted(d.storage_key for d in documents) == stored, "only generated names are used"
        filenames = [d.filename for d in documents]
    assert filenames[0] == "passwd.pdf" and filenames[2] == "path.pdf"
    assert not any(set(name) & set("/\\\r\n\x00\"") for name in filenames)
    assert not (tmp_path / "etc").exists() and not list(tmp_path.parent.glob("*.pdf"))


def test_a_request_over_the_size_limit_gets_a_clear_413(app, organiser, make_gathering):
    gid = make_gathering()
    app.config["MAX_UPLOAD_MB"] = 1  # the upload route's limit, with 1 MB of room for the other fields
    response = organiser.post(f"/arrangor/samlinger/{gid}/presentasjoner/fil",
                              **upload_body(organiser, gid, PDF + b"0" * 3 * 2**20, "big.pdf"))
    assert response.status_code == 413
    assert "Filen er for stor" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Document)) == 0


def test_only_a_confirmed_participants_link_opens_participants_only_files(app, organiser, make_gathering, client):
    gid = past_gathering(make_gathering, capacity=1, documents_visibility="participants")
    with app.app_context():
        seat = registration.register(gid, {"name": "Åse", "organisation": "Vardø"}, email="ase@vardo.kommune.no",
                                     language="nb", by_organiser=True)
        waiting = registration.register(gid, {"name": "Per", "organisation": "Alta"}, email="per@alta.kommune.no",
                                        language="nb", by_organiser=True)
        assert waiting.registration.status == "waitlisted"
        seat_id = seat.registration.id
    upload(organiser, gid, "slides.pdf", PDF)
    with app.app_context():
        document_id = db.session.scalar(db.select(Document.id))
    own = f"/pamelding/{seat.token}/presentasjoner/{document_id}"
    with client.get(own) as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Content-Type"] == "application/pdf"
    assert client.get(f"/pamelding/{waiting.token}/presentasjoner/{document_id}").status_code == 404
    assert client.get(f"/samlinger/samling-1/presentasjoner/{document_id}").status_code == 404
    with app.app_context():
        retention.erase(seat_id)
    assert client.get(own).status_code == 404, "deleting one's data ends the link"


def test_s3_settings_come_from_the_environment(monkeypatch, tmp_path):
    for name, value in {"UPLOAD_STORAGE": "s3", "S3_BUCKET": "samlinger", "S3_ENDPOINT_URL": "http://s3.test",
                        "S3_REGION": "eu-north-1", "S3_PREFIX": "uploads/"}.items():
        monkeypatch.setenv(name, value)
    config = settings.from_environment(str(tmp_path))
    storage = storage_from_config(config)
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.prefix) == ("samlinger", "uploads/")


@pytest.mark.slow
def test_uploads_go_to_s3_and_come_back(app, organiser, make_gathering, client, s3_endpoint, aws_env):  # noqa: F811
    import boto3

    bucket = f"samlinger-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    app.config.update(UPLOAD_STORAGE="s3", S3_BUCKET=bucket, S3_ENDPOINT_URL=s3_endpoint, S3_PREFIX="filer/")
    gid = make_gathering(slug="samling-s3")
    assert upload(organiser, gid, "Prosjekt.pdf", PDF).status_code == 302
    with app.app_context():
        document = db.session.scalar(db.select(Document))
        key, document_id = document.storage_key, document.id
    objects = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in objects["Contents"]] == [f"filer/{key}"]
    with client.get(f"/samlinger/samling-s3/presentasjoner/{document_id}") as response:
        assert response.status_code == 200 and response.get_data() == PDF
        assert response.headers["Content-Type"] == "application/pdf"
    url = f"/arrangor/samlinger/{gid}/presentasjoner"
    post(organiser, f"/arrangor/dokumenter/{document_id}/slett", form_url=url)
    objects = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").list_objects_v2(Bucket=bucket)
    assert objects.get("KeyCount") == 0
