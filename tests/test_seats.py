"""Seats shared between municipalities: the limit per municipality, seats held for municipalities not yet
registered, promotion that skips whoever does not fit, and an organiser's seat out of turn."""

from datetime import timedelta

import pytest
from sqlalchemy import select

import samlinger.models  # noqa: F401 - every model mapped, for a Gathering made without the app
from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.mail.models import OutboundEmail
from samlinger.municipalities.models import Municipality
from samlinger.refusal import Refused
from samlinger.registration import releasing, service
from samlinger.registration.models import Registration
from samlinger.registration.notify import write
from samlinger.seats import rules as seats
from samlinger.seats.ledger import Counts, Ledger, ledger
from samlinger.timeutil import oslo_today, utcnow

from . import factories
from .conftest import csrf_token, form_data

# --- the rule alone --------------------------------------------------------------------------------

def gathering(**fields) -> Gathering:
    """A gathering not saved: the rule reads only its fields."""
    return Gathering(**{"capacity": 6, "per_municipality_limit": None, "held_seats": None, "held_until": None,
                        **fields})


def tally(g, now, **per_municipality) -> Ledger:
    """The ledger of *g* at *now* from confirmed seats per municipality, all on site: a=1 is municipality 1 ('a'),
    other=… is another organisation."""
    ids = {"a": 1, "b": 2, "c": 3, "d": 4, "other": None}
    counted = {ids[key]: number for key, number in per_municipality.items()}
    return Ledger(g, now, {"on_site": Counts(confirmed=sum(counted.values()))}, counted)


NOW = utcnow()
HOLDING = {"held_seats": 2, "held_until": oslo_today() + timedelta(days=3)}


def test_a_municipality_at_its_limit_waits_and_another_organisation_is_never_limited():
    limited = gathering(per_municipality_limit=2)
    assert tally(limited, NOW, a=1).why_not(1) is None
    assert tally(limited, NOW, a=2).why_not(1) == seats.MUNICIPALITY_LIMIT
    assert tally(limited, NOW, a=2).why_not(2) is None, "the limit is per municipality"
    assert tally(limited, NOW, other=5).why_not(None) is None, "another organisation: no limit"
    assert tally(limited, NOW, a=2, other=4).why_not(2) == seats.FULL, "capacity first"
    assert tally(gathering(per_municipality_limit=2, capacity=None), NOW, a=1).why_not(1) is None
    assert tally(gathering(per_municipality_limit=2, capacity=None), NOW, a=2).why_not(1) == \
        seats.MUNICIPALITY_LIMIT


def test_held_seats_are_kept_for_newcomers_and_used_up_as_municipalities_come():
    held = gathering(**HOLDING)  # 6 seats, 2 held
    # Nobody yet: 2 held. A's first seat is a newcomer's, and uses one of them.
    assert tally(held, NOW).held == 2
    assert tally(held, NOW).why_not(1) is None
    assert tally(held, NOW, a=1).held == 1
    # A may take seats while free seats exceed the held ones still unused: 5 free > 1, …, 2 free > 1.
    assert tally(held, NOW, a=4).why_not(1) is None
    assert tally(held, NOW, a=5).why_not(1) == seats.HELD, "1 free, 1 held"
    assert tally(held, NOW, a=5).why_not(None) == seats.HELD, "another organisation is no newcomer"
    assert tally(held, NOW, a=5).why_not(2) is None, "a newcomer takes the held seat"
    assert tally(held, NOW, a=3, b=1).held == 0, "two municipalities have used both"
    assert tally(held, NOW, a=3, b=1).why_not(1) is None
    assert tally(held, NOW, other=5).held == 1, "never more than the seats still free"


def test_held_seats_are_released_at_the_end_of_the_day_in_oslo():
    held = gathering(**HOLDING)
    released = held.held_until_at
    assert tally(held, released - timedelta(microseconds=1), a=5).why_not(1) == seats.HELD
    assert tally(held, released, a=5).why_not(1) is None
    assert not gathering(held_seats=0, held_until=HOLDING["held_until"]).holding(NOW), "0 held seats: none"


# --- registering and promotion through the service ---------------------------------------------------

@pytest.fixture
def places(ctx):
    """Municipalities A, B, C, D of the register: {letter: id}."""
    made = {letter: Municipality(number=f"560{n}", name=f"Kommune {letter}", language_decision="neutral")
            for n, letter in enumerate("ABCD", start=1)}
    db.session.add_all(made.values())
    db.session.commit()
    return {letter: municipality.id for letter, municipality in made.items()}


def sign_up(gid, who: str, municipality_id, *, language="nb", now=None, mode=None):
    details = {"name": who, "municipality_id": municipality_id, "organisation": "" if municipality_id else "Annen"}
    return service.register(gid, details, email=f"{who}@x.no", language=language, now=now, mode=mode)


def status(registration_id) -> str:
    return db.session.get(Registration, registration_id, populate_existing=True).status


def mail_of(registration_id, kind: str):
    return db.session.scalars(select(OutboundEmail).filter_by(registration_id=registration_id, kind=kind)).one()


def test_the_limit_puts_a_municipality_on_the_waiting_list_and_says_why_in_the_persons_language(places):
    gid = factories.gathering(capacity=10, per_municipality_limit=2).id
    a1, a2 = (sign_up(gid, name, places["A"]) for name in ("a1", "a2"))
    assert {a1.registration.status, a2.registration.status} == {"confirmed"}
    a3 = sign_up(gid, "a3", places["A"])
    assert (a3.registration.status, a3.why) == ("waitlisted", seats.MUNICIPALITY_LIMIT)
    a4 = sign_up(gid, "a4", places["A"], language="nn")
    others = [sign_up(gid, f"o{n}", None) for n in range(4)]
    assert {o.registration.status for o in others} == {"confirmed"}, "another organisation is not limited"
    assert sign_up(gid, "b1", places["B"]).registration.status == "confirmed"
    text = write(mail_of(a3.registration.id, "waitlisted")).text_body
    assert "Kommunen din har nådd grensen på 2 plasser på denne samlingen. Du står på venteliste." in text
    assert "Kommunen din har nådd grensa på 2 plassar på denne samlinga." in write(
        mail_of(a4.registration.id, "waitlisted")).text_body
    full = factories.gathering(capacity=1).id
    sign_up(full, "x1", None)
    assert "Samlingen er full, så du står på ventelisten" in write(
        mail_of(sign_up(full, "x2", None).registration.id, "waitlisted")).text_body


def test_without_a_waiting_list_the_limit_refuses_with_the_reason(places):
    gid = factories.gathering(capacity=10, per_municipality_limit=1, waitlist_enabled=False).id
    sign_up(gid, "a1", places["A"])
    with pytest.raises(Refused) as refused:
        sign_up(gid, "a2", places["A"])
    assert refused.value.code == "municipality_limit"
    assert db.session.scalar(select(db.func.count()).select_from(Registration)) == 1


def test_promotion_skips_whoever_does_not_fit_and_mails_the_one_who_does(places):
    gid = factories.gathering(capacity=3, per_municipality_limit=1).id
    a1 = sign_up(gid, "a1", places["A"]).registration.id
    a2 = sign_up(gid, "a2", places["A"]).registration.id  # waits for A's limit
    sign_up(gid, "b1", places["B"])
    c1 = sign_up(gid, "c1", places["C"]).registration.id
    d1 = sign_up(gid, "d1", places["D"]).registration.id  # waits: full
    assert (status(a2), status(d1)) == ("waitlisted", "waitlisted")
    service.cancel(c1)
    assert (status(a2), status(d1)) == ("waitlisted", "confirmed"), "A2 is first but A is at its limit"
    assert mail_of(d1, "promoted"), "promoted with mail, in the same transaction"
    service.cancel(a1)
    assert status(a2) == "confirmed"
    assert ledger(db.session.get(Gathering, gid)).confirmed == 3


def test_in_a_hybrid_gathering_the_limit_counts_both_sides_and_each_side_has_its_own_seats(places):
    """The limit is per municipality, on site and online together; capacity is per side, and a full side does
    not stop the other side's waiting list from moving up."""
    gid = factories.gathering(mode="hybrid", capacity=2, online_capacity=2, per_municipality_limit=2).id
    a1 = sign_up(gid, "a1", places["A"], mode="on_site").registration.id
    sign_up(gid, "a2", places["A"], mode="online")
    a3 = sign_up(gid, "a3", places["A"], mode="online")
    assert (a3.registration.status, a3.why) == ("waitlisted", seats.MUNICIPALITY_LIMIT), "both sides count"
    b1 = sign_up(gid, "b1", places["B"], mode="on_site").registration.id
    b2 = sign_up(gid, "b2", places["B"], mode="on_site")
    assert (b2.registration.status, b2.why) == ("waitlisted", seats.FULL), "on site is full"
    c1 = sign_up(gid, "c1", places["C"], mode="online")
    assert c1.registration.status == "confirmed", "online still has a seat"
    c2 = sign_up(gid, "c2", places["C"], mode="online").registration.id  # online full now
    service.cancel(b1)  # an on-site seat: the on-site list moves, the online one does not
    assert (status(b2.registration.id), status(c2), status(a3.registration.id)) == (
        "confirmed", "waitlisted", "waitlisted")
    service.cancel(a1)  # A is under its limit again, but the seat freed is on site: A3 waits online
    assert status(a3.registration.id) == "waitlisted"
    counted = ledger(db.session.get(Gathering, gid))
    assert (counted.confirmed_on("on_site"), counted.confirmed_on("online")) == (1, 2)


def test_changing_side_keeps_the_limit_and_the_held_seats(places):
    """Switching side in a hybrid gathering is held to the same rules as registering there: a person waiting
    for their municipality's limit cannot take the other side's free seat, nor a seat held for newcomers."""
    gid = factories.gathering(mode="hybrid", capacity=5, online_capacity=5, per_municipality_limit=1).id
    sign_up(gid, "a1", places["A"], mode="on_site")
    waiting = sign_up(gid, "a2", places["A"], mode="online").registration.id
    assert status(waiting) == "waitlisted"
    with pytest.raises(Refused) as refused:
        service.switch_mode(waiting, "on_site")
    assert refused.value.code == seats.MUNICIPALITY_LIMIT
    assert ledger(db.session.get(Gathering, gid)).per_municipality[places["A"]] == 1

    held = factories.gathering(mode="hybrid", capacity=2, online_capacity=5, held_seats=2,
                               held_until=oslo_today() + timedelta(days=2)).id
    sign_up(held, "b1", places["B"], mode="on_site")  # B has a seat; one on-site seat is held for newcomers
    online = sign_up(held, "b2", places["B"], mode="online").registration.id
    with pytest.raises(Refused) as refused:
        service.switch_mode(online, "on_site")
    assert refused.value.code == seats.HELD
    assert sign_up(held, "c1", places["C"], mode="on_site").registration.status == "confirmed", "kept for C"
    # Someone alone from their municipality takes their own seat along: not refused by their own count.
    alone = sign_up(gid, "d1", places["D"], mode="online").registration.id
    assert service.switch_mode(alone, "on_site").status == "confirmed"


def test_a_seat_online_moves_to_another_municipality_by_the_online_sides_rules(places):
    """Held seats are of the on-site seats: an online seat moving to another organisation is not refused
    for them."""
    gid = factories.gathering(mode="hybrid", capacity=1, online_capacity=5, held_seats=2,
                              held_until=oslo_today() + timedelta(days=2)).id
    sign_up(gid, "a1", places["A"], mode="online")
    second = sign_up(gid, "a2", places["A"], mode="online").registration
    service.update_details(second, {"municipality_id": None, "organisation": "KS Finnmark"})
    assert db.session.get(Registration, second.id, populate_existing=True).municipality_id is None


def test_nobody_moves_up_once_the_gathering_has_started(places):
    gid = factories.gathering(capacity=1).id
    first = sign_up(gid, "a1", places["A"]).registration.id
    waiting = sign_up(gid, "b1", places["B"]).registration.id
    starts_at = db.session.get(Gathering, gid).starts_at
    service.cancel(first, now=starts_at + timedelta(minutes=1))
    assert status(waiting) == "waitlisted"
    assert not db.session.scalars(select(OutboundEmail).filter_by(kind="promoted")).all()


def test_held_seats_wait_for_new_municipalities_and_the_waiting_list_gets_them_when_released(places):
    gid = factories.gathering(capacity=4, held_seats=3, held_until=oslo_today() + timedelta(days=2)).id
    a = [sign_up(gid, f"a{n}", places["A"]) for n in range(1, 4)]
    # A's first seat uses one held seat: 3 free, 2 held, so A2 fits and A3 does not.
    assert [o.registration.status for o in a] == ["confirmed", "confirmed", "waitlisted"]
    assert a[2].why == seats.HELD
    other = sign_up(gid, "o1", None)
    assert (other.registration.status, other.why) == ("waitlisted", seats.HELD)
    assert "er reservert til og med" in write(mail_of(other.registration.id, "waitlisted")).text_body
    assert sign_up(gid, "b1", places["B"]).registration.status == "confirmed", "a newcomer takes a held seat"

    service.cancel(a[0].registration.id)  # 2 free, 1 still held for C or D: A3 (first) fits, O1 not
    assert (status(a[2].registration.id), status(other.registration.id)) == ("confirmed", "waitlisted")
    released = db.session.get(Gathering, gid).held_until_at
    assert releasing.release_held_seats(now=released - timedelta(seconds=1)) == 0
    assert releasing.release_held_seats(now=released) == 1
    assert status(other.registration.id) == "confirmed"
    assert mail_of(other.registration.id, "promoted")
    assert releasing.release_held_seats(now=released) == 0, "safe to run again"


def test_after_the_hold_a_new_registration_does_not_pass_the_waiting_list(places):
    gid = factories.gathering(capacity=3, held_seats=2, held_until=oslo_today() + timedelta(days=2)).id
    sign_up(gid, "a1", places["A"])
    sign_up(gid, "a2", places["A"])
    waiting = sign_up(gid, "a3", places["A"]).registration.id
    assert status(waiting) == "waitlisted"
    released = db.session.get(Gathering, gid).held_until_at
    late = sign_up(gid, "b1", places["B"], now=released + timedelta(minutes=1))
    assert status(waiting) == "confirmed" and late.registration.status == "waitlisted"


def test_the_release_command_moves_the_waiting_list_up(places, runner):
    gid = factories.gathering(capacity=3, held_seats=2, held_until=oslo_today() - timedelta(days=1)).id
    for name in ("a1", "a2", "a3"):
        sign_up(gid, name, places["A"], now=utcnow() - timedelta(days=2))
    waiting = db.session.scalar(select(Registration.id).filter_by(email="a3@x.no"))
    assert status(waiting) == "waitlisted"
    result = runner.invoke(args=["release-held-seats"])
    assert "1 moved up from waiting lists" in result.output
    assert status(waiting) == "confirmed"


def test_an_organiser_gives_a_seat_over_the_limit_for_a_reason_kept_in_the_audit_log(places):
    gid = factories.gathering(capacity=5, per_municipality_limit=1, title="Samling for prosjektledere").id
    sign_up(gid, "kari", places["A"])
    waiting = sign_up(gid, "ola", places["A"]).registration.id
    service.move_up(waiting, reason="speaker")
    assert status(waiting) == "confirmed" and mail_of(waiting, "promoted")
    summary = db.session.scalar(select(AuditEntry.summary).filter_by(action="registration.move_up"))
    assert "(reason: speaker)" in summary and "over the municipality's limit" in summary
    assert "ola" not in summary.lower() and "Samling for prosjektledere" in summary
    with pytest.raises(ValueError):
        service.move_up(waiting, reason="Ola er syk")


def test_a_confirmed_seat_cannot_move_into_a_municipality_at_its_limit(places):
    gid = factories.gathering(capacity=10, per_municipality_limit=1).id
    sign_up(gid, "a1", places["A"])
    other = sign_up(gid, "o1", None).registration
    waiting_b = sign_up(gid, "b2", places["B"], now=None)
    assert waiting_b.registration.status == "confirmed"
    b_waits = sign_up(gid, "b3", places["B"]).registration.id
    with pytest.raises(Refused) as refused:
        service.update_details(db.session.get(Registration, other.id),
                               {"municipality_id": places["A"], "organisation": ""})
    assert refused.value.code == "municipality_limit"
    assert db.session.get(Registration, other.id, populate_existing=True).municipality_id is None
    # Moving B's seat to C frees a seat of B's: the next from B gets it.
    service.update_details(db.session.get(Registration, waiting_b.registration.id),
                           {"municipality_id": places["C"], "organisation": ""})
    assert status(b_waits) == "confirmed"


# --- pages ----------------------------------------------------------------------------------------

@pytest.fixture
def limited(app):
    with app.app_context():
        db.session.add(Municipality(number="5601", name="Alta", language_decision="bokmal"))
        db.session.commit()
        return factories.gathering(slug="prosjektledere", capacity=6, per_municipality_limit=1, held_seats=2,
                                   held_until=oslo_today() + timedelta(days=5)).id


def register_page(client, email, municipality="5601", prefix=""):
    url = f"{prefix}/samlinger/prosjektledere/pamelding"
    return client.post(url, data=form_data(email=email, municipality=municipality, organisation="")
                       | {"csrf_token": csrf_token(client, url)})


def test_the_public_page_shows_the_limit_and_the_held_seats(client, limited):
    page = client.get("/samlinger/prosjektledere").get_data(as_text=True)
    assert "Maks 1 plass per kommune" in page
    # Held seats are told without their number: it would move with a new municipality's registration and not
    # with an address registered again (no registration oracle, tests/test_registration_oracle.py).
    assert "Noen plasser er reservert til og med" in page and "2 plasser er reservert" not in page
    nn = client.get("/nn/samlinger/prosjektledere").get_data(as_text=True)
    assert "Maks 1 plass per kommune" in nn and "Nokre plassar er reserverte til og med" in nn
    form = client.get("/samlinger/prosjektledere/pamelding").get_data(as_text=True)
    assert "Maks 1 plass per kommune." in form and "Noen plasser er reservert til og med" in form


def test_the_receipt_says_why_alike_for_a_new_and_an_already_registered_address(app, client, limited):
    assert register_page(client, "forst@alta.kommune.no").status_code == 302
    first = client.get("/samlinger/prosjektledere/kvittering").get_data(as_text=True)
    assert "Kommunen din har nådd grensen" not in first, "the first from Alta gets a seat"
    assert register_page(client, "andre@alta.kommune.no").status_code == 302
    new = client.get("/samlinger/prosjektledere/kvittering").get_data(as_text=True)
    assert "Kommunen din har nådd grensen på 1 plass på denne samlingen." in new
    assert register_page(client, "forst@alta.kommune.no").status_code == 302
    again = client.get("/samlinger/prosjektledere/kvittering").get_data(as_text=True)
    assert again.replace("forst@", "andre@") == new, "the receipt does not tell a registered address"
    with app.app_context():
        assert db.session.scalar(select(Registration.status).filter_by(email="andre@alta.kommune.no")) == \
            "waitlisted"


def test_the_manage_page_refuses_to_move_a_seat_into_a_municipality_at_its_limit(app, client, limited):
    assert register_page(client, "forst@alta.kommune.no").status_code == 302
    with app.app_context():
        other = service.register(limited, {"name": "Per", "municipality_id": None, "organisation": "Firma AS"},
                                 email="per@firma.no", language="nb")
    url = f"/pamelding/{other.token}"
    response = client.post(url, data=form_data(email="per@firma.no", municipality="5601", organisation="")
                           | {"csrf_token": csrf_token(client, url)})
    assert response.status_code == 422
    assert "Kommunen din har nådd grensen på 1 plass" in response.get_data(as_text=True)


# --- the gathering form ----------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "message"), [
    ({"per_municipality_limit": "0"}, "Skriv inn antall plasser fra 1 og oppover"),
    ({"held_seats": "31", "held_until": "2027-03-01"}, "Det kan ikke være flere reserverte plasser enn plasser."),
    ({"held_seats": "2", "capacity": ""}, "Plasser kan bare reserveres når antall plasser er begrenset."),
    ({"held_seats": "2"}, "Skriv inn den siste dagen plassene er reservert."),
    ({"held_until": "2027-03-01"}, "Skriv inn hvor mange plasser som er reservert, eller la datoen stå tom."),
    ({"held_seats": "2", "held_until": "2027-03-04"}, "Reservasjonen må slutte senest på påmeldingsfristen."),
    ({"held_seats": "2", "held_until": "2027-03-10", "registration_deadline": "2027-03-10"},
     "Reservasjonen må slutte før dagen samlingen starter."),
    ({"held_seats": "2", "held_until": "9999-03-01"}, "Skriv en dato i årene 2000 til 2100."),
])
def test_the_gathering_form_checks_the_limit_and_the_held_seats(app, organiser_client, fields, message):
    from .test_rounds import gathering_data, post

    with app.app_context():
        round_id = factories.round_().id
    response = post(organiser_client, f"/arrangor/runder/{round_id}/samlinger/ny", **gathering_data(**fields))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_gathering_form_saves_the_limit_and_the_held_seats_and_copies_them(app, organiser_client):
    from samlinger.gatherings import service as gatherings

    from .test_rounds import gathering_data, post

    with app.app_context():
        round_id = factories.round_().id
    saved = post(organiser_client, f"/arrangor/runder/{round_id}/samlinger/ny", **gathering_data(
        per_municipality_limit="3", held_seats="5", held_until="2027-02-24"))
    assert saved.status_code == 302
    with app.app_context():
        made = db.session.scalar(select(Gathering))
        assert (made.per_municipality_limit, made.held_seats, str(made.held_until)) == (3, 5, "2027-02-24")
        edit = organiser_client.get(f"/arrangor/samlinger/{made.id}/endre").get_data(as_text=True)
        assert 'value="2027-02-24"' in edit
        copy = gatherings.copy_to_next_round(made.round)
        assert (copy.gatherings[0].per_municipality_limit, copy.gatherings[0].held_seats) == (3, 5)
        assert copy.gatherings[0].held_until == made.held_until + gatherings.NEXT_TERM_SHIFT


def test_raising_the_limit_moves_the_waiting_list_up_and_lowering_it_removes_nobody(places):
    from samlinger.gatherings import service as gatherings
    from samlinger.gatherings.public import next_change

    made = factories.gathering(capacity=10, per_municipality_limit=1, held_seats=1,
                               held_until=oslo_today() + timedelta(days=2))
    gid, fields = made.id, {field: getattr(made, field) for field in gatherings.GATHERING_FIELDS}
    assert next_change([made]) == made.held_until_at, "the public page changes when the seats are released"
    seated = sign_up(gid, "a1", places["A"]).registration.id
    waiting = sign_up(gid, "a2", places["A"]).registration.id
    gatherings.update_gathering(gid, fields | {"per_municipality_limit": 2}, notify_participants=False)
    assert status(waiting) == "confirmed" and mail_of(waiting, "promoted")
    gatherings.update_gathering(gid, fields | {"per_municipality_limit": 1}, notify_participants=False)
    assert (status(seated), status(waiting)) == ("confirmed", "confirmed")
