"""Delivering the outbox: claim due messages, send them over SMTP, retry with backoff."""

import logging
import smtplib
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update

from ..addresses import deliverable_email
from ..extensions import db, mailer
from ..locking import begin_write
from ..offices.scope import use_office
from ..offices.settings import current
from ..texts import office_name
from ..timeutil import utcnow
from .models import OutboundEmail
from .writing import Written, address_now, writer_of

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def stale_claim() -> timedelta:
    """A message claimed longer ago than this belongs to a worker that died mid-send (MAIL_STALE_CLAIM_SECONDS).

    It must be longer than a worker needs for one batch, or a slow worker's messages could go out twice.
    """
    return timedelta(seconds=current_app.config["MAIL_STALE_CLAIM_SECONDS"])


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4, ... minutes between attempts, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def content_of(outbound: OutboundEmail) -> Written:
    """The subject, bodies and invite of a message: written now, by its feature's writer, if the request only
    queued it (mail/writing.py)."""
    if outbound.unwritten is not None:
        return writer_of(outbound).write(outbound)
    return Written(outbound.subject, outbound.text_body, outbound.html_body, outbound.ics, outbound.ics_method)


def build_message(outbound: OutboundEmail, content: Written | None = None, to: str | None = None) -> EmailMessage:
    """Return the MIME message to *to* (the address it was queued for when None): text and HTML, and the invite
    both inline and attached."""
    config = current_app.config
    content = content or content_of(outbound)
    message = EmailMessage()
    message["Subject"] = content.subject
    # The office's sender name, or its name in the mail's language; formataddr encodes a name that is not
    # ASCII (RFC 2047).
    sender = current().sender_name or office_name(outbound.language)
    message["From"] = formataddr((sender, config["MAIL_DEFAULT_SENDER"]))
    message["To"] = deliverable_email(to or outbound.recipient)
    if outbound.reply_to:
        message["Reply-To"] = outbound.reply_to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(content.text_body)
    if content.html_body:
        message.add_alternative(content.html_body, subtype="html")
    if content.ics:
        method = content.ics_method or "REQUEST"
        # Outlook reads the invite from the alternative part, other clients from the attachment.
        message.add_alternative(content.ics, subtype="calendar", params={"method": method})
        message.add_attachment(
            content.ics.encode(), maintype="text", subtype="calendar", filename="invitasjon.ics",
            params={"method": method, "charset": "UTF-8"},
        )
    return message


def office_of(outbound: OutboundEmail):
    """The office a message is sent for (the first office for a message from before there were offices)."""
    offices = current_app.extensions["samlinger.offices"].get()
    return offices.by_id(outbound.office_id) or offices.first


def claim_due(limit: int = 20) -> list[int]:
    """Mark up to *limit* due messages as being sent by this worker and return their ids.

    Several workers may run at once: PostgreSQL skips rows another worker holds; SQLite
    serialises the claim with its write lock.
    """
    now = utcnow()
    begin_write()
    due = or_(
        (OutboundEmail.status == "queued") & (OutboundEmail.next_attempt_at <= now),
        (OutboundEmail.status == "sending") & (OutboundEmail.claimed_at < now - stale_claim()),
    )
    ids = list(
        db.session.scalars(
            select(OutboundEmail.id).where(due).order_by(OutboundEmail.id).limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        db.session.execute(
            update(OutboundEmail).where(OutboundEmail.id.in_(ids))
            .values(status="sending", claimed_at=now, attempts=OutboundEmail.attempts + 1)
        )
    db.session.commit()
    return ids


def _send_console(outbound: OutboundEmail, message: EmailMessage) -> None:
    """Print the message, and keep it as an .eml file that a mail program opens with its invite."""
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{outbound.id:06d}.eml"
    path.write_bytes(bytes(message))
    print(f"--- e-mail to {message['To']}: {message['Subject']}\n"
          f"{message.get_body(('plain',)).get_content()}--- saved as {path}\n", flush=True)


def deliver_due(limit: int = 20) -> tuple[int, int]:
    """Send what is due now; return (sent, failed_attempts)."""
    ids = claim_due(limit)
    if not ids:
        return 0, 0
    sent = failed = 0
    console = current_app.config["MAIL_BACKEND"] == "console"
    smtp = None
    try:
        claimed = db.session.scalars(select(OutboundEmail).where(OutboundEmail.id.in_(ids)).order_by(OutboundEmail.id))
        for outbound in list(claimed):
            try:
                with use_office(office_of(outbound)):  # written in its office's name, with its addresses
                    _prepare(outbound)
                    # The registration's address of now: one an organiser corrected away since queueing gets nothing.
                    to = address_now(outbound)
                    content = content_of(outbound)
                    message = build_message(outbound, content, to)
                if console:
                    _send_console(outbound, message)
                else:
                    if smtp is None:
                        # Flask-Mail reads the MAIL_* settings and handles SSL, STARTTLS and login.
                        smtp = mailer.connect().configure_host()
                    smtp.send_message(message)
            except (smtplib.SMTPException, OSError, ValueError) as error:
                failed += 1
                if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError):
                    smtp = None
                # Each outcome is written in a write transaction of its own: on SQLite, a read transaction
                # that turns into a write fails at once if another worker has written in the meantime.
                begin_write()
                _record_failure(outbound, error)
            else:
                sent += 1
                begin_write()
                outbound.status, outbound.sent_at, outbound.last_error = "sent", utcnow(), ""
                outbound.recipient = to  # where it went
                if outbound.unwritten is not None:
                    content.keep_in(outbound)
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
    return sent, failed


def _prepare(outbound: OutboundEmail) -> None:
    """What the message's writer does first, in a write transaction of its own (mail/writing.Writer.prepare)."""
    if outbound.unwritten is not None:
        prepare = writer_of(outbound).prepare
        if prepare is not None:
            prepare(outbound)


def _record_failure(outbound: OutboundEmail, error: Exception) -> None:
    outbound.last_error = f"{type(error).__name__}: {error}"[:1000]
    # Permanent refusals (5xx) and exhausted retries are shown to organisers as failed.
    permanent = isinstance(error, smtplib.SMTPRecipientsRefused | ValueError) or (
        isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600
    )
    if permanent or outbound.attempts >= MAX_ATTEMPTS:
        outbound.status = "failed"
    else:
        outbound.status = "queued"
        outbound.next_attempt_at = utcnow() + backoff(outbound.attempts)
    log.warning("mail %s to %s failed: %s", outbound.id, outbound.recipient, outbound.last_error)


def run_forever(poll_seconds: float = 1.0) -> None:
    """Deliver due mail until interrupted."""
    while True:
        try:
            sent, _ = deliver_due()
        except Exception:  # a database hiccup must not end the worker
            log.exception("mail worker round failed")
            db.session.rollback()
            sent = 0
        db.session.remove()
        if not sent:
            time.sleep(poll_seconds)
