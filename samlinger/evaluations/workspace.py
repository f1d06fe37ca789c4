"""The evaluation in the workspace (mounted under /arrangor): build and open it, follow it, read the results
per gathering and per round, as charts and tables, a workbook and a printable summary."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import spreadsheets
from ..extensions import db
from ..forms import ConfirmForm, confirmed_post, status_of
from ..gatherings.models import Gathering, Round
from . import results, service
from .forms import EvaluationQuestionForm, SettingsForm
from .models import EvaluationQuestion

bp = Blueprint("evaluations", __name__)


def _to_page(gathering_id: int):
    return redirect(url_for(".evaluation", gathering_id=gathering_id))


def _page(gathering, question_form=None, settings_form=None, status=200):
    evaluation = gathering.evaluation
    if evaluation is not None and settings_form is None:
        settings_form = SettingsForm(obj=evaluation)
    return render_template(
        "organiser/evaluation.html", gathering=gathering, evaluation=evaluation,
        question_form=question_form or EvaluationQuestionForm(), settings_form=settings_form,
        counts=service.invitation_counts(evaluation) if evaluation else None, confirm=ConfirmForm(),
        can_open=service.can_open(gathering), can_close=service.can_close(evaluation)), status


@bp.get("/samlinger/<int:gathering_id>/evaluering")
def evaluation(gathering_id):
    return _page(db.get_or_404(Gathering, gathering_id))


@bp.post("/samlinger/<int:gathering_id>/evaluering-ny")
def create(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    confirmed_post()
    service.create(gathering)
    flash(_("The evaluation is made with the default questions. Add or remove questions before you open it."),
          "success")
    return _to_page(gathering_id)


@bp.post("/samlinger/<int:gathering_id>/evaluering-innstillinger")
def settings(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    evaluation = gathering.evaluation or service.create(gathering)
    form = SettingsForm()
    if form.validate_on_submit():
        service.save_settings(evaluation, auto_open=form.auto_open.data, reminder_days=form.reminder_days.data,
                              closes_on=form.closes_on.data)
        flash(_("Your changes are saved."), "success")
        return _to_page(gathering_id)
    return _page(gathering, settings_form=form, status=status_of(form))


@bp.post("/samlinger/<int:gathering_id>/evaluering-sporsmal")
def add_question(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    evaluation = gathering.evaluation or service.create(gathering)
    form = EvaluationQuestionForm()
    if form.validate_on_submit():
        service.add_question(evaluation, label=form.label.data, kind=form.kind.data, choices=form.choice_list(),
                             required=form.required.data)
        flash(_("The question is added to the evaluation."), "success")
        return _to_page(gathering_id)
    return _page(gathering, question_form=form, status=status_of(form))


@bp.post("/evalueringssporsmal/<int:question_id>/slett")
def delete_question(question_id):
    question = db.get_or_404(EvaluationQuestion, question_id)
    confirmed_post()
    gathering_id = question.evaluation.gathering_id
    service.delete_question(question)
    flash(_("The question is removed from the evaluation."), "success")
    return _to_page(gathering_id)


@bp.post("/samlinger/<int:gathering_id>/evaluering-opne")
def open_evaluation(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    confirmed_post()
    evaluation = gathering.evaluation or service.create(gathering)
    count = service.open_evaluation(evaluation.id)
    flash(ngettext("The evaluation is open. %(num)d participant who attended gets the link by e-mail.",
                   "The evaluation is open. %(num)d participants who attended get the link by e-mail.", count),
          "success")
    return _to_page(gathering_id)


@bp.post("/samlinger/<int:gathering_id>/evaluering-steng")
def close(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    confirmed_post()
    if service.can_close(gathering.evaluation):
        service.close(gathering.evaluation)
        flash(_("The evaluation is closed."), "success")
    return _to_page(gathering_id)


def _gathering_results(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    if gathering.evaluation is None:
        return gathering, None
    return gathering, results.for_evaluation(gathering.evaluation)


@bp.get("/samlinger/<int:gathering_id>/evalueringsresultat")
def gathering_results(gathering_id):
    gathering, found = _gathering_results(gathering_id)
    return render_template("organiser/evaluation_results.html", gathering=gathering, results=found,
                           min_group=results.MIN_GROUP)


@bp.get("/samlinger/<int:gathering_id>/evalueringsrapport")
def summary(gathering_id):
    """The results on one printable page for the annual report: no menus, charts and tables."""
    gathering, found = _gathering_results(gathering_id)
    return render_template("organiser/evaluation_summary.html", gathering=gathering, results=found,
                           min_group=results.MIN_GROUP)


@bp.get("/samlinger/<int:gathering_id>/evalueringsresultat.xlsx")
def download(gathering_id):
    gathering, found = _gathering_results(gathering_id)
    if found is None or not found.shown:
        return redirect(url_for(".gathering_results", gathering_id=gathering_id))
    return spreadsheets.download_workbook(results.sheets(found), f"evaluering-{gathering.slug}")


@bp.get("/runder/<int:round_id>/evaluering")
def round_results(round_id):
    round_ = db.get_or_404(Round, round_id)
    return render_template("organiser/evaluation_round.html", round=round_, results=results.for_round(round_),
                           min_group=results.MIN_GROUP)


@bp.get("/runder/<int:round_id>/evaluering.xlsx")
def download_round(round_id):
    round_ = db.get_or_404(Round, round_id)
    found = results.for_round(round_)
    codes = found.scale_codes
    lines = [[line.gathering.starts_at.date(), line.gathering.text("title"), line.answers,
              *[line.averages.get(code) for code in codes]] for line in found.lines]
    sheets = results.sheets(results.Results(found.answers, found.questions))
    sheets.insert(0, (_("Per gathering"), [_("Date"), _("Gathering"), _("Answers"),
                                           *[q.text for q in found.questions if q.kind == "scale"]], lines))
    return spreadsheets.download_workbook(sheets, f"evaluering-{round_.year}-{round_.term}")
