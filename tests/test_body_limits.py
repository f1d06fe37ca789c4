"""Request bodies: a few hundred kilobytes on every route, an upload's size only where files are uploaded."""

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from samlinger.bodylimit import FORM_MAX_BYTES
from samlinger.documents.models import Document
from samlinger.extensions import db

from .conftest import csrf_token, form_data
from .organiser.test_documents import PDF

MEGABYTE = 2**20


def upload_body(client, gathering_id: int, data: bytes, filename: str = "stor.pdf") -> dict:
    """The upload form's fields, encoded in memory: the test client would spool a large body to a temporary
    file it never closes."""
    url = f"/arrangor/samlinger/{gathering_id}/presentasjoner"
    boundary, body = encode_multipart({
        "upload-title": "Stor", "upload-speaker": "", "csrf_token": csrf_token(client, url),
        "upload-file": FileStorage(io.BytesIO(data), filename=filename)})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize("language, title", [("nb", "Du sendte for mye"), ("nn", "Du sende for mykje"),
                                             ("en", "Too much was sent")])
def test_a_large_post_to_the_registration_form_gets_413_in_the_readers_language(client, make_gathering,
                                                                                language, title):
    make_gathering(slug="ost")
    url = "/samlinger/ost/pamelding"
    data = form_data(needs="x" * MEGABYTE, csrf_token=csrf_token(client, url))
    response = client.post(("" if language == "nb" else f"/{language}") + url, data=data)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert title in page and f'lang="{language}"' in page


def test_a_large_post_to_login_gets_413(client, make_user):
    _, email, _ = make_user()
    data = {"email": email, "password": "x" * MEGABYTE, "csrf_token": csrf_token(client, "/logg-inn")}
    assert client.post("/logg-inn", data=data).status_code == 413


def test_a_form_under_the_limit_is_read_as_usual(client, make_gathering):
    make_gathering(slug="ost")
    url = "/samlinger/ost/pamelding"
    data = form_data(needs="x" * (FORM_MAX_BYTES // 2), csrf_token=csrf_token(client, url))
    assert client.post(url, data=data).status_code == 422, "the form's own length check answers"


def test_a_10_mb_upload_still_works(app, organiser_client, make_gathering):
    gathering_id = make_gathering()
    response = organiser_client.post(f"/arrangor/samlinger/{gathering_id}/presentasjoner/fil",
                                     **upload_body(organiser_client, gathering_id, PDF + b"0" * 10 * MEGABYTE))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Document.size)) > 10 * MEGABYTE


def test_a_stranger_cannot_send_an_upload_sized_body(client, make_gathering):
    """The upload page takes large bodies from a logged-in organiser only: anyone else is held to the form limit
    before anything is read, not refused by the login check after the server has read 5 MB."""
    gathering_id = make_gathering()
    response = client.post(f"/arrangor/samlinger/{gathering_id}/presentasjoner/fil",
                           **upload_body(client, gathering_id, PDF + b"0" * 5 * MEGABYTE))
    assert response.status_code == 413
