"""Registrations as organisers read them: the list of a gathering, the check-in list, the count per
municipality or organisation."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..collation import sort_key
from ..extensions import db
from ..municipalities.models import Municipality
from .models import Registration

STATUS_ORDER = {"confirmed": 0, "waitlisted": 1, "cancelled": 2}


def registrations(gathering_id: int, *, query: str = "", status: str = "") -> list[Registration]:
    """The gathering's registrations, matching *query* (name, e-mail, organisation) and *status*.

    Confirmed first, then the waiting list in its order, then cancelled.
    """
    statement = (select(Registration).options(selectinload(Registration.municipality))
                 .where(Registration.gathering_id == gathering_id))
    if status:
        statement = statement.where(Registration.status == status)
    rows = list(db.session.scalars(statement.order_by(Registration.created_at, Registration.id)))
    # Matched here rather than with SQL LIKE, which ignores case for æøå on PostgreSQL only.
    words = query.casefold().split()
    if words:
        rows = [r for r in rows if all(w in f"{r.name} {r.email} {r.where_from}".casefold() for w in words)]
    return sorted(rows, key=lambda r: STATUS_ORDER.get(r.status, 3))


def organisation_counts(gathering_id: int) -> list[tuple[str, int, int]]:
    """Active registrations per municipality or organisation: (name, confirmed, waitlisted), largest first.

    A municipality of the register is named with its number ("5607 Vadsø"); other organisations' spellings
    that differ only in case or surrounding spaces count as one.
    """
    totals: dict[str, list] = {}
    rows = db.session.execute(
        select(Registration.organisation, Registration.status, Municipality.number, Municipality.name,
               Municipality.sami_name)
        .outerjoin(Municipality, Registration.municipality_id == Municipality.id)
        .where(Registration.gathering_id == gathering_id, Registration.status.in_(("confirmed", "waitlisted")))
        .order_by(Registration.created_at)
    )
    for organisation, status, number, name, sami_name in rows:
        if number:
            name = f"{number} {Municipality(name=name, sami_name=sami_name).label}"
        else:
            name = " ".join(organisation.split())
        entry = totals.setdefault(name.casefold(), [name, 0, 0])
        entry[1 if status == "confirmed" else 2] += 1
    return sorted((tuple(entry) for entry in totals.values()), key=lambda e: (-e[1] - e[2], sort_key(e[0])))


def on_site(people: list[Registration]) -> list[Registration]:
    """Those who come in person: check-in and the printable list are for them (online attendance: online/)."""
    return [r for r in people if r.attendance_mode != "online"]


def checkin_list(gathering_id: int, *, query: str = "") -> list[Registration]:
    """Confirmed participants by name: those who have not arrived first."""
    people = on_site(registrations(gathering_id, query=query, status="confirmed"))
    return sorted(people, key=lambda r: (r.checked_in_at is not None, sort_key(r.name)))


def with_status(gathering_ids, statuses) -> list[Registration]:
    """The registrations of the gatherings that have one of *statuses*, in the order they came: the
    recipients of a message, an updated invite or a cancellation. Those without an address (a walk-in who
    gave none, an anonymised registration) are left out: there is nobody to write to."""
    return list(db.session.scalars(
        select(Registration).options(selectinload(Registration.municipality))
        .where(Registration.gathering_id.in_(list(gathering_ids)), Registration.status.in_(statuses),
               Registration.email != "")
        .order_by(Registration.id)
    ))
