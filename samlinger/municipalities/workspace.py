"""Workspace pages for the municipality register, for admins: the list, editing one, importing a CSV file
(mounted under /arrangor/kommuner)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.access import admin_required
from ..bodylimit import accepts_uploads
from ..extensions import db
from ..forms import confirmed_post, status_of
from ..refusal import Refused
from . import importing, resolving, service
from .forms import ImportForm, MunicipalityForm, ResolveForm
from .models import Municipality

bp = Blueprint("municipalities", __name__, url_prefix="/kommuner")


@bp.get("/")
@admin_required
def index():
    return render_template("organiser/municipalities/index.html", municipalities=service.register())


@bp.route("/<int:municipality_id>", methods=["GET", "POST"])
@admin_required
def edit(municipality_id):
    municipality = db.get_or_404(Municipality, municipality_id)
    form = MunicipalityForm(obj=municipality)
    if form.validate_on_submit():
        changed = service.edit(municipality, language_decision=form.language_decision.data,
                               sami_name=form.sami_name.data or "", sami_area=form.sami_area.data,
                               active=form.active.data)
        flash(_("%(name)s is saved.", name=municipality.name) if changed
              else _("Nothing was changed for %(name)s.", name=municipality.name), "success")
        return redirect(url_for(".index"))
    return render_template("organiser/municipalities/edit.html", form=form, municipality=municipality
                           ), status_of(form)


@bp.route("/importer", methods=["GET", "POST"])
@admin_required
@accepts_uploads
def import_file():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            result = importing.load(form.file.data.read(importing.MAX_BYTES + 1), county=form.county.data or None)
        except Refused as refused:
            form.file.errors.append(str(refused))
        else:
            flash(ngettext("%(num)d municipality imported: %(added)d new, %(changed)d changed.",
                           "%(num)d municipalities imported: %(added)d new, %(changed)d changed.",
                           result.total, added=result.added, changed=result.changed), "success")
            matched = resolving.match_certain()
            if matched:
                flash(ngettext("%(num)d registration matched to the register.",
                               "%(num)d registrations matched to the register.", matched), "success")
            return redirect(url_for(".index"))
    return render_template("organiser/municipalities/import.html", form=form,
                           max_kb=importing.MAX_BYTES // 1024), status_of(form)


@bp.get("/koble")
@admin_required
def unmatched():
    """Registrations whose municipality was written as free text, grouped by text, each with a choice."""
    groups = resolving.unmatched()
    return render_template("organiser/municipalities/unmatched.html", groups=groups,
                           choices=ResolveForm(service.active(), formdata=None).municipality.choices,
                           certain=sum(group.count for group in groups if group.suggestion))


@bp.post("/koble")
@admin_required
def resolve():
    form = ResolveForm(service.active())
    if not form.validate_on_submit():
        flash(_("Choose a municipality."), "error")
        return redirect(url_for(".unmatched"))
    municipality = None if form.municipality.data == "other" else service.by_number(form.municipality.data)
    count = resolving.resolve(form.key.data, municipality)
    if not count:  # resolved meanwhile (another tab, another admin) or a key that was never on the page
        flash(_("Nothing was changed: no registration has that text any more."), "success")
        return redirect(url_for(".unmatched"))
    where = f"{municipality.number} {municipality.label}" if municipality else _("another organisation")
    flash(ngettext("%(num)d registration is now %(where)s.", "%(num)d registrations are now %(where)s.",
                   count, where=where), "success")
    return redirect(url_for(".unmatched"))


@bp.post("/koble/sikre")
@admin_required
def match_certain():
    confirmed_post()
    count = resolving.match_certain()
    flash(ngettext("%(num)d registration matched to the register.",
                   "%(num)d registrations matched to the register.", count), "success")
    return redirect(url_for(".unmatched"))
