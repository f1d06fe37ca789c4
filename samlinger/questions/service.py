"""Adding, changing, ordering and removing a gathering's questions."""

from ..audit.service import record
from ..extensions import db
from ..ordering import move_in_list
from .models import Question


def save_question(question: Question | None, gathering, *, label: str, kind: str, choices: list[str],
                  required: bool) -> Question:
    created = question is None
    if created:
        position = max((q.position for q in gathering.questions), default=-1) + 1
        question = Question(gathering=gathering, position=position)
        db.session.add(question)
    question.label, question.kind, question.required = label, kind, required
    question.choices = choices if kind == "choice" else []
    record("question.create" if created else "question.edit", question, f"{gathering.text('title', 'nb')}: {label}")
    db.session.commit()
    return question


def move_question(question: Question, step: int) -> None:
    """Move a question one place up (-1) or down (+1)."""
    if move_in_list(question.gathering.questions, question, step):
        db.session.commit()


def delete_question(question: Question) -> None:
    """Remove a question; answers already given stay in the registrations but are no longer shown."""
    record("question.delete", question, f"{question.gathering.text('title', 'nb')}: {question.label}")
    db.session.delete(question)
    db.session.commit()
