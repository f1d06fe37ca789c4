"""A gathering's extra questions; the answers are kept in Registration.answers by question id."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from ..gatherings.models import Gathering
from ..timeutil import UTCDateTime, utcnow

KINDS = {"text": _l("Text"), "yesno": _l("Yes or no"), "choice": _l("One of several choices")}


class Question(db.Model):
    __tablename__ = "question"
    office_scope = "gathering_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    gathering_id: Mapped[int] = mapped_column(ForeignKey("gathering.id"), index=True)
    #: the order on the form, lowest first
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: text | yesno | choice
    kind: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(300))
    #: the options of a choice question, in order
    choices: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    gathering: Mapped[Gathering] = relationship(backref=backref(
        "questions", order_by="Question.position, Question.id", cascade="all, delete-orphan"))

    @property
    def key(self) -> str:
        """The key of this question's answer in Registration.answers."""
        return str(self.id)

    @property
    def kind_title(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    def display(self, value, yes_no: tuple[str, str] | None = None) -> str:
        """An answer as people read it, in the current language; '' when not answered.

        *yes_no* are the words for yes and no already translated, for callers showing many answers."""
        if value in (None, ""):
            return ""
        if self.kind == "yesno":
            yes, no = yes_no or (_l("Yes"), _l("No"))
            return str(yes if value == "yes" else no)
        return str(value)

    def answer_of(self, registration, yes_no: tuple[str, str] | None = None) -> str:
        """The answer of *registration* (anything with `answers`: a Registration or a row of one)."""
        return self.display((registration.answers or {}).get(self.key), yes_no)
