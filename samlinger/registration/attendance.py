"""Attendance: who came to a gathering. The one definition, and the two rules that only organisers use
(people who came without registering, corrections after the gathering).

- attended: a confirmed registration with `checked_in_at` set, at the door or marked afterwards;
- no-show: a confirmed registration without `checked_in_at`, once the gathering has ended (before the end
  nobody is a no-show: attendance is undecided);
- walk-in: `Registration.walk_in`, someone who came without registering, added by an organiser from the
  check-in page with their municipality; confirmed and checked in at once, so a walk-in has attended.
Waitlisted and cancelled registrations neither attended nor are no-shows.

`checked_in_at` is the arrival at the door. Marked as attended after the gathering has ended, it is the time
of that correction, which is after the end: `marked_afterwards` tells the two apart and no arrival time is
made up. The retention purge keeps every column this reads (gathering, status, checked_in_at, walk_in and
the municipality), so the figures stay the same after anonymisation.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, update
from sqlalchemy.exc import IntegrityError

from ..audit.service import record
from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import begin_write, locked
from ..municipalities.matching import with_municipality
from ..refusal import Refused
from ..seats import rules, sides
from ..seats.ledger import Counts, ledger
from ..timeutil import oslo, utcnow
from ..tokens import digest, unguessable
from .models import Registration, canonical_email, normalise_email

ATTENDED = "attended"
NO_SHOW = "no_show"


# --- the definition ------------------------------------------------------------------------------

def state_of(status: str, checked_in_at: datetime | None, ended: bool) -> str | None:
    """The rule itself, on plain values (exports read rows, not objects): ATTENDED, NO_SHOW or None."""
    if status != "confirmed":
        return None
    if checked_in_at is not None:
        return ATTENDED
    return NO_SHOW if ended else None


def state(registration: Registration, now: datetime | None = None) -> str | None:
    """ATTENDED, NO_SHOW, or None (not confirmed, or the gathering has not ended and they have not arrived)."""
    return state_of(registration.status, registration.checked_in_at, registration.gathering.has_ended(now))


def marked_afterwards(registration: Registration) -> bool:
    """Marked as attended after the gathering had ended, rather than checked in at the door."""
    return registration.checked_in_at is not None and registration.checked_in_at >= registration.gathering.ends_at


def attended_clause():
    """SQL: the registration attended."""
    return and_(Registration.status == "confirmed", Registration.checked_in_at.is_not(None))


def no_show_clause(now: datetime | None = None):
    """SQL: the registration is a no-show at *now*; the query must join Gathering."""
    return and_(Registration.status == "confirmed", Registration.checked_in_at.is_(None),
                Gathering.ends_at <= (now or utcnow()))


def walk_in_clause():
    """SQL: a walk-in who still counts (one cancelled as a mistake does not)."""
    return and_(Registration.status == "confirmed", Registration.walk_in.is_(True))


def state_expression(now: datetime | None = None):
    """SQL: 'attended', 'no_show' or NULL per registration, as `state`, to group by; the query must join
    Gathering. Make it once and use that one expression (labelled) in both the columns and GROUP BY:
    PostgreSQL takes two made separately for different expressions."""
    return case((attended_clause(), ATTENDED), (no_show_clause(now), NO_SHOW), else_=None)


@dataclass(frozen=True)
class Summary:
    """A gathering's attendance once it has ended. Walk-ins are among those who attended."""

    attended: int
    no_shows: int
    walk_ins: int


def summary(gathering: Gathering, counts: Counts, now: datetime | None = None) -> Summary | None:
    """The attendance of an ended gathering from its counts (the seat ledger, seats/ledger.py); None before the end."""
    if not gathering.has_ended(now):
        return None
    return Summary(attended=counts.checked_in, no_shows=counts.confirmed - counts.checked_in,
                   walk_ins=counts.walk_ins)


# --- people who came without registering ---------------------------------------------------------

WALK_IN_ATTENDED = _l("Someone who came without registering has attended. If they were added by mistake, "
                      "cancel the registration.")
WALK_IN_DUPLICATE = _l("This address is already registered for the gathering: find the person in the list. "
                       "Someone on the waiting list needs a seat first (Registrations, «Give a seat»).")


def walk_ins_from_today(gathering: Gathering, now: datetime | None = None) -> bool:
    """Whether the gathering's day (in Oslo) has come: walk-ins are for the day, not a way round capacity
    and the confirmation before it."""
    return oslo(now or utcnow()).date() >= oslo(gathering.starts_at).date()


def can_add_walk_in(gathering: Gathering, now: datetime | None = None) -> bool:
    """Whether the check-in page offers adding someone who came without registering: a published gathering, from
    its day on (`add_walk_in` refuses "closed" or "too_early" otherwise)."""
    return gathering.status == "published" and walk_ins_from_today(gathering, now)


def add_walk_in(gathering_id: int, details: dict, *, email: str = "", language: str,
                now: datetime | None = None) -> Registration:
    """Add someone who came without registering: confirmed and checked in at once, over capacity if need be
    (they are in the room), from the day of the gathering on. No e-mail is sent now; with an address the
    person gets the later mail every confirmed participant gets (messages, presentations) with their link.

    Without an address the registration keeps an empty one and a key of its own, so the rule "one active
    registration per address" still holds, and gets no link. The audit entry names only the gathering.
    Refuses "closed" (a draft or cancelled gathering), "too_early" (before the gathering's day in Oslo) or
    "duplicate" (the address is already registered).
    """
    now = now or utcnow()
    email = email.strip()
    email_normalized = normalise_email(email) if email else f"no-address-{unguessable()}"
    details = with_municipality(details)
    gathering = locked(Gathering, gathering_id)
    if gathering.status != "published":
        _refuse("closed", _l("Only a published gathering can have participants added."))
    if not walk_ins_from_today(gathering, now):
        _refuse("too_early", _l("People who came without registering can be added from the day of the "
                                "gathering."))
    # They are in the room: the seat is given over any rule, and the audit entry says which.
    over = ledger(gathering, now).why_not(details.get("municipality_id"), sides.ON_SITE)
    registration = Registration(
        gathering=gathering, status="confirmed", confirmed_at=now, checked_in_at=now, walk_in=True,
        added_by_organiser=True, email=canonical_email(email) if email else "", email_normalized=email_normalized,
        language=language, created_at=now, **details)
    if email:
        registration.new_link()
    else:
        registration.manage_token_hash = digest(unguessable())  # a token nobody knows: no link
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError:  # the address holds an active registration: the unique index is the rule
        _refuse("duplicate", WALK_IN_DUPLICATE)
    record("registration.walk_in", registration,
           f"Came without registering, added at check-in for {gathering.text('title', 'nb')}"
           + rules.OVER_WORDS.get(over, ""))
    db.session.commit()
    return registration


# --- corrections after the gathering -------------------------------------------------------------

def mark(registration_id: int, attended: bool, *, now: datetime | None = None) -> Registration:
    """An organiser corrects attendance once the gathering has ended: marked as attended (at *now*, see the
    module's note), or not attended (the arrival time is cleared). One transaction with its audit entry;
    a second, identical correction changes nothing. Refuses "not_confirmed", "not_ended" (until the end,
    the check-in page records arrivals) or "walk_in" (someone added as a walk-in came; one added by
    mistake is cancelled instead).
    """
    now = now or utcnow()
    begin_write()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    gathering = registration.gathering
    if registration.status != "confirmed":
        _refuse("not_confirmed", _l("Only a confirmed participant can be marked as attended or not."))
    if not gathering.has_ended(now):
        _refuse("not_ended", _l("Attendance can be corrected once the gathering has ended; until then, use "
                                "check-in."))
    if registration.walk_in and not attended:
        _refuse("walk_in", WALK_IN_ATTENDED)
    # Conditional, like check-in: a second tap or a second organiser keeps the first answer.
    condition = Registration.checked_in_at.is_(None) if attended else Registration.checked_in_at.is_not(None)
    changed = db.session.execute(
        update(Registration).where(Registration.id == registration_id, Registration.status == "confirmed",
                                   condition)
        .values(checked_in_at=now if attended else None).execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        record("registration.attendance", registration,
               f"Marked as {'attended' if attended else 'not attended'} after {gathering.text('title', 'nb')}")
    db.session.commit()
    return db.session.get(Registration, registration_id, populate_existing=True)


def _refuse(code: str, message):
    db.session.rollback()
    raise Refused(code, message)


# --- on the day ----------------------------------------------------------------------------------

def check_in(registration_id: int, present: bool, *, now=None) -> Registration:
    """Mark a confirmed participant as arrived, or undo it. Refuses "not_confirmed", and "walk_in" for undoing
    the arrival of someone who came without registering (see the module's note)."""
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
