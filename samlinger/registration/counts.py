"""The one place that counts registrations: seats taken, the waiting list, cancellations and arrivals."""

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


def status_counts(gathering_ids) -> dict[int, Counts]:
    """{gathering id: Counts} for the gatherings, in one query; a gathering nobody registered for has zeros."""
    ids = list(gathering_ids)
    found: dict[int, dict[str, int]] = {gathering_id: {} for gathering_id in ids}
    if ids:
        rows = db.session.execute(
            select(Registration.gathering_id, Registration.status, func.count(),
                   func.count(Registration.checked_in_at), func.count(case((Registration.walk_in, 1))))
            .where(Registration.gathering_id.in_(ids)).group_by(Registration.gathering_id, Registration.status)
        )
        for gathering_id, status, number, checked_in, walk_ins in rows:
            found[gathering_id][status] = number
            if status == "confirmed":
                found[gathering_id]["checked_in"] = checked_in
                found[gathering_id]["walk_ins"] = walk_ins
    return {gathering_id: Counts(**numbers) for gathering_id, numbers in found.items()}


def counts_of(gathering_id: int) -> Counts:
    return status_counts([gathering_id])[gathering_id]


def total(counts: dict[int, Counts]) -> Counts:
    """The counts of several gatherings together (a round, a message to several)."""
    return sum(counts.values(), Counts())
