"""Seats held only until the address is confirmed (issue 21, observation 4): with the gathering's setting on, a
new registration from the public keeps its seat only until its address is confirmed from the mail; then
`flask release-unconfirmed` gives the seat to the waiting list in order, with mail and invite as usual."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.registration import confirming, service
from samlinger.registration.models import Registration
from samlinger.seats.ledger import counts_by_id
from samlinger.timeutil import utcnow

from .conftest import calendar_parts, csrf_token, form_data, manage_link, text_part
from .test_rounds import gathering_data, post


def confirm_link(message) -> str | None:
    match = re.search(r"http://samlinger\.test(/pamelding/[A-Za-z0-9_-]+/bekreft)", text_part(message))
    return match.group(1) if match else None


def register(client, slug, email):
    url = f"/samlinger/{slug}/pamelding"
    response = client.post(url, data={**form_data(email=email), "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def status(app, email) -> str:
    with app.app_context():
        return db.session.scalar(select(Registration.status).where(Registration.email == email))


def test_an_unconfirmed_seat_goes_to_the_waiting_list_and_a_confirmed_one_stays(app, client, make_gathering,
                                                                                 smtp, deliver, runner):
    make_gathering(slug="alta", capacity=1, confirm_address_hours=24)
    for email in ("squat@made-up.example", "kari@alta.kommune.no", "ola@vardo.kommune.no"):
        register(client, "alta", email)
    deliver()
    [squat] = smtp.to("squat@made-up.example")
    assert confirm_link(squat) and "Bekreft e-postadressen din innen" in text_part(squat)
    [kari] = smtp.to("kari@alta.kommune.no")
    [ola] = smtp.to("ola@vardo.kommune.no")
    # Kari and Ola, on the waiting list, confirm their addresses; the made-up address never can.
    assert client.get(confirm_link(kari)).status_code == 302
    assert client.get(confirm_link(ola)).status_code == 302
    response = client.get(confirm_link(kari), follow_redirects=True)
    assert response.status_code == 200  # twice is harmless
    assert runner.invoke(args=["release-unconfirmed"]).output.startswith("0 registrations ended")
    assert status(app, "squat@made-up.example") == "confirmed", "the seat is held until the time runs out"
    with app.app_context():
        released, promoted = confirming.release_unconfirmed(now=utcnow() + timedelta(hours=25))
    assert (released, promoted) == (1, 1)
    assert (status(app, "squat@made-up.example"), status(app, "kari@alta.kommune.no"),
            status(app, "ola@vardo.kommune.no")) == ("cancelled", "confirmed", "waitlisted"), "in order"
    smtp.clear()
    deliver()
    [ended] = smtp.to("squat@made-up.example")
    assert "ikke ble bekreftet i tide" in text_part(ended)
    assert [part.get_param("method") for part in calendar_parts(ended)] == ["CANCEL", "CANCEL"]
    [seat] = smtp.to("kari@alta.kommune.no")
    assert calendar_parts(seat) and confirm_link(seat) is None, "a confirmed address is not asked again"
    assert client.get(manage_link(seat)).status_code == 200


def test_the_time_runs_out_for_the_waiting_list_too_and_the_cli_releases(app, client, make_gathering, smtp, deliver,
                                                                         runner):
    gathering_id = make_gathering(slug="alta", capacity=1, confirm_address_hours=2)
    register(client, "alta", "kari@alta.kommune.no")
    register(client, "alta", "squat@made-up.example")
    with app.app_context():  # two hours have passed
        db.session.execute(db.update(Registration).values(confirm_by=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    result = runner.invoke(args=["release-unconfirmed"])
    assert result.exit_code == 0 and result.output.startswith("2 registrations ended unconfirmed, 0 moved up")
    with app.app_context():
        assert counts_by_id([gathering_id])[gathering_id].active == 0


def test_off_by_default_and_an_organisers_registration_has_nothing_to_confirm(app, client, make_gathering, smtp,
                                                                             deliver):
    make_gathering(slug="alta", capacity=5)
    register(client, "alta", "kari@alta.kommune.no")
    gathering_id = make_gathering(slug="vest", capacity=5, confirm_address_hours=24)
    with app.app_context():
        service.register(gathering_id, {"name": "Ola", "organisation": "Vardø"}, email="ola@vardo.kommune.no",
                         language="nb", by_organiser=True)
    deliver()
    assert confirm_link(smtp.to("kari@alta.kommune.no")[0]) is None
    assert confirm_link(smtp.to("ola@vardo.kommune.no")[0]) is None
    with app.app_context():
        assert confirming.release_unconfirmed(now=utcnow() + timedelta(days=3)) == (0, 0)
        assert {r.confirm_by for r in db.session.scalars(select(Registration))} == {None}


def test_an_address_corrected_by_an_organiser_needs_no_confirming(app, client, make_gathering):
    gathering_id = make_gathering(slug="alta", capacity=5, confirm_address_hours=24)
    register(client, "alta", "kari@alta.kommun.no")
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id))
        service.edit(registration_id, {}, email="kari@alta.kommune.no")
        assert confirming.release_unconfirmed(now=utcnow() + timedelta(days=2)) == (0, 0)
        assert db.session.get(Registration, registration_id).status == "confirmed"
    assert gathering_id


def test_the_organiser_sets_the_hours_on_the_gathering_form(app, organiser_client, make_gathering):
    gid = make_gathering(capacity=1, day=date(2027, 3, 10), registration_deadline=date(2027, 3, 3))
    url = f"/arrangor/samlinger/{gid}/endre"
    data = gathering_data(title="Samling 1", slug="samling-1", start_day="2027-03-10",
                          registration_deadline="2027-03-03", capacity="1")
    refused = post(organiser_client, url, **data, confirm_address_hours="0")
    assert refused.status_code == 422 and "720" in refused.get_data(as_text=True)
    assert post(organiser_client, url, **data, confirm_address_hours="24").status_code == 302
    with app.app_context():
        assert db.session.get(Gathering, gid).confirm_address_hours == 24
    assert post(organiser_client, url, **data, confirm_address_hours="").status_code == 302
    with app.app_context():
        assert db.session.get(Gathering, gid).confirm_address_hours is None


def test_organisers_see_who_has_not_confirmed_yet(app, client, organiser_client, make_gathering):
    gathering_id = make_gathering(slug="alta", capacity=5, confirm_address_hours=24)
    register(client, "alta", "kari@alta.kommune.no")
    page = organiser_client.get(f"/arrangor/samlinger/{gathering_id}/deltakere").get_data(as_text=True)
    assert "adresse ikke bekreftet ennå" in page


def _lapse(app):
    with app.app_context():  # the time to confirm has run out for everyone who has one
        db.session.execute(db.update(Registration).where(Registration.confirm_by.is_not(None))
                           .values(confirm_by=utcnow() - timedelta(minutes=1)))
        db.session.commit()


def test_turned_off_on_the_gathering_nobody_is_released(app, client, make_gathering):
    gathering_id = make_gathering(slug="alta", capacity=5, confirm_address_hours=24)
    register(client, "alta", "kari@alta.kommune.no")
    with app.app_context():
        db.session.get(Gathering, gathering_id).confirm_address_hours = None  # the organiser turned it off
        db.session.commit()
    _lapse(app)
    with app.app_context():
        assert confirming.release_unconfirmed() == (0, 0)
    assert status(app, "kari@alta.kommune.no") == "confirmed"


def test_someone_an_organiser_moves_up_is_not_released(app, client, make_gathering):
    make_gathering(slug="alta", capacity=1, confirm_address_hours=24)
    register(client, "alta", "kari@alta.kommune.no")
    register(client, "alta", "ola@vardo.kommune.no")
    with app.app_context():
        ola = db.session.scalar(select(Registration.id).where(Registration.email == "ola@vardo.kommune.no"))
        service.move_up(ola, reason="speaker")
    _lapse(app)
    with app.app_context():
        assert confirming.release_unconfirmed() == (1, 0)
    assert (status(app, "kari@alta.kommune.no"), status(app, "ola@vardo.kommune.no")) == ("cancelled", "confirmed")


def test_a_waiting_registration_past_its_time_is_not_given_a_freed_seat(app, client, make_gathering):
    """A seat freed before the cron has run goes past the lapsed registration to the next who still may have it."""
    make_gathering(slug="alta", capacity=1, confirm_address_hours=24)
    for email in ("kari@alta.kommune.no", "squat@made-up.example", "ola@vardo.kommune.no"):
        register(client, "alta", email)
    with app.app_context():
        db.session.execute(db.update(Registration).where(Registration.email == "squat@made-up.example")
                           .values(confirm_by=utcnow() - timedelta(minutes=1)))
        db.session.commit()
        kari = db.session.scalar(select(Registration.id).where(Registration.email == "kari@alta.kommune.no"))
        service.cancel(kari)
    assert (status(app, "squat@made-up.example"), status(app, "ola@vardo.kommune.no")) == ("waitlisted", "confirmed")
