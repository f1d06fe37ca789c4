"""The dashboard's figures: upcoming gatherings with their sign-ups, and the recent past with its attendance."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..gatherings.models import Gathering
from ..mail.models import OutboundEmail
from ..registration.attendance import Summary, summary
from ..seats.ledger import Ledger, ledgers
from ..timeutil import oslo, utcnow


@dataclass
class DashboardRow:
    gathering: Gathering
    #: the seats: confirmed, waiting and cancelled in all, and per side with its capacity (`offered`)
    seats: Ledger
    #: days left until registration closes (0 on the last day), None once it has closed
    days_to_deadline: int | None
    #: e-mails about this gathering that could not be delivered
    failed_mail: int


def failed_mail_counts(gathering_ids) -> dict[int, int]:
    ids = list(gathering_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(OutboundEmail.gathering_id, func.count())
        .where(OutboundEmail.gathering_id.in_(ids), OutboundEmail.status == "failed")
        .group_by(OutboundEmail.gathering_id)
    )
    return dict(rows.all())


def dashboard_rows(now=None) -> list[DashboardRow]:
    """Upcoming gatherings, soonest first, with their sign-up figures."""
    now = now or utcnow()
    gatherings = list(db.session.scalars(
        select(Gathering).where(Gathering.ends_at >= now).options(joinedload(Gathering.round))
        .order_by(Gathering.starts_at)
    ))
    seats = ledgers(gatherings, now)
    failed = failed_mail_counts(g.id for g in gatherings)
    today = oslo(now).date()
    return [
        DashboardRow(
            gathering=g, seats=seats[g.id], failed_mail=failed.get(g.id, 0),
            days_to_deadline=(g.registration_deadline - today).days if now < g.deadline_at else None,
        )
        for g in gatherings
    ]


@dataclass
class PastRow:
    gathering: Gathering
    attendance: Summary


def recent_past(limit: int = 10, now=None) -> list[PastRow]:
    """Gatherings that have ended, newest first, with their attendance: where presentations are attached
    afterwards and attendance corrected."""
    now = now or utcnow()
    gatherings = list(db.session.scalars(
        select(Gathering).where(Gathering.ends_at < now).order_by(Gathering.starts_at.desc()).limit(limit)
    ))
    seats = ledgers(gatherings, now)
    return [PastRow(gathering=g, attendance=summary(g, seats[g.id].counts, now)) for g in gatherings]
