"""Workspace pages for messages to the participants of a gathering or a whole round, and how their
delivery is going (mounted under /arrangor)."""

from flask import Blueprint, abort, redirect, render_template, url_for
from sqlalchemy import select

from ..extensions import db
from ..forms import status_of
from ..gatherings.models import Gathering, Round
from . import service as messaging
from .forms import MessageForm

bp = Blueprint("mail", __name__)  # its pages keep their endpoints: workspace.mail.<view>


def _compose(target, gathering_ids, *, gathering=None, round_=None):
    form = MessageForm()
    online = db.session.scalar(select(Gathering.id).where(Gathering.id.in_(list(gathering_ids)),
                                                           Gathering.mode != "on_site").limit(1)) is not None
    if not online:
        del form.side  # everyone is on site
    if form.validate_on_submit():
        batch, _count = messaging.send_message(target, gathering_ids, form.audience.data, form.subject.data,
                                               form.body.data, form.side.data if online else "all")
        return redirect(url_for(".mailing", batch=batch))
    return render_template("organiser/message.html", form=form, gathering=gathering, round=round_,
                           counts=messaging.audience_counts(gathering_ids),
                           batches=messaging.batches(gathering_ids)), status_of(form)


@bp.route("/samlinger/<int:gathering_id>/melding", methods=["GET", "POST"])
def message_gathering(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    return _compose(gathering, [gathering.id], gathering=gathering)


@bp.route("/runder/<int:round_id>/melding", methods=["GET", "POST"])
def message_round(round_id):
    round_ = db.get_or_404(Round, round_id)
    return _compose(round_, [g.id for g in round_.gatherings], round_=round_)


@bp.get("/utsendinger/<batch>")
def mailing(batch):
    status = messaging.batch_status(batch) or abort(404)
    gatherings = db.session.scalars(select(Gathering).where(Gathering.id.in_(status["gathering_ids"]))
                                    .order_by(Gathering.id)).all()
    return render_template("organiser/mailing.html", status=status, gatherings=gatherings)
