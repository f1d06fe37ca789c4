"""Organiser pages for rounds, gatherings and their questions (mounted under /arrangor)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from ..gatherings.models import Gathering, Season
from ..questions import service as questions
from ..questions.forms import QuestionForm
from ..questions.models import Question
from ..registration.forms import ConfirmForm
from ..timeutil import FIRST_DAY, LAST_DAY
from . import service
from .forms import CancelGatheringForm, GatheringForm, RoundForm

bp = Blueprint("rounds", __name__)

REFUSALS = {
    "round_exists": lambda: _("There is already a round for that term and year."),
    "round_has_gatherings": lambda: _("Only an empty round can be deleted. Delete or move its gatherings first."),
    "has_registrations": lambda: _("The gathering has registrations, so it cannot be deleted or taken back to "
                                   "draft. Cancel it instead; everyone registered is told."),
    "cancelled": lambda: _("The gathering is cancelled."),
    "out_of_range": lambda: _("The copy would fall outside the years %(first)d to %(last)d. Change the dates "
                              "first.", first=FIRST_DAY.year, last=LAST_DAY.year),
}


def _round(round_id: int) -> Season:
    return db.session.get(Season, round_id) or abort(404)


def _gathering(gathering_id: int) -> Gathering:
    return db.session.get(Gathering, gathering_id) or abort(404)


def _confirmed_post() -> None:
    """POST buttons carry only a CSRF token; anything else is a bad request."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _status(form) -> int:
    return 422 if form.errors else 200


# --- rounds --------------------------------------------------------------------------------

@bp.get("/runder/")
def index():
    rounds = service.rounds()
    counts = service.registration_counts(g.id for r in rounds for g in r.gatherings)
    return render_template("organiser/rounds/index.html", rounds=rounds, counts=counts, form=ConfirmForm())


@bp.route("/runder/ny", methods=["GET", "POST"])
def new_round():
    form = RoundForm()
    if form.validate_on_submit():
        try:
            season = service.save_round(None, form.data_for_service())
        except service.RoundsError as refused:
            form.term.errors.append(REFUSALS[refused.code]())
        else:
            flash(_("The round is created as a draft. Add its gatherings, then publish."), "success")
            return redirect(url_for(".show_round", round_id=season.id))
    return render_template("organiser/rounds/round_form.html", form=form, season=None), _status(form)


@bp.get("/runder/<int:round_id>")
def show_round(round_id):
    season = _round(round_id)
    counts = service.registration_counts(g.id for g in season.gatherings)
    return render_template("organiser/rounds/round.html", season=season, counts=counts, form=ConfirmForm())


@bp.route("/runder/<int:round_id>/endre", methods=["GET", "POST"])
def edit_round(round_id):
    season = _round(round_id)
    form = RoundForm(obj=season)
    if form.validate_on_submit():
        try:
            service.save_round(season, form.data_for_service())
        except service.RoundsError as refused:
            form.term.errors.append(REFUSALS[refused.code]())
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for(".show_round", round_id=season.id))
    return render_template("organiser/rounds/round_form.html", form=form, season=season), _status(form)


@bp.post("/runder/<int:round_id>/publiser")
def publish_round(round_id):
    season = _round(round_id)
    _confirmed_post()
    published = request.form.get("published") == "1"
    service.set_round_published(season, published)
    flash(_("The round is published.") if published else _("The round is hidden from the public."), "success")
    return redirect(url_for(".show_round", round_id=season.id))


@bp.post("/runder/<int:round_id>/kopier")
def copy_round(round_id):
    season = _round(round_id)
    _confirmed_post()
    try:
        copy = service.copy_to_next_round(season)
    except service.RoundsError as refused:
        flash(REFUSALS[refused.code](), "error")
        return redirect(url_for(".show_round", round_id=season.id))
    flash(_("A draft of the next round is ready, with the dates moved 26 weeks. Check each gathering before "
            "you publish."), "success")
    return redirect(url_for(".show_round", round_id=copy.id))


@bp.post("/runder/<int:round_id>/slett")
def delete_round(round_id):
    season = _round(round_id)
    _confirmed_post()
    try:
        service.delete_round(season)
    except service.RoundsError as refused:
        flash(REFUSALS[refused.code](), "error")
        return redirect(url_for(".show_round", round_id=round_id))
    flash(_("The round is deleted."), "success")
    return redirect(url_for(".index"))


# --- gatherings ----------------------------------------------------------------------------

def _slug_for(form, gathering_id=None) -> str | None:
    """The slug typed (if free) or one made from the title; None after adding an error to the form."""
    if form.slug.data:
        if service.slug_taken(form.slug.data, gathering_id):
            form.slug.errors.append(_("Another gathering already has this web address."))
            return None
        return form.slug.data
    return service.unique_slug(form.title.data, gathering_id)


@bp.route("/runder/<int:round_id>/samlinger/ny", methods=["GET", "POST"])
def new_gathering(round_id):
    season = _round(round_id)
    form = GatheringForm()
    if form.validate_on_submit() and (slug := _slug_for(form)):
        gathering = service.create_gathering(season, form.data_for_service(slug))
        flash(_("The gathering is saved as a draft."), "success")
        return redirect(url_for(".edit_gathering", gathering_id=gathering.id))
    return render_template("organiser/rounds/gathering_form.html", form=form, season=season, gathering=None
                           ), _status(form)


@bp.route("/samlinger/<int:gathering_id>/endre", methods=["GET", "POST"])
def edit_gathering(gathering_id):
    gathering = _gathering(gathering_id)
    form = GatheringForm()
    if not form.is_submitted():
        form.fill_from(gathering)
    elif form.validate() and (slug := _slug_for(form, gathering.id)):
        if gathering.status == "cancelled":
            flash(REFUSALS["cancelled"](), "error")
            return redirect(url_for(".edit_gathering", gathering_id=gathering.id))
        notified = service.update_gathering(gathering.id, form.data_for_service(slug),
                                               notify_participants=form.notify_participants.data)[1]
        flash(_("Your changes are saved."), "success")
        if notified:
            flash(ngettext("%(num)d participant is sent an updated calendar invitation.",
                           "%(num)d participants are sent an updated calendar invitation.", notified), "success")
        return redirect(url_for(".edit_gathering", gathering_id=gathering.id))
    counts = service.registration_counts([gathering.id])
    return render_template("organiser/rounds/gathering_form.html", form=form, season=gathering.season,
                           gathering=gathering, registrations=counts[gathering.id], confirm=ConfirmForm()
                           ), _status(form)


@bp.post("/samlinger/<int:gathering_id>/publiser")
def publish_gathering(gathering_id):
    gathering = _gathering(gathering_id)
    _confirmed_post()
    published = request.form.get("published") == "1"
    try:
        service.set_gathering_published(gathering, published)
    except service.RoundsError as refused:
        flash(REFUSALS[refused.code](), "error")
    else:
        flash(_("The gathering is published.") if published else _("The gathering is back to draft."), "success")
    return redirect(url_for(".edit_gathering", gathering_id=gathering_id))


@bp.route("/samlinger/<int:gathering_id>/avlys", methods=["GET", "POST"])
def cancel_gathering(gathering_id):
    gathering = _gathering(gathering_id)
    if gathering.status == "cancelled":
        flash(REFUSALS["cancelled"](), "error")
        return redirect(url_for(".edit_gathering", gathering_id=gathering_id))
    form = CancelGatheringForm()
    if form.validate_on_submit():
        told = service.cancel_gathering(gathering.id, form.reason.data)
        flash(ngettext("The gathering is cancelled, and %(num)d person registered is told.",
                       "The gathering is cancelled, and %(num)d people registered are told.", told), "success")
        return redirect(url_for(".show_round", round_id=gathering.season_id))
    counts = service.registration_counts([gathering.id])
    return render_template("organiser/rounds/cancel_gathering.html", form=form, gathering=gathering,
                           registrations=counts[gathering.id]), _status(form)


@bp.post("/samlinger/<int:gathering_id>/slett")
def delete_gathering(gathering_id):
    gathering = _gathering(gathering_id)
    _confirmed_post()
    round_id = gathering.season_id
    try:
        service.delete_gathering(gathering.id)
    except service.RoundsError as refused:
        flash(REFUSALS[refused.code](), "error")
        return redirect(url_for(".edit_gathering", gathering_id=gathering_id))
    flash(_("The gathering is deleted."), "success")
    return redirect(url_for(".show_round", round_id=round_id))


# --- questions -----------------------------------------------------------------------------

def _question(question_id: int) -> Question:
    return db.session.get(Question, question_id) or abort(404)


@bp.route("/samlinger/<int:gathering_id>/sporsmal", methods=["GET", "POST"])
def gathering_questions(gathering_id):
    gathering = _gathering(gathering_id)
    form = QuestionForm()
    if form.validate_on_submit():
        questions.save_question(None, gathering, label=form.label.data, kind=form.kind.data,
                                choices=form.choice_list(), required=form.required.data)
        flash(_("The question is added to the registration form."), "success")
        return redirect(url_for(".gathering_questions", gathering_id=gathering.id))
    return render_template("organiser/rounds/questions.html", gathering=gathering, form=form,
                           confirm=ConfirmForm()), _status(form)


@bp.route("/sporsmal/<int:question_id>/endre", methods=["GET", "POST"])
def edit_question(question_id):
    question = _question(question_id)
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        form.choices.data = "\n".join(question.choices)
    if form.validate_on_submit():
        questions.save_question(question, question.gathering, label=form.label.data, kind=form.kind.data,
                                choices=form.choice_list(), required=form.required.data)
        flash(_("Your changes are saved."), "success")
        return redirect(url_for(".gathering_questions", gathering_id=question.gathering_id))
    return render_template("organiser/rounds/question_form.html", question=question, gathering=question.gathering,
                           form=form), _status(form)


@bp.post("/sporsmal/<int:question_id>/flytt")
def move_question(question_id):
    question = _question(question_id)
    _confirmed_post()
    questions.move_question(question, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for(".gathering_questions", gathering_id=question.gathering_id))


@bp.post("/sporsmal/<int:question_id>/slett")
def delete_question(question_id):
    question = _question(question_id)
    _confirmed_post()
    gathering_id = question.gathering_id
    questions.delete_question(question)
    flash(_("The question is removed from the form."), "success")
    return redirect(url_for(".gathering_questions", gathering_id=gathering_id))
