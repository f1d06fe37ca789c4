"""The e-mails a participant gets about their registration, and how every mail to a participant is written.

One function per event a participant is told about by e-mail. A request only queues the event: an outbox row
with the recipient, the registration and what cannot be looked up later (whether an invite or its cancellation
goes with it, whether the manage link does). The mail worker writes the subject, the bodies and the invite just
before sending (`write`, registered with mail/writing.py for every participant mail), so registering costs one
small insert instead of two templates and an iCalendar object inside the write lock. The message shows the
gathering as it is when it is sent, which is what the participant needs.

Other features send participants mail the same way: they declare their kinds with `participant_mail` (subject,
whether the video link goes with it, what links of their own it carries) and queue them with `queue`.

The manage link is computed when the message is written (Registration.manage_token) and kept on the row
afterwards only with its token replaced by REDACTED: no usable link is ever stored in the outbox.

The video link of an online gathering is read from the gathering when the message is written, and only for
a confirmed online participant (`online.video.video_for`); the copy kept afterwards is written again with the
link, meeting id and passcode replaced by REDACTED (the outbox is visible to organisers).
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..locking import begin_write
from ..mail import ics
from ..mail.models import OutboundEmail
from ..mail.outbox import queue_unwritten
from ..mail.writing import Written, address_book, one_line, writer
from ..online.video import video_for
from ..seats import rules
from ..tokens import digest
from ..urls import absolute_url
from .models import Registration

#: (context for the templates, tokens of the links in it): what a participant mail's own links add
Links = tuple[dict, tuple[str, ...]]


@dataclass(frozen=True)
class ParticipantMail:
    subject: object
    #: carries the video link to a confirmed online participant (and their invite's LOCATION)
    video: bool = False
    #: the mail's own links and texts, from the row's details (it pops what it reads), in the mail's language
    links: Callable[[dict, Registration, str], Links] | None = None


#: every kind of mail to a participant, by kind (templates/email/<kind>.txt and .html)
MAILS: dict[str, ParticipantMail] = {}


def participant_mail(kind: str, subject, *, video: bool = False,
                     links: Callable[[dict, Registration, str], Links] | None = None) -> None:
    """Declare a kind of mail to a participant: *subject* (with %(title)s), whether it carries the video link,
    and *links*, which adds the mail's own links and texts when it is written. The worker writes it with
    `write`."""
    MAILS[kind] = ParticipantMail(subject, video, links)
    writer(kind, prepare=give_old_registration_a_secret)(write)


def queue(kind: str, registration, *, link: bool = False, invite: str | None = None, batch: str | None = None,
          **extra) -> OutboundEmail | None:
    """Add the event to the outbox in the caller's transaction; *invite* is REQUEST, CANCEL or None.

    With *link*, the message carries the registration's manage link, if that link is still the same
    when the message is written: the row keeps the hash of the token it may carry, never the token.
    """
    if not registration.email:
        return None  # no address to write to: a walk-in who gave none, or an anonymised registration
    details = {"invite": invite, **extra}
    if link:
        registration.ensure_link()
        details["link"] = registration.manage_token_hash
    return queue_unwritten(kind, to=registration.email, language=registration.mail_language, unwritten=details,
                           gathering_id=registration.gathering_id, registration_id=registration.id, batch=batch)


def subject(kind: str, title: str) -> str:
    return one_line(MAILS[kind].subject % {"title": title})


def write(message: OutboundEmail) -> Written:
    """Write a queued event in the recipient's language. Raises ValueError if the registration is gone."""
    registration = db.session.get(Registration, message.registration_id) if message.registration_id else None
    if registration is None:
        raise ValueError(f"the registration of message {message.id} no longer exists")
    mail = MAILS[message.kind]
    gathering = registration.gathering
    details = dict(message.unwritten)
    link, method = details.pop("link", None), details.pop("invite")
    token = registration.manage_token() if link and registration.link_secret else None
    # A link revoked (or an address corrected) since queueing is left out, and so is one that would not
    # work because SECRET_KEY has changed since: the hash no longer matches.
    if token and (link != registration.manage_token_hash or digest(token) != link):
        token = None
    language = message.language  # every link opens in the language the mail is written in
    with force_locale(language):
        own, tokens = mail.links(details, registration, language) if mail.links else ({}, ())
        title = subject(message.kind, gathering.text("title", language))
    context = {
        "registration": registration,
        "gathering": gathering,
        "gathering_url": absolute_url("gatherings.detail", language, slug=gathering.slug),
        "manage_url": absolute_url("registration.manage", language, token=token) if token else None,
        # the same token: opening it proves the mail reached the address (registration/confirming.py)
        "confirm_url": absolute_url("registration.confirm_address", language, token=token)
        if token and registration.awaits_confirmation else None,
        "new_link_url": absolute_url("registration.request_link", language, slug=gathering.slug),
        "invite_method": method,  # REQUEST, CANCEL or None: what the mail does to the calendar
        **details,
        **own,
    }
    # Read now, from the gathering: a link changed since queueing, or a participant who has moved on site,
    # gets what is true when the message goes.
    video = video_for(registration) if mail.video else None

    def written(video):
        with force_locale(language):
            text_body = render_template(f"email/{message.kind}.txt", **context, video=video)
            html_body = render_template(f"email/{message.kind}.html", **context, video=video)
        invite = _invite(registration, language, video, cancel=method == "CANCEL").decode() if method else None
        return text_body, html_body, invite

    text_body, html_body, invite = written(video)
    kept = written(video.redacted()) if video else None
    return Written(title, text_body, html_body, invite, method, (token, *tokens), kept=kept)


def give_old_registration_a_secret(message: OutboundEmail) -> None:
    """A link queued before links were derived (see migration 0006) names a registration without a link
    secret: give it one, in a write transaction of its own, so the message can carry a link. Its old
    random link ends then, as it would have when a new link was sent."""
    wanted = (message.unwritten or {}).get("link")
    if not wanted or message.registration_id is None:
        return
    registration = db.session.get(Registration, message.registration_id)
    if registration is None or registration.link_secret is not None:
        return
    begin_write()
    db.session.refresh(registration)
    if registration.link_secret is None and registration.manage_token_hash == wanted:
        registration.new_link()
        message.unwritten = {**message.unwritten, "link": registration.manage_token_hash}
    db.session.commit()


@address_book
def address_now(message: OutboundEmail) -> str | None:
    """The address a message about a registration goes to when it is sent: the registration's address then (an
    organiser may have corrected it since queueing); None when it is gone, anonymised or has no address."""
    registration = db.session.get(Registration, message.registration_id, populate_existing=True)
    if registration is None or registration.anonymised_at is not None:
        return None
    return registration.email or None


def _invite(registration, language: str, video=None, *, cancel: bool = False) -> bytes:
    gathering = registration.gathering
    return ics.invite(
        gathering,
        url=absolute_url("gatherings.detail", language, slug=gathering.slug),
        attendee_email=registration.email,
        attendee_name=registration.name,
        language=language,
        cancel=cancel,
        online=registration.attendance_mode == "online",
        video_url=video.url if video else None,
    )


# --- the registration's own mails ------------------------------------------------------------------

def _why_waiting(details: dict, registration: Registration, language: str) -> Links:
    """Why someone waits: the gathering is full, or a rule of seats/ledger.py (in the mail's language)."""
    told = rules.reason(registration.gathering, details.get("why"))
    return {"why_text": str(told) if told else None}, ()


participant_mail("confirmation", _l("Registration confirmed: %(title)s"), video=True)
participant_mail("waitlisted", _l("You are on the waiting list: %(title)s"), links=_why_waiting)
participant_mail("promoted", _l("You have a seat: %(title)s"), video=True)
participant_mail("cancelled", _l("Registration cancelled: %(title)s"))
participant_mail("manage_link", _l("Your registration: %(title)s"))
participant_mail("updated", _l("Changed time or place: %(title)s"), video=True)
participant_mail("gathering_cancelled", _l("Cancelled: %(title)s"))
participant_mail("new_link", _l("New link to your registration: %(title)s"))
participant_mail("reminder", _l("Reminder: %(title)s"), video=True)
participant_mail("mode_changed", _l("Changed how you attend: %(title)s"), video=True)
participant_mail("released", _l("Your registration has ended: %(title)s"))


def notify_registered(registration, why: str | None = None):
    """Confirm a new registration: with the invite when the seat is confirmed; on the waiting list, *why*
    (seats/rules.py: full, municipality_limit, held) says which rule it waits for."""
    if registration.status == "confirmed":
        return queue("confirmation", registration, link=True, invite="REQUEST")
    return queue("waitlisted", registration, link=True, why=why)


def notify_promoted(registration):
    """Tell someone on the waiting list that they now have a seat, with the invite."""
    return queue("promoted", registration, link=True, invite="REQUEST")


def notify_cancelled(registration, *, was_confirmed: bool, by_organiser: bool = False):
    """Confirm a cancellation; remove the event from the calendar if it was there."""
    return queue("cancelled", registration, invite="CANCEL" if was_confirmed else None,
                 by_organiser=by_organiser)


def notify_manage_link(registration):
    """Send the manage link again to the address of an existing registration (the same link)."""
    return queue("manage_link", registration, link=True)


def notify_new_link(registration):
    """Send the link that replaced a revoked one to the registration's (perhaps corrected) address."""
    return queue("new_link", registration, link=True)


def notify_updated(registration):
    """Send an updated invite after the time or place has changed (same UID, higher SEQUENCE)."""
    return queue("updated", registration, invite="REQUEST")


def notify_mode_changed(registration):
    """Confirm a change of side (on site, online) with an updated invite: the venue or the video link."""
    return queue("mode_changed", registration, link=True, invite="REQUEST")


def notify_gathering_cancelled(registration, reason: str):
    """Tell a participant the gathering is cancelled; remove it from their calendar."""
    invite = "CANCEL" if registration.status == "confirmed" else None
    return queue("gathering_cancelled", registration, invite=invite, reason=reason)


def notify_released(registration, *, was_confirmed: bool):
    """Tell someone whose address was not confirmed in time that the registration has ended (confirming.py);
    remove the gathering from their calendar if it was there."""
    return queue("released", registration, invite="CANCEL" if was_confirmed else None)


def notify_reminder(registration):
    """Remind a confirmed participant of the gathering, with their link to cancel."""
    return queue("reminder", registration, link=True)
