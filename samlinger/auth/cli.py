"""`flask --app app create-user`: the first admin, and organisers from the command line."""

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext

from ..audit.service import record
from ..extensions import db
from ..i18n import WORKSPACE_LANGUAGES
from ..offices.scope import use_office
from ..offices.service import office_by_slug
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
@click.option("--admin", is_flag=True, help="May manage the office's users and read its audit log.")
@click.option("--office", "office_slug", default=None, metavar="SLUG",
              help="The office the account belongs to (its address segment); optional while there is one office.")
@click.option("--national-admin", is_flag=True,
              help="A national administrator: creates offices and their first admins, reads national figures; "
                   "belongs to no office.")
@click.option("--language", type=click.Choice(WORKSPACE_LANGUAGES), default=None,
              help="Language of the account's e-mails (default: the office's written standard).")
@with_appcontext
def create_user(email, name, admin, office_slug, national_admin, language):
    """Create an account in an office (organiser or --admin), or a --national-admin; the password is read from
    stdin or asked for."""
    if national_admin and (admin or office_slug):
        raise click.UsageError("a national administrator belongs to no office: leave out --office and --admin")
    try:
        office = None if national_admin else office_by_slug(office_slug)
    except Refused as refused:
        raise click.UsageError(str(refused)) from None
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.UsageError(f"not a valid e-mail address: {error}") from None
    password = _read_password()
    if len(password) < MIN_PASSWORD:
        raise click.UsageError(f"the password must be at least {MIN_PASSWORD} characters")
    if too_common(password):
        raise click.UsageError("the password is too common or too easy to guess; try a few unrelated words")
    with use_office(office):
        try:
            user = service.create_user(email, name, admin=admin, password=password, language=language,
                                       national_admin=national_admin)
        except Refused:
            raise click.UsageError(f"{email} already has an account") from None
        record("user.create", user, f"{user.email} ({user.role}), from the command line")
        db.session.commit()
    where = "national administrator" if national_admin else f"{user.role} of {office.slug}"
    click.echo(f"created {where} {user.email}")
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
