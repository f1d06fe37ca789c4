"""Messages to the participants of a gathering or a whole round, and how their delivery is going."""

from flask import abort, redirect, render_template, url_for

from ..extensions import db
from ..gatherings.models import Gathering, Season
from ..people import messaging
from ..people.forms import MessageForm
from .views import bp


def _compose(target, gathering_ids, *, gathering=None, season=None):
    form = MessageForm()
    if form.validate_on_submit():
        batch, _count = messaging.send_message(target, gathering_ids, form.audience.data, form.subject.data,
                                               form.body.data)
        return redirect(url_for(".mailing", batch=batch))
    return render_template("organiser/message.html", form=form, gathering=gathering, season=season,
                           counts=messaging.audience_counts(gathering_ids),
                           batches=messaging.batches(gathering_ids)), 422 if form.errors else 200


@bp.route("/samlinger/<int:gathering_id>/melding", methods=["GET", "POST"])
def message_gathering(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    return _compose(gathering, [gathering.id], gathering=gathering)


@bp.route("/runder/<int:season_id>/melding", methods=["GET", "POST"])
def message_round(season_id):
    season = db.get_or_404(Season, season_id)
    return _compose(season, [g.id for g in season.gatherings], season=season)


@bp.get("/utsendinger/<batch>")
def mailing(batch):
    status = messaging.batch_status(batch) or abort(404)
    gatherings = [db.session.get(Gathering, gid) for gid in status["gathering_ids"]]
    return render_template("organiser/mailing.html", status=status, gatherings=gatherings)
