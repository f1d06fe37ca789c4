"""The app's own log keeps no token: an error on a manage page is logged with its path."""

import logging
import re

from werkzeug.routing import IntegerConverter

from samlinger.logmask import mask


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


#: route variables that carry no secret: what a page is about, a file's format, a period, a language, a mailing
#: (behind the login), a static file. Any other is a secret, and must be named `token` so that it is masked.
PUBLIC_VARIABLES = {"slug", "file_format", "period", "code", "batch", "filename"}
SECRET = "Hemmelig-Token_123"


def _path(rule) -> str:
    """An address of *rule* with SECRET as its token and a plain value for every other variable."""
    parts = []
    for part in re.split(r"(<[^>]+>)", rule.rule):
        name = part[1:-1].rpartition(":")[2] if part.startswith("<") else None
        parts.append(part if name is None else SECRET if name == "token" else "7")
    return "".join(parts)


def unmasked_token_routes(app) -> list[str]:
    """The routes with a token that a log line would show, in any language's address (request line, path with a
    query string, Referer)."""
    leaks = []
    for rule in app.url_map.iter_rules():
        if "token" not in rule.arguments:
            continue
        path = _path(rule)
        for language in ("", "/nn", "/se", "/en"):
            line = (f'1.2.3.4 - - "GET {language}{path}?side=1 HTTP/1.1" 200 5 '
                    f'"https://samlinger.test{language}{path}" "Mozilla/5.0"')
            if SECRET in mask(line) and rule.rule not in leaks:
                leaks.append(rule.rule)
    return leaks


def test_every_route_variable_is_a_token_or_known_to_be_public(app):
    """A new route with a secret in its address must name it `token`: the log masking learns those routes."""
    variables = {name for rule in app.url_map.iter_rules() for name, converter in rule._converters.items()
                 if not isinstance(converter, IntegerConverter)}
    assert variables - PUBLIC_VARIABLES == {"token"}, (
        "a route variable that is neither a token nor known to be public: a secret must be named <token> "
        "(samlinger/logmask.py masks it); anything else goes in PUBLIC_VARIABLES")


def test_the_token_of_every_token_route_is_masked_in_every_language(app):
    assert len([rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]) >= 8
    assert unmasked_token_routes(app) == []


def test_a_token_route_the_masking_has_not_learned_is_found(app):
    """The walk above can fail: a route added after create_app learned the URL map is not masked."""
    app.add_url_rule("/invitasjon/<token>", "invitation", lambda token: token)
    assert unmasked_token_routes(app) == ["/invitasjon/<token>"]


def test_the_office_login_answer_is_logged_without_its_code_and_state(app):
    from samlinger.auth.oidc_views import bp

    path = app.url_map.bind("x").build("oidc.callback")
    assert bp.name == "oidc" and path == "/logg-inn/kontor/svar"
    for line in (f'"GET {path}?code=Sple7-code_1&state=St4te&iss=https%3A%2F%2Fidp HTTP/1.1" 302',
                 f'"GET /nn{path}?state=St4te&code=Sple7-code_1 HTTP/1.1" 302'):
        masked = mask(line)
        assert "Sple7-code_1" not in masked and "St4te" not in masked and "code=[token]" in masked, masked
