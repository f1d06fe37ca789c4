"""One function per event a participant is told about by e-mail."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..urls import absolute_url
from . import ics
from .outbox import queue


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


def _context(registration, token: str | None = None, **extra) -> dict:
    gathering = registration.gathering
    context = {
        "registration": registration,
        "gathering": gathering,
        "gathering_url": absolute_url("gatherings.detail", slug=gathering.slug),
        "manage_url": absolute_url("registration.manage", token=token) if token else None,
        "new_link_url": absolute_url("registration.request_link", slug=gathering.slug),
    }
    context.update(extra)
    return context


def _send(kind, registration, subject, *, token=None, invite=None, method=None, **extra):
    return queue(
        kind,
        to=registration.email,
        subject=subject,
        template=kind,
        language=registration.language,
        context=_context(registration, token, **extra),
        ics=invite,
        ics_method=method,
        gathering_id=registration.gathering_id,
        registration_id=registration.id,
    )


def notify_registered(registration, token: str):
    """Confirm a new registration: with the invite when the seat is confirmed."""
    title = registration.gathering.title
    if registration.status == "confirmed":
        return _send("confirmation", registration, _l("Registration confirmed: %(title)s", title=title),
                     token=token, invite=_invite(registration), method="REQUEST")
    return _send("waitlisted", registration, _l("You are on the waiting list: %(title)s", title=title),
                 token=token)


def notify_promoted(registration, token: str):
    """Tell someone on the waiting list that they now have a seat, with the invite."""
    return _send("promoted", registration,
                 _l("You have a seat: %(title)s", title=registration.gathering.title),
                 token=token, invite=_invite(registration), method="REQUEST")


def notify_cancelled(registration, *, was_confirmed: bool, by_organiser: bool = False):
    """Confirm a cancellation; remove the event from the calendar if it was there."""
    invite = _invite(registration, cancel=True) if was_confirmed else None
    return _send("cancelled", registration,
                 _l("Registration cancelled: %(title)s", title=registration.gathering.title),
                 invite=invite, method="CANCEL" if invite else None, by_organiser=by_organiser)


def notify_manage_link(registration, token: str):
    """Send a fresh manage link to the address of an existing registration."""
    return _send("manage_link", registration,
                 _l("Your registration: %(title)s", title=registration.gathering.title), token=token)


def notify_updated(registration, token: str | None = None):
    """Send an updated invite after the time or place has changed (same UID, higher SEQUENCE)."""
    return _send("updated", registration,
                 _l("Changed time or place: %(title)s", title=registration.gathering.title),
                 token=token, invite=_invite(registration), method="REQUEST")


def notify_gathering_cancelled(registration, reason: str):
    """Tell a participant the gathering is cancelled; remove it from their calendar."""
    was_confirmed = registration.status == "confirmed"
    invite = _invite(registration, cancel=True) if was_confirmed else None
    return _send("gathering_cancelled", registration,
                 _l("Cancelled: %(title)s", title=registration.gathering.title),
                 invite=invite, method="CANCEL" if invite else None, reason=reason)
