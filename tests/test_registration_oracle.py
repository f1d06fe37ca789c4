"""No registration oracle: what the public sees of a gathering's seats moves the same way whether an address
registers for the first time or again (issue 21, observation 6). The page, the JSON API and when the kept page
was built (Last-Modified) are compared after each: anyone may register any address, and must not learn from
the figures whether its owner had already registered."""

import re
import time

from samlinger.registration import service
from samlinger.seats.ledger import FEW_SEATS

from . import factories


def _register(app, gathering_id, email):
    with app.app_context():
        return service.register(gathering_id, {"name": "Kari", "organisation": "Alta kommune"}, email=email,
                                language="nb")


def _public(reader, slug: str) -> tuple:
    """What the public sees of the gathering's seats: the badges on its page and the front page, its JSON."""
    page = reader.get(f"/samlinger/{slug}")
    badge = re.search(r'class="ds-tag badge badge-[a-z]+"[^>]*>([^<]*)<', page.get_data(as_text=True)).group(1)
    front = reader.get("/").get_data(as_text=True)
    front_badges = re.findall(r'class="ds-tag badge badge-[a-z]+"[^>]*>([^<]*)<', front)
    [item] = [g for g in reader.get("/api/v1/gatherings").get_json()["gatherings"] if g["url"].endswith(slug)]
    figures = {key: value for key, value in item.items() if key not in ("id", "title", "url", "ics_url")}
    return badge, sorted(front_badges), figures, page.headers.get("Last-Modified")


def _after(app, reader, gathering_id, slug, email) -> tuple:
    _public(reader, slug)
    time.sleep(1.05)  # a kept page tells when it was built (Last-Modified) once that second has passed
    before = _public(reader, slug)
    _register(app, gathering_id, email)
    _public(reader, slug)
    time.sleep(1.05)
    after = _public(reader, slug)
    assert before[3] and after[3]
    return before[:3], after[:3], after[3] != before[3]


def test_an_address_registered_again_moves_the_public_figures_as_a_new_one_does(app, make_gathering):
    again = make_gathering(slug="igjen", capacity=20)
    new = make_gathering(slug="ny", capacity=20)
    for gathering_id in (again, new):
        _register(app, gathering_id, "kari@alta.kommune.no")
    reader = app.test_client()
    repeated = _after(app, reader, again, "igjen", "kari@alta.kommune.no")
    first = _after(app, reader, new, "ny", "ola@vardo.kommune.no")
    assert repeated == first, "the public cannot tell a repeated registration from a new one"
    assert repeated[2], "both build the kept pages again"
    assert "20" not in repeated[1][0] and "19" not in repeated[1][0] and "18" not in repeated[1][0]


def test_the_public_sees_few_seats_and_full_never_a_number(app, make_gathering):
    gathering_id = make_gathering(slug="alta", capacity=FEW_SEATS + 1, waitlist_enabled=True)
    reader = app.test_client()
    assert _public(reader, "alta")[2]["seats"] == "open"
    assert _public(reader, "alta")[0] == "Åpen for påmelding"
    _register(app, gathering_id, "a@alta.kommune.no")
    badge, _front, figures, _modified = _public(reader, "alta")
    assert figures["seats"] == "few" and "seats_left" not in figures
    assert not re.search(r"\d", badge)
    for n in range(FEW_SEATS):
        _register(app, gathering_id, f"p{n}@alta.kommune.no")
    assert _public(reader, "alta")[2]["seats"] == "waitlist"
    html = reader.get("/samlinger/alta").get_data(as_text=True)
    assert not re.search(r"\d+ (ledige plasser|ledig plass|seats? left)", html)


def test_held_seats_are_told_without_their_number(app, make_gathering):
    with app.app_context():
        from datetime import timedelta

        from samlinger.timeutil import oslo_today
        factories.gathering(slug="holdt", capacity=10, held_seats=4, held_until=oslo_today() + timedelta(days=10))
    reader = app.test_client()
    html = reader.get("/samlinger/holdt").get_data(as_text=True)
    assert "Noen plasser er reservert til og med" in html
    assert not re.search(r"\d+ plass(er)? er reservert", html)
