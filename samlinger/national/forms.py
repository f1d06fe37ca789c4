"""The form for a new office and its first admin. The office's rules (a free address segment, languages the site
can serve) are offices.service.create_office's; the form checks what a person types."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, RadioField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import Email, InputRequired, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form, at_most, email_field, one_line, strip
from ..i18n import LABELS, LANGUAGES, REQUIRED, WORKSPACE_LANGUAGES
from ..offices.service import SLUG

VALID_EMAIL = _l("Enter a valid e-mail address, like name@kommune.no.")


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def _name(label, *validators):
    return StringField(label, filters=[strip], validators=[*validators, at_most(200), one_line])


class OfficeForm(Form):
    slug = StringField(_l("Address segment"), filters=[strip, _lower], validators=[
        InputRequired(_l("Enter the office's address segment.")),
        Regexp(SLUG, message=_l("Use 1 to 40 lower-case letters a–z, digits and hyphens, like rogaland.")),
    ])
    name = _name(_l("Name in Bokmål"), InputRequired(_l("Enter the office's name.")))
    name_nn = _name(_l("Name in Nynorsk (optional)"))
    name_en = _name(_l("Name in English (optional)"))
    name_se = _name(_l("Name in Northern Sami (optional)"))
    default_language = RadioField(_l("Default written standard"), default="nb",
                                  choices=[SelectChoice(code, LABELS[code]) for code in WORKSPACE_LANGUAGES
                                           if code in REQUIRED],
                                  validators=[InputRequired(_l("Choose the default written standard."))])
    languages = SelectMultipleField(_l("Languages offered"), default=["nb", "nn", "en"],
                                    choices=[SelectChoice(code, LABELS[code]) for code in LANGUAGES],
                                    widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    contact_email = EmailField(_l("Contact e-mail"), filters=[strip], validators=[
        InputRequired(_l("Enter the office's contact address.")), at_most(254),
        Email(VALID_EMAIL, check_deliverability=False)])
    reply_to = EmailField(_l("Reply-to address for its e-mails (optional)"), filters=[strip], validators=[
        Optional(), at_most(254), Email(VALID_EMAIL, check_deliverability=False)])
    admin_name = _name(_l("Name"), InputRequired(_l("Enter the name.")))
    admin_email = email_field(_l("Enter the e-mail address."))

    def validate_languages(self, field):
        chosen = field.data or []
        if any(code not in chosen for code in REQUIRED):  # the default standard (nb or nn) is offered with them
            raise ValidationError(_l("Offer both Bokmål and Nynorsk: the language act asks for forms in both."))

    @property
    def names(self) -> dict:
        return {"nn": self.name_nn.data or "", "en": self.name_en.data or "", "se": self.name_se.data or ""}

    @property
    def chosen_languages(self) -> tuple:
        """The languages ticked, in the switcher's order (nb, nn, se, en)."""
        return tuple(code for code in LANGUAGES if code in (self.languages.data or []))
