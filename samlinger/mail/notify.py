"""One function per event a participant is told about by e-mail, and how such a message is written.

A request only queues the event: an outbox row with the recipient, the registration and what cannot be
looked up later (the new manage token, whether an invite or its cancellation goes with it). The mail
worker writes the subject, the bodies and the invite just before sending (`write`), so registering
costs one small insert instead of two templates and an iCalendar object inside the write lock. The
message shows the gathering as it is when it is sent, which is what the participant needs.
"""

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..urls import absolute_url
from . import ics
from .models import OutboundEmail

SUBJECTS = {
    "confirmation": _l("Registration confirmed: %(title)s"),
    "waitlisted": _l("You are on the waiting list: %(title)s"),
    "promoted": _l("You have a seat: %(title)s"),
    "cancelled": _l("Registration cancelled: %(title)s"),
    "manage_link": _l("Your registration: %(title)s"),
    "updated": _l("Changed time or place: %(title)s"),
    "gathering_cancelled": _l("Cancelled: %(title)s"),
}


def _queue(kind: str, registration, *, token: str | None = None, invite: str | None = None, **extra):
    """Add the event to the outbox in the caller's transaction; *invite* is REQUEST, CANCEL or None."""
    message = OutboundEmail(
        kind=kind,
        recipient=registration.email,
        reply_to=current_app.config["SAMLINGER_REPLY_TO"],
        language=registration.language,
        unwritten={"token": token, "invite": invite, **extra},
        gathering_id=registration.gathering_id,
        registration_id=registration.id,
    )
    db.session.add(message)
    return message


def notify_registered(registration, token: str):
    """Confirm a new registration: with the invite when the seat is confirmed."""
    if registration.status == "confirmed":
        return _queue("confirmation", registration, token=token, invite="REQUEST")
    return _queue("waitlisted", registration, token=token)


def notify_promoted(registration, token: str):
    """Tell someone on the waiting list that they now have a seat, with the invite."""
    return _queue("promoted", registration, token=token, invite="REQUEST")


def notify_cancelled(registration, *, was_confirmed: bool, by_organiser: bool = False):
    """Confirm a cancellation; remove the event from the calendar if it was there."""
    return _queue("cancelled", registration, invite="CANCEL" if was_confirmed else None,
                  by_organiser=by_organiser)


def notify_manage_link(registration, token: str):
    """Send a fresh manage link to the address of an existing registration."""
    return _queue("manage_link", registration, token=token)


def notify_updated(registration, token: str | None = None):
    """Send an updated invite after the time or place has changed (same UID, higher SEQUENCE)."""
    return _queue("updated", registration, token=token, invite="REQUEST")


def notify_gathering_cancelled(registration, reason: str):
    """Tell a participant the gathering is cancelled; remove it from their calendar."""
    invite = "CANCEL" if registration.status == "confirmed" else None
    return _queue("gathering_cancelled", registration, invite=invite, reason=reason)


@dataclass(frozen=True)
class Written:
    subject: str
    text_body: str
    html_body: str
    ics: str | None
    ics_method: str | None

    def keep_in(self, message: OutboundEmail) -> None:
        """Store what was sent on the row, and forget the token it was written from."""
        message.subject, message.text_body, message.html_body = self.subject, self.text_body, self.html_body
        message.ics, message.ics_method, message.unwritten = self.ics, self.ics_method, None


def write(message: OutboundEmail) -> Written:
    """Write a queued event in the recipient's language. Raises ValueError if the registration is gone."""
    from ..registration.models import Registration

    registration = db.session.get(Registration, message.registration_id) if message.registration_id else None
    if registration is None:
        raise ValueError(f"the registration of message {message.id} no longer exists")
    gathering = registration.gathering
    details = dict(message.unwritten)
    token, method = details.pop("token"), details.pop("invite")
    context = {
        "registration": registration,
        "gathering": gathering,
        "gathering_url": absolute_url("gatherings.detail", slug=gathering.slug),
        "manage_url": absolute_url("registration.manage", token=token) if token else None,
        "new_link_url": absolute_url("registration.request_link", slug=gathering.slug),
        **details,
    }
    with force_locale(message.language):
        subject = " ".join(str(SUBJECTS[message.kind] % {"title": gathering.title}).split())
        text_body = render_template(f"email/{message.kind}.txt", **context)
        html_body = render_template(f"email/{message.kind}.html", **context)
    invite = _invite(registration, cancel=method == "CANCEL").decode() if method else None
    return Written(subject, text_body, html_body, invite, method)


def _invite(registration, *, cancel: bool = False) -> bytes:
    gathering = registration.gathering
    config = current_app.config
    return ics.invite(
        gathering,
        url=absolute_url("gatherings.detail", slug=gathering.slug),
        attendee_email=registration.email,
        attendee_name=registration.name,
        organiser_email=config["SAMLINGER_REPLY_TO"] or config["MAIL_DEFAULT_SENDER"],
        organiser_name=config["SAMLINGER_ORGANISER_NAME"],
        cancel=cancel,
    )
