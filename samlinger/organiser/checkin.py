"""Check-in on the day: one tap marks a participant as arrived, a second tap undoes it."""

from flask import abort, jsonify, redirect, render_template, request, url_for

from ..extensions import db
from ..gatherings.models import Gathering
from ..people import service
from ..registration.forms import ConfirmForm
from ..registration.models import Registration
from .views import bp


@bp.get("/samlinger/<int:gathering_id>/innsjekk")
def checkin(gathering_id):
    gathering = db.get_or_404(Gathering, gathering_id)
    query = request.args.get("q", "")[:200]
    people = service.checkin_list(gathering.id, query=query)
    counts = service.status_counts([gathering.id])[gathering.id]
    return render_template("organiser/checkin.html", gathering=gathering, people=people, query=query,
                           counts=counts, form=ConfirmForm())


@bp.post("/pameldinger/<int:registration_id>/innsjekk")
def toggle_checkin(registration_id):
    registration = db.get_or_404(Registration, registration_id)
    if not ConfirmForm().validate_on_submit() or request.form.get("present") not in ("1", "0"):
        abort(400)
    try:
        registration = service.check_in(registration.id, request.form["present"] == "1")
    except service.ChangeRefused:
        abort(409)
    if request.accept_mimetypes.best == "application/json":
        counts = service.status_counts([registration.gathering_id])[registration.gathering_id]
        return jsonify(present=registration.checked_in_at is not None, arrived=counts["checked_in"],
                       expected=counts["confirmed"])
    return redirect(url_for(".checkin", gathering_id=registration.gathering_id, q=request.form.get("q") or None,
                            _anchor=f"r{registration.id}"))
