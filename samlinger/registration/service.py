"""Every rule about a registration, for participants and organisers alike: deadline, capacity, waiting
list, one registration per mailbox, manage links, corrections, cancelling, moving up and check-in.

Each change is one transaction with the mail it causes and, for an organiser's change, its audit entry.
"""

import hmac
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..audit.service import record
from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import begin_write, locked
from ..mail import notify
from ..refusal import Refused
from ..timeutil import utcnow
from . import mailcap, modes
from .models import Registration, canonical_email, hash_token, normalise_email

#: what a participant is told when the form cannot be sent; the registration page shows them too
CLOSED = _l("Registration for this gathering is closed.")
FULL = _l("The gathering is full and has no waiting list.")
SIDE_FULL = {"on_site": _l("There is no free seat on site."), "online": _l("There is no free seat online.")}
ANONYMISED = _l("The registration is anonymised: it has no address and no link.")
ALREADY_REGISTERED = _l("This address is already registered for the gathering.")

DETAIL_FIELDS = ("name", "municipality_id", "organisation", "unmatched", "role", "phone", "needs", "answers")


@dataclass
class Outcome:
    registration: Registration
    #: the manage token (the same in every e-mail); None when the address was already registered
    token: str | None
    duplicate: bool = False


def _active_with(gathering_id: int, email_normalized: str, *, other_than: int | None = None):
    statement = select(Registration).where(
        Registration.gathering_id == gathering_id,
        Registration.email_normalized == email_normalized,
        Registration.status != "cancelled",
    )
    if other_than is not None:
        statement = statement.where(Registration.id != other_than)
    return db.session.scalar(statement)


def _refuse(code: str, message):
    db.session.rollback()
    raise Refused(code, message)


def _set_details(registration: Registration, details: dict) -> None:
    for field in DETAIL_FIELDS:
        if field in details:
            setattr(registration, field, details[field])


def _locked_registration(registration_id: int) -> tuple[Registration, Gathering]:
    """The registration, fresh, with its gathering locked: no other change to the gathering's seats slips in."""
    registration = db.session.get(Registration, registration_id)
    gathering = locked(Gathering, registration.gathering_id)
    db.session.refresh(registration)
    return registration, gathering


# --- registering ---------------------------------------------------------------------------------

def register(gathering_id: int, details: dict, *, email: str, language: str,
             by_organiser: bool = False, mode: str | None = None, now=None) -> Outcome:
    """Register *email* for the gathering and queue the e-mail, in one transaction.

    The seat is confirmed while seats are left, otherwise the person is waitlisted (or refused when the
    waiting list is off). An address already registered gets its manage link by e-mail again (the same
    link). An organiser may register someone after the deadline; the entry goes into the audit log, and
    an address already registered is refused without mail.
    *mode* is the side of a hybrid gathering (on_site, online); seats and waiting list are per side.
    Refuses "closed", "full" or (organisers) "duplicate".
    """
    now = now or utcnow()
    # Worked out before the lock, which every registration for the gathering waits on.
    email_normalized, email = normalise_email(email), canonical_email(email)
    # The round is read with the gathering: registration_open() needs whether it is published.
    gathering = locked(Gathering, gathering_id, joinedload(Gathering.round, innerjoin=True))
    if gathering.status != "published":
        _refuse("closed", _l("The gathering is not open for registration (draft or cancelled).")
                if by_organiser else CLOSED)
    if not (by_organiser or gathering.registration_open(now)):
        _refuse("closed", CLOSED)

    existing = _active_with(gathering_id, email_normalized)
    if existing is not None:
        if by_organiser:
            _refuse("duplicate", ALREADY_REGISTERED)
        # Nothing is written: the lock ends here, and the cap (a round trip to its storage) is asked after.
        db.session.commit()
        if mailcap.allow(email_normalized):
            begin_write()
            notify.notify_manage_link(existing)
            db.session.commit()
        return Outcome(existing, None, duplicate=True)

    mode = modes.side(gathering, mode)
    full = modes.is_full(gathering, mode)
    if full and not gathering.waitlist_enabled:
        _refuse("full", FULL if gathering.mode != "hybrid" else SIDE_FULL[mode])

    registration = Registration(
        gathering=gathering, status="waitlisted" if full else "confirmed", confirmed_at=None if full else now,
        attendance_mode=mode,
        email=email, email_normalized=email_normalized, language=language, added_by_organiser=by_organiser,
        created_at=now, **{field: details[field] for field in DETAIL_FIELDS if field in details},
    )
    registration.new_link()
    token = registration.manage_token()
    db.session.add(registration)
    try:
        db.session.flush()
        notify.notify_registered(registration)
        if by_organiser:
            record("registration.add", registration,
                   f"Added by hand to {gathering.text('title', 'nb')} ({registration.status})")
        db.session.commit()
    except IntegrityError:
        # Only reachable if the lock was bypassed; the unique index still holds the rule.
        db.session.rollback()
        raise Refused("duplicate", ALREADY_REGISTERED if by_organiser else
                      _l("This address is already registered. Check your e-mail for the link.")) from None
    return Outcome(registration, token)  # a confirmation is always sent: the cap is for repeatable mails


def promote_waiting(gathering: Gathering, *, now=None) -> list[Registration]:
    """Give free seats to the waiting list in order; the caller holds the lock and commits.

    Nobody moves up once the gathering has ended, nor in a gathering that is not published.
    """
    now = now or utcnow()
    if gathering.status != "published" or gathering.has_ended(now):
        return []
    promoted = []
    for mode, free in modes.free_seats(gathering):  # each side of a hybrid gathering has its own queue
        waiting = select(Registration).where(
            Registration.gathering_id == gathering.id, Registration.status == "waitlisted", modes.on_side(mode)
        ).order_by(Registration.created_at, Registration.id)
        if free is not None:
            if free <= 0:
                continue
            waiting = waiting.limit(free)
        promoted += db.session.scalars(waiting)
    for registration in promoted:
        registration.status, registration.confirmed_at = "confirmed", now
        notify.notify_promoted(registration)
    return promoted


def cancel(registration_id: int, *, by_organiser: bool = False, now=None) -> Registration:
    """Cancel a registration, free its seat and promote from the waiting list, in one transaction."""
    now = now or utcnow()
    registration, gathering = _locked_registration(registration_id)
    if registration.status == "cancelled":
        db.session.commit()
        return registration
    was_confirmed = registration.status == "confirmed"
    registration.status, registration.cancelled_at = "cancelled", now
    if registration.anonymised_at is None:  # an anonymised registration has no address to tell
        notify.notify_cancelled(registration, was_confirmed=was_confirmed, by_organiser=by_organiser)
    db.session.flush()
    if was_confirmed:
        promote_waiting(gathering, now=now)
    if by_organiser:
        record("registration.cancel", registration, f"Cancelled for {gathering.text('title', 'nb')}")
    db.session.commit()
    return registration


def move_up(registration_id: int, *, now=None) -> Registration:
    """An organiser gives a seat to someone on the waiting list, out of turn and even over capacity.

    The person is e-mailed their seat with the calendar invitation. Refuses "not_waitlisted".
    """
    now = now or utcnow()
    registration, gathering = _locked_registration(registration_id)
    if registration.anonymised_at is not None:
        _refuse("anonymised", ANONYMISED)
    if registration.status != "waitlisted" or gathering.status != "published":
        _refuse("not_waitlisted", _l("Only someone on the waiting list of a published gathering can be moved up."))
    registration.status, registration.confirmed_at = "confirmed", now
    notify.notify_promoted(registration)
    record("registration.move_up", registration,
           f"Given a seat from the waiting list of {gathering.text('title', 'nb')}")
    db.session.commit()
    return registration


def switch_mode(registration_id: int, mode: str, *, now=None) -> Registration:
    """The participant of a hybrid gathering changes side (on site, online), in one transaction.

    A confirmed participant takes a free seat on the other side, and the seat they leave goes to the next
    on that side's waiting list; someone on a waiting list gets a seat on the other side if one is free.
    Refused when the other side has no free seat ("side_full": they keep what they have, and may join the
    other waiting list only by cancelling and registering again), and "not_switchable" for a cancelled
    registration, a gathering that is not hybrid, or one that has started.
    """
    now = now or utcnow()
    registration, gathering = _locked_registration(registration_id)
    if (registration.status not in ("confirmed", "waitlisted") or gathering.mode != "hybrid"
            or gathering.status != "published" or now >= gathering.starts_at or mode not in modes.offered(gathering)):
        _refuse("not_switchable", _l("You cannot change how you attend this gathering now."))
    if registration.attendance_mode == mode:
        db.session.commit()
        return registration
    if modes.is_full(gathering, mode):
        _refuse("side_full", SIDE_FULL[mode])
    was_confirmed = registration.status == "confirmed"
    registration.attendance_mode = mode
    registration.status = "confirmed"
    if not was_confirmed:
        registration.confirmed_at = now
    registration.checked_in_at = None
    # The calendar's place changes (venue or video link): a higher SEQUENCE replaces the event.
    gathering.revision += 1
    db.session.flush()
    if was_confirmed:
        notify.notify_mode_changed(registration)
        promote_waiting(gathering, now=now)
    else:
        notify.notify_promoted(registration)
    db.session.commit()
    return registration


# --- details and links ---------------------------------------------------------------------------

def update_details(registration: Registration, details: dict) -> None:
    """The participant corrects their details (not the address, which identifies the registration)."""
    _set_details(registration, details)
    db.session.commit()


def edit(registration_id: int, details: dict, *, email: str) -> Registration:
    """An organiser corrects a registration's details and address.

    A corrected address ends the old address's access: the registration gets a new link, mailed to the
    new address only (messages still queued for the old address go without a link). Refuses "duplicate"
    when the new address holds another active registration for the gathering, "anonymised" for an
    anonymised one: it keeps no address and gets no link.
    """
    registration, gathering = _locked_registration(registration_id)
    if registration.anonymised_at is not None:
        _refuse("anonymised", ANONYMISED)
    email_normalized = normalise_email(email)
    if registration.is_active and _active_with(gathering.id, email_normalized, other_than=registration.id):
        _refuse("duplicate", ALREADY_REGISTERED)
    moved = email_normalized != registration.email_normalized
    registration.email, registration.email_normalized = canonical_email(email), email_normalized
    _set_details(registration, details)
    summary = f"Corrected details for {gathering.text('title', 'nb')}"
    if moved:
        registration.new_link()
        if registration.is_active:
            notify.notify_new_link(registration)
        summary += "; new address, the old link ended"
    record("registration.edit", registration, summary)
    db.session.commit()
    return registration


def find_by_token(token: str) -> Registration | None:
    """The registration a manage link opens, or None for an unknown or malformed token."""
    if not token or len(token) > 100:
        return None
    found = db.session.scalar(select(Registration).where(Registration.manage_token_hash == hash_token(token)))
    # A link derived under an earlier SECRET_KEY opens nothing: changing the key ends every link.
    if found is not None and found.link_secret is not None and not hmac.compare_digest(found.manage_token(), token):
        return None
    return found


def request_link(gathering_id: int, email: str) -> bool:
    """E-mail the manage link again if *email* holds an active registration; say nothing either way.

    The link stays the same: anyone may type an address here, and that must not end the link the
    participant already has.
    """
    registration = _active_with(gathering_id, normalise_email(email))
    if registration is None:
        return False
    if mailcap.allow(registration.email_normalized):
        begin_write()
        notify.notify_manage_link(registration)
        db.session.commit()
    return True


def renew_link(registration_id: int, *, by_organiser: bool = False) -> Registration:
    """End a registration's manage links and mail the new one to its address, in one transaction.

    Asked by the participant ("stop the old links") or by an organiser (a forwarded e-mail, a shared
    mailbox). Refuses "anonymised": an anonymised registration has no address and no link.
    """
    begin_write()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.anonymised_at is not None:
        _refuse("anonymised", ANONYMISED)
    registration.new_link()
    notify.notify_new_link(registration)
    if by_organiser:
        record("registration.new_link", registration,
               f"New manage link sent for {registration.gathering.text('title', 'nb')}")
    db.session.commit()
    return registration


# --- on the day ----------------------------------------------------------------------------------

def check_in(registration_id: int, present: bool, *, now=None) -> Registration:
    """Mark a confirmed participant as arrived, or undo it. Refuses "not_confirmed"."""
    now = now or utcnow()
    begin_write()
    # Conditional update: two phones tapping the same person keep the first arrival time.
    values = {"checked_in_at": now} if present else {"checked_in_at": None}
    condition = Registration.checked_in_at.is_(None) if present else Registration.checked_in_at.is_not(None)
    db.session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status == "confirmed", condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.status != "confirmed":
        raise Refused("not_confirmed", _l("Only a confirmed participant can be checked in."))
    return registration
