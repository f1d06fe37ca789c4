"""The office's identity: favicon, meta description, optional logo and theme colour, checked at start."""

import pytest

from samlinger import create_app
from samlinger.extensions import db
from samlinger.identity import IdentityError, contrast_with_white, from_config
from tests.conftest import base_config

from .conftest import create_tables


def test_the_favicon_is_served_and_every_page_names_it_and_describes_itself(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    for path in ("/", "/nn/", "/en/personvern", "/finnes-ikke", "/logg-inn"):
        html = client.get(path).get_data(as_text=True)
        assert '<meta name="description" content="' in html, path
        assert 'rel="icon"' in html and '<meta name="theme-color" content="#00466f">' in html, path
    assert "prosjektnettverket til Statsforvalteren" in client.get("/").get_data(as_text=True)
    nynorsk = client.get("/nn/").get_data(as_text=True)
    assert "Statsforvaltaren" in nynorsk
    assert 'href="/favicon.ico"' in nynorsk and "/nn/favicon.ico" not in nynorsk  # one address in every language


def test_without_settings_there_is_no_logo_and_no_theme_file(client):
    html = client.get("/").get_data(as_text=True)
    assert 'src="/logo"' not in html and 'href="/theme.css"' not in html
    assert client.get("/logo").status_code == 404


def test_a_logo_and_a_colour_from_the_settings(tmp_path, database_url):
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>')
    app = create_app(base_config(database_url, tmp_path) | {"SAMLINGER_LOGO": str(logo),
                                                             "SAMLINGER_THEME_COLOR": "#1D4F2A"})
    with app.app_context():
        create_tables()
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    assert '<img class="logo" src="/logo" alt=""' in html
    assert '<link rel="stylesheet" href="/theme.css">' in html and 'content="#1d4f2a"' in html
    assert '<link rel="stylesheet" href="/theme.css">' in client.get("/en/").get_data(as_text=True)
    with client.get("/logo") as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    css = client.get("/theme.css")
    assert css.mimetype == "text/css" and "--samlinger-brand:#1d4f2a" in css.get_data(as_text=True)
    assert "max-age=86400" in css.headers["Cache-Control"]
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.mark.parametrize("settings, message", [
    ({"SAMLINGER_THEME_COLOR": "green"}, "write a colour as #rrggbb"),
    ({"SAMLINGER_THEME_COLOR": "#ffcc00"}, "too light"),
    ({"SAMLINGER_LOGO": "/nowhere/logo.svg"}, "does not exist"),
    ({"SAMLINGER_LOGO": "/etc/hostname"}, "not an SVG, PNG, JPEG or WebP"),
])
def test_settings_that_cannot_be_shown_stop_the_start_with_the_reason(settings, message):
    with pytest.raises(IdentityError, match=message):
        from_config(settings)


def test_contrast_is_measured_as_wcag_does():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#767676"), 1) == 4.5
    assert contrast_with_white("#00466f") > 9.9
