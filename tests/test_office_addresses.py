"""The office in the address: nothing changes with one office; with several, /<slug>/… in the office's own
written standard, /<lang>/<slug>/… in the others, / lists the offices, and old addresses stay the first office's."""

import re

import pytest
from sqlalchemy import select

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering, Round
from samlinger.offices import scope
from samlinger.offices.registry import offices
from samlinger.offices.service import create_office

from . import factories
from .conftest import csrf_token, log_in


@pytest.fixture
def app_config(app_config):
    return app_config | {"SAMLINGER_OFFICE_NAME": "Statsforvalteren i Finnmark",
                         "SAMLINGER_OFFICE_NAMES": {"nn": "Statsforvaltaren i Finnmark"},
                         "SAMLINGER_LANGUAGES": ("nb", "nn", "se", "en")}


def html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


def add_rogaland(app) -> None:
    """A second office, Nynorsk by default, with a gathering of its own."""
    with app.app_context():
        create_office("rogaland", "Statsforvalteren i Rogaland", names={"nn": "Statsforvaltaren i Rogaland"},
                      default_language="nn", languages=("nn", "nb", "en"))
        db.session.commit()
        with app.app_context(), scope.use_office(offices().by_slug("rogaland")):
            round_ = Round(year=2027, term="spring", title="Samlingar våren 2027", published=True)
            factories.gathering(slug="samling-i-stavanger", title="Samling i Stavanger", round=round_)


@pytest.fixture
def two(app):
    with app.app_context():
        factories.gathering(slug="samling-i-alta", title="Samling i Alta")
    add_rogaland(app)
    return app


def test_with_one_office_no_address_changes(app, client):
    with app.app_context():
        factories.gathering(slug="samling-i-alta", title="Samling i Alta")
    page = client.get("/")
    assert page.status_code == 200 and "Samling i Alta" in page.get_data(as_text=True)
    assert 'href="/samlinger/samling-i-alta"' in page.get_data(as_text=True)
    assert html_lang(client.get("/nn/samlinger/samling-i-alta")) == "nn"
    assert client.get("/nb/samlinger/samling-i-alta").headers["Location"] == "/samlinger/samling-i-alta"
    feed = client.get("/api/v1/gatherings").get_json()
    assert [item["office"]["slug"] for item in feed["gatherings"]] == ["finnmark"]


def test_the_front_page_lists_the_offices_once_there_are_two(two, client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/finnmark/"' in html and "Statsforvalteren i Finnmark" in html
    # Rogaland's Bokmål page, as the reader reads Bokmål; its Nynorsk page for a Nynorsk reader
    assert 'href="/nb/rogaland/"' in html and "Statsforvalteren i Rogaland" in html
    nynorsk = client.get("/nn/").get_data(as_text=True)
    assert 'href="/rogaland/"' in nynorsk and "Statsforvaltaren i Rogaland" in nynorsk
    assert "Samling i Alta" not in html and "Samling i Stavanger" not in html


def test_each_office_is_at_its_slug_in_its_own_standard(two, client):
    rogaland = client.get("/rogaland/")
    assert rogaland.status_code == 200 and html_lang(rogaland) == "nn"
    body = rogaland.get_data(as_text=True)
    assert "Samling i Stavanger" in body and "Samling i Alta" not in body
    assert 'href="/rogaland/samlinger/samling-i-stavanger"' in body
    assert html_lang(client.get("/nb/rogaland/")) == "nb"
    assert client.get("/nn/rogaland/samlinger/samling-i-stavanger").headers["Location"] == \
        "/rogaland/samlinger/samling-i-stavanger"
    assert client.get("/se/rogaland/").status_code == 404, "Rogaland does not offer Sami"
    assert client.get("/se/finnmark/").status_code == 200 and html_lang(client.get("/se/finnmark/")) == "se"
    finnmark = client.get("/finnmark/").get_data(as_text=True)
    assert "Samling i Alta" in finnmark and "Samling i Stavanger" not in finnmark


def test_a_slug_of_one_office_is_no_page_of_the_other(two, client):
    assert client.get("/finnmark/samlinger/samling-i-stavanger").status_code == 404
    assert client.get("/rogaland/samlinger/samling-i-alta").status_code == 404
    assert client.get("/samlinger/samling-i-stavanger").status_code == 404, "no office: the first office's"
    assert client.get("/rogaland/samlinger/samling-i-stavanger.ics").status_code == 200


def test_the_switcher_keeps_the_office(two, client):
    html = client.get("/rogaland/samlinger/samling-i-stavanger").get_data(as_text=True)
    switcher = set(re.findall(r'<a href="([^"]+)" lang="[a-z]+" hreflang="([a-z]+)"', html))
    assert switcher >= {("/nb/rogaland/samlinger/samling-i-stavanger", "nb"),
                        ("/en/rogaland/samlinger/samling-i-stavanger", "en")}
    assert not any("/se/" in href for href, _ in switcher)


def test_old_addresses_stay_the_first_offices(two, client):
    page = client.get("/samlinger/samling-i-alta")
    assert page.status_code == 200 and "Samling i Alta" in page.get_data(as_text=True)
    assert "Samling i Alta" in client.get("/samlinger.ics").get_data(as_text=True)
    assert "Samling i Stavanger" not in client.get("/samlinger.ics").get_data(as_text=True)


def test_the_api_is_per_office_and_national(two, client):
    national = client.get("/api/v1/gatherings").get_json()["gatherings"]
    assert {(item["office"]["slug"], item["title"]) for item in national} == {
        ("finnmark", "Samling i Alta"), ("rogaland", "Samling i Stavanger")}
    stavanger = next(item for item in national if item["office"]["slug"] == "rogaland")
    assert stavanger["url"] == "http://samlinger.test/nb/rogaland/samlinger/samling-i-stavanger"
    own = client.get("/rogaland/api/v1/gatherings").get_json()["gatherings"]
    assert [(item["office"]["slug"], item["url"]) for item in own] == [
        ("rogaland", "http://samlinger.test/rogaland/samlinger/samling-i-stavanger")]
    assert "Stavanger" not in client.get("/finnmark/api/v1/gatherings").get_data(as_text=True)


def test_an_organiser_is_sent_to_the_workspace_at_their_office(two, client):
    with two.app_context():
        user = factories.user("kari@rogaland.test")
        user.office_id = offices().by_slug("rogaland").id
        db.session.commit()
        alta = db.session.scalar(select(Gathering.id).where(Gathering.slug == "samling-i-alta"))
    assert log_in(client, "kari@rogaland.test", factories.PASSWORD).status_code == 302
    answer = client.get("/arrangor/?side=1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/nb/rogaland/arrangor/?side=1"
    page = client.get("/rogaland/arrangor/")
    assert page.status_code == 200 and html_lang(page) == "nn"
    assert client.get(f"/rogaland/arrangor/samlinger/{alta}/endre").status_code == 404
    token = csrf_token(client, "/rogaland/arrangor/runder/ny")
    new_round = {"year": "2028", "term": "spring", "title": "Våren 2028", "csrf_token": token}
    assert client.post("/arrangor/runder/ny", data=new_round).status_code == 404, "not at another office's address"
    with two.app_context():
        assert db.session.scalar(select(Round.id).where(Round.title == "Våren 2028")) is None


def test_offices_that_cannot_be_read_are_not_taken_for_one(two, client, monkeypatch):
    """A database that fails as the offices are read (locked, gone) fails the request: it is never served as if
    the settings' one office were all there is, which would put every office's rows in scope."""
    registry = two.extensions["samlinger.offices"]
    error = registry.engine.dialect.loaded_dbapi.OperationalError("database is locked")

    def fail(_engine):
        raise error

    assert client.get("/finnmark/samlinger/samling-i-stavanger").status_code == 404
    monkeypatch.setattr(two.extensions["samlinger.pagecache"].versions, "read", fail)
    with pytest.raises(type(error)):
        client.get("/finnmark/samlinger/samling-i-stavanger")
