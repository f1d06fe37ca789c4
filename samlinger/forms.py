"""What every form shares: filters, validators, the e-mail field, the confirm-only form and the answer's
status code."""

import unicodedata

from flask import abort, current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from .i18n import LABELS, WORKSPACE_LANGUAGES

AT_MOST = _l("At most %(max)d characters.")
ENTER_EMAIL = _l("Enter your e-mail address.")


def strip(value):
    return value.strip() if isinstance(value, str) else value


def at_most(characters: int) -> Length:
    return Length(max=characters, message=AT_MOST)


def no_control_characters(form, field):
    if field.data and any(ord(c) < 32 and c not in "\r\n\t" for c in field.data):
        raise ValidationError(_l("The text contains characters that are not allowed."))


def one_line(form, field):
    """Names and titles end up in lists, name tags and e-mails: no line breaks or control characters, and no
    invisible format characters (zero-width space, soft hyphen, direction marks) that could hide a link."""
    if not field.data:
        return
    if any(ord(c) < 32 or c in "\x7f\u2028\u2029" for c in field.data):
        raise ValidationError(_l("The text contains characters that are not allowed."))
    if any(unicodedata.category(c) == "Cf" for c in field.data):
        raise ValidationError(_l("The text contains invisible characters, for example from copying. "
                                 "Type the text in yourself."))


def email_field(required_message=ENTER_EMAIL, *, check_format: bool = True, optional: bool = False) -> EmailField:
    """The e-mail field of every form. *check_format* off: the login and password-reset forms accept what
    was typed and simply find no account for a malformed address. *optional*: may be left empty."""
    validators = [Optional() if optional else InputRequired(required_message), at_most(254)]
    if check_format:
        validators.append(Email(_l("Enter a valid e-mail address, like name@kommune.no."),
                                check_deliverability=False))
    return EmailField(_l("E-mail (optional)") if optional else _l("E-mail"), filters=[strip], validators=validators)


def _page_language() -> str:
    return str(get_locale())


def _participant_languages() -> list:
    return [SelectChoice(code, LABELS[code]) for code in current_app.config["SAMLINGER_LANGUAGES"]]


def _account_languages() -> list:
    return [SelectChoice(code, LABELS[code]) for code in current_app.config["SAMLINGER_LANGUAGES"]
            if code in WORKSPACE_LANGUAGES]


def language_field(label, *, account: bool = False) -> SelectField:
    """The language a person's e-mails are written in; the page's language unless chosen. A participant's
    may be any language the installation offers, an account's only one the workspace has (never Sami)."""
    return SelectField(label, choices=_account_languages if account else _participant_languages,
                       default=_page_language)


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""


def confirmed_post() -> None:
    """A POST button carries only its CSRF token; anything else is a bad request."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def status_of(form, refused=None) -> int:
    """422 for a form with errors, 409 for one a rule refused, else 200."""
    return 422 if form.errors else (409 if refused else 200)
