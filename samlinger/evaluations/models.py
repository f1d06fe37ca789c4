"""An evaluation of a gathering: its questions, who was invited, and the answers.

Anonymous by design, also to whoever reads the database, its files and its backups: nothing stored joins an
answer to a person. `evaluation_invitation` says who was asked, and nothing more: it is written when the
evaluation opens and never again. The link each person gets is made by the mail worker when it writes the mail
(`new_token`): the evaluation's id and 128 random bits, signed under SECRET_KEY, and stored nowhere. Answering
inserts the answers under a key computed from the link (`answer_key`, so a link answers once) and writes nothing
else: no row, page, transaction or counter anywhere else changes.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from ..gatherings.models import Gathering
from ..timeutil import UTCDateTime, end_of_day_utc, utcnow
from ..tokens import derive, sign_random, unsign_random

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
    office_scope = "gathering_id"

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
    #: of those invited, how many an organiser added or gave their address: their answers could be the
    #: organisers' own, so each raises the number of answers the results need (results.minimum)
    organiser_added: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: the one reminder has gone (to everyone invited: nobody knows who has answered)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

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
    office_scope = "evaluation_id"

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


#: what an evaluation link is signed for (tokens.sign_random)
LINK_SALT = "evaluation-link"


def new_token(evaluation_id: int) -> str:
    """A new link to the evaluation's form, for one person's mail: the evaluation's id and 128 random bits,
    signed (tokens.sign_random). Stored nowhere: the mail carries it, and an answer given with it is keyed by
    `answer_key`. Each call gives another link."""
    return sign_random(evaluation_id, salt=LINK_SALT)


def evaluation_of(token: str) -> int | None:
    """The evaluation a token was made for, or None for a token we did not make (or made under another
    SECRET_KEY)."""
    carried = unsign_random(token, salt=LINK_SALT)
    return carried[0] if carried else None


def answer_key(token: str) -> str | None:
    """The key of the answer given with this link (None for a link we did not make): a MAC under SECRET_KEY of
    what the link carries, not of its text, so that a link answers once however it is spelt, and whoever holds
    a mailed link but not the key cannot find its answer. 192 bits (the column's 32 characters)."""
    carried = unsign_random(token, salt=LINK_SALT)
    if carried is None:
        return None
    evaluation_id, nonce = carried
    return derive("evaluation-answer", f"{evaluation_id}.{nonce}")[:32]


class EvaluationInvitation(db.Model):
    """Who was invited: for the one reminder, which goes to all of them. Written when the evaluation opens,
    never changed: it holds no link, no answered flag and no time, so nothing here moves when someone answers."""

    __tablename__ = "evaluation_invitation"
    office_scope = "evaluation_id"
    __table_args__ = (UniqueConstraint("evaluation_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"), index=True)

    evaluation: Mapped[Evaluation] = relationship()


class EvaluationAnswer(db.Model):
    """One person's answers, keyed by question id. Nothing else: the key is `answer_key` of the link (not a
    sequence, and no one's link is stored); no time; no municipality (it would name anyone from a municipality
    with one or two respondents). On SQLite the table has no rowid (which counts up), so its rows are kept in
    key order."""

    __tablename__ = "evaluation_answer"
    office_scope = "evaluation_id"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"), index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
