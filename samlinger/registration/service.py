"""Every rule about a registration, for participants and organisers alike: deadline, capacity, waiting
list, one registration per mailbox, manage links, corrections, cancelling, moving up and check-in.

Each change is one transaction with the mail it causes and, for an organiser's change, its audit entry.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..audit.service import record
from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import begin_write, locked
from ..refusal import Refused
from ..timeutil import oslo, utcnow
from ..tokens import find
from . import mailcap, modes, notify, rules, seats
from .attendance import WALK_IN_ATTENDED
from .models import Registration, canonical_email, normalise_email

#: what a participant is told when the form cannot be sent; the registration page shows them too
CLOSED = _l("Registration for this gathering is closed.")
FULL = _l("The gathering is full and has no waiting list.")
SIDE_FULL = {"on_site": _l("There is no free seat on site."), "online": _l("There is no free seat online.")}
ANONYMISED = _l("The registration is anonymised: it has no address and no link.")
ALREADY_REGISTERED = _l("This address is already registered for the gathering.")

#: why an organiser gives a seat out of turn: a fixed choice, so the audit log never holds free text about a
#: participant (the labels are in workspace.MOVE_UP_REASONS)
MOVE_UP_REASONS = ("speaker", "organisers_guest", "municipality_asked", "replacement", "other")


def _no_waiting_list(gathering, why: str, mode: str):
    """The refusal when no seat may be given now and the gathering has no waiting list."""
    told = seats.reason(gathering, why)
    if told:
        return _l("%(reason)s The gathering has no waiting list.", reason=told)
    return SIDE_FULL[mode] if gathering.mode == "hybrid" else FULL


DETAIL_FIELDS = ("name", "municipality_id", "organisation", "unmatched", "role", "phone", "needs", "answers")


@dataclass
class Outcome:
    registration: Registration
    #: the manage token (the same in every e-mail); None when the address was already registered
    token: str | None
    duplicate: bool = False
    #: why a new registration from this municipality would not get a seat now (seats.FULL, MUNICIPALITY_LIMIT,
    #: HELD) or None; the same for an address already registered, so the receipt cannot tell them apart
    why: str | None = None


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
    if gathering.held_seats and not gathering.holding(now):
        # The hold has ended: the waiting list gets the released seats before anyone new does.
        promote_waiting(gathering, now=now)
    mode = modes.side(gathering, mode)
    why = seats.why_not(gathering, details.get("municipality_id"), seats.tally(gathering_id), now, mode)

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
        return Outcome(existing, None, duplicate=True, why=why)

    if why and not gathering.waitlist_enabled:
        _refuse("full" if why == seats.FULL else why, _no_waiting_list(gathering, why, mode))

    registration = Registration(
        gathering=gathering, status="waitlisted" if why else "confirmed", confirmed_at=None if why else now,
        attendance_mode=mode,
        email=email, email_normalized=email_normalized, language=language, added_by_organiser=by_organiser,
        created_at=now, **{field: details[field] for field in DETAIL_FIELDS if field in details},
    )
    registration.new_link()
    token = registration.manage_token()
    db.session.add(registration)
    try:
        db.session.flush()
        notify.notify_registered(registration, why=why)
        if by_organiser:
            record("registration.add", registration,
                   f"Added by hand to {gathering.text('title', 'nb')} ({registration.status})")
        db.session.commit()
    except IntegrityError:
        # Only reachable if the lock was bypassed; the unique index still holds the rule.
        db.session.rollback()
        raise Refused("duplicate", ALREADY_REGISTERED if by_organiser else
                      _l("This address is already registered. Check your e-mail for the link.")) from None
    return Outcome(registration, token, why=why)  # a confirmation is always sent: the cap is for repeatable mails


def promote_waiting(gathering: Gathering, *, now=None) -> list[Registration]:
    """Give free seats to the waiting list in order, each to the first who fits the limits (seats.why_not):
    someone whose municipality is at its limit, or who may not take a held seat, is passed over and keeps
    their place. The caller holds the lock and commits.

    Nobody moves up once the gathering has started, nor in a gathering that is not published.
    """
    now = now or utcnow()
    if gathering.status != "published" or gathering.has_started(now):
        return []
    counted = seats.tally(gathering.id)
    if all(seats.why_not(gathering, None, counted, now, side) == seats.FULL for side in modes.offered(gathering)):
        return []  # no free seat on any side: the waiting list need not be read
    waiting = select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "waitlisted"
    ).order_by(Registration.created_at, Registration.id)
    promoted, full_sides = [], set()
    for registration in list(db.session.scalars(waiting)):
        mode = registration.attendance_mode
        if mode in full_sides:
            continue
        why = seats.why_not(gathering, registration.municipality_id, counted, now, mode)
        if why == seats.FULL:  # this side is full; the other side of a hybrid gathering may still have seats
            full_sides.add(mode)
            continue
        if why is None:
            registration.status, registration.confirmed_at = "confirmed", now
            counted.take(registration.municipality_id, mode)
            notify.notify_promoted(registration)
            promoted.append(registration)
    return promoted


def release_held_seats(now=None) -> int:
    """Promote the waiting lists of gatherings whose held seats have been released (`flask
    release-held-seats`, run by cron): without it, a released seat would wait for the next registration or
    cancellation. Each gathering in a transaction of its own; safe to run often and in several places.
    Returns how many were promoted."""
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Gathering.id).where(Gathering.status == "published", Gathering.held_seats > 0,
                                   Gathering.held_until < oslo(now).date(),  # released: the day has ended
                                   Gathering.starts_at > now,
                                   Gathering.id.in_(select(Registration.gathering_id)
                                                    .where(Registration.status == "waitlisted")))
    ).all()
    db.session.commit()
    promoted = 0
    for gathering_id in candidates:
        gathering = locked(Gathering, gathering_id)
        if not gathering.holding(now):
            promoted += len(promote_waiting(gathering, now=now))
        db.session.commit()
    return promoted


def cancel(registration_id: int, *, by_organiser: bool = False, now=None) -> Registration:
    """Cancel a registration, free its seat and promote from the waiting list, in one transaction. A participant
    (not *by_organiser*) is refused "ended" once the gathering has ended (rules.require_cancel)."""
    now = now or utcnow()
    registration, gathering = _locked_registration(registration_id)
    if registration.status == "cancelled":
        db.session.commit()
        return registration
    if not by_organiser:
        try:
            rules.require_cancel(registration, now)
        except Refused:
            db.session.rollback()
            raise
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


def move_up(registration_id: int, *, reason: str, now=None) -> Registration:
    """An organiser gives a seat to someone on the waiting list, out of turn and even over capacity, the
    municipality's limit or the held seats, for one of MOVE_UP_REASONS. The audit entry names the reason
    and the rules the seat goes over (never free text: the log outlives the purge).

    The person is e-mailed their seat with the calendar invitation. Refuses "not_waitlisted".
    """
    now = now or utcnow()
    if reason not in MOVE_UP_REASONS:
        raise ValueError(f"not a reason for moving up: {reason!r}")  # the form offers only these
    registration, gathering = _locked_registration(registration_id)
    if registration.anonymised_at is not None:
        _refuse("anonymised", ANONYMISED)
    if registration.status != "waitlisted" or gathering.status != "published":
        _refuse("not_waitlisted", _l("Only someone on the waiting list of a published gathering can be moved up."))
    over = seats.why_not(gathering, registration.municipality_id, seats.tally(gathering.id), now,
                         registration.attendance_mode)
    registration.status, registration.confirmed_at = "confirmed", now
    notify.notify_promoted(registration)
    over_words = {seats.FULL: "; over capacity", seats.MUNICIPALITY_LIMIT: "; over the municipality's limit",
                  seats.HELD: "; in a held seat"}.get(over, "")
    record("registration.move_up", registration,
           f"Given a seat from the waiting list of {gathering.text('title', 'nb')} out of turn "
           f"(reason: {reason}){over_words}")
    db.session.commit()
    return registration


def switch_mode(registration_id: int, mode: str, *, now=None) -> Registration:
    """The participant of a hybrid gathering changes side (on site, online), in one transaction.

    A confirmed participant takes a free seat on the other side, and the seat they leave goes to the next
    on that side's waiting list; someone on a waiting list gets a seat on the other side if one is free.
    Refused when the other side has no free seat ("side_full": they keep what they have, and may join the
    other waiting list only by cancelling and registering again) or the seats' rules keep them out there
    ("municipality_limit", "held": registration/seats.py), and "not_switchable" for a cancelled
    registration, a gathering that is not hybrid, or one that has started.
    """
    now = now or utcnow()
    registration, gathering = _locked_registration(registration_id)
    if rules.switch_target(registration, now) is None or mode not in modes.offered(gathering):
        _refuse("not_switchable", _l("You cannot change how you attend this gathering now."))
    if registration.attendance_mode == mode:
        db.session.commit()
        return registration
    if gathering.held_seats and not gathering.holding(now):
        promote_waiting(gathering, now=now)  # released seats go to the waiting lists before anyone switches
        db.session.flush()
    # The other side under the same rules as a new registration, the seat the person holds not in the way.
    counted = seats.tally(gathering.id)
    if registration.status == "confirmed":
        counted.release(registration.municipality_id, registration.attendance_mode)
    why = seats.why_not(gathering, registration.municipality_id, counted, now, mode)
    if why == seats.FULL:
        _refuse("side_full", SIDE_FULL[mode])
    if why is not None:  # the municipality's limit, or a seat held for municipalities not yet registered
        _refuse(why, _l("%(reason)s You cannot change how you attend now.", reason=seats.reason(gathering, why)))
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

def update_details(registration: Registration, details: dict, *, now=None) -> None:
    """The participant corrects their details (not the address, which identifies the registration).

    A confirmed seat moves to another municipality (or organisation) only where a new registration would
    get one: otherwise registering as another organisation and then changing would pass the limits.
    Refuses "municipality_limit" or "held"; the seat it frees goes to the waiting list; "not_active" or "ended"
    (rules.require_change_details).
    """
    now = now or utcnow()
    rules.require_change_details(registration, now)
    moving = (registration.status == "confirmed" and "municipality_id" in details
              and details["municipality_id"] != registration.municipality_id)
    if not moving:
        _set_details(registration, details)
        db.session.commit()
        return
    registration, gathering = _locked_registration(registration.id)
    if registration.status == "confirmed" and seats.has_rules(gathering):
        counted = seats.tally(gathering.id)
        counted.release(registration.municipality_id, registration.attendance_mode)  # the seat being moved
        why = seats.why_not(gathering, details["municipality_id"], counted, now, registration.attendance_mode)
        if why == seats.MUNICIPALITY_LIMIT:
            _refuse(why, _l("%(reason)s Your seat cannot move to it; ask the organisers if this is wrong.",
                            reason=seats.reason(gathering, why)))
        if why == seats.HELD:
            _refuse(why, _l("%(reason)s Your seat cannot move there now; ask the organisers if this is wrong.",
                            reason=seats.reason(gathering, why)))
    _set_details(registration, details)
    db.session.flush()
    promote_waiting(gathering, now=now)
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
    if not email.strip() and registration.walk_in and not registration.email:
        email_normalized = registration.email_normalized  # came without registering, and still no address
    else:
        email_normalized = normalise_email(email)
    if registration.is_active and _active_with(gathering.id, email_normalized, other_than=registration.id):
        _refuse("duplicate", ALREADY_REGISTERED)
    moved = email_normalized != registration.email_normalized
    registration.email, registration.email_normalized = canonical_email(email), email_normalized
    before = registration.municipality_id
    moved_seat = registration.status == "confirmed" and details.get("municipality_id", before) != before
    _set_details(registration, details)
    if moved_seat:  # an organiser may move a seat over a limit; the municipality it leaves may promote
        db.session.flush()
        promote_waiting(gathering)
    summary = f"Corrected details for {gathering.text('title', 'nb')}"
    if moved:
        registration.new_link()
        registration.address_from_organiser = True
        if registration.is_active:
            notify.notify_new_link(registration)
        summary += "; new address, the old link ended"
    record("registration.edit", registration, summary)
    db.session.commit()
    return registration


def find_by_token(token: str) -> Registration | None:
    """The registration a manage link opens, or None for an unknown or malformed token, or one derived under an
    earlier SECRET_KEY (tokens.find). A registration from before derived links is opened by its random link."""
    return find(Registration.manage_token_hash, token, lambda found: found.link_secret and found.manage_token())


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
    """Mark a confirmed participant as arrived, or undo it. Refuses "not_confirmed", and "walk_in" for undoing
    the arrival of someone who came without registering (registration/attendance.py)."""
    now = now or utcnow()
    begin_write()
    # Conditional update: two phones tapping the same person keep the first arrival time.
    values = {"checked_in_at": now} if present else {"checked_in_at": None}
    condition = (Registration.checked_in_at.is_(None) if present
                 else Registration.checked_in_at.is_not(None) & Registration.walk_in.is_(False))
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
    if registration.walk_in and not present:
        raise Refused("walk_in", WALK_IN_ATTENDED)
    return registration
