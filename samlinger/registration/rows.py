"""The participant exports: every field, one column per extra question, status, times in Oslo, check-in and
attendance (registration/attendance.py)."""

from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import case, select

from ..extensions import db
from ..gatherings.models import Gathering
from ..municipalities.models import Municipality, mail_language
from ..questions.models import Question
from ..registration import attendance
from ..registration.models import STATUSES, Registration
from ..seats.sides import ATTENDANCE
from ..texts import current_language, pick
from ..timeutil import oslo, utcnow

_STATUS_RANK = case({"confirmed": 0, "waitlisted": 1}, value=Registration.status, else_=2)

#: what a row shows, read as plain rows: building an ORM object per registration costs more than the rest
_COLUMNS = (Registration.gathering_id, Registration.name, Registration.email, Registration.organisation,
            Registration.role, Registration.phone, Registration.needs, Registration.answers, Registration.status,
            Registration.created_at, Registration.confirmed_at, Registration.checked_in_at,
            Registration.added_by_organiser, Registration.language, Registration.municipality_id,
            Registration.walk_in, Registration.attendance_mode)


class Table:
    """The columns and rows for the registrations of some gatherings (one, or a whole round).

    Questions with the same wording in several gatherings of a round share one column. Everything that is
    the same for many rows (gatherings, translated words) is looked up once, when the table is made: make
    it in the language the file is for.
    """

    def __init__(self, gathering_ids: list[int], *, with_gathering: bool):
        self.gathering_ids = gathering_ids
        self.with_gathering = with_gathering
        questions = db.session.scalars(
            select(Question).join(Question.gathering).where(Question.gathering_id.in_(gathering_ids))
            .order_by(Gathering.starts_at, Gathering.id, Question.position, Question.id)
        )
        self.labels: list[str] = []
        by_gathering: dict[int, dict[str, Question]] = {}
        for question in questions:
            if question.label not in self.labels:
                self.labels.append(question.label)
            by_gathering.setdefault(question.gathering_id, {})[question.label] = question
        #: per gathering, its question for each column (None where it has none)
        self.questions: dict[int, list[Question | None]] = {
            gathering_id: [questions.get(label) for label in self.labels]
            for gathering_id, questions in by_gathering.items()
        }
        self.gatherings: dict[int, list] = {}
        if with_gathering:
            self.gatherings = {
                gathering_id: [pick(title, title_nn, current_language()), oslo(starts_at).date()]
                for gathering_id, title, title_nn, starts_at in db.session.execute(
                    select(Gathering.id, Gathering.title, Gathering.title_nn, Gathering.starts_at)
                    .where(Gathering.id.in_(gathering_ids)))
            }
        #: the register is small: every municipality once, rather than a join per row
        self.municipalities = {municipality.id: municipality for municipality in db.session.scalars(
            select(Municipality).where(Municipality.id.in_(
                select(Registration.municipality_id).where(Registration.gathering_id.in_(gathering_ids)))))}
        #: attendance is decided once a gathering has ended; until then its column is blank
        now = utcnow()
        self.ended = {gathering_id: ends_at <= now for gathering_id, ends_at in db.session.execute(
            select(Gathering.id, Gathering.ends_at).where(Gathering.id.in_(gathering_ids)))}
        self.statuses = {status: str(title) for status, title in STATUSES.items()}
        self.sides = {side: str(title) for side, title in ATTENDANCE.items()}
        self.yes_no = (_("Yes"), _("No"))

    def headers(self) -> list[str]:
        gathering = [_("Gathering"), _("Gathering date")] if self.with_gathering else []
        return [*gathering, _("Name"), _("E-mail"), _("Municipality number"), _("Municipality or organisation"),
                _("Role or position"),
                _("Phone"), _("Needs"), *self.labels, _("Status"), _("On site or online"), _("Registered at"),
                _("Confirmed at"), _("Checked in at"), _("Attended"), _("Added by organiser"),
                _("Came without registering"), _("E-mail language")]

    def _row(self, registration) -> list:
        questions = self.questions.get(registration.gathering_id)
        answers = ([question.answer_of(registration, self.yes_no) if question else "" for question in questions]
                   if questions else [""] * len(self.labels))
        municipality = self.municipalities.get(registration.municipality_id)
        return [
            *(self.gatherings[registration.gathering_id] if self.with_gathering else ()),
            registration.name, registration.email, municipality.number if municipality else "",
            municipality.label if municipality else registration.organisation, registration.role,
            registration.phone, registration.needs, *answers,
            self.statuses.get(registration.status, registration.status),
            self.sides.get(registration.attendance_mode, registration.attendance_mode),
            _local(registration.created_at), _local(registration.confirmed_at), _local(registration.checked_in_at),
            self._attended(registration),
            self.yes_no[0] if registration.added_by_organiser else self.yes_no[1],
            self.yes_no[0] if registration.walk_in else self.yes_no[1],
            mail_language(municipality, registration.language),
        ]

    def _attended(self, registration) -> str:
        """Yes or No for a confirmed participant of an ended gathering, else blank."""
        state = attendance.state_of(registration.status, registration.checked_in_at,
                                    self.ended[registration.gathering_id])
        return "" if state is None else self.yes_no[0] if state == attendance.ATTENDED else self.yes_no[1]

    def rows(self) -> Iterator[list]:
        """Registrations in date order: confirmed, the waiting list in its order, then cancelled."""
        statement = (
            select(*_COLUMNS).join(Registration.gathering)
            .where(Registration.gathering_id.in_(self.gathering_ids))
            .order_by(Gathering.starts_at, Gathering.id, _STATUS_RANK, Registration.created_at, Registration.id)
            .execution_options(yield_per=500)
        )
        for registration in db.session.execute(statement):
            yield self._row(registration)


def _local(instant):
    return oslo(instant) if instant else None
