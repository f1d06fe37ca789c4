"""HTTPS as deployed: the manage pages keep their token to themselves without breaking their forms, the strict
Referer check stays on, and settings that cannot work are warned about at start.

The forms themselves are walked over a real TLS server in a browser: tests/browser/test_forms_walk.py.
"""

import logging
import os
import shutil
from pathlib import Path

import pytest

from samlinger import create_app, startup_checks

from .conftest import base_config, csrf_token, form_data, manage_link

CATALOGUES = Path(startup_checks.__file__).parent / "translations"


def test_manage_pages_send_the_referer_only_to_this_site(app, client, make_gathering, smtp, deliver):
    make_gathering()
    url = "/samlinger/samling-1/pamelding"
    assert client.post(url, data=form_data(csrf_token=csrf_token(client, url))).status_code == 302
    deliver()
    link = manage_link(smtp.to("oyvind@alta.kommune.no")[0])
    for page in (link, f"{link}/avmeld"):
        response = client.get(page)
        assert response.status_code == 200, page
        # same-origin: no Referer to other sites (the token is in the address), but our own forms get
        # theirs, which Flask-WTF requires over HTTPS. no-referrer broke every form here.
        assert response.headers["Referrer-Policy"] == "same-origin", page


def test_over_https_a_form_is_accepted_only_with_a_referer_from_this_site(app, make_gathering):
    make_gathering()
    client = app.test_client()
    url = "/samlinger/samling-1/pamelding"
    https = {"base_url": "https://localhost"}
    token = csrf_token(client, url)  # the test client's session cookie works over http and https alike

    def post(referer=None):
        headers = {"Referer": referer} if referer else {}
        return client.post(url, data=form_data(csrf_token=token), headers=headers, **https)

    assert post().status_code == 400
    assert post("https://evil.example/samlinger/samling-1/pamelding").status_code == 400
    assert post(f"https://localhost{url}").status_code == 302


# --- warnings at start -----------------------------------------------------------------------------

@pytest.fixture
def start(tmp_path, caplog, monkeypatch):
    """create_app(**overrides) with the warnings of this test only; returns the warnings logged."""
    monkeypatch.setattr(startup_checks, "_warned", set())
    caplog.set_level(logging.WARNING, logger="samlinger")

    def run(**overrides) -> list[str]:
        caplog.clear()
        create_app(base_config(f"sqlite:///{tmp_path / 'start.sqlite'}", tmp_path) | overrides)
        return [r.getMessage() for r in caplog.records if r.name == "samlinger" and r.levelno == logging.WARNING]
    return run


@pytest.fixture
def catalogues(tmp_path):
    """A copy of the language catalogues, compiled and up to date, to break."""
    copy = tmp_path / "translations"
    shutil.copytree(CATALOGUES, copy)
    for mo in copy.glob("*/LC_MESSAGES/messages.mo"):
        os.utime(mo, (mo.stat().st_mtime, mo.with_suffix(".po").stat().st_mtime + 1))
    return copy


def test_a_correct_configuration_warns_nothing(start, catalogues):
    assert start(BABEL_TRANSLATION_DIRECTORIES=str(catalogues)) == []
    production = {"TESTING": False, "SECRET_KEY": "x" * 64, "SAMLINGER_BASE_URL": "https://samlinger.example.no",
                  "MAIL_BACKEND": "smtp"}
    assert start(BABEL_TRANSLATION_DIRECTORIES=str(catalogues), **production) == []


def test_secure_cookies_with_an_http_base_url_are_warned_about_once(start, catalogues):
    production = {"TESTING": False, "SECRET_KEY": "x" * 64, "SAMLINGER_BASE_URL": "http://samlinger.example.no",
                  "MAIL_BACKEND": "smtp", "BABEL_TRANSLATION_DIRECTORIES": str(catalogues)}
    [warning] = start(**production)
    assert "SAMLINGER_BASE_URL is http://samlinger.example.no" in warning
    assert "https://" in warning and "FLASK_DEBUG=1" in warning
    assert start(**production) == []  # once per process, however many apps it makes
    # Cookies that travel over http, as on a developer's machine, are no problem.
    assert start(**production | {"SESSION_COOKIE_SECURE": False, "SAMLINGER_BASE_URL": "http://x.test"}) == []


def test_printing_mail_instead_of_sending_it_is_warned_about_outside_development(start, catalogues):
    production = {"TESTING": False, "SECRET_KEY": "x" * 64, "SAMLINGER_BASE_URL": "https://samlinger.example.no",
                  "BABEL_TRANSLATION_DIRECTORIES": str(catalogues)}
    [warning] = start(**production | {"MAIL_BACKEND": "console"})
    assert "MAIL_SERVER is not set" in warning and "manage links" in warning
    assert start(**production | {"MAIL_BACKEND": "console", "DEBUG": True}) == [], "make run prints mail on purpose"


def test_a_missing_catalogue_is_warned_about(start, catalogues):
    (catalogues / "nn" / "LC_MESSAGES" / "messages.mo").unlink()
    [warning] = start(BABEL_TRANSLATION_DIRECTORIES=str(catalogues))
    assert "Nynorsk" in warning and "not compiled" in warning and "make translations" in warning


def test_a_catalogue_older_than_its_source_is_warned_about(start, catalogues):
    po = catalogues / "nb" / "LC_MESSAGES" / "messages.po"
    os.utime(po, (po.stat().st_atime, po.with_suffix(".mo").stat().st_mtime + 60))
    [warning] = start(BABEL_TRANSLATION_DIRECTORIES=str(catalogues))
    assert "Bokmål" in warning and "older than messages.po" in warning and "make translations" in warning


def test_rate_limits_counted_per_process_while_several_serve_are_warned_about(start, catalogues, monkeypatch):
    """Issue 21, observation 4: memory:// counts per process; with several processes an address gets a limit
    per process, and made-up addresses fill the last seats."""
    settings = {"BABEL_TRANSLATION_DIRECTORIES": str(catalogues), "RATELIMIT_STORAGE_URI": "memory://"}
    [warning] = start(**settings, SAMLINGER_PROCESSES=4)
    assert "RATELIMIT_STORAGE_URI is memory:// while 4 processes serve" in warning and "redis://" in warning
    assert start(**settings, SAMLINGER_PROCESSES=1) == []
    assert start(**settings | {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/8"}, SAMLINGER_PROCESSES=4) == []
    # What the operator says, or gunicorn's own count (deploy/gunicorn.conf.py sets it before workers start).
    from samlinger.config import from_environment
    monkeypatch.setenv("SAMLINGER_GUNICORN_WORKERS", "3")
    assert from_environment("/tmp")["SAMLINGER_PROCESSES"] == 3
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    assert from_environment("/tmp")["SAMLINGER_PROCESSES"] == 5


def test_admins_see_the_per_process_limits_on_the_accounts_page(app, admin_client):
    app.config.update(RATELIMIT_STORAGE_URI="memory://", SAMLINGER_PROCESSES=4)
    page = admin_client.get("/arrangor/brukere/").get_data(as_text=True)
    assert "RATELIMIT_STORAGE_URI" in page and "4" in page
    app.config.update(SAMLINGER_PROCESSES=1)
    assert "RATELIMIT_STORAGE_URI" not in admin_client.get("/arrangor/brukere/").get_data(as_text=True)
