"""Workspace pages for rounds and their gatherings: create, edit, publish, copy to the next term,
cancel and delete (mounted under /arrangor)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from ..forms import ConfirmForm, confirmed_post, status_of
from ..refusal import Refused
from ..seats.ledger import ledger, status_counts
from . import service
from .forms import CancelGatheringForm, GatheringForm, RoundForm
from .models import Gathering, Round
from .slugs import slug_taken, unique_slug

bp = Blueprint("gatherings", __name__)


def _to_round(round_id: int):
    return redirect(url_for(".show_round", round_id=round_id))


def _to_gathering(gathering_id: int):
    return redirect(url_for(".edit_gathering", gathering_id=gathering_id))


# --- rounds --------------------------------------------------------------------------------

@bp.get("/runder/")
def index():
    rounds = service.rounds()
    counts = status_counts(g for r in rounds for g in r.gatherings)
    return render_template("organiser/rounds/index.html", rounds=rounds, counts=counts, form=ConfirmForm())


@bp.route("/runder/ny", methods=["GET", "POST"])
def new_round():
    return _round_form(None)


@bp.route("/runder/<int:round_id>/endre", methods=["GET", "POST"])
def edit_round(round_id):
    return _round_form(db.get_or_404(Round, round_id))


def _round_form(round_: Round | None):
    form = RoundForm(obj=round_)
    if form.validate_on_submit():
        try:
            saved = service.save_round(round_, form.data_for_service())
        except Refused as refused:
            form.term.errors.append(str(refused))
        else:
            flash(_("Your changes are saved.") if round_ else
                  _("The round is created as a draft. Add its gatherings, then publish."), "success")
            return _to_round(saved.id)
    return render_template("organiser/rounds/round_form.html", form=form, round=round_), status_of(form)


@bp.get("/runder/<int:round_id>")
def show_round(round_id):
    round_ = db.get_or_404(Round, round_id)
    counts = status_counts(round_.gatherings)
    return render_template("organiser/rounds/round.html", round=round_, counts=counts, form=ConfirmForm())


@bp.post("/runder/<int:round_id>/publiser")
def publish_round(round_id):
    round_ = db.get_or_404(Round, round_id)
    confirmed_post()
    published = request.form.get("published") == "1"
    service.set_round_published(round_, published)
    flash(_("The round is published.") if published else _("The round is hidden from the public."), "success")
    return _to_round(round_id)


@bp.post("/runder/<int:round_id>/kopier")
def copy_round(round_id):
    round_ = db.get_or_404(Round, round_id)
    confirmed_post()
    try:
        copy = service.copy_to_next_round(round_)
    except Refused as refused:
        flash(str(refused), "error")
        return _to_round(round_id)
    flash(_("A draft of the next round is ready, with the dates moved 26 weeks. Check each gathering before "
            "you publish."), "success")
    return _to_round(copy.id)


@bp.post("/runder/<int:round_id>/slett")
def delete_round(round_id):
    round_ = db.get_or_404(Round, round_id)
    confirmed_post()
    try:
        service.delete_round(round_)
    except Refused as refused:
        flash(str(refused), "error")
        return _to_round(round_id)
    flash(_("The round is deleted."), "success")
    return redirect(url_for(".index"))


# --- gatherings ----------------------------------------------------------------------------

def _slug_for(form, gathering_id=None) -> str | None:
    """The slug typed (if free) or one made from the Bokmål title (the Nynorsk one if that is all there is);
    None after adding an error to the form."""
    if form.slug.data:
        if slug_taken(form.slug.data, gathering_id):
            form.slug.errors.append(_("Another gathering already has this web address."))
            return None
        return form.slug.data
    return unique_slug(form.title.data or form.title_nn.data, gathering_id)


@bp.route("/runder/<int:round_id>/samlinger/ny", methods=["GET", "POST"])
def new_gathering(round_id):
    round_ = db.get_or_404(Round, round_id)
    form = GatheringForm()
    if form.validate_on_submit() and (slug := _slug_for(form)):
        gathering = service.create_gathering(round_, form.data_for_service(slug))
        flash(_("The gathering is saved as a draft."), "success")
        return _to_gathering(gathering.id)
    return render_template("organiser/rounds/gathering_form.html", form=form, round=round_, gathering=None
                           ), status_of(form)


@bp.route("/samlinger/<int:gathering_id>/endre", methods=["GET", "POST"])
def edit_gathering(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    form = GatheringForm()
    if not form.is_submitted():
        form.fill_from(gathering)
    elif form.validate() and (slug := _slug_for(form, gathering.id)):
        _save_gathering(gathering, form.data_for_service(slug), form.notify_participants.data)
        return _to_gathering(gathering.id)
    return render_template("organiser/rounds/gathering_form.html", form=form, round=gathering.round,
                           gathering=gathering, registrations=ledger(gathering).counts, confirm=ConfirmForm()
                           ), status_of(form)


def _save_gathering(gathering: Gathering, data: dict, notify_participants: bool) -> None:
    try:
        notified = service.update_gathering(gathering.id, data, notify_participants=notify_participants)[1]
    except Refused as refused:  # cancelled meanwhile
        flash(str(refused), "error")
        return
    flash(_("Your changes are saved."), "success")
    if notified:
        flash(ngettext("%(num)d participant is sent an updated calendar invitation.",
                       "%(num)d participants are sent an updated calendar invitation.", notified), "success")


@bp.post("/samlinger/<int:gathering_id>/publiser")
def publish_gathering(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    confirmed_post()
    published = request.form.get("published") == "1"
    try:
        service.set_gathering_published(gathering, published)
    except Refused as refused:
        flash(str(refused), "error")
    else:
        flash(_("The gathering is published.") if published else _("The gathering is back to draft."), "success")
    return _to_gathering(gathering_id)


@bp.route("/samlinger/<int:gathering_id>/avlys", methods=["GET", "POST"])
def cancel_gathering(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    form = CancelGatheringForm()
    if not service.can_edit(gathering):
        flash(str(service.CANCELLED), "error")
        return _to_gathering(gathering_id)
    if not form.validate_on_submit():
        return render_template("organiser/rounds/cancel_gathering.html", form=form, gathering=gathering,
                               registrations=ledger(gathering).counts.active), status_of(form)
    told = service.cancel_gathering(gathering.id, form.reason.data)
    flash(ngettext("The gathering is cancelled, and %(num)d person registered is told.",
                   "The gathering is cancelled, and %(num)d people registered are told.", told), "success")
    return _to_round(gathering.round_id)


@bp.post("/samlinger/<int:gathering_id>/slett")
def delete_gathering(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    confirmed_post()
    round_id = gathering.round_id
    try:
        service.delete_gathering(gathering.id)
    except Refused as refused:
        flash(str(refused), "error")
        return _to_gathering(gathering_id)
    flash(_("The gathering is deleted."), "success")
    return _to_round(round_id)
