"""The mail telling participants that the presentations of their gathering are ready (written as every
participant mail: registration/notify.py)."""

import uuid

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..audit.service import record
from ..evaluations.notify import evaluation_named
from ..evaluations.service import open_for_mail
from ..extensions import db
from ..gatherings.models import Gathering
from ..registration.lists import with_status
from ..registration.notify import participant_mail, queue, subject

participant_mail("documents_ready", _l("Presentations from %(title)s"), links=evaluation_named)


def notify_documents_ready(registration, *, batch: str, link: bool, evaluation=None):
    """Tell a participant the presentations are ready; with *link* (participants only) their way in, with
    *evaluation* (the open Evaluation they were invited to) a reminder of it, without a link (see
    evaluations/notify.notify_evaluation).

    The subject is written now as well: the organisers follow the mailing by it while it is queued.
    """
    extra = {"evaluation": evaluation.id} if evaluation is not None else {}
    message = queue("documents_ready", registration, link=link, batch=batch, **extra)
    if message is None:
        return None
    with force_locale(registration.mail_language):
        message.subject = subject("documents_ready", registration.gathering.text("title", registration.mail_language))
    return message


def send_documents_ready(gathering: Gathering, *, evaluation: bool = False) -> tuple[str, int]:
    """Tell confirmed participants that the presentations are ready; return (batch, count).

    With participants-only presentations the mail carries the participant's manage link, their way in.
    With *evaluation*, those invited to the open evaluation are reminded of it in the same mail
    (evaluations/service.open_for_mail).
    """
    batch = uuid.uuid4().hex
    recipients = with_status([gathering.id], ("confirmed",))
    private = gathering.documents_visibility != "public"
    open_evaluation, invited = open_for_mail(gathering.id) if evaluation else (None, set())
    for registration in recipients:
        notify_documents_ready(registration, batch=batch, link=private,
                               evaluation=open_evaluation if registration.id in invited else None)
    record("documents.notify", gathering, f"Presentations ready, sent to {len(recipients)}")
    db.session.commit()
    return batch, len(recipients)
