"""An id no database column can hold is an address that does not exist: 404 on every route with an integer in
it, public and workspace, GET and POST alike, never a 500 from the database."""

import re

import pytest

from samlinger.urls import LARGEST_ID

from . import factories

TOO_LARGE = (2**31, 2**63, 10**20)

#: a value for each variable that is not an integer, so the rule matches up to its integer
OTHER_VALUES = {"file_format": "csv", "language": "nn"}


@pytest.fixture
def app_config(app_config):
    return app_config | {"WTF_CSRF_ENABLED": False}


def _integer_rules(app):
    for rule in app.url_map.iter_rules():
        integers = [name for name, converter in rule._converters.items() if converter.regex == r"\d+"]
        if integers:
            yield rule, integers


VARIABLE = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")


def _address(rule, integers, number: int) -> str:
    """The rule's address with *number* for each integer (written out: building it would refuse the number)."""
    return VARIABLE.sub(lambda m: str(number) if m[1] in integers else OTHER_VALUES.get(m[1], "x"), rule.rule)


def test_the_converter_holds_what_an_integer_column_holds(app):
    rule = next(rule for rule, _ in _integer_rules(app))
    converter = next(iter(rule._converters.values()))
    assert converter.to_python(str(LARGEST_ID)) == LARGEST_ID


def test_every_route_with_an_integer_answers_404_for_one_too_large(app, client):
    with app.app_context():
        factories.user(email="admin@statsforvalteren.test", role="admin")
    assert client.post("/logg-inn", data={"email": "admin@statsforvalteren.test",
                                         "password": factories.PASSWORD}).status_code == 302
    rules = list(_integer_rules(app))
    assert len(rules) > 40, "the walk reaches the routes with an id"
    prefixes = {rule.rule.split("/")[1] for rule, _ in rules}
    assert "arrangor" in prefixes and len(prefixes) > 1, "public and workspace routes alike"
    wrong = []
    for rule, integers in rules:
        for number in TOO_LARGE:
            address = _address(rule, integers, number)
            assert str(number) in address, (rule.rule, address)
            for method in sorted(rule.methods & {"GET", "POST"}):
                status = client.open(address, method=method).status_code
                if status != 404:
                    wrong.append((method, address, status))
    assert not wrong, wrong
