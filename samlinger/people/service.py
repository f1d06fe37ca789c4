"""What organisers do with the registrations of a gathering: list, correct, add, cancel, move up, check in."""

from sqlalchemy import func, select, update

from ..audit.service import record
from ..extensions import db
from ..gatherings.models import Gathering
from ..locking import begin_write, locked
from ..mail import notify
from ..registration import service as registration
from ..registration.models import Registration, canonical_email, normalise_email
from ..timeutil import utcnow

STATUS_ORDER = {"confirmed": 0, "waitlisted": 1, "cancelled": 2}


class ChangeRefused(Exception):
    """A change the rules refuse; *code* says which rule."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def registrations(gathering_id: int, *, query: str = "", status: str = "") -> list[Registration]:
    """The gathering's registrations, matching *query* (name, e-mail, organisation) and *status*.

    Confirmed first, then the waiting list in its order, then cancelled.
    """
    statement = select(Registration).where(Registration.gathering_id == gathering_id)
    if status:
        statement = statement.where(Registration.status == status)
    rows = list(db.session.scalars(statement.order_by(Registration.created_at, Registration.id)))
    # Matched here rather than with SQL LIKE, which ignores case for æøå on PostgreSQL only.
    words = query.casefold().split()
    if words:
        rows = [r for r in rows if all(w in f"{r.name} {r.email} {r.organisation}".casefold() for w in words)]
    return sorted(rows, key=lambda r: STATUS_ORDER.get(r.status, 3))


def status_counts(gathering_ids) -> dict[int, dict[str, int]]:
    """Return {gathering id: {"confirmed": n, "waitlisted": n, "cancelled": n, "checked_in": n}}."""
    ids = list(gathering_ids)
    counts = {gid: {"confirmed": 0, "waitlisted": 0, "cancelled": 0, "checked_in": 0} for gid in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(Registration.gathering_id, Registration.status, func.count(),
               func.count(Registration.checked_in_at))
        .where(Registration.gathering_id.in_(ids)).group_by(Registration.gathering_id, Registration.status)
    )
    for gathering_id, status, number, checked_in in rows:
        counts[gathering_id][status] = number
        if status == "confirmed":
            counts[gathering_id]["checked_in"] = checked_in
    return counts


def organisation_counts(gathering_id: int) -> list[tuple[str, int, int]]:
    """Active registrations per municipality or organisation: (name, confirmed, waitlisted), largest first.

    Spellings that differ only in case or surrounding spaces count as one.
    """
    totals: dict[str, list] = {}
    rows = db.session.execute(
        select(Registration.organisation, Registration.status)
        .where(Registration.gathering_id == gathering_id, Registration.status.in_(("confirmed", "waitlisted")))
        .order_by(Registration.created_at)
    )
    for organisation, status in rows:
        name = " ".join(organisation.split())
        entry = totals.setdefault(name.casefold(), [name, 0, 0])
        entry[1 if status == "confirmed" else 2] += 1
    return sorted((tuple(entry) for entry in totals.values()), key=lambda e: (-e[1] - e[2], e[0].casefold()))


def add(gathering_id: int, details: dict, *, email: str, language: str) -> registration.Outcome:
    """Register someone on their behalf, also after the deadline; they get the usual e-mail.

    Raises ChangeRefused("duplicate") when the address is already registered (nobody is e-mailed then),
    or ("closed" | "full") from the registration rules.
    """
    if _active_with_email(gathering_id, email) is not None:
        raise ChangeRefused("duplicate")
    try:
        outcome = registration.register(gathering_id, details, email=email, language=language,
                                        by_organiser=True)
    except registration.RegistrationError as refused:
        raise ChangeRefused(refused.code) from None
    if outcome.duplicate:
        # Registered by someone else in the meantime: the rules have already sent them their link.
        raise ChangeRefused("duplicate")
    record("registration.add", outcome.registration,
           f"Added by hand to {outcome.registration.gathering.title} ({outcome.registration.status})")
    db.session.commit()
    return outcome


def _active_with_email(gathering_id: int, email: str, *, other_than: int | None = None) -> Registration | None:
    statement = select(Registration).where(
        Registration.gathering_id == gathering_id,
        Registration.email_normalized == normalise_email(email),
        Registration.status != "cancelled",
    )
    if other_than is not None:
        statement = statement.where(Registration.id != other_than)
    return db.session.scalar(statement)


def edit(registration_id: int, details: dict, *, email: str) -> Registration:
    """Correct a registration's details and address. Raises ChangeRefused("duplicate") when the new
    address already holds another active registration for the gathering, ("anonymised") for an anonymised
    one: it keeps no address and gets no link.

    A corrected address ends the old address's access: the registration gets a new link, mailed to
    the new address only (messages still queued for the old address go without a link).
    """
    current = db.session.get(Registration, registration_id)
    locked(Gathering, current.gathering_id)
    db.session.refresh(current)
    if current.anonymised_at is not None:
        db.session.rollback()
        raise ChangeRefused("anonymised")
    if current.is_active and _active_with_email(current.gathering_id, email, other_than=current.id):
        db.session.rollback()
        raise ChangeRefused("duplicate")
    moved = normalise_email(email) != current.email_normalized
    current.email, current.email_normalized = canonical_email(email), normalise_email(email)
    for field in registration.DETAIL_FIELDS:
        if field in details:
            setattr(current, field, details[field])
    summary = f"Corrected details for {current.gathering.title}"
    if moved:
        current.new_link()
        if current.is_active:
            notify.notify_new_link(current)
        summary += "; new address, the old link ended"
    record("registration.edit", current, summary)
    db.session.commit()
    return current


def renew_link(registration_id: int) -> Registration:
    """End a registration's manage links and mail the new one to its address.

    Raises ChangeRefused("anonymised"): an anonymised registration has no address and no link.
    """
    if db.session.get(Registration, registration_id).anonymised_at is not None:
        raise ChangeRefused("anonymised")
    renewed = registration.renew_link(registration_id)
    record("registration.new_link", renewed, f"New manage link sent for {renewed.gathering.title}")
    db.session.commit()
    return renewed


def cancel(registration_id: int) -> Registration:
    """Cancel on the person's behalf; the waiting list moves up as when they cancel themselves."""
    cancelled = registration.cancel(registration_id, by_organiser=True)
    record("registration.cancel", cancelled, f"Cancelled for {cancelled.gathering.title}")
    db.session.commit()
    return cancelled


def move_up(registration_id: int, *, now=None) -> Registration:
    """Give a seat to someone on the waiting list, out of turn and even if that goes over capacity.

    The person is e-mailed their seat with the calendar invitation. Raises ChangeRefused("not_waitlisted").
    """
    now = now or utcnow()
    current = db.session.get(Registration, registration_id)
    gathering = locked(Gathering, current.gathering_id)
    db.session.refresh(current)
    if current.status != "waitlisted" or gathering.status != "published":
        db.session.rollback()
        raise ChangeRefused("not_waitlisted")
    current.status, current.confirmed_at = "confirmed", now
    notify.notify_promoted(current)
    record("registration.move_up", current, f"Given a seat from the waiting list of {gathering.title}")
    db.session.commit()
    return current


def check_in(registration_id: int, present: bool, *, now=None) -> Registration:
    """Mark a confirmed participant as arrived, or undo it. Raises ChangeRefused("not_confirmed")."""
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
    current = db.session.get(Registration, registration_id)
    db.session.refresh(current)
    if current.status != "confirmed":
        raise ChangeRefused("not_confirmed")
    return current


def checkin_list(gathering_id: int, *, query: str = "") -> list[Registration]:
    """Confirmed participants by name: those who have not arrived first."""
    people = registrations(gathering_id, query=query, status="confirmed")
    return sorted(people, key=lambda r: (r.checked_in_at is not None, r.name.casefold()))
