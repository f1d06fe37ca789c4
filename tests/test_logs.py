"""The app's own log keeps no token: an error on a manage page is logged with its path."""

import logging


def test_an_error_on_a_manage_page_is_logged_without_its_token(app, caplog):
    @app.get("/pamelding/<token>/feil-i-test")
    def fails(token):
        raise RuntimeError("a bug")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # log and answer 500, as in production
    caplog.set_level(logging.ERROR)
    response = app.test_client().get("/pamelding/hemmelig-lenke-123/feil-i-test")
    assert response.status_code == 500
    assert "Exception on /pamelding/[token]/feil-i-test [GET]" in caplog.text
    assert "hemmelig-lenke-123" not in caplog.text
