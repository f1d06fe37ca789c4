"""The registration form and the forms a participant uses through the manage link."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

PHONE = r"^\+?[0-9 ()-]{5,20}$"


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _no_control_characters(form, field):
    if field.data and any(ord(c) < 32 and c not in "\r\n\t" for c in field.data):
        raise ValidationError(_l("The text contains characters that are not allowed."))


def _one_line(form, field):
    """Names and titles end up in lists, name tags and e-mails: no line breaks or control characters."""
    if field.data and any(ord(c) < 32 or c in "\x7f\u2028\u2029" for c in field.data):
        raise ValidationError(_l("The text contains characters that are not allowed."))


class DetailsForm(FlaskForm):
    """What a participant may correct later; the address is fixed once registered."""

    name = StringField(_l("Full name"), filters=[_strip], validators=[
        InputRequired(_l("Enter your name.")), Length(max=200, message=_l("At most %(max)d characters.")),
        _one_line,
    ])
    organisation = StringField(_l("Municipality or organisation"), filters=[_strip], validators=[
        InputRequired(_l("Enter your municipality or organisation.")),
        Length(max=200, message=_l("At most %(max)d characters.")), _one_line,
    ])
    role = StringField(_l("Role or position (optional)"), filters=[_strip], validators=[
        Optional(), Length(max=200, message=_l("At most %(max)d characters.")), _one_line,
    ])
    phone = TelField(_l("Mobile phone (optional)"), filters=[_strip], validators=[
        Optional(), Regexp(PHONE, message=_l("Enter a phone number with digits only, for example 912 34 567.")),
    ])
    needs = TextAreaField(_l("Diet, accessibility or other needs (optional)"), validators=[
        Optional(), Length(max=2000, message=_l("At most %(max)d characters.")), _no_control_characters,
    ])

    def details(self) -> dict:
        return {
            "name": self.name.data.strip(),
            "organisation": self.organisation.data.strip(),
            "role": (self.role.data or "").strip(),
            "phone": (self.phone.data or "").strip(),
            "needs": (self.needs.data or "").strip(),
        }


class RegistrationForm(DetailsForm):
    email = EmailField(_l("E-mail"), filters=[_strip], validators=[
        InputRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("At most %(max)d characters.")),
        Email(_l("Enter a valid e-mail address, like name@kommune.no."), check_deliverability=False),
    ])
    consent = BooleanField(_l("I have read how my personal data is used"), validators=[
        InputRequired(_l("You must accept the privacy statement to register.")),
    ])


class RequestLinkForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[_strip], validators=[
        InputRequired(_l("Enter your e-mail address.")),
        Length(max=254, message=_l("At most %(max)d characters.")),
        Email(_l("Enter a valid e-mail address, like name@kommune.no."), check_deliverability=False),
    ])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""
