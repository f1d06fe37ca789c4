"""The mails that invite someone who attended to answer the evaluation, and the one reminder (written as every
participant mail: registration/notify.py). The row names the evaluation only: the worker makes the invitation's
link when it writes the mail (models.new_token), and keeps the copy with it replaced by REDACTED, so the link
is stored nowhere. The reminder carries no link: nobody knows whose link was used."""

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..registration.notify import Links, participant_mail, queue
from ..urls import absolute_url
from .models import Evaluation, new_token


def _open_evaluation(details: dict) -> Evaluation | None:
    """The evaluation the row names (`evaluation`: its id) while it is open; None for a row without one (a
    presentations mail may carry it) or one that names something else (a hash queued before migration 0019)."""
    evaluation_id = details.pop("evaluation", None)
    if not isinstance(evaluation_id, int):
        return None
    evaluation = db.session.get(Evaluation, evaluation_id)
    return evaluation if evaluation is not None and evaluation.is_open() else None


def evaluation_named(details: dict, registration, language: str) -> Links:
    """The open evaluation a mail reminds of, without a link (the reminder, the presentations mail)."""
    return {"evaluation": _open_evaluation(details)}, ()


def evaluation_link(details: dict, registration, language: str) -> Links:
    """The invitation: a new link of the person's own to the open evaluation, made now and stored nowhere."""
    evaluation = _open_evaluation(details)
    if evaluation is None:
        return {"evaluation": None}, ()
    token = new_token(evaluation.id)
    return {"evaluation": evaluation,
            "evaluation_url": absolute_url("evaluations.answer", language, token=token)}, (token,)


participant_mail("evaluation", _l("What did you think of %(title)s?"), links=evaluation_link)
participant_mail("evaluation_reminder", _l("Reminder: what did you think of %(title)s?"), links=evaluation_named)


def notify_evaluation(registration, evaluation, *, reminder: bool = False, batch: str | None = None):
    """Invite someone who attended to answer the evaluation: the worker makes a link of their own when it writes
    the mail, and stores it nowhere. The reminder carries no link, for nobody knows whose link was used: it
    tells everyone where to find theirs."""
    return queue("evaluation_reminder" if reminder else "evaluation", registration, batch=batch,
                 evaluation=evaluation.id)
