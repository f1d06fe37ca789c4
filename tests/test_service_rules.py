"""Rules that a page also shows, held by the services themselves: each is called directly, past the page that
would hide the button, and refuses with its code. The `can_…` predicates the pages ask say the same."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from samlinger.documents import service as documents
from samlinger.documents.models import Document
from samlinger.evaluations import service as evaluations
from samlinger.evaluations.models import Evaluation
from samlinger.extensions import db
from samlinger.gatherings import service as gatherings
from samlinger.gatherings.models import Gathering
from samlinger.refusal import Refused
from samlinger.registration import rules, service
from samlinger.registration.models import Registration
from samlinger.timeutil import utcnow

from . import factories


def _gathering(**fields) -> Gathering:
    return factories.gathering(**fields)


def _ended() -> tuple[Gathering, Registration]:
    """A gathering that ended an hour ago, with one confirmed participant."""
    gathering = _gathering()
    registration = factories.registration(gathering.id)
    now = utcnow()
    gathering.starts_at, gathering.ends_at = now - timedelta(hours=5), now - timedelta(hours=1)
    db.session.commit()
    return gathering, registration


def _refused(code: str, action, *args, **kwargs) -> None:
    with pytest.raises(Refused) as refused:
        action(*args, **kwargs)
    assert refused.value.code == code
    assert str(refused.value), "a message for the person"


# --- evaluations ---------------------------------------------------------------------------------------

def test_an_evaluation_opens_only_once_its_gathering_has_started(ctx):
    gathering = _gathering()
    evaluation_id = evaluations.create(gathering).id
    assert not evaluations.can_open(gathering)
    _refused("not_started", evaluations.open_evaluation, evaluation_id)
    assert db.session.get(Evaluation, evaluation_id).status == "draft", "nothing opened, nobody invited"
    started = gathering.starts_at + timedelta(minutes=1)
    assert evaluations.can_open(db.session.get(Gathering, gathering.id), started)
    evaluations.open_evaluation(evaluation_id, now=started)
    assert db.session.get(Evaluation, evaluation_id).status == "open"
    assert not evaluations.can_open(db.session.get(Gathering, gathering.id), started), "open already"


def test_only_an_open_evaluation_closes(ctx):
    gathering, _registration = _ended()
    evaluation = evaluations.create(gathering)
    assert not evaluations.can_close(evaluation)
    _refused("not_open", evaluations.close, evaluation)
    evaluations.open_evaluation(evaluation.id)
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert evaluations.can_close(evaluation)
    evaluations.close(evaluation)
    evaluation = db.session.get(Evaluation, evaluation.id)
    last_day = evaluation.closes_on
    assert not evaluations.can_close(evaluation)
    _refused("not_open", evaluations.close, evaluation, utcnow() + timedelta(days=3))
    assert db.session.get(Evaluation, evaluation.id).closes_on == last_day, "a closed one keeps its last day"


# --- gatherings ----------------------------------------------------------------------------------------

def test_a_cancelled_gathering_cannot_be_changed(ctx):
    gathering = _gathering()
    gatherings.cancel_gathering(gathering.id, "Sykdom")
    gathering = db.session.get(Gathering, gathering.id)
    assert not gatherings.can_edit(gathering)
    data = {field: getattr(gathering, field) for field in gatherings.GATHERING_FIELDS} | {"venue": "Et annet sted"}
    _refused("cancelled", gatherings.update_gathering, gathering.id, data, notify_participants=True)
    assert db.session.get(Gathering, gathering.id).venue == "Scandic Alta"
    _refused("cancelled", gatherings.set_gathering_published, db.session.get(Gathering, gathering.id), True)
    _refused("cancelled", gatherings.cancel_gathering, gathering.id, "Igjen")


# --- a participant's own registration ------------------------------------------------------------------

def test_details_change_only_while_active_and_before_the_end(ctx):
    gathering, registration = _ended()
    assert not rules.can_change_details(registration)
    _refused("ended", service.update_details, registration, {"role": "Rådgiver"})
    assert db.session.get(Registration, registration.id).role != "Rådgiver"

    other = _gathering()
    cancelled = factories.registration(other.id, email="ola@alta.kommune.no")
    assert rules.can_change_details(cancelled)
    service.cancel(cancelled.id)
    cancelled = db.session.get(Registration, cancelled.id)
    assert not rules.can_change_details(cancelled)
    _refused("not_active", service.update_details, cancelled, {"role": "Rådgiver"})


def test_a_participant_cannot_cancel_after_the_gathering_but_an_organiser_can(ctx):
    gathering, registration = _ended()
    assert not rules.can_cancel(registration)
    _refused("ended", service.cancel, registration.id)
    assert db.session.get(Registration, registration.id).status == "confirmed"
    service.cancel(registration.id, by_organiser=True)  # someone added by mistake, say
    assert db.session.get(Registration, registration.id).status == "cancelled"


def test_the_side_can_change_only_before_a_hybrid_gathering_starts(ctx):
    gathering = _gathering(mode="hybrid", online_capacity=10)
    registration = factories.registration(gathering.id)
    assert service.can_switch_mode(registration) == "online"
    after_start = gathering.starts_at + timedelta(minutes=1)
    assert service.can_switch_mode(registration, after_start) is None
    _refused("not_switchable", service.switch_mode, registration.id, "online", now=after_start)


def test_only_the_waiting_list_of_a_published_gathering_moves_up(ctx):
    gathering = _gathering(capacity=1)
    first = factories.registration(gathering.id)
    second = factories.registration(gathering.id, email="ola@alta.kommune.no")
    assert second.status == "waitlisted"
    assert not service.can_move_up(first) and service.can_move_up(second)
    _refused("not_waitlisted", service.move_up, first.id, reason="speaker")


# --- presentations -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["link", "file"])
def test_nothing_is_added_to_a_gathering_deleted_meanwhile(ctx, kind):
    gathering = _gathering()
    gathering_id = gathering.id
    gatherings.delete_gathering(gathering_id)
    if kind == "link":
        _refused("gone", documents.add_link, gathering, url="https://example.no/lysark.pdf", title="Lysark",
                 speaker="Kari")
    else:
        _refused("gone", documents.add_file, gathering, filename="lysark.pdf", data=b"%PDF-1.4\n%%EOF\n",
                 title="Lysark", speaker="Kari")
    assert db.session.scalar(select(db.func.count()).select_from(Document)) == 0


def test_who_may_download_a_presentation(ctx):
    gathering = _gathering(documents_visibility="participants")
    other = _gathering()
    document = documents.add_link(gathering, url="https://example.no/lysark.pdf", title="Lysark", speaker="Kari")
    confirmed = factories.registration(gathering.id)
    elsewhere = factories.registration(other.id)
    assert not documents.can_download(document, gathering=gathering), "for participants only"
    assert documents.can_download(document, registration=confirmed)
    assert not documents.can_download(document, registration=elsewhere), "another gathering's participant"
    assert not documents.can_download(document, gathering=other)
    service.cancel(confirmed.id)
    assert not documents.can_download(document, registration=db.session.get(Registration, confirmed.id))
    db.session.get(Gathering, gathering.id).documents_visibility = "public"
    db.session.commit()
    gathering = db.session.get(Gathering, gathering.id)
    assert documents.can_download(db.session.get(Document, document.id), gathering=gathering)


# --- accounts -------------------------------------------------------------------------------------------

def test_an_administrator_cannot_deactivate_their_own_account(ctx):
    from samlinger.auth import service as accounts
    from samlinger.auth.models import User

    admin = factories.user("admin@statsforvalteren.test", role="admin")
    other = factories.user()
    assert not accounts.can_set_active(admin, admin) and accounts.can_set_active(other, admin)
    _refused("own_account", accounts.set_active, admin, False, acting=admin)
    assert db.session.get(User, admin.id).active
    accounts.set_active(other, False, acting=admin)
    assert not db.session.get(User, other.id).active


def test_walk_ins_are_added_from_the_day_of_a_published_gathering(ctx):
    from samlinger.registration import attendance

    gathering = _gathering()
    assert not attendance.can_add_walk_in(gathering)
    _refused("too_early", attendance.add_walk_in, gathering.id, {"name": "Per", "organisation": "Alta kommune"},
             language="nb")
    on_the_day = gathering.starts_at
    assert attendance.can_add_walk_in(db.session.get(Gathering, gathering.id), on_the_day)
    gatherings.cancel_gathering(gathering.id, "Storm")
    assert not attendance.can_add_walk_in(db.session.get(Gathering, gathering.id), on_the_day)
    _refused("closed", attendance.add_walk_in, gathering.id, {"name": "Per", "organisation": "Alta kommune"},
             language="nb", now=on_the_day)
