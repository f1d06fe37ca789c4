"""The reminder before a gathering (`flask send-reminders`, run by cron): one to each confirmed participant."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import claim
from ..timeutil import utcnow
from .models import Registration
from .notify import notify_reminder


def send_reminders(now=None) -> int:
    """Queue one reminder to each confirmed participant of gatherings starting within REMINDER_DAYS_BEFORE days.

    Each reminder is marked sent in the transaction that queues it, by a conditional update, so a
    participant gets it once however often and however many times at once this runs. Returns how many.
    """
    now = now or utcnow()
    horizon = now + timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
    due = list(db.session.scalars(
        select(Registration.id).join(Registration.gathering)
        .where(Gathering.status == "published", Gathering.starts_at > now, Gathering.starts_at <= horizon,
               Registration.status == "confirmed", Registration.reminder_sent_at.is_(None))
        .order_by(Registration.id)
    ))
    sent = 0
    for registration_id in due:
        if not claim(update(Registration)
                     .where(Registration.id == registration_id, Registration.status == "confirmed",
                            Registration.reminder_sent_at.is_(None))
                     .values(reminder_sent_at=now)):
            continue
        registration = db.session.get(Registration, registration_id, populate_existing=True)
        notify_reminder(registration)
        db.session.commit()
        sent += 1
    return sent
