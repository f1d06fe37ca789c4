"""An evaluation of a gathering: its questions, who was invited (and has answered), and the answers.

Anonymous by design: `evaluation_invitation` knows the person and whether they answered, never when;
`evaluation_answer` holds the answers with nothing that points back: a random primary key (no insertion
order), no registration, municipality or time. The two are written in one transaction.
"""

import uuid
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from ..gatherings.models import Gathering
from ..timeutil import UTCDateTime, end_of_day_utc, utcnow
from ..tokens import derive, digest, new_secret

#: the kinds of the registration's extra questions, and a scale from 1 to 5
KINDS = {"scale": _l("Scale from 1 to 5"), "text": _l("Text"), "yesno": _l("Yes or no"),
         "choice": _l("One of several choices")}
SCALE = (1, 2, 3, 4, 5)

#: the default set an organiser starts from: (code, kind); the label is translated for each reader
DEFAULT_QUESTIONS = (("benefit", "scale"), ("relevance", "scale"), ("change", "text"), ("topics", "text"))
DEFAULT_LABELS = {
    "benefit": _l("How useful was the gathering for you overall?"),
    "relevance": _l("How relevant was the gathering for your municipality's projects?"),
    "change": _l("What should we change?"),
    "topics": _l("Which topics would you like next time?"),
}

STATUSES = {"draft": _l("Not opened"), "open": _l("Open"), "closed": _l("Closed")}


class Evaluation(db.Model):
    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id"), unique=True)
    #: draft | open (closed once `closes_on` has passed, or closed by an organiser)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: opened by `flask send-evaluations` once the gathering has ended
    auto_open: Mapped[bool] = mapped_column(Boolean, default=False)
    #: one reminder to those who have not answered, this many days after opening
    reminder_days: Mapped[int] = mapped_column(Integer, default=5)
    #: the last day answers are taken (Oslo); set when opened if the organiser left it empty (service.OPEN_DAYS)
    closes_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering: Mapped[Gathering] = relationship(backref=backref("evaluation", uselist=False,
                                                                cascade="all, delete-orphan"))

    def is_open(self, now: datetime | None = None) -> bool:
        return self.status == "open" and not self.past_closing(now)

    def past_closing(self, now: datetime | None = None) -> bool:
        return self.closes_on is not None and (now or utcnow()) >= end_of_day_utc(self.closes_on)

    def state(self, now: datetime | None = None) -> str:
        """draft, open or closed, as the workspace shows it."""
        if self.status == "open" and self.past_closing(now):
            return "closed"
        return self.status

    @property
    def state_title(self) -> str:
        return str(STATUSES[self.state()])


class EvaluationQuestion(db.Model):
    __tablename__ = "evaluation_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: scale | text | yesno | choice
    kind: Mapped[str] = mapped_column(String(10))
    #: one of the default set (DEFAULT_LABELS: shown in the reader's language, counted together over a round)
    code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    #: the organiser's own wording; empty for a default question
    label: Mapped[str] = mapped_column(String(300), default="")
    choices: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)

    evaluation: Mapped[Evaluation] = relationship(backref=backref(
        "questions", order_by="EvaluationQuestion.position, EvaluationQuestion.id", cascade="all, delete-orphan"))

    @property
    def key(self) -> str:
        return str(self.id)

    @property
    def text(self) -> str:
        """The question as the reader reads it."""
        if self.code and not self.label:
            return str(DEFAULT_LABELS[self.code])
        return self.label

    @property
    def kind_title(self) -> str:
        return str(KINDS.get(self.kind, self.kind))


class EvaluationInvitation(db.Model):
    """Who was invited and whether they have answered: only to refuse a second answer and to remind once.

    No time of any kind: nothing here can be lined up with an answer."""

    __tablename__ = "evaluation_invitation"
    __table_args__ = (UniqueConstraint("evaluation_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)
    link_secret: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)

    evaluation: Mapped[Evaluation] = relationship()

    def new_link(self) -> None:
        self.link_secret = new_secret()
        self.token_hash = digest(self.token())

    def token(self) -> str:
        """The evaluation link's token: derived from the link secret under SECRET_KEY (tokens.derive), so only
        the secret and the token's digest are stored; the mail worker computes it when it writes the mail."""
        return derive("evaluation-link", self.link_secret)


def random_id() -> str:
    return uuid.uuid4().hex


class EvaluationAnswer(db.Model):
    """One person's answers, keyed by question id. Nothing else: a random key, not a sequence; no time;
    no municipality (with the invitations' answered flag it would name anyone from a municipality with one
    or two respondents). On SQLite the table has no rowid, so its rows are kept in key (random) order."""

    __tablename__ = "evaluation_answer"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_id)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
