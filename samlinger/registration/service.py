"""Every rule about a registration, for participants and organisers alike: deadline, capacity, waiting
list, one registration per mailbox, manage links, corrections, cancelling, moving up and check-in.

Each change is one transaction with the mail it causes and, for an organiser's change, its audit entry.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..audit.service import record
from ..extensions import db, mark_public_change
from ..gatherings.models import Gathering
from ..locking import begin_write, locked
from ..municipalities import matching
from ..refusal import Refused
from ..seats import rules, sides
from ..seats.ledger import ledger
from ..timeutil import utcnow
from . import mailcap, notify
from .models import Registration, canonical_email, normalise_email
from .rules import require_cancel, require_change_details

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
    told = rules.reason(gathering, why)
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
    #: why a new registration from this municipality would not get a seat now (rules.FULL, MUNICIPALITY_LIMIT,
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
    details = matching.with_municipality(details)
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
    mode = sides.side(gathering, mode)
    why = ledger(gathering, now).why_not(details.get("municipality_id"), mode)

    existing = _active_with(gathering_id, email_normalized)
    if existing is not None:
        if by_organiser:
            _refuse("duplicate", ALREADY_REGISTERED)
        # Nothing of the registration is written, but kept pages are built again as for a new one (their
        # Last-Modified must not tell: no registration oracle). The lock ends here; the cap is asked after.
        mark_public_change()
        db.session.commit()
        if mailcap.allow(email_normalized):
            begin_write()
            notify.notify_manage_link(existing)
            db.session.commit()
        return Outcome(existing, None, duplicate=True, why=why)

    if why and not gathering.waitlist_enabled:
        _refuse(why, _no_waiting_list(gathering, why, mode))

    registration = Registration(
        gathering=gathering, status="waitlisted" if why else "confirmed", confirmed_at=None if why else now,
        attendance_mode=mode,
        email=email, email_normalized=email_normalized, language=language, added_by_organiser=by_organiser,
        created_at=now, confirm_by=None if by_organiser else gathering.confirm_address_by(now),
        **{field: details[field] for field in DETAIL_FIELDS if field in details},
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
    """Give free seats to the waiting list in order, each to the first who fits the limits (Ledger.why_not):
    someone whose municipality is at its limit, or who may not take a held seat, is passed over and keeps
    their place. The caller holds the lock and commits.

    Nobody moves up once the gathering has started, nor in a gathering that is not published.
    """
    now = now or utcnow()
    if gathering.status != "published" or gathering.has_started(now):
        return []
    counted = ledger(gathering, now)
    if counted.full_everywhere():
        return []  # no free seat on any side: the waiting list need not be read
    waiting = select(Registration).where(
        Registration.gathering_id == gathering.id, Registration.status == "waitlisted"
    ).order_by(Registration.created_at, Registration.id)
    promoted, full_sides = [], set()
    for registration in list(db.session.scalars(waiting)):
        mode = registration.attendance_mode
        if mode in full_sides:
            continue
        why = counted.why_not(registration.municipality_id, mode)
        if why == rules.FULL:  # this side is full; the other side of a hybrid gathering may still have seats
            full_sides.add(mode)
            continue
        if why is None and not _confirm_lapsed(registration, now):
            registration.status, registration.confirmed_at = "confirmed", now
            counted.take(registration.municipality_id, mode)
            notify.notify_promoted(registration)
            promoted.append(registration)
    return promoted


def _confirm_lapsed(registration: Registration, now) -> bool:
    """Waiting past its time to confirm the address: `release-unconfirmed` ends it, it is not given a seat."""
    return registration.awaits_confirmation and registration.confirm_by <= now


def cancel(registration_id: int, *, by_organiser: bool = False, now=None) -> Registration:
    """Cancel a registration, free its seat and promote from the waiting list, in one transaction. A participant
    (not *by_organiser*) is refused "ended" once the gathering has ended (registration/rules.require_cancel)."""
    now = now or utcnow()
    registration, gathering = _locked_registration(registration_id)
    if registration.status == "cancelled":
        db.session.commit()
        return registration
    if not by_organiser:
        try:
            require_cancel(registration, now)
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


def can_move_up(registration: Registration) -> bool:
    """Whether an organiser may give this person a seat out of turn (move_up's rule; the workspace asks it)."""
    return (registration.status == "waitlisted" and registration.gathering.status == "published"
            and registration.anonymised_at is None)


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
    if not can_move_up(registration):
        _refuse("not_waitlisted", _l("Only someone on the waiting list of a published gathering can be moved up."))
    over = ledger(gathering, now).why_not(registration.municipality_id, registration.attendance_mode)
    registration.status, registration.confirmed_at = "confirmed", now
    registration.confirm_by = None  # the organiser vouches for the person: no release for an unconfirmed address
    notify.notify_promoted(registration)
    over_words = rules.OVER_WORDS.get(over, "")
    record("registration.move_up", registration,
           f"Given a seat from the waiting list of {gathering.text('title', 'nb')} out of turn "
           f"(reason: {reason}){over_words}")
    db.session.commit()
    return registration


def can_switch_mode(registration: Registration, now=None) -> str | None:
    """The side a participant of a hybrid gathering may change to now (switch_mode's rule; the manage page asks
    it), or None: a cancelled registration, a gathering that is not hybrid, not published or has started."""
    gathering = registration.gathering
    if (not registration.is_active or gathering.mode != "hybrid" or gathering.status != "published"
            or (now or utcnow()) >= gathering.starts_at):
        return None
    return sides.ONLINE if registration.attendance_mode == sides.ON_SITE else sides.ON_SITE


def switch_mode(registration_id: int, mode: str, *, now=None) -> Registration:
    """The participant of a hybrid gathering changes side (on site, online), in one transaction.

    A confirmed participant takes a free seat on the other side, and the seat they leave goes to the next
    on that side's waiting list; someone on a waiting list gets a seat on the other side if one is free.
    Refused when the other side has no free seat ("side_full": they keep what they have, and may join the
    other waiting list only by cancelling and registering again) or the seats' rules keep them out there
    ("municipality_limit", "held": seats/ledger.py), and "not_switchable" for a cancelled
    registration, a gathering that is not hybrid, or one that has started.
    """
    now = now or utcnow()
    registration, gathering = _locked_registration(registration_id)
    if can_switch_mode(registration, now) is None or mode not in sides.offered(gathering):
        _refuse("not_switchable", _l("You cannot change how you attend this gathering now."))
    if registration.attendance_mode == mode:
        db.session.commit()
        return registration
    if gathering.held_seats and not gathering.holding(now):
        promote_waiting(gathering, now=now)  # released seats go to the waiting lists before anyone switches
        db.session.flush()
    # The other side under the same rules as a new registration, the seat the person holds not in the way.
    counted = ledger(gathering, now)
    if registration.status == "confirmed":
        counted.release(registration.municipality_id, registration.attendance_mode)
    why = counted.why_not(registration.municipality_id, mode)
    if why == rules.FULL:
        _refuse("side_full", SIDE_FULL[mode])
    if why is not None:  # the municipality's limit, or a seat held for municipalities not yet registered
        _refuse(why, _l("%(reason)s You cannot change how you attend now.", reason=rules.reason(gathering, why)))
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
    Refuses "municipality_limit" or "held"; the seat it frees goes to the waiting list, and a person on the
    waiting list whose new municipality has room may be the one who gets it. Refuses "not_active" or "ended"
    (registration/rules.require_change_details).
    """
    now = now or utcnow()
    require_change_details(registration, now)
    details = matching.with_municipality(details)
    moving = (registration.is_active and "municipality_id" in details
              and details["municipality_id"] != registration.municipality_id)
    if not moving:
        _set_details(registration, details)
        db.session.commit()
        return
    registration, gathering = _locked_registration(registration.id)
    if registration.status == "confirmed" and rules.has_rules(gathering):
        counted = ledger(gathering, now)
        counted.release(registration.municipality_id, registration.attendance_mode)  # the seat being moved
        why = counted.why_not(details["municipality_id"], registration.attendance_mode)
        if why == rules.MUNICIPALITY_LIMIT:
            _refuse(why, _l("%(reason)s Your seat cannot move to it; ask the organisers if this is wrong.",
                            reason=rules.reason(gathering, why)))
        if why == rules.HELD:
            _refuse(why, _l("%(reason)s Your seat cannot move there now; ask the organisers if this is wrong.",
                            reason=rules.reason(gathering, why)))
    _set_details(registration, details)
    db.session.flush()
    promote_waiting(gathering, now=now)
    db.session.commit()


def edit(registration_id: int, details: dict, *, email: str) -> Registration:
    """An organiser corrects a registration's details and address.

    A corrected address ends the old address's access: the registration gets a new link, mailed to the new
    address only (so does all mail still queued, without the old link), and needs no confirming (confirming.py).
    Refuses "duplicate" when the new address holds another active registration for the gathering,
    "anonymised" for an anonymised one: it keeps no address and gets no link.
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
    details = matching.with_municipality(details)
    moved_seat = registration.is_active and details.get("municipality_id", before) != before
    _set_details(registration, details)
    if moved_seat:  # an organiser may move a seat over a limit; the municipality it leaves may promote, and
        # a person on the waiting list whose new municipality has room may be promoted
        db.session.flush()
        promote_waiting(gathering)
    summary = f"Corrected details for {gathering.text('title', 'nb')}"
    if moved:
        registration.new_link()
        registration.address_from_organiser = True
        registration.confirm_by = None  # an address an organiser gives needs no confirming from the mail
        if registration.is_active:
            notify.notify_new_link(registration)
        summary += "; new address, the old link ended"
    record("registration.edit", registration, summary)
    db.session.commit()
    return registration
