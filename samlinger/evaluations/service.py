"""The rules of an evaluation: its questions, opening it (invitations and mail), answering once, one
reminder, closing.

Anonymity: answering marks the invitation answered (a flag, no time) and inserts the answers under a random
key, in one transaction, so a crash leaves neither; nothing written links the two rows.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text, update
from sqlalchemy.exc import SQLAlchemyError

from ..audit.service import record
from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import begin_write, claim, locked
from ..refusal import Refused
from ..registration.attendance import attended_clause
from ..registration.models import Registration
from ..timeutil import oslo, utcnow
from ..tokens import find
from . import notify
from .models import (
    DEFAULT_QUESTIONS,
    Evaluation,
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationQuestion,
)

#: days an evaluation takes answers when the organiser gave no closing date
OPEN_DAYS = 21

ANSWERED = "answered"
CLOSED = "closed"


def create(gathering: Gathering) -> Evaluation:
    """The gathering's evaluation with the default questions (the existing one if there is one)."""
    if gathering.evaluation is not None:
        return gathering.evaluation
    evaluation = Evaluation(gathering=gathering)
    for position, (code, kind) in enumerate(DEFAULT_QUESTIONS):
        evaluation.questions.append(EvaluationQuestion(position=position, kind=kind, code=code, label=""))
    db.session.add(evaluation)
    record("evaluation.create", gathering, f"Evaluation of {gathering.text('title', 'nb')}")
    db.session.commit()
    return evaluation


def _editable(evaluation: Evaluation) -> None:
    if evaluation.status != "draft":
        raise Refused("evaluation_opened", _l("The evaluation is open: its questions can no longer change."))


def add_question(evaluation: Evaluation, *, label: str, kind: str, choices: list[str], required: bool):
    _editable(evaluation)
    position = max((q.position for q in evaluation.questions), default=-1) + 1
    question = EvaluationQuestion(evaluation=evaluation, position=position, kind=kind, label=label,
                                  choices=choices if kind == "choice" else [], required=required)
    db.session.add(question)
    record("evaluation.question", evaluation.gathering, f"Evaluation question added: {label}")
    db.session.commit()
    return question


def delete_question(question: EvaluationQuestion) -> None:
    _editable(question.evaluation)
    record("evaluation.question", question.evaluation.gathering, f"Evaluation question removed: {question.text}")
    db.session.delete(question)
    db.session.commit()


def save_settings(evaluation: Evaluation, *, auto_open: bool, reminder_days: int, closes_on) -> None:
    evaluation.auto_open, evaluation.reminder_days, evaluation.closes_on = auto_open, reminder_days, closes_on
    record("evaluation.settings", evaluation.gathering, "Evaluation settings saved")
    db.session.commit()


def open_evaluation(evaluation_id: int, *, now: datetime | None = None, mail: bool = True,
                    batch: str | None = None) -> int:
    """Open the evaluation and invite everyone who attended (on site or online) and has an address; with
    *mail*, each gets the link now. Under the evaluation's lock: two at once open it once. Returns how many
    were invited (0 when it was open already)."""
    now = now or utcnow()
    evaluation = locked(Evaluation, evaluation_id)
    if evaluation.status != "draft":
        db.session.rollback()
        return 0
    evaluation.status, evaluation.opened_at = "open", now
    if evaluation.closes_on is None:
        evaluation.closes_on = oslo(now).date() + timedelta(days=OPEN_DAYS)
    attended = db.session.scalars(
        select(Registration).where(Registration.gathering_id == evaluation.gathering_id, attended_clause(),
                                   Registration.email != "").order_by(Registration.id))
    count = 0
    for registration in attended:
        invitation = EvaluationInvitation(evaluation=evaluation, registration_id=registration.id)
        invitation.new_link()
        db.session.add(invitation)
        if mail:
            notify.notify_evaluation(registration, invitation, batch=batch)
        count += 1
    record("evaluation.open", evaluation.gathering, f"Evaluation opened, {count} invited")
    db.session.commit()
    return count


def close(evaluation: Evaluation, now: datetime | None = None) -> None:
    """Close now: the last day becomes yesterday, so the form says it is closed."""
    evaluation.closes_on = oslo(now or utcnow()).date() - timedelta(days=1)
    record("evaluation.close", evaluation.gathering, "Evaluation closed")
    db.session.commit()


def invitation_by_token(token: str) -> EvaluationInvitation | None:
    """The invitation an evaluation link opens, or None (unknown, malformed, or derived under an earlier
    SECRET_KEY: tokens.find)."""
    return find(EvaluationInvitation.token_hash, token, EvaluationInvitation.token)


def answer(token: str, answers: dict, now: datetime | None = None) -> None:
    """Store one person's answers: the invitation is marked answered and the answers inserted under a random
    key in one transaction; the conditional UPDATE lets one of two submissions at once through."""
    begin_write()
    invitation = invitation_by_token(token)
    if invitation is None:
        db.session.rollback()
        raise Refused("unknown", _l("This link does not open an evaluation."))
    evaluation = invitation.evaluation
    if not evaluation.is_open(now):
        db.session.rollback()
        raise Refused(CLOSED, _l("The evaluation is closed."))
    claimed = db.session.execute(
        update(EvaluationInvitation)
        .where(EvaluationInvitation.id == invitation.id, EvaluationInvitation.answered.is_(False))
        .values(answered=True).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Refused(ANSWERED, _l("You have already answered this evaluation."))
    db.session.add(EvaluationAnswer(evaluation_id=evaluation.id, answers=answers))
    db.session.commit()
    forget_order()


def forget_order() -> None:
    """PostgreSQL keeps a table's rows in the order they were written (`ctid`) until the table is written again:
    the answers in the order people answered, and each invitation's new row version in the order it was marked
    answered. Rewrite both, the answers in the order of their random keys and the invitations in the order of
    their ids, so that neither tells who answered when. (SQLite keeps the answers in key order, WITHOUT ROWID,
    and updates an invitation in place.) After the answer is stored, in a transaction of its own; if it cannot
    be done now, `send-evaluations` does it on its next run. The tables are small: one row per participant."""
    if db.engine.dialect.name != "postgresql":
        return
    try:
        db.session.execute(text("CLUSTER evaluation_answer USING pk_evaluation_answer"))
        db.session.execute(text("CLUSTER evaluation_invitation USING pk_evaluation_invitation"))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("evaluations: the order of answers could not be rewritten now; "
                                   "send-evaluations will do it")


def send_reminders(now: datetime | None = None) -> int:
    """One reminder to each invited person who has not answered, `reminder_days` after opening, while the form
    is open. Marked by a conditional UPDATE in the transaction that queues the mail: once, however many runs at
    once. Returns how many."""
    now = now or utcnow()
    due = list(db.session.execute(
        select(EvaluationInvitation.id, Evaluation.reminder_days, Evaluation.opened_at, Evaluation.closes_on)
        .join(EvaluationInvitation.evaluation)
        .where(Evaluation.status == "open", EvaluationInvitation.answered.is_(False),
               EvaluationInvitation.reminded.is_(False))
        .order_by(EvaluationInvitation.id)))
    sent = 0
    for invitation_id, days, opened_at, closes_on in due:
        probe = Evaluation(status="open", closes_on=closes_on)
        if opened_at is None or now < opened_at + timedelta(days=days) or not probe.is_open(now):
            continue
        if not claim(update(EvaluationInvitation)
                     .where(EvaluationInvitation.id == invitation_id, EvaluationInvitation.answered.is_(False),
                            EvaluationInvitation.reminded.is_(False))
                     .values(reminded=True)):
            continue
        invitation = db.session.get(EvaluationInvitation, invitation_id, populate_existing=True)
        registration = db.session.get(Registration, invitation.registration_id)
        notify.notify_evaluation(registration, invitation, reminder=True)
        db.session.commit()
        sent += 1
    return sent


def open_due(now: datetime | None = None) -> int:
    """Open the evaluations set to open by themselves whose gathering has ended; returns how many."""
    now = now or utcnow()
    due = list(db.session.scalars(
        select(Evaluation.id).join(Evaluation.gathering)
        .where(Evaluation.status == "draft", Evaluation.auto_open.is_(True), Gathering.status == "published",
               Gathering.ends_at <= now).order_by(Evaluation.id)))
    db.session.rollback()
    opened = 0
    for evaluation_id in due:
        before = db.session.get(Evaluation, evaluation_id)
        if before is not None and before.status == "draft":
            open_evaluation(evaluation_id, now=now)
            opened += 1
    return opened


def invitation_counts(evaluation: Evaluation) -> dict[str, int]:
    rows = db.session.execute(select(EvaluationInvitation.answered, EvaluationInvitation.reminded)
                              .where(EvaluationInvitation.evaluation_id == evaluation.id)).all()
    return {"invited": len(rows), "answered": sum(a for a, _r in rows), "reminded": sum(r for _a, r in rows)}


def invitations_for_mail(gathering_id: int) -> dict[int, EvaluationInvitation]:
    """The open evaluation's invitations by registration id (for the presentations mail); empty if none."""
    evaluation = db.session.scalar(select(Evaluation).where(Evaluation.gathering_id == gathering_id))
    if evaluation is None or not evaluation.is_open():
        return {}
    return {i.registration_id: i for i in db.session.scalars(
        select(EvaluationInvitation).where(EvaluationInvitation.evaluation_id == evaluation.id,
                                           EvaluationInvitation.answered.is_(False)))}
