"""Organisers' messages to the participants of a gathering or a whole round, and how their mailings are going
(messages and "presentations ready", grouped by batch)."""

import uuid

from sqlalchemy import case, func, select

from ..audit.service import record
from ..extensions import db
from ..mail.models import OutboundEmail
from ..mail.outbox import queue
from ..registration.lists import with_status
from ..registration.models import ACTIVE, Registration
from ..seats.ledger import counts_by_id, total
from ..urls import absolute_url

AUDIENCES = {
    "confirmed": ("confirmed",),
    "waitlisted": ("waitlisted",),
    "all": ACTIVE,
}


def audience_counts(gathering_ids) -> dict[str, int]:
    """How many each choice of recipients reaches."""
    counts = total(counts_by_id(gathering_ids))
    return {"confirmed": counts.confirmed, "waitlisted": counts.waitlisted, "all": counts.active}


def _context(registration: Registration, **extra) -> dict:
    gathering = registration.gathering
    return {"registration": registration, "gathering": gathering, "manage_url": None,
            "gathering_url": absolute_url("gatherings.detail", registration.mail_language, slug=gathering.slug),
            **extra}


def send_message(target, gathering_ids, audience: str, subject: str, body: str, side: str = "all"
                 ) -> tuple[str, int]:
    """Queue the organiser's plain-text message to the chosen participants; return (batch, count).

    *side* is on_site, online or all (who attend on site, online, or both). The message never carries the
    video link: only what the organiser writes. *target* is the gathering or round the message is about
    (for the audit log).
    """
    batch = uuid.uuid4().hex
    recipients = with_status(gathering_ids, AUDIENCES[audience])
    if side in ("on_site", "online"):
        recipients = [r for r in recipients if r.attendance_mode == side]
    for registration in recipients:
        queue("message", to=registration.email, subject=subject, template="message",
              language=registration.mail_language, context=_context(registration, body=body),
              gathering_id=registration.gathering_id, registration_id=registration.id, batch=batch)
    # Neither subject nor body: an organiser's own words may name a participant, and the log outlives
    # the retention purge. The batch finds the messages while they are kept.
    to = audience if side == "all" else f"{audience} {side.replace('_', '-')}"
    record("message.send", target, f"Message to {to} ({len(recipients)}), batch {batch}")
    db.session.commit()
    return batch, len(recipients)


_PENDING = OutboundEmail.status.in_(("queued", "sending"))


def batches(gathering_ids, kinds=("message", "documents_ready")) -> list[dict]:
    """Earlier mailings about these gatherings, newest first, with how many were sent, queued and failed."""
    rows = db.session.execute(
        select(
            OutboundEmail.batch, OutboundEmail.kind, func.min(OutboundEmail.subject),
            func.min(OutboundEmail.created_at),
            func.count(case((OutboundEmail.status == "sent", 1))), func.count(case((_PENDING, 1))),
            func.count(case((OutboundEmail.status == "failed", 1))),
        )
        .where(OutboundEmail.gathering_id.in_(list(gathering_ids)), OutboundEmail.kind.in_(kinds),
               OutboundEmail.batch.is_not(None))
        .group_by(OutboundEmail.batch, OutboundEmail.kind)
        .order_by(func.min(OutboundEmail.created_at).desc())
    )
    return [dict(batch=b, kind=k, subject=s, created_at=c, sent=sent, queued=queued, failed=failed)
            for b, k, s, c, sent, queued, failed in rows]


def batch_status(batch: str) -> dict | None:
    """One mailing: its subject, counts by state and the addresses that failed."""
    messages = list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.batch == batch)
                                       .order_by(OutboundEmail.id)))
    if not messages:
        return None
    return {
        "batch": batch, "subject": messages[0].subject, "created_at": messages[0].created_at,
        "gathering_ids": sorted({m.gathering_id for m in messages if m.gathering_id}),
        "sent": sum(m.status == "sent" for m in messages),
        "queued": sum(m.status in ("queued", "sending") for m in messages),
        "failed": [m for m in messages if m.status == "failed"],
    }
