"""The rows of participant exports: every field, the status, times in Oslo and check-in."""

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import case, select

from ..extensions import db
from ..gatherings.models import Gathering
from ..registration.models import Registration
from ..timeutil import oslo

_STATUS_RANK = case({"confirmed": 0, "waitlisted": 1}, value=Registration.status, else_=2)


def headers(*, with_gathering: bool) -> list[str]:
    columns = [_("Name"), _("E-mail"), _("Municipality or organisation"), _("Role or position"), _("Phone"),
               _("Needs"), _("Status"), _("Registered at"), _("Confirmed at"), _("Checked in at"),
               _("Added by organiser"), _("Language")]
    return ([_("Gathering"), _("Gathering date")] if with_gathering else []) + columns


def _local(instant):
    return oslo(instant) if instant else None


def _row(registration: Registration, *, with_gathering: bool) -> list:
    row = [
        registration.name, registration.email, registration.organisation, registration.role,
        registration.phone, registration.needs, registration.status_title, _local(registration.created_at),
        _local(registration.confirmed_at), _local(registration.checked_in_at),
        _("Yes") if registration.added_by_organiser else _("No"), registration.language,
    ]
    if with_gathering:
        gathering = registration.gathering
        row = [gathering.title, oslo(gathering.starts_at).date()] + row
    return row


def rows(gathering_ids: list[int], *, with_gathering: bool) -> Iterator[list]:
    """Registrations of the gatherings in date order: confirmed, waiting list in order, then cancelled."""
    statement = (
        select(Registration).join(Registration.gathering)
        .where(Registration.gathering_id.in_(gathering_ids))
        .order_by(Gathering.starts_at, Gathering.id, _STATUS_RANK, Registration.created_at, Registration.id)
        .execution_options(yield_per=500)
    )
    for registration in db.session.scalars(statement):
        yield _row(registration, with_gathering=with_gathering)
