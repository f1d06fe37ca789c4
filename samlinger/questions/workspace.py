"""Workspace pages for a gathering's extra questions on the registration form (mounted under /arrangor)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..forms import ConfirmForm, confirmed_post, status_of
from ..gatherings.models import Gathering
from . import service
from .forms import QuestionForm
from .models import Question

bp = Blueprint("questions", __name__)


def _to_list(gathering_id: int):
    return redirect(url_for(".gathering_questions", gathering_id=gathering_id))


def _save(form, question, gathering) -> None:
    service.save_question(question, gathering, label=form.label.data, kind=form.kind.data,
                          choices=form.choice_list(), required=form.required.data)


@bp.route("/samlinger/<int:gathering_id>/sporsmal", methods=["GET", "POST"])
def gathering_questions(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    form = QuestionForm()
    if form.validate_on_submit():
        _save(form, None, gathering)
        flash(_("The question is added to the registration form."), "success")
        return _to_list(gathering.id)
    return render_template("organiser/rounds/questions.html", gathering=gathering, form=form,
                           confirm=ConfirmForm()), status_of(form)


@bp.route("/sporsmal/<int:question_id>/endre", methods=["GET", "POST"])
def edit_question(question_id):
    question = db.get_or_404(Question, question_id)
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        form.choices.data = "\n".join(question.choices)
    if form.validate_on_submit():
        _save(form, question, question.gathering)
        flash(_("Your changes are saved."), "success")
        return _to_list(question.gathering_id)
    return render_template("organiser/rounds/question_form.html", question=question, gathering=question.gathering,
                           form=form), status_of(form)


@bp.post("/sporsmal/<int:question_id>/flytt")
def move_question(question_id):
    question = db.get_or_404(Question, question_id)
    confirmed_post()
    service.move_question(question, -1 if request.form.get("direction") == "up" else 1)
    return _to_list(question.gathering_id)


@bp.post("/sporsmal/<int:question_id>/slett")
def delete_question(question_id):
    question = db.get_or_404(Question, question_id)
    confirmed_post()
    gathering_id = question.gathering_id
    service.delete_question(question)
    flash(_("The question is removed from the form."), "success")
    return _to_list(gathering_id)
