"""The seat ledger (seats/ledger.py) where features meet: hybrid counts in the workspace, the reason a seat is
refused on a full online side, and a municipality written as an organisation's name."""

import re
from datetime import timedelta

import pytest

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.municipalities import matching
from samlinger.municipalities.models import Municipality
from samlinger.refusal import Refused
from samlinger.registration import service
from samlinger.registration.models import Registration
from samlinger.seats import rules, sides
from samlinger.seats.ledger import ledger
from samlinger.timeutil import oslo_today

from . import factories
from .conftest import csrf_token, form_data

FINNMARK = [("5607", "Vadsø", None), ("5610", "Karasjok", "Kárášjohka"), ("5612", "Kautokeino", "Guovdageaidnu"),
            ("5618", "Måsøy", None), ("5632", "Båtsfjord", None), ("5605", "Sør-Varanger", None)]


@pytest.fixture
def register_of(ctx):
    """Municipalities of the Finnmark register: {name: id}."""
    made = [Municipality(number=number, name=name, sami_name=sami, language_decision="neutral")
            for number, name, sami in FINNMARK]
    db.session.add_all(made)
    db.session.commit()
    return {municipality.name: municipality.id for municipality in made}


def sign_up(gid, who, municipality_id=None, *, organisation="", mode=None):
    details = {"name": who, "municipality_id": municipality_id, "organisation": organisation}
    return service.register(gid, details, email=f"{who}@x.no", language="nb", mode=mode)


def fresh(registration_id) -> Registration:
    return db.session.get(Registration, registration_id, populate_existing=True)


# --- observation 1: a hybrid gathering's counts in the workspace -------------------------------------------

def test_an_online_registration_is_not_counted_against_the_seats_on_site(app, organiser_client):
    with app.app_context():
        gid = factories.gathering(mode="hybrid", capacity=20, online_capacity=7, title="Hybrid").id
        sign_up(gid, "online1", organisation="KS", mode="online")
    for path in ("/arrangor/", f"/arrangor/samlinger/{gid}/deltakere"):
        page = re.sub(r"\s+", " ", organiser_client.get(path).get_data(as_text=True))
        assert "1 / 20" not in page, path
        assert "På stedet: 0 / 20" in page, path
        assert "På nett: 1 / 7" in page, path  # the online capacity is shown too


def test_the_ledger_counts_each_side_against_its_own_capacity(ctx):
    gid = factories.gathering(mode="hybrid", capacity=2, online_capacity=None).id
    sign_up(gid, "o1", organisation="KS", mode="online")
    counted = ledger(db.session.get(Gathering, gid))
    assert [(mode, side.confirmed, side.capacity) for mode, side in counted.offered] == [
        ("on_site", 0, 2), ("online", 1, None)]
    assert counted.side("on_site").seats_left == 2 and counted.side("online").seats_left is None


# --- observation 7: the reason, on a full online side --------------------------------------------------------

@pytest.mark.parametrize("mode, fields", [
    ("online", {"mode": "online", "capacity": 2}),
    ("online", {"mode": "hybrid", "capacity": 10, "online_capacity": 2}),
])
def test_a_newcomer_to_a_full_online_side_waits_because_it_is_full(register_of, mode, fields):
    """The first person from a new municipality, while seats are held for new municipalities: on a full side
    the reason is FULL (not HELD, and never a seat), which an unlimited online side would hide."""
    gid = factories.gathering(held_seats=1, held_until=oslo_today() + timedelta(days=3), **fields).id
    assert sign_up(gid, "a1", register_of["Vadsø"], mode=mode).registration.status == "confirmed"
    assert sign_up(gid, "b1", register_of["Karasjok"], mode=mode).registration.status == "confirmed"
    newcomer = sign_up(gid, "c1", register_of["Måsøy"], mode=mode)
    assert (newcomer.registration.status, newcomer.why) == ("waitlisted", rules.FULL)
    gathering = db.session.get(Gathering, gid)
    assert sides.capacity_for(gathering, mode) == 2
    assert ledger(gathering).why_not(register_of["Båtsfjord"], mode) == rules.FULL


def test_without_a_waiting_list_a_full_online_side_refuses_as_full(register_of):
    gid = factories.gathering(mode="online", capacity=1, held_seats=1, waitlist_enabled=False,
                              held_until=oslo_today() + timedelta(days=3)).id
    sign_up(gid, "a1", register_of["Vadsø"])
    with pytest.raises(Refused) as refused:
        sign_up(gid, "b1", register_of["Karasjok"])
    assert refused.value.code == rules.FULL


# --- observation 3: organisation text never stands in for a municipality --------------------------------

@pytest.mark.parametrize("written, meant", [
    ("Vadso", "Vadsø"), ("VADSØ KOMMUNE", "Vadsø"), ("Kommunen i Vadsø", "Vadsø"),
    ("Vadsø kommune, IT-avdelingen", "Vadsø"), ("Masoy kommune", "Måsøy"), ("Maasøy", "Måsøy"),
    ("Batsfjord kommune, helse og omsorg", "Båtsfjord"), ("Sor-Varanger", "Sør-Varanger"),
    ("Kárášjoga gielda", "Karasjok"), ("Karasjoga gielda", "Karasjok"), ("KARASJOHKA", "Karasjok"),
    ("Guovdageainnu suohkan", "Kautokeino"), ("Guovdageaidnu", "Kautokeino"), ("5610", "Karasjok"),
])
def test_a_municipality_written_another_way_is_that_municipality(register_of, written, meant):
    assert matching.find(written).id == register_of[meant]


@pytest.mark.parametrize("written", ["Vadsø og Vardø", "KS Finnmark", "Helse Nord", "Vadsøveien skole"])
def test_a_name_that_is_not_certainly_a_municipality_stays_an_organisation(register_of, written):
    assert matching.find(written) is None


def test_the_limit_holds_for_a_municipality_written_as_an_organisation(register_of):
    gid = factories.gathering(capacity=10, per_municipality_limit=1).id
    sign_up(gid, "a1", register_of["Vadsø"])
    for n, written in enumerate(["Vadso", "Kommunen i Vadsø", "VADSØ KOMMUNE, IT-avdelingen"]):
        outcome = sign_up(gid, f"a{n + 2}", organisation=written)
        assert (outcome.registration.status, outcome.why) == ("waitlisted", rules.MUNICIPALITY_LIMIT), written
        assert outcome.registration.municipality_id == register_of["Vadsø"]


def test_the_registration_form_takes_the_written_municipality_as_the_municipality(app, client):
    with app.app_context():
        vadso = Municipality(number="5607", name="Vadsø", language_decision="neutral")
        db.session.add(vadso)
        db.session.commit()
        vadso_id = vadso.id
        gid = factories.gathering(slug="begrenset", capacity=10, per_municipality_limit=1).id
        sign_up(gid, "a1", vadso_id)
    url = "/samlinger/begrenset/pamelding"
    response = client.post(url, data=form_data(csrf_token=csrf_token(client, url), municipality="other",
                                               organisation="Vadso kommune, IT-avdelingen", email="a2@x.no"))
    assert response.status_code == 302
    with app.app_context():
        registration = db.session.scalars(db.select(Registration).filter_by(email_normalized="a2@x.no")).one()
        assert (registration.municipality_id, registration.status) == (vadso_id, "waitlisted")


def test_a_change_to_a_municipality_written_as_text_keeps_the_limit(register_of):
    gid = factories.gathering(capacity=10, per_municipality_limit=1).id
    sign_up(gid, "a1", register_of["Vadsø"])
    other = sign_up(gid, "o1", organisation="KS Finnmark").registration
    with pytest.raises(Refused) as refused:
        service.update_details(other, {"municipality_id": None, "organisation": "Kommunen i Vadso"})
    assert refused.value.code == rules.MUNICIPALITY_LIMIT
    assert fresh(other.id).municipality_id is None


def test_a_person_waiting_who_changes_municipality_and_then_side_is_held_to_the_limit(register_of):
    """On the waiting list for the limit, changing to another organisation written as the same municipality
    and then switching side does not give a seat past the limit."""
    gid = factories.gathering(mode="hybrid", capacity=5, online_capacity=5, per_municipality_limit=1).id
    sign_up(gid, "a1", register_of["Vadsø"], mode="on_site")
    waiting = sign_up(gid, "a2", register_of["Vadsø"], mode="online").registration
    assert waiting.status == "waitlisted"
    service.update_details(fresh(waiting.id), {"municipality_id": None, "organisation": "Vadso kommune, NAV"})
    assert fresh(waiting.id).municipality_id == register_of["Vadsø"]
    with pytest.raises(Refused) as refused:
        service.switch_mode(waiting.id, "on_site")
    assert refused.value.code == rules.MUNICIPALITY_LIMIT
    assert fresh(waiting.id).status == "waitlisted"
    assert ledger(db.session.get(Gathering, gid)).per_municipality[register_of["Vadsø"]] == 1


def test_a_person_waiting_for_the_limit_gets_a_seat_when_they_correct_their_municipality(register_of):
    """A change of municipality goes through the ledger: the seat free for the new municipality is given."""
    gid = factories.gathering(capacity=5, per_municipality_limit=1).id
    sign_up(gid, "a1", register_of["Vadsø"])
    waiting = sign_up(gid, "a2", register_of["Vadsø"]).registration
    assert waiting.status == "waitlisted"
    service.update_details(fresh(waiting.id), {"municipality_id": register_of["Båtsfjord"]})
    assert fresh(waiting.id).status == "confirmed"


# --- the predicates the pages ask are the services' own rules -------------------------------------------

def test_the_manage_page_offers_a_change_of_side_exactly_when_the_service_allows_it(register_of):
    gid = factories.gathering(mode="hybrid", capacity=5, online_capacity=5).id
    person = sign_up(gid, "a1", register_of["Vadsø"], mode="on_site").registration
    assert service.can_switch_mode(fresh(person.id)) == "online"
    started = db.session.get(Gathering, gid).starts_at
    assert service.can_switch_mode(fresh(person.id), now=started) is None
    with pytest.raises(Refused) as refused:
        service.switch_mode(person.id, "online", now=started)
    assert refused.value.code == "not_switchable"
    assert service.switch_mode(person.id, "online").attendance_mode == "online"
    service.cancel(person.id)
    assert service.can_switch_mode(fresh(person.id)) is None
    with pytest.raises(Refused):
        service.switch_mode(person.id, "on_site")


def test_moving_up_is_offered_exactly_when_the_service_allows_it(register_of):
    gid = factories.gathering(capacity=1).id
    first = sign_up(gid, "a1", register_of["Vadsø"]).registration
    waiting = sign_up(gid, "b1", register_of["Karasjok"]).registration
    assert (service.can_move_up(fresh(first.id)), service.can_move_up(fresh(waiting.id))) == (False, True)
    with pytest.raises(Refused) as refused:
        service.move_up(first.id, reason="speaker")
    assert refused.value.code == "not_waitlisted"
    assert service.move_up(waiting.id, reason="speaker").status == "confirmed"
    assert not service.can_move_up(fresh(waiting.id))
