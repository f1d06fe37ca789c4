"""The forms for the municipality register."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Optional

from ..forms import Form, at_most, one_line, strip
from .models import LANGUAGE_DECISIONS


class MunicipalityForm(Form):
    language_decision = RadioField(
        _l("Written standard the municipality has chosen"),
        choices=[SelectChoice(value, label) for value, label in LANGUAGE_DECISIONS.items()],
        validators=[InputRequired(_l("Choose the municipality's written standard."))])
    sami_name = StringField(_l("Sami name (optional)"), filters=[strip],
                            validators=[Optional(), at_most(100), one_line])
    sami_area = BooleanField(_l("In the administrative area for Sami languages"))
    active = BooleanField(_l("Active (untick when the municipality has been merged away)"))


class ImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))])
    county = StringField(_l("County (optional)"), filters=[strip], validators=[Optional(), at_most(100), one_line])


class ResolveForm(Form):
    """What one free-text organisation is: a municipality of the register, or another organisation."""

    key = HiddenField(validators=[InputRequired()])
    municipality = SelectField(_l("Municipality"), validators=[InputRequired(_l("Choose a municipality."))])

    def __init__(self, register, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = [("", _l("Choose")), ("other", _l("Not a municipality: another organisation"))] + [
            (municipality.number, f"{municipality.number} {municipality.label}") for municipality in register]
