"""Writing messages to the outbox, in the caller's transaction, ready to send.

Messages about a registration are queued unwritten instead (see notify.py), for the worker to write.
"""

from flask import current_app, render_template
from flask_babel import force_locale

from ..extensions import db
from .models import OutboundEmail


def queue(kind: str, *, to: str, subject, template: str, language: str, context: dict,
          ics: bytes | None = None, ics_method: str | None = None, gathering_id: int | None = None,
          registration_id: int | None = None, batch: str | None = None) -> OutboundEmail:
    """Render a message in *language* and add it to the outbox; the caller commits.

    *subject* may be a lazy string: it is evaluated in the recipient's language.
    """
    with force_locale(language):
        message = OutboundEmail(
            kind=kind,
            recipient=to,
            reply_to=current_app.config["SAMLINGER_REPLY_TO"],
            language=language,
            subject=" ".join(str(subject).split()),  # one line: no header injection through titles
            text_body=render_template(f"email/{template}.txt", **context),
            html_body=render_template(f"email/{template}.html", **context),
            ics=ics.decode() if ics else None,
            ics_method=ics_method,
            gathering_id=gathering_id,
            registration_id=registration_id,
            batch=batch,
        )
    db.session.add(message)
    return message
