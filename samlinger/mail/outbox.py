"""Writing messages to the outbox, in the caller's transaction.

`queue` writes a message at once. Messages that carry a link (a registration's manage link, an
account's set-password link) are queued unwritten instead (`queue_unwritten`), and the mail worker
writes them just before sending (notify.write, auth.service.write_password_mail): the link is computed
then, so no usable link is ever stored.
"""

from flask import render_template
from flask_babel import force_locale

from ..extensions import db
from ..offices.settings import current
from .models import OutboundEmail


def queue(kind: str, *, to: str, subject, template: str, language: str, context: dict,
          ics: bytes | None = None, ics_method: str | None = None, gathering_id: int | None = None,
          registration_id: int | None = None, batch: str | None = None) -> OutboundEmail:
    """Render a message in *language* and add it to the outbox; the caller commits.

    *subject* may be a lazy string: it is evaluated in the recipient's language.
    """
    with force_locale(language):
        return _add(kind, to=to, language=language, gathering_id=gathering_id, registration_id=registration_id,
                    batch=batch, subject=" ".join(str(subject).split()),  # one line: no header injection
                    text_body=render_template(f"email/{template}.txt", **context),
                    html_body=render_template(f"email/{template}.html", **context),
                    ics=ics.decode() if ics else None, ics_method=ics_method)


def queue_unwritten(kind: str, *, to: str, language: str, unwritten: dict, gathering_id: int | None = None,
                    registration_id: int | None = None, batch: str | None = None) -> OutboundEmail:
    """Add a message for the worker to write from *unwritten* (no links in it); the caller commits."""
    return _add(kind, to=to, language=language, gathering_id=gathering_id, registration_id=registration_id,
                batch=batch, unwritten=unwritten)


def _add(kind: str, *, to: str, language: str, **fields) -> OutboundEmail:
    office = current()
    message = OutboundEmail(kind=kind, recipient=to, reply_to=office.reply_to, office_id=office.id,
                            language=language, **fields)
    db.session.add(message)
    return message
