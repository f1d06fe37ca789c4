"""Forms organisers use for registrations."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length

from ..registration.forms import DetailsForm, _no_control_characters, _strip

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


class MessageForm(FlaskForm):
    audience = RadioField(_l("To"), default="confirmed", choices=[
        SelectChoice("confirmed", _l("Confirmed participants")),
        SelectChoice("waitlisted", _l("The waiting list")),
        SelectChoice("all", _l("Everyone registered (confirmed and waiting list)")),
    ])
    subject = StringField(_l("Subject"), filters=[_strip], validators=[
        InputRequired(_l("Write a subject.")), Length(max=200, message=_l("At most %(max)d characters.")),
        _no_control_characters,
    ])
    body = TextAreaField(_l("Message"), validators=[
        InputRequired(_l("Write the message.")), Length(max=10000, message=_l("At most %(max)d characters.")),
        _no_control_characters,
    ])
