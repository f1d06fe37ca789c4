"""The participant's evaluation form behind their personal link (/evaluering/<token>, /nn/evaluering/…)."""

from flask import Blueprint, abort, redirect, render_template, url_for

from ..forms import status_of
from ..refusal import Refused
from ..registration.views import _no_store
from . import service
from .forms import answer_form

bp = Blueprint("evaluations", __name__)


@bp.route("/evaluering/<token>", methods=["GET", "POST"])
def answer(token):
    evaluation = service.evaluation_for(token)
    if evaluation is None:
        abort(404)
    gathering = evaluation.gathering
    if service.answered(token):
        return _no_store(render_template("evaluations/answered.html", gathering=gathering))
    if not evaluation.is_open():
        return _no_store(render_template("evaluations/closed.html", gathering=gathering)), 410
    form = answer_form(evaluation.questions)()
    refused = None
    if form.validate_on_submit():
        try:
            service.answer(token, form.answers())
        except Refused as error:
            if error.code == service.ANSWERED:
                return redirect(url_for(".answer", token=token))
            if error.code == service.CLOSED:
                return _no_store(render_template("evaluations/closed.html", gathering=gathering)), 410
            raise
        return redirect(url_for(".answer", token=token))
    response = _no_store(render_template("evaluations/form.html", gathering=gathering, evaluation=evaluation,
                                         form=form))
    response.status_code = status_of(form, refused)
    return response
