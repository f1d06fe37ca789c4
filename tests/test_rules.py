"""The rules of registering, tested directly on the services: deadline, capacity, waiting list."""

from datetime import UTC, date, datetime, timedelta

import pytest

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.mail.models import OutboundEmail
from samlinger.refusal import Refused
from samlinger.registration import links, service
from samlinger.registration.models import Registration
from samlinger.registration.notify import write
from samlinger.timeutil import end_of_day_utc

from . import factories
from .conftest import oslo_dt


def details(n: int = 0) -> dict:
    return {"name": f"Deltaker {n}", "organisation": "Vadsø kommune", "role": "", "phone": "", "needs": ""}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("deadline", "closes_at_utc"),
    [
        (date(2027, 1, 31), utc(2027, 1, 31, 23, 0)),  # winter: Oslo is UTC+1
        (date(2027, 6, 15), utc(2027, 6, 15, 22, 0)),  # summer: Oslo is UTC+2
        (date(2027, 3, 27), utc(2027, 3, 27, 23, 0)),  # the night clocks go forward (28 March)
        (date(2027, 3, 28), utc(2027, 3, 28, 22, 0)),  # the day clocks went forward: a 23-hour day
        (date(2027, 10, 30), utc(2027, 10, 30, 22, 0)),  # before clocks go back (31 October)
        (date(2027, 10, 31), utc(2027, 10, 31, 23, 0)),  # the day clocks went back: a 25-hour day
    ],
)
def test_a_deadline_date_means_the_end_of_that_day_in_oslo(deadline, closes_at_utc):
    assert end_of_day_utc(deadline) == closes_at_utc


@pytest.mark.parametrize("deadline", [date(2027, 1, 31), date(2027, 3, 28), date(2027, 10, 31)])
def test_registration_closes_exactly_at_midnight_oslo(ctx, make_gathering, deadline):
    gid = make_gathering(registration_deadline=deadline, day=deadline + timedelta(days=10))
    gathering = db.session.get(Gathering, gid)
    closes = end_of_day_utc(deadline)
    assert gathering.registration_open(closes - timedelta(seconds=1))
    assert not gathering.registration_open(closes)

    outcome = service.register(gid, details(1), email="a@x.no", language="nb", now=closes - timedelta(seconds=1))
    assert outcome.registration.status == "confirmed"
    with pytest.raises(Refused) as refused:
        service.register(gid, details(2), email="b@x.no", language="nb", now=closes)
    assert refused.value.code == "closed"
    # Organisers may still add someone by hand after the deadline.
    late = service.register(gid, details(3), email="c@x.no", language="nb", now=closes, by_organiser=True)
    assert late.registration.added_by_organiser


def test_gathering_times_keep_their_oslo_wall_clock_across_dst(ctx, make_gathering):
    winter = make_gathering(day=date(2027, 3, 25))
    summer = make_gathering(day=date(2027, 3, 30))
    first, second = db.session.get(Gathering, winter), db.session.get(Gathering, summer)
    assert first.starts_at.hour == 9 and second.starts_at.hour == 8  # 10:00 Oslo both days
    assert first.starts_at.tzinfo is not None and first.starts_at.utcoffset() == timedelta(0)


def test_registration_closes_when_the_gathering_starts_even_before_the_deadline(ctx, make_gathering):
    day = date(2027, 5, 5)
    gid = make_gathering(day=day, registration_deadline=day + timedelta(days=3))
    gathering = db.session.get(Gathering, gid)
    assert not gathering.registration_open(oslo_dt(day, 10))


def test_capacity_then_waiting_list_then_promotion_in_order(ctx, make_gathering):
    gid = make_gathering(capacity=2)
    outcomes = [service.register(gid, details(n), email=f"p{n}@x.no", language="nb") for n in range(5)]
    assert [o.registration.status for o in outcomes] == ["confirmed"] * 2 + ["waitlisted"] * 3

    service.cancel(outcomes[0].registration.id)
    statuses = {r.email: r.status for r in db.session.scalars(db.select(Registration))}
    assert statuses == {"p0@x.no": "cancelled", "p1@x.no": "confirmed", "p2@x.no": "confirmed",
                        "p3@x.no": "waitlisted", "p4@x.no": "waitlisted"}
    kinds = [m.kind for m in db.session.scalars(db.select(OutboundEmail).order_by(OutboundEmail.id))]
    assert kinds == ["confirmation", "confirmation", "waitlisted", "waitlisted", "waitlisted", "cancelled",
                     "promoted"]
    # Cancelling a waitlisted person frees no seat and promotes nobody.
    service.cancel(outcomes[4].registration.id)
    assert db.session.scalar(db.select(db.func.count()).where(Registration.status == "confirmed")) == 2
    # Cancelling twice is harmless.
    service.cancel(outcomes[4].registration.id)
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 8


def test_full_without_waiting_list_refuses(ctx, make_gathering):
    gid = make_gathering(capacity=1, waitlist_enabled=False)
    service.register(gid, details(1), email="a@x.no", language="nb")
    with pytest.raises(Refused) as refused:
        service.register(gid, details(2), email="b@x.no", language="nb")
    assert refused.value.code == "full"
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 1


def test_unlimited_capacity_confirms_everyone(ctx, make_gathering):
    gid = make_gathering(capacity=None)
    for n in range(30):
        assert service.register(gid, details(n), email=f"p{n}@x.no", language="nb").registration.status == "confirmed"


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_draft_and_cancelled_gatherings_refuse_registrations(ctx, make_gathering, status):
    gid = make_gathering(status=status)
    with pytest.raises(Refused):
        service.register(gid, details(), email="a@x.no", language="nb", by_organiser=True)


def test_unique_index_holds_one_active_registration_per_address(ctx, make_gathering):
    """Even a write that bypasses the service cannot create a second active registration."""
    from sqlalchemy.exc import IntegrityError

    gid = make_gathering()
    service.register(gid, details(), email="Kari@X.no", language="nb")
    with pytest.raises(IntegrityError):
        factories.registration_row(gid, status="waitlisted", name="Kari", email="kari@x.no", organisation="X",
                                   manage_token_hash="f" * 64)
    db.session.rollback()
    # A cancelled registration does not block registering again.
    first = db.session.scalar(db.select(Registration))
    service.cancel(first.id)
    again = service.register(gid, details(), email="kari@x.no", language="nb")
    assert not again.duplicate and again.registration.status == "confirmed"


def test_promoted_people_get_the_link_they_already_have(ctx, make_gathering):
    gid = make_gathering(capacity=1)
    first = service.register(gid, details(1), email="a@x.no", language="nb")
    second = service.register(gid, details(2), email="b@x.no", language="nb")
    service.cancel(first.registration.id)
    promoted_mail = db.session.scalars(db.select(OutboundEmail).filter_by(kind="promoted")).one()
    assert f"/pamelding/{second.token}" in write(promoted_mail).text_body
    assert links.find_by_token(second.token).id == second.registration.id, "the waiting-list link still works"


def test_an_anonymised_registration_is_not_moved_up_and_not_mailed_when_cancelled(app, make_gathering):
    gid = make_gathering(capacity=1)
    with app.app_context():
        service.register(gid, {"name": "Kari", "organisation": "Alta"}, email="kari@alta.no", language="nb")
        waiting, other = (service.register(gid, {"name": n, "organisation": "Alta"}, email=f"{n}@alta.no",
                                           language="nb").registration.id for n in ("ola", "per"))
        for registration_id in (waiting, other):
            db.session.get(Registration, registration_id).anonymised_at = datetime.now(UTC)
        db.session.commit()
        db.session.execute(db.delete(OutboundEmail))
        db.session.commit()
        with pytest.raises(Refused) as refused:
            service.move_up(waiting, reason="speaker")
        assert refused.value.code == "anonymised"
        service.cancel(other, by_organiser=True)
        assert db.session.get(Registration, waiting).status == "waitlisted"
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)) == 0


def test_a_refusal_no_view_expected_is_told_not_a_server_error(app, client):
    from flask_babel import lazy_gettext as _l

    def refuse():
        raise Refused("cancelled", _l("The gathering is cancelled."))

    app.add_url_rule("/refused-for-test", view_func=refuse)
    response = client.get("/refused-for-test")
    assert response.status_code == 409
    assert "Samlingen er avlyst." in response.get_data(as_text=True)
