"""What every form shares: the one cleaner of stored text and the base form that applies it, filters,
validators, the e-mail field, the confirm-only form and the answer's status code."""

import unicodedata

from flask import abort
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from .i18n import LABELS, WORKSPACE_LANGUAGES
from .offices.settings import current as current_office

AT_MOST = _l("At most %(max)d characters.")
ENTER_EMAIL = _l("Enter your e-mail address.")


#: line breaks written otherwise, made "\n"
_LINE_BREAKS = str.maketrans({"\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})


def clean_text(value):
    """Text as it is stored, from every form, import and upload: line breaks as "\n"; no control characters
    but line breaks and tabs; no invisible format characters (Unicode Cf: zero-width space, joiners and
    no-break space U+200B–200D, U+FEFF, word joiner U+2060, soft hyphen, direction marks, bidi embeddings,
    overrides and isolates U+202A–202E, U+2066–2069), which could hide a link, turn text around or make
    «Alta» and «Al\u200bta» two names; then NFC, so «å» typed as a + ring is the one letter. Every letter
    Norwegian and Sami need (á č đ ŋ š ŧ ž æ ø å …) is kept. Anything but a string passes unchanged."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").translate(_LINE_BREAKS)
    value = "".join(c for c in value if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf"))
    return unicodedata.normalize("NFC", value)


class Form(FlaskForm):
    """The base of every form: each text field (not a password) is cleaned by `clean_text` before its own
    filters and validators see it, so no form can store what the cleaner takes out."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, PasswordField):
                options = {**options, "filters": (clean_text, *unbound_field.kwargs.get("filters", ()))}
            return unbound_field.bind(form=form, **options)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def at_most(characters: int) -> Length:
    return Length(max=characters, message=AT_MOST)


def one_line(form, field):
    """Names and titles end up in lists, name tags and e-mails: no line breaks or tabs (the cleaner has taken
    out what is invisible), so nothing reaches a mail header."""
    if field.data and any(c in "\n\t" for c in field.data):
        raise ValidationError(_l("The text contains characters that are not allowed."))


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
    """The languages the office offers (Rogaland's no Sami, whatever the first office offers)."""
    return [SelectChoice(code, LABELS[code]) for code in current_office().languages]


def _account_languages() -> list:
    return [SelectChoice(code, LABELS[code]) for code in current_office().languages if code in WORKSPACE_LANGUAGES]


def language_field(label, *, account: bool = False) -> SelectField:
    """The language a person's e-mails are written in; the page's language unless chosen. A participant's
    may be any language the installation offers, an account's only one the workspace has (never Sami)."""
    return SelectField(label, choices=_account_languages if account else _participant_languages,
                       default=_page_language)


class ConfirmForm(Form):
    """A form with nothing but its CSRF token, for buttons that change something."""


def confirmed_post() -> None:
    """A POST button carries only its CSRF token; anything else is a bad request."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def status_of(form, refused=None) -> int:
    """422 for a form with errors, 409 for one a rule refused, else 200."""
    return 422 if form.errors else (409 if refused else 200)
