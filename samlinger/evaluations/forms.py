"""The evaluation form a participant answers, and the organiser's forms for questions and settings."""

from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from ..forms import Form, at_most, strip
from ..questions.forms import QuestionForm, _field_for
from .models import KINDS, SCALE

MAX_TEXT = 2000


def scale_label(value: int) -> str:
    """1 and 5 are named, the steps between are numbers."""
    if value == SCALE[0]:
        return str(_l("1 – very little"))
    if value == SCALE[-1]:
        return str(_l("5 – very much"))
    return str(value)


def _field(question):
    required = question.required
    if question.kind == "scale":
        return RadioField(question.text, choices=[SelectChoice(str(v), scale_label(v)) for v in SCALE],
                          validate_choice=False, validators=[
                              InputRequired(_l("Choose an answer.")) if required else Optional(),
                              _one_of({str(v) for v in SCALE})])
    if question.kind == "text":
        return TextAreaField(question.text, filters=[strip], validators=[
            InputRequired(_l("Answer this question.")) if required else Optional(), at_most(MAX_TEXT)])
    # yes/no and choices as on the registration form
    return _field_for(SimpleNamespace(kind=question.kind, label=question.text, required=required,
                                      choices=question.choices))


def _one_of(values):
    def check(form, field):
        if field.data not in values:
            raise ValidationError(_l("Choose one of the answers."))
    return check


class AnswerForm(Form):
    pass


def answer_form(questions):
    """A form with one field per question (q_<id>); `answers()` gives them keyed by question id."""
    questions = list(questions)

    def answers(self) -> dict:
        result = {}
        for q in questions:
            value = self[f"q_{q.id}"].data
            if value in (None, ""):
                continue
            result[q.key] = int(value) if q.kind == "scale" else value
        return result

    def question_fields(self):
        return [(q, self[f"q_{q.id}"]) for q in questions]

    fields = {f"q_{q.id}": _field(q) for q in questions}
    return type("EvaluationAnswerForm", (AnswerForm,), {**fields, "answers": answers,
                                                        "question_fields": question_fields})


class EvaluationQuestionForm(QuestionForm):
    kind = SelectField(_l("Kind of answer"), choices=[SelectChoice(k, v) for k, v in KINDS.items()],
                       validators=[InputRequired(_l("Choose the kind of answer."))])


class SettingsForm(Form):
    auto_open = BooleanField(_l("Open the evaluation by itself when the gathering ends"))
    reminder_days = IntegerField(_l("Days before the reminder"), default=5, validators=[
        InputRequired(_l("Write a number of days.")), NumberRange(1, 60, _l("Write a number from 1 to 60."))])
    closes_on = DateField(_l("Last day for answers"), validators=[Optional()],
                          description=_l("Leave the field empty to close it three weeks after it opens."))
