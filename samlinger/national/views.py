"""The national administrator's pages, at /arrangor/nasjonalt: every office and a new one with its first admin,
and the national reach with its XLSX. Only a national administrator comes in (403 for anyone else); the
workspace's login check comes first (workspace/views.py)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import spreadsheets
from ..extensions import db
from ..forms import status_of
from ..i18n import LABELS
from ..offices.paths import office_homes
from ..offices.service import taken_segments
from ..reach import charts
from ..reach.export import line_label
from ..reach.figures import DEFAULT_YEARS, YEARS_CHOICES
from ..refusal import Refused
from ..seats.sides import ATTENDANCE
from . import export, figures, service
from .forms import OfficeForm

bp = Blueprint("national", __name__, url_prefix="/nasjonalt")


@bp.before_request
def national_admins_only():
    if not (current_user.is_authenticated and current_user.is_national_admin):
        abort(403)


@bp.route("/", methods=["GET", "POST"])
def index():
    form = OfficeForm()
    refused = None
    if form.validate_on_submit():
        try:
            office, user = service.create_office_with_admin(
                form.slug.data, form.name.data, names=form.names, default_language=form.default_language.data,
                languages=form.chosen_languages, contact_email=form.contact_email.data,
                reply_to=form.reply_to.data or "", admin_name=form.admin_name.data, admin_email=form.admin_email.data)
        except Refused as refusal:
            db.session.rollback()
            refused = refusal
            _show(form, refusal)
        else:
            db.session.commit()
            flash(_("%(office)s is created at /%(slug)s/. %(email)s has been sent a link to choose a password.",
                    office=office.names.get(str(get_locale())) or office.name, slug=office.slug, email=user.email),
                  "success")
            return redirect(url_for(".index"))
    homes = {office.id: (language, href) for office, language, href in office_homes()}
    return render_template("national/offices.html", rows=service.office_rows(), homes=homes, form=form,
                           labels=LABELS), status_of(form, refused)


def _show(form: OfficeForm, refused: Refused) -> None:
    """A rule's refusal on the field it is about, in the page's language."""
    slug = form.slug.data
    if refused.code == "slug":
        if slug in taken_segments():
            message = _("/%(slug)s/ is an address the site already uses. Choose another.", slug=slug)
        elif service.office_exists(slug):
            message = _("There is already an office at /%(slug)s/.", slug=slug)
        else:
            message = str(refused)
        form.slug.errors.append(message)
    elif refused.code == "exists":
        form.admin_email.errors.append(_("This address already has an account."))
    else:
        getattr(form, refused.code, form.slug).errors.append(str(refused))


def _years() -> int:
    value = request.args.get("periode", "")
    years = int(value) if value.isdigit() else DEFAULT_YEARS
    return years if years in YEARS_CHOICES else DEFAULT_YEARS


@bp.get("/rekkevidde")
def reach():
    national = figures.national_reach(_years())
    label = export.chart_label(national)
    return render_template(
        "national/reach.html", reach=national, chosen=str(national.years), years_choices=YEARS_CHOICES,
        office_grid=charts.grid(national.office_chart(), label),
        county_grid=charts.grid(national.county_chart(), label),
        bars=charts.bars(national), label=label, office_label=export.office_label, county_label=export.county_label,
        line_label=line_label, sides={side: str(title) for side, title in ATTENDANCE.items()})


@bp.get("/rekkevidde/<int:years>.xlsx")
def download(years):
    if years not in YEARS_CHOICES:
        abort(404)
    national = figures.national_reach(years)
    return spreadsheets.download_workbook(export.sheets(national), export.file_name(national))
