"""The mails that invite someone who attended to answer the evaluation, and remind them once (written as every
participant mail: registration/notify.py). The row keeps the hash of the invitation's token; the worker
derives the token when it writes the mail, and keeps the copy with it replaced by REDACTED."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..registration.notify import Links, participant_mail, queue
from ..tokens import digest
from ..urls import absolute_url
from .models import EvaluationInvitation


def evaluation_link(details: dict, registration, language: str) -> Links:
    """The evaluation link of the invitation whose hash the row keeps (`evaluation`), if it is still unanswered
    and open, and the form's last day; nothing for a row without one (a presentations mail may carry it)."""
    token_hash = details.pop("evaluation", None)
    if not token_hash:
        return {}, ()
    invitation = db.session.scalar(select(EvaluationInvitation).filter_by(token_hash=token_hash))
    if invitation is None or invitation.answered or not invitation.evaluation.is_open():
        return {}, ()
    token = invitation.token()
    if digest(token) != token_hash:
        return {}, ()  # SECRET_KEY changed since: no working link
    return {"evaluation_url": absolute_url("evaluations.answer", language, token=token),
            "evaluation_closes": invitation.evaluation.closes_on}, (token,)


participant_mail("evaluation", _l("What did you think of %(title)s?"), links=evaluation_link)
participant_mail("evaluation_reminder", _l("Reminder: what did you think of %(title)s?"), links=evaluation_link)


def notify_evaluation(registration, invitation, *, reminder: bool = False, batch: str | None = None):
    """Invite someone who attended to answer the evaluation (or remind them once) through their personal
    link; the row keeps the hash of the invitation's token, the worker computes the token."""
    return queue("evaluation_reminder" if reminder else "evaluation", registration, batch=batch,
                 evaluation=invitation.token_hash)
