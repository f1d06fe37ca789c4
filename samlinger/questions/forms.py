"""Form fields made from a gathering's questions, and the organiser's form for a question."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from ..forms import Form, at_most, strip
from .models import KINDS

MAX_ANSWER = 500


def _field_for(question):
    required = [InputRequired(_l("Answer this question."))] if question.required else [Optional()]
    if question.kind == "text":
        return StringField(question.label, filters=[strip], validators=[
            *required, at_most(MAX_ANSWER)])
    if question.kind == "yesno":
        choices = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
    else:
        choices = [SelectChoice(option, option) for option in question.choices]
    return RadioField(question.label, choices=choices, validate_choice=False, validators=[
        *([InputRequired(_l("Choose an answer."))] if question.required else [Optional()]),
        _one_of([choice.value for choice in choices]),
    ])


def _one_of(values):
    def check(form, field):
        if field.data not in values:
            raise ValidationError(_l("Choose one of the answers."))
    return check


def with_questions(form_class, questions, answers: dict | None = None):
    """A subclass of *form_class* with one field per question (named q_<id>), whose
    details() also returns the answers keyed by question id.

    *answers* (a registration's) fills the fields when the form is not submitted.
    """
    questions = list(questions)
    fields = {f"q_{q.id}": _field_for(q) for q in questions}

    def details(self) -> dict:
        result = form_class.details(self)
        result["answers"] = {
            q.key: value for q in questions if (value := self[f"q_{q.id}"].data) not in (None, "")
        }
        return result

    def question_fields(self):
        return [(q, self[f"q_{q.id}"]) for q in questions]

    subclass = type(f"{form_class.__name__}WithQuestions", (form_class,),
                    {**fields, "details": details, "question_fields": question_fields})
    data = {f"q_{q.id}": (answers or {}).get(q.key) for q in questions}
    return lambda *args, **kwargs: subclass(*args, **{**data, **kwargs})


class QuestionForm(Form):
    label = StringField(_l("Question"), filters=[strip], validators=[
        InputRequired(_l("Write the question.")), at_most(300),
    ])
    kind = SelectField(_l("Kind of answer"), choices=[SelectChoice(k, v) for k, v in KINDS.items()],
                       validators=[InputRequired(_l("Choose the kind of answer."))])
    choices = TextAreaField(_l("Choices, one per line"), filters=[strip])
    required = BooleanField(_l("An answer is required"))

    def validate_choices(self, field):
        if self.kind.data == "choice" and len(self.choice_list()) < 2:
            raise ValidationError(_l("Give at least two choices, one per line."))

    def choice_list(self) -> list[str]:
        seen = []
        for line in (self.choices.data or "").splitlines():
            option = line.strip()[:200]
            if option and option not in seen:
                seen.append(option)
        return seen
