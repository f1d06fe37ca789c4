"""The rules of an evaluation: its questions, opening it (invitations and mail), answering once, one
reminder, closing.

Anonymity (models.py): opening records who was invited; the mail worker makes each person's link when it
writes their mail and stores it nowhere; answering inserts the answers under the link's `answer_key` and writes
nothing else. So no row, transaction, commit or page ties an answer to an invitation or a person, and nobody,
the service included, knows who has answered: the one reminder goes to everyone invited.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..audit.service import record
from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import begin_write, claim, locked
from ..refusal import Refused
from ..registration.attendance import attended_clause
from ..registration.models import Registration
from ..timeutil import oslo, utcnow
from . import notify
from .models import (
    DEFAULT_QUESTIONS,
    Evaluation,
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationQuestion,
    answer_key,
    evaluation_of,
)

#: days an evaluation takes answers when the organiser gave no closing date
OPEN_DAYS = 21

ANSWERED = "answered"
CLOSED = "closed"

NOT_STARTED = _l("The evaluation can be opened once the gathering has started.")
NOT_OPEN = _l("The evaluation is not open.")


def can_open(gathering: Gathering, now: datetime | None = None) -> bool:
    """Whether the organisers may open the gathering's evaluation now: once the gathering has started, and
    while the evaluation is a draft (or not made yet). `open_evaluation` refuses "not_started" before."""
    evaluation = gathering.evaluation
    return gathering.has_started(now) and (evaluation is None or evaluation.status == "draft")


def can_close(evaluation: Evaluation | None, now: datetime | None = None) -> bool:
    """Whether the evaluation takes answers now, so that closing it changes something (`close` refuses "not_open"
    otherwise)."""
    return evaluation is not None and evaluation.state(now) == "open"


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
    *mail*, each gets a mail with a link of their own, made when the worker writes it. Those an organiser added
    or gave their address are counted (`organiser_added`): each raises the minimum of answers the results need.
    Under the evaluation's lock: two at once open it once. Returns how many were invited (0 when it was open
    already). Refuses "not_started" before the gathering has started: nobody has attended yet."""
    now = now or utcnow()
    evaluation = locked(Evaluation, evaluation_id)
    if evaluation.status != "draft":
        db.session.rollback()
        return 0
    if not evaluation.gathering.has_started(now):
        db.session.rollback()
        raise Refused("not_started", NOT_STARTED)
    evaluation.status, evaluation.opened_at = "open", now
    if evaluation.closes_on is None:
        evaluation.closes_on = oslo(now).date() + timedelta(days=OPEN_DAYS)
    attended = list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == evaluation.gathering_id, attended_clause(),
                                   Registration.email != "").order_by(Registration.id)))
    for registration in attended:
        db.session.add(EvaluationInvitation(evaluation=evaluation, registration_id=registration.id))
        if mail:
            notify.notify_evaluation(registration, evaluation, batch=batch)
    evaluation.organiser_added = sum(r.added_by_organiser or r.address_from_organiser for r in attended)
    record("evaluation.open", evaluation.gathering, f"Evaluation opened, {len(attended)} invited")
    db.session.commit()
    return len(attended)


def close(evaluation: Evaluation, now: datetime | None = None) -> None:
    """Close now: the last day becomes yesterday, so the form says it is closed. Refuses "not_open" for a draft
    or an evaluation closed already (its last day stays)."""
    if not can_close(evaluation, now):
        raise Refused("not_open", NOT_OPEN)
    evaluation.closes_on = oslo(now or utcnow()).date() - timedelta(days=1)
    record("evaluation.close", evaluation.gathering, "Evaluation closed")
    db.session.commit()


def evaluation_for(token: str) -> Evaluation | None:
    """The evaluation a link opens, or None for a link we did not make."""
    evaluation_id = evaluation_of(token)
    return db.session.get(Evaluation, evaluation_id) if evaluation_id is not None else None


def answered(token: str) -> bool:
    """Whether the link has been used: its answer is there."""
    key = answer_key(token)
    return key is not None and db.session.get(EvaluationAnswer, key) is not None


def answer(token: str, answers: dict, now: datetime | None = None) -> None:
    """Store one person's answers under the link's key, and nothing else: one insert in a transaction of its
    own. A link answers once: a second answer (also two at once) finds the key taken and is refused."""
    evaluation_id = evaluation_of(token)
    if evaluation_id is None:
        raise Refused("unknown", _l("This link does not open an evaluation."))
    begin_write()
    evaluation = db.session.get(Evaluation, evaluation_id)
    if evaluation is None:
        db.session.rollback()
        raise Refused("unknown", _l("This link does not open an evaluation."))
    if not evaluation.is_open(now):
        db.session.rollback()
        raise Refused(CLOSED, _l("The evaluation is closed."))
    key = answer_key(token)
    if db.session.get(EvaluationAnswer, key) is not None:
        db.session.rollback()
        raise Refused(ANSWERED, _l("You have already answered this evaluation."))
    db.session.add(EvaluationAnswer(id=key, evaluation_id=evaluation.id, answers=answers))
    try:
        db.session.commit()
    except IntegrityError:  # the same link at the same moment (PostgreSQL): the other one is stored
        db.session.rollback()
        raise Refused(ANSWERED, _l("You have already answered this evaluation.")) from None


def send_reminders(now: datetime | None = None) -> int:
    """One reminder, `reminder_days` after opening while the form is open, to everyone invited: nobody knows who
    has answered, so it is worded for both and carries no link (a new link would be a second answer; the first
    is stored nowhere). Marked on the evaluation by a conditional UPDATE in the transaction that queues the
    mails: once, however many runs at once. Returns how many mails were queued."""
    now = now or utcnow()
    due = list(db.session.execute(
        select(Evaluation.id, Evaluation.reminder_days, Evaluation.opened_at, Evaluation.closes_on)
        .where(Evaluation.status == "open", Evaluation.reminded.is_(False)).order_by(Evaluation.id)))
    db.session.rollback()
    sent = 0
    for evaluation_id, days, opened_at, closes_on in due:
        probe = Evaluation(status="open", closes_on=closes_on)
        if opened_at is None or now < opened_at + timedelta(days=days) or not probe.is_open(now):
            continue
        if not claim(update(Evaluation).where(Evaluation.id == evaluation_id, Evaluation.reminded.is_(False))
                     .values(reminded=True)):
            continue
        evaluation = db.session.get(Evaluation, evaluation_id, populate_existing=True)
        for registration in invited(evaluation_id):
            notify.notify_evaluation(registration, evaluation, reminder=True)
            sent += 1
        db.session.commit()
    return sent


def invited(evaluation_id: int) -> list[Registration]:
    """Those invited who still have an address (an anonymised registration has none)."""
    return list(db.session.scalars(
        select(Registration).join(EvaluationInvitation, EvaluationInvitation.registration_id == Registration.id)
        .where(EvaluationInvitation.evaluation_id == evaluation_id, Registration.email != "")
        .order_by(Registration.id)))


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
    """How many were invited and how many answers there are (never who answered: nobody knows)."""
    invited_count = db.session.scalar(select(func.count()).select_from(EvaluationInvitation)
                                      .where(EvaluationInvitation.evaluation_id == evaluation.id))
    answers = db.session.scalar(select(func.count()).select_from(EvaluationAnswer)
                                .where(EvaluationAnswer.evaluation_id == evaluation.id))
    return {"invited": invited_count, "answered": answers, "reminded": evaluation.reminded}


def open_for_mail(gathering_id: int) -> tuple[Evaluation | None, set[int]]:
    """The gathering's evaluation if it is open, and who was invited to it (the presentations mail can remind
    them); (None, nobody) otherwise."""
    evaluation = db.session.scalar(select(Evaluation).where(Evaluation.gathering_id == gathering_id))
    if evaluation is None or not evaluation.is_open():
        return None, set()
    return evaluation, set(db.session.scalars(select(EvaluationInvitation.registration_id)
                                              .where(EvaluationInvitation.evaluation_id == evaluation.id)))
