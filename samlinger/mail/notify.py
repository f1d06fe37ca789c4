"""One function per event a participant is told about by e-mail, and how such a message is written.

A request only queues the event: an outbox row with the recipient, the registration and what cannot be
looked up later (whether an invite or its cancellation goes with it, whether the manage link does). The
mail worker writes the subject, the bodies and the invite just before sending (`write`), so registering
costs one small insert instead of two templates and an iCalendar object inside the write lock. The
message shows the gathering as it is when it is sent, which is what the participant needs.

The manage link is computed when the message is written (Registration.manage_token) and kept on the row
afterwards only with its token replaced by REDACTED: no usable link is ever stored in the outbox.

The video link of an online gathering is read from the gathering when the message is written, and only for
a confirmed online participant (`registration.modes.sees_video`); the copy kept afterwards is written again
with the link, meeting id and passcode replaced by REDACTED (the outbox is visible to organisers).
"""

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..tokens import digest
from ..urls import absolute_url
from . import ics
from .models import OutboundEmail
from .outbox import queue_unwritten

#: the messages that carry the video link to a confirmed online participant (and their invite's LOCATION)
VIDEO_KINDS = ("confirmation", "promoted", "reminder", "updated", "link_ready", "mode_changed")
#: what a link's token is replaced by in the copy of a sent message that the outbox keeps
REDACTED = "…"

SUBJECTS = {
    "confirmation": _l("Registration confirmed: %(title)s"),
    "waitlisted": _l("You are on the waiting list: %(title)s"),
    "promoted": _l("You have a seat: %(title)s"),
    "cancelled": _l("Registration cancelled: %(title)s"),
    "manage_link": _l("Your registration: %(title)s"),
    "updated": _l("Changed time or place: %(title)s"),
    "gathering_cancelled": _l("Cancelled: %(title)s"),
    "new_link": _l("New link to your registration: %(title)s"),
    "reminder": _l("Reminder: %(title)s"),
    "documents_ready": _l("Presentations from %(title)s"),
    "link_ready": _l("The video link is ready: %(title)s"),
    "mode_changed": _l("Changed how you attend: %(title)s"),
    "evaluation": _l("What did you think of %(title)s?"),
    "evaluation_reminder": _l("Reminder: what did you think of %(title)s?"),
}


def _queue(kind: str, registration, *, link: bool = False, invite: str | None = None, batch: str | None = None,
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


def notify_registered(registration, why: str | None = None):
    """Confirm a new registration: with the invite when the seat is confirmed; on the waiting list, *why*
    (registration/seats.py: full, municipality_limit, held) says which rule it waits for."""
    if registration.status == "confirmed":
        return _queue("confirmation", registration, link=True, invite="REQUEST")
    return _queue("waitlisted", registration, link=True, why=why)


def notify_promoted(registration):
    """Tell someone on the waiting list that they now have a seat, with the invite."""
    return _queue("promoted", registration, link=True, invite="REQUEST")


def notify_cancelled(registration, *, was_confirmed: bool, by_organiser: bool = False):
    """Confirm a cancellation; remove the event from the calendar if it was there."""
    return _queue("cancelled", registration, invite="CANCEL" if was_confirmed else None,
                  by_organiser=by_organiser)


def notify_manage_link(registration):
    """Send the manage link again to the address of an existing registration (the same link)."""
    return _queue("manage_link", registration, link=True)


def notify_new_link(registration):
    """Send the link that replaced a revoked one to the registration's (perhaps corrected) address."""
    return _queue("new_link", registration, link=True)


def notify_updated(registration):
    """Send an updated invite after the time or place has changed (same UID, higher SEQUENCE)."""
    return _queue("updated", registration, invite="REQUEST")


def notify_mode_changed(registration):
    """Confirm a change of side (on site, online) with an updated invite: the venue or the video link."""
    return _queue("mode_changed", registration, link=True, invite="REQUEST")


def notify_link_ready(registration):
    """Give a confirmed online participant the video link added or changed since, with an updated invite."""
    return _queue("link_ready", registration, link=True, invite="REQUEST")


def notify_gathering_cancelled(registration, reason: str):
    """Tell a participant the gathering is cancelled; remove it from their calendar."""
    invite = "CANCEL" if registration.status == "confirmed" else None
    return _queue("gathering_cancelled", registration, invite=invite, reason=reason)


def notify_reminder(registration):
    """Remind a confirmed participant of the gathering, with their link to cancel."""
    return _queue("reminder", registration, link=True)


def notify_documents_ready(registration, *, batch: str, link: bool, evaluation=None):
    """Tell a participant the presentations are ready; with *link* (participants only) their way in, with
    *evaluation* (their EvaluationInvitation) the evaluation's link as well.

    The subject is written now as well: the organisers follow the mailing by it while it is queued.
    """
    extra = {"evaluation": evaluation.token_hash} if evaluation is not None else {}
    message = _queue("documents_ready", registration, link=link, batch=batch, **extra)
    if message is None:
        return None
    with force_locale(registration.mail_language):
        message.subject = _subject("documents_ready",
                                   registration.gathering.text("title", registration.mail_language))
    return message


def notify_evaluation(registration, invitation, *, reminder: bool = False, batch: str | None = None):
    """Invite someone who attended to answer the evaluation (or remind them once) through their personal
    link; the row keeps the hash of the invitation's token, the worker computes the token."""
    return _queue("evaluation_reminder" if reminder else "evaluation", registration, batch=batch,
                  evaluation=invitation.token_hash)


def _subject(kind: str, title: str) -> str:
    return " ".join(str(SUBJECTS[kind] % {"title": title}).split())  # one line: no header injection


@dataclass(frozen=True)
class Written:
    subject: str
    text_body: str
    html_body: str
    ics: str | None
    ics_method: str | None
    #: the token of the link in the bodies: sent, never stored
    token: str | None = None
    #: the token of an evaluation link in the bodies, as *token*
    evaluation_token: str | None = None
    #: (text, html, invite) written with the video link redacted, when the message carries one: what is kept
    kept: tuple | None = None

    def keep_in(self, message: OutboundEmail) -> None:
        """Store what was sent on the row, with the links' tokens and the video link replaced by REDACTED."""
        text_body, html_body, invite = self.kept or (self.text_body, self.html_body, self.ics)
        for token in (self.token, self.evaluation_token):
            if token:
                text_body, html_body = text_body.replace(token, REDACTED), html_body.replace(token, REDACTED)
        message.subject, message.text_body, message.html_body = self.subject, text_body, html_body
        message.ics, message.ics_method, message.unwritten = invite, self.ics_method, None


def write(message: OutboundEmail) -> Written:
    """Write a queued event in the recipient's language. Raises ValueError if the registration is gone."""
    from ..online.service import video_for
    from ..registration.models import Registration

    registration = db.session.get(Registration, message.registration_id) if message.registration_id else None
    if registration is None:
        raise ValueError(f"the registration of message {message.id} no longer exists")
    gathering = registration.gathering
    details = dict(message.unwritten)
    link, method = details.pop("link", None), details.pop("invite")
    token = registration.manage_token() if link and registration.link_secret else None
    # A link revoked (or an address corrected) since queueing is left out, and so is one that would not
    # work because SECRET_KEY has changed since: the hash no longer matches.
    if token and (link != registration.manage_token_hash or digest(token) != link):
        token = None
    language = message.language  # every link opens in the language the mail is written in
    evaluation_token, evaluation_closes = _evaluation_link(details.pop("evaluation", None))
    context = {
        "registration": registration,
        "gathering": gathering,
        "gathering_url": absolute_url("gatherings.detail", language, slug=gathering.slug),
        "manage_url": absolute_url("registration.manage", language, token=token) if token else None,
        "new_link_url": absolute_url("registration.request_link", language, slug=gathering.slug),
        "evaluation_url": absolute_url("evaluations.answer", language, token=evaluation_token)
        if evaluation_token else None,
        "evaluation_closes": evaluation_closes,
        "invite_method": method,  # REQUEST, CANCEL or None: what the mail does to the calendar
        **details,
    }
    # Read now, from the gathering: a link changed since queueing, or a participant who has moved on site,
    # gets what is true when the message goes.
    video = video_for(registration) if message.kind in VIDEO_KINDS else None

    def written(video):
        with force_locale(message.language):
            text_body = render_template(f"email/{message.kind}.txt", **context, video=video)
            html_body = render_template(f"email/{message.kind}.html", **context, video=video)
        invite = _invite(registration, language, video, cancel=method == "CANCEL").decode() if method else None
        return text_body, html_body, invite

    with force_locale(message.language):
        if message.kind == "waitlisted":  # why: the gathering is full, or a rule of registration/seats.py
            from ..registration.seats import reason

            told = reason(gathering, details.get("why"))
            context["why_text"] = str(told) if told else None
        subject = _subject(message.kind, gathering.text("title", language))
    text_body, html_body, invite = written(video)
    kept = written(video.redacted()) if video else None
    return Written(subject, text_body, html_body, invite, method, token, evaluation_token=evaluation_token,
                   kept=kept)


def _evaluation_link(token_hash: str | None) -> tuple[str | None, object]:
    """The evaluation link's token for the invitation with this hash (if it is still unanswered and open) and
    the form's last day."""
    if not token_hash:
        return None, None
    from ..evaluations.models import EvaluationInvitation

    invitation = db.session.scalar(db.select(EvaluationInvitation).filter_by(token_hash=token_hash))
    if invitation is None or invitation.answered or not invitation.evaluation.is_open():
        return None, None
    token = invitation.token()
    if digest(token) != token_hash:
        return None, None  # SECRET_KEY changed since: no working link
    return token, invitation.evaluation.closes_on


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
