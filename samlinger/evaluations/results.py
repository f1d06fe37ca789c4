"""What the answers say: counts, averages and free text per question, for a gathering and for a round, and the
bar chart geometry drawn by templates/evaluations/_chart.html.

Groups smaller than MIN_GROUP are never shown: a gathering with fewer answers shows none of them (with one or
two answers the few who answered could be told apart), and a round counts only gatherings that have enough.
An organiser cannot fill the group: each person invited whom an organiser added (a walk-in, someone registered
on their behalf) or gave their address could be answering from the organisers' own mailbox, so each raises the
gathering's minimum by one (`minimum`). Answers carry no municipality (models.EvaluationAnswer), so there is
no smaller group to show.
"""

from dataclasses import dataclass, field

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from ..collation import sort_key
from ..extensions import db
from ..gatherings.models import Gathering
from .forms import scale_label
from .models import DEFAULT_LABELS, SCALE, Evaluation, EvaluationAnswer

MIN_GROUP = 3


def minimum(evaluation: Evaluation) -> int:
    """The answers a gathering's results need: MIN_GROUP from people the organisers did not add."""
    return MIN_GROUP + (evaluation.organiser_added or 0)

ROW_H, LABEL_W, BAR_MAX, PAD = 28, 150, 320, 8


@dataclass
class ChartRow:
    y: int
    label: str
    value: int
    width: int


@dataclass
class Chart:
    width: int
    height: int
    rows: list[ChartRow]


@dataclass
class QuestionResult:
    text: str
    kind: str
    #: answered this question
    count: int = 0
    #: (label, how many) per step of the scale or choice
    counts: list[tuple[str, int]] = field(default_factory=list)
    average: float | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def average_text(self) -> str:
        """The average with one decimal in the reader's notation (4,3 in Norwegian)."""
        return format_decimal(self.average, format="0.0") if self.average is not None else ""

    @property
    def chart(self) -> Chart:
        top = max([n for _label, n in self.counts] + [1])
        rows = [ChartRow(PAD + i * ROW_H, label, n, round(BAR_MAX * n / top))
                for i, (label, n) in enumerate(self.counts)]
        return Chart(LABEL_W + BAR_MAX + 48, PAD * 2 + len(rows) * ROW_H, rows)


@dataclass
class Results:
    answers: int
    questions: list[QuestionResult]
    #: the answers needed before anything is shown (`minimum`)
    needed: int = MIN_GROUP
    #: of those invited, how many the organisers added or gave their address (each raised `needed`)
    organiser_added: int = 0

    @property
    def shown(self) -> bool:
        return self.answers >= self.needed


def _options(question) -> list[tuple[str, str]]:
    """(stored value, label) of each answer a question can have."""
    if question.kind == "scale":
        return [(v, scale_label(v)) for v in SCALE]
    if question.kind == "yesno":
        return [("yes", _("Yes")), ("no", _("No"))]
    if question.kind == "choice":
        return [(c, c) for c in question.choices]
    return []


def summarise(question, values: list) -> QuestionResult:
    """One question's result from the answers given to it (None: not answered)."""
    given = [v for v in values if v not in (None, "")]
    result = QuestionResult(question.text, question.kind, count=len(given))
    if question.kind == "text":
        result.texts = sorted((str(v) for v in given), key=sort_key)  # sorted: no order of answering shown
        return result
    result.counts = [(label, sum(1 for v in given if v == value)) for value, label in _options(question)]
    if question.kind == "scale":
        numbers = [v for v in given if v in SCALE]
        result.average = round(sum(numbers) / len(numbers), 2) if numbers else None
    return result


def answers_of(evaluation_ids) -> dict[int, list[dict]]:
    rows = db.session.execute(select(EvaluationAnswer.evaluation_id, EvaluationAnswer.answers)
                              .where(EvaluationAnswer.evaluation_id.in_(list(evaluation_ids))))
    found: dict[int, list[dict]] = {}
    for evaluation_id, answers in rows:
        found.setdefault(evaluation_id, []).append(answers or {})
    return found


def for_evaluation(evaluation: Evaluation) -> Results:
    answers = answers_of([evaluation.id]).get(evaluation.id, [])
    needed, added = minimum(evaluation), evaluation.organiser_added or 0
    if len(answers) < needed:
        return Results(len(answers), [], needed, added)
    return Results(len(answers), [summarise(q, [a.get(q.key) for a in answers]) for q in evaluation.questions],
                   needed, added)


@dataclass
class RoundLine:
    gathering: Gathering
    answers: int
    #: average per default scale question (code), None when not asked or too few answers
    averages: dict[str, float | None]
    #: the answers this gathering needs (`minimum`)
    needed: int = MIN_GROUP


@dataclass
class RoundResults:
    answers: int
    lines: list[RoundLine]
    #: the default questions over every gathering with enough answers
    questions: list[QuestionResult]
    scale_codes: list[str]


class _Default:
    def __init__(self, code, kind):
        self.code, self.kind, self.choices = code, kind, []
        self.text = str(DEFAULT_LABELS[code])


def for_round(round_) -> RoundResults:
    evaluations = list(db.session.scalars(
        select(Evaluation).join(Evaluation.gathering).where(Gathering.round_id == round_.id)
        .order_by(Gathering.starts_at, Gathering.id)))
    answers = answers_of([e.id for e in evaluations])
    codes = [("benefit", "scale"), ("relevance", "scale"), ("change", "text"), ("topics", "text")]
    pooled: dict[str, list] = {code: [] for code, _kind in codes}
    lines, total = [], 0
    for evaluation in evaluations:
        given = answers.get(evaluation.id, [])
        enough = len(given) >= minimum(evaluation)
        averages = {}
        for q in evaluation.questions:
            if not q.code:
                continue
            values = [a.get(q.key) for a in given]
            if enough:
                pooled[q.code].extend(values)
            if q.kind == "scale":
                averages[q.code] = summarise(q, values).average if enough else None
        if enough:
            total += len(given)
        lines.append(RoundLine(evaluation.gathering, len(given), averages, minimum(evaluation)))
    questions = [summarise(_Default(code, kind), pooled[code]) for code, kind in codes]
    return RoundResults(total, lines, questions, [c for c, k in codes if k == "scale"])


def sheets(results: Results) -> list[tuple[str, list[str], list[list]]]:
    """The results as a workbook: a sheet of counts and averages, one of the free-text answers."""
    summary = []
    for q in results.questions:
        if q.kind == "text":
            summary.append([q.text, q.count, None, ""])
        else:
            summary.append([q.text, q.count, q.average, "; ".join(f"{label}: {n}" for label, n in q.counts)])
    texts = [[q.text, text] for q in results.questions if q.kind == "text" for text in q.texts]
    return [
        (_("Summary"), [_("Question"), _("Answers"), _("Average (1–5)"), _("Counts")], summary),
        (_("Free text"), [_("Question"), _("Answer")], texts),
    ]
