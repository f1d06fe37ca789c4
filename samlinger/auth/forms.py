from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError
from zxcvbn import zxcvbn

from ..forms import Form, at_most, email_field, language_field, strip

MIN_PASSWORD = 10
#: words that make a password easy to guess here, besides zxcvbn's own lists (English words, names, leaked passwords)
LOCAL_WORDS = ("passord", "samling", "samlinger", "statsforvalteren", "sommer", "vinter", "høst", "vår", "haust")
#: zxcvbn refuses to look at more; the first 72 characters tell a common password
ZXCVBN_MAX = 72
TOO_COMMON = _l("This password is too common or too easy to guess. Try a few words that do not belong together, "
                "like a short sentence.")


def too_common(password: str) -> bool:
    """Whether *password* is easy to guess: a common password, a keyboard row, a word with a year (zxcvbn's
    score below 3 of 4)."""
    return zxcvbn(password[:ZXCVBN_MAX], user_inputs=LOCAL_WORDS)["score"] < 3


def _not_common(form, field):
    if field.data and len(field.data) >= MIN_PASSWORD and too_common(field.data):
        raise ValidationError(TOO_COMMON)


def _new_password(label):
    return PasswordField(label, validators=[
        InputRequired(_l("Enter a new password.")),
        Length(min=MIN_PASSWORD, max=200, message=_l("The password must be %(min)d to %(max)d characters long.")),
        _not_common,
    ])


def _repeat():
    return PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(_l("Repeat the new password.")),
        EqualTo("new_password", message=_l("The two passwords are not the same.")),
    ])


class LoginForm(Form):
    email = email_field(check_format=False)
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password.")),
                                                         Length(max=200)])


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[
        InputRequired(_l("Enter your current password.")), Length(max=200),
    ])
    new_password = _new_password(_l("New password"))
    repeat_password = _repeat()


class ForgotPasswordForm(Form):
    # Only what the login form asks: an address that cannot have an account simply gets no mail.
    email = email_field(check_format=False)


class SetPasswordForm(Form):
    new_password = _new_password(_l("New password"))
    repeat_password = _repeat()


class NewUserForm(Form):
    name = StringField(_l("Name"), filters=[strip], validators=[
        InputRequired(_l("Enter the name.")), at_most(200),
    ])
    email = email_field()
    language = language_field(_l("Language of the account's e-mails"), account=True)
    admin = BooleanField(_l("Administrator (may manage users and read the audit log)"))
    password_choice = RadioField(_l("Password"), default="email", choices=[
        SelectChoice("email", _l("Send an e-mail with a link to choose a password")),
        SelectChoice("initial", _l("Give an initial password now")),
    ], validators=[InputRequired(_l("Choose how the password is set."))])
    initial_password = PasswordField(_l("Initial password"))

    def validate_initial_password(self, field):
        if self.password_choice.data != "initial":
            return
        if not field.data:
            raise ValidationError(_l("Enter an initial password, or choose to send an e-mail."))
        if not MIN_PASSWORD <= len(field.data) <= 200:
            raise ValidationError(_l("The password must be %(min)d to %(max)d characters long.",
                                     min=MIN_PASSWORD, max=200))
        _not_common(self, field)


class SecondFactorForm(Form):
    code = StringField(_l("Code"), filters=[strip], validators=[
        InputRequired(_l("Enter the code from the app, or a recovery code.")), Length(max=40),
    ])


class EnrolForm(Form):
    code = StringField(_l("Code from the app"), filters=[strip], validators=[
        InputRequired(_l("Enter the six-digit code the app shows.")), Length(max=40),
    ])
