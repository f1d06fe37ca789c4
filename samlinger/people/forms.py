"""Forms organisers use for registrations."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField
from wtforms.validators import Email, InputRequired, Length

from ..registration.forms import DetailsForm, _strip

LANGUAGE_CHOICES = [SelectChoice("nb", "Bokmål"), SelectChoice("nn", "Nynorsk"), SelectChoice("en", "English")]


class RegistrationEditForm(DetailsForm):
    """An organiser may also correct the address."""

    email = EmailField(_l("E-mail"), filters=[_strip], validators=[
        InputRequired(_l("Enter the e-mail address.")),
        Length(max=254, message=_l("At most %(max)d characters.")),
        Email(_l("Enter a valid e-mail address, like name@kommune.no."), check_deliverability=False),
    ])


class RegistrationAddForm(RegistrationEditForm):
    language = SelectField(_l("Language of the e-mails"), choices=LANGUAGE_CHOICES, default="nb")
