"""`flask --app app create-user`: the first admin, and organisers from the command line."""

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from ..audit.service import record
from ..extensions import db
from ..i18n import WORKSPACE_LANGUAGES
from ..refusal import Refused
from . import secondfactor, service
from .forms import MIN_PASSWORD, too_common


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    # Piped in, e.g. from a password manager: never on the command line, where `ps` shows it.
    return sys.stdin.readline().rstrip("\r\n")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--admin", is_flag=True, help="May manage users and read the audit log.")
@click.option("--language", type=click.Choice(WORKSPACE_LANGUAGES), default=None,
              help="Language of the account's e-mails (default: SAMLINGER_DEFAULT_LANGUAGE).")
@with_appcontext
def create_user(email, name, admin, language):
    """Create an organiser account; the password is read from stdin or asked for."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.UsageError(f"not a valid e-mail address: {error}") from None
    password = _read_password()
    if len(password) < MIN_PASSWORD:
        raise click.UsageError(f"the password must be at least {MIN_PASSWORD} characters")
    if too_common(password):
        raise click.UsageError("the password is too common or too easy to guess; try a few unrelated words")
    try:
        user = service.create_user(email, name, admin=admin, password=password, language=language)
    except Refused:
        raise click.UsageError(f"{email} already has an account") from None
    record("user.create", user, f"{user.email} ({user.role}), from the command line")
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")
    if secondfactor.required(user):
        click.echo("The first sign-in with the password asks the person to set up a second factor: an authenticator "
                   "app on their phone (scan a QR code, enter a code), and gives them ten one-time recovery codes. "
                   "The workspace opens only after that.")
    else:
        click.echo("A second factor is optional for organisers here (SECOND_FACTOR_REQUIRED_FOR=admins); the person "
                   "can set one up on the account page after signing in.")


@click.command("reset-second-factor")
@click.argument("email")
@with_appcontext
def reset_second_factor(email):
    """Take away an account's second factor (a lost phone and lost recovery codes); it is set up again at the
    next sign-in. For when no admin can sign in to do it on the users page."""
    user = service.find_by_email(email)
    if user is None:
        raise click.UsageError(f"{email} has no account")
    secondfactor.reset(user)
    db.session.commit()
    click.echo(f"the second factor of {user.email} is reset; the next sign-in sets up a new one")
