"""The one place that counts registrations: seats taken, the waiting list, cancellations and arrivals,
per gathering and status, and per side (on site, online: registration/modes.py) where a rule needs it."""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..extensions import db
from .models import Registration


@dataclass(frozen=True)
class Counts:
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    #: confirmed participants who have arrived (attended: registration/attendance.py)
    checked_in: int = 0
    #: confirmed participants who came without registering (all of them arrived)
    walk_ins: int = 0

    @property
    def active(self) -> int:
        """Registrations that hold a seat or a place in the queue."""
        return self.confirmed + self.waitlisted

    @property
    def total(self) -> int:
        """Every registration ever made, cancelled ones included: a gathering with any has a history."""
        return self.active + self.cancelled

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.confirmed + other.confirmed, self.waitlisted + other.waitlisted,
                      self.cancelled + other.cancelled, self.checked_in + other.checked_in,
                      self.walk_ins + other.walk_ins)


def _counted(gathering_ids) -> dict[int, dict[str, dict[str, int]]]:
    """{gathering id: {attendance mode: {status or "checked_in": number}}}, in one query."""
    ids = list(gathering_ids)
    found: dict[int, dict[str, dict[str, int]]] = {gathering_id: {} for gathering_id in ids}
    if ids:
        rows = db.session.execute(
            select(Registration.gathering_id, Registration.attendance_mode, Registration.status, func.count(),
                   func.count(Registration.checked_in_at), func.count(case((Registration.walk_in, 1))))
            .where(Registration.gathering_id.in_(ids))
            .group_by(Registration.gathering_id, Registration.attendance_mode, Registration.status)
        )
        for gathering_id, mode, status, number, checked_in, walk_ins in rows:
            numbers = found[gathering_id].setdefault(mode or "on_site", {})
            numbers[status] = number
            if status == "confirmed":
                numbers["checked_in"] = checked_in
                numbers["walk_ins"] = walk_ins
    return found


def mode_counts(gathering_ids) -> dict[int, dict[str, Counts]]:
    """{gathering id: {attendance mode: Counts}}; a mode nobody chose is missing (read with .get(mode, Counts()))."""
    return {gathering_id: {mode: Counts(**numbers) for mode, numbers in modes.items()}
            for gathering_id, modes in _counted(gathering_ids).items()}


def status_counts(gathering_ids) -> dict[int, Counts]:
    """{gathering id: Counts} for the gatherings, in one query; a gathering nobody registered for has zeros."""
    return {gathering_id: total(modes) for gathering_id, modes in mode_counts(gathering_ids).items()}


def counts_of(gathering_id: int) -> Counts:
    return status_counts([gathering_id])[gathering_id]


def on_site_counts(gathering_id: int) -> Counts:
    """Those who come to the venue: what check-in counts (online attendance is marked on its own page)."""
    return mode_counts([gathering_id])[gathering_id].get("on_site", Counts())


def total(counts: dict) -> Counts:
    """The counts of several gatherings (or sides) together (a round, a message to several)."""
    return sum(counts.values(), Counts())
