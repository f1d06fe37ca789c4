"""The participant exports: every field, one column per extra question, status, times in Oslo and check-in."""

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import case, select

from ..extensions import db
from ..gatherings.models import Gathering
from ..questions.models import Question
from ..registration.models import Registration
from ..timeutil import oslo

_STATUS_RANK = case({"confirmed": 0, "waitlisted": 1}, value=Registration.status, else_=2)


class Table:
    """The columns and rows for the registrations of some gatherings (one, or a whole round).

    Questions with the same wording in several gatherings of a round share one column.
    """

    def __init__(self, gathering_ids: list[int], *, with_gathering: bool):
        self.gathering_ids = gathering_ids
        self.with_gathering = with_gathering
        questions = db.session.scalars(
            select(Question).join(Question.gathering).where(Question.gathering_id.in_(gathering_ids))
            .order_by(Gathering.starts_at, Gathering.id, Question.position, Question.id)
        )
        self.labels: list[str] = []
        self.questions: dict[int, dict[str, Question]] = {}
        for question in questions:
            if question.label not in self.labels:
                self.labels.append(question.label)
            self.questions.setdefault(question.gathering_id, {})[question.label] = question

    def headers(self) -> list[str]:
        gathering = [_("Gathering"), _("Gathering date")] if self.with_gathering else []
        return [*gathering, _("Name"), _("E-mail"), _("Municipality or organisation"), _("Role or position"),
                _("Phone"), _("Needs"), *self.labels, _("Status"), _("Registered at"), _("Confirmed at"),
                _("Checked in at"), _("Added by organiser"), _("Language")]

    def _row(self, registration: Registration) -> list:
        questions = self.questions.get(registration.gathering_id, {})
        answers = [questions[label].answer_of(registration) if label in questions else ""
                   for label in self.labels]
        gathering = registration.gathering
        return [
            *([gathering.title, oslo(gathering.starts_at).date()] if self.with_gathering else []),
            registration.name, registration.email, registration.organisation, registration.role,
            registration.phone, registration.needs, *answers, registration.status_title,
            _local(registration.created_at), _local(registration.confirmed_at), _local(registration.checked_in_at),
            _("Yes") if registration.added_by_organiser else _("No"), registration.language,
        ]

    def rows(self) -> Iterator[list]:
        """Registrations in date order: confirmed, the waiting list in its order, then cancelled."""
        statement = (
            select(Registration).join(Registration.gathering)
            .where(Registration.gathering_id.in_(self.gathering_ids))
            .order_by(Gathering.starts_at, Gathering.id, _STATUS_RANK, Registration.created_at, Registration.id)
            .execution_options(yield_per=500)
        )
        for registration in db.session.scalars(statement):
            yield self._row(registration)


def _local(instant):
    return oslo(instant) if instant else None
