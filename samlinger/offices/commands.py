"""The office in operator commands: `--office SLUG` (optional while there is one office), and create-office."""

from functools import wraps

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..i18n import LANGUAGES
from ..refusal import Refused
from .registry import offices
from .scope import use_office
from .service import create_office, office_by_slug, update_office


def for_one_office(command):
    """Add `--office SLUG` and run *command* for that office (the only one, when there is one)."""

    @click.option("--office", "office_slug", default=None, metavar="SLUG",
                  help="The office (its address segment); optional while there is one office.")
    @wraps(command)
    def wrapped(*args, office_slug=None, **kwargs):
        try:
            office = office_by_slug(office_slug)
        except Refused as refused:
            raise click.UsageError(str(refused)) from None
        with use_office(office):
            return command(*args, **kwargs)

    return wrapped


def for_each_office(command):
    """Add `--office SLUG` and run *command* for that office, or for each office in turn (cron jobs): each
    office's mail goes out in its own name. Run for several, each office's output follows a line naming it."""

    @click.option("--office", "office_slug", default=None, metavar="SLUG",
                  help="Only this office (its address segment); default: every office in turn.")
    @wraps(command)
    def wrapped(*args, office_slug=None, **kwargs):
        try:
            chosen = [office_by_slug(office_slug)] if office_slug else list(offices().all)
        except Refused as refused:
            raise click.UsageError(str(refused)) from None
        for office in chosen:
            if len(chosen) > 1:
                click.echo(f"{office.slug}:")
            with use_office(office):
                command(*args, **kwargs)

    return wrapped


def _languages(value: str) -> tuple:
    return tuple(code.strip().lower() for code in value.split(",") if code.strip())


@click.command("create-office")
@click.argument("slug")
@click.option("--name", required=True, help="The office's name in Bokmål, e.g. 'Statsforvalteren i Rogaland'.")
@click.option("--name-nn", default="", help="Its name in Nynorsk ('Statsforvaltaren i Rogaland').")
@click.option("--name-en", default="", help="Its name in English.")
@click.option("--name-se", default="", help="Its name in Northern Sami.")
@click.option("--default-language", type=click.Choice(("nb", "nn")), default="nb", show_default=True,
              help="The written standard of its pages at /SLUG/.")
@click.option("--languages", default="nb,nn,en", show_default=True,
              help=f"The languages offered, in the switcher's order (from {','.join(LANGUAGES)}).")
@click.option("--contact-email", default="", help="The address on its pages for questions.")
@click.option("--reply-to", default="", help="Where replies to its mail go (its organisers' mailbox).")
@click.option("--sender-name", default="", help="The name its mail is sent in (default: its name).")
@with_appcontext
def create_office_command(slug, name, name_nn, name_en, name_se, default_language, languages, contact_email,
                          reply_to, sender_name):
    """Add an office, served at /SLUG/ (and /<lang>/SLUG/); with a second office, / lists them."""
    try:
        office = create_office(slug, name, names={"nn": name_nn, "en": name_en, "se": name_se},
                               default_language=default_language, languages=_languages(languages),
                               contact_email=contact_email, reply_to=reply_to, sender_name=sender_name)
    except Refused as refused:
        raise click.UsageError(str(refused)) from None
    db.session.commit()
    click.echo(f"created office {office.slug}: {office.name}, at /{office.slug}/ "
               f"({office.default_language}; {office.languages})")
    click.echo(f"Next: flask load-municipalities FILE --office {office.slug}, then "
               f"flask create-user EMAIL --name NAME --office {office.slug} --admin")


@click.command("update-office")
@click.argument("slug")
@click.option("--name", default=None, help="The office's name in Bokmål.")
@click.option("--name-nn", default=None, help="Its name in Nynorsk ('' = the Bokmål one).")
@click.option("--name-en", default=None, help="Its name in English ('' = the Bokmål one).")
@click.option("--name-se", default=None, help="Its name in Northern Sami ('' = the Bokmål one).")
@click.option("--default-language", type=click.Choice(("nb", "nn")), default=None,
              help="The written standard of its pages at /SLUG/.")
@click.option("--languages", default=None,
              help=f"The languages offered, in the switcher's order (from {','.join(LANGUAGES)}).")
@click.option("--contact-email", default=None, help="The address on its pages for questions.")
@click.option("--reply-to", default=None, help="Where replies to its mail go (its organisers' mailbox).")
@click.option("--sender-name", default=None,
              help="The name its mail is sent in ('' = its name in the mail's language).")
@with_appcontext
def update_office_command(slug, name, name_nn, name_en, name_se, default_language, languages, contact_email,
                          reply_to, sender_name):
    """Change an office's names, languages, contact, reply-to or sender name: only the options given. The first
    office's settings in the environment (SAMLINGER_OFFICE_NAME*, SAMLINGER_DEFAULT_LANGUAGE, SAMLINGER_LANGUAGES,
    SAMLINGER_CONTACT_EMAIL, SAMLINGER_REPLY_TO) are read once, when it is made; after that this is how to change
    it. The address segment SLUG stays: links in mail already sent carry it."""
    try:
        office, changed = update_office(
            slug, name=name, name_nn=name_nn, name_en=name_en, name_se=name_se, default_language=default_language,
            languages=None if languages is None else _languages(languages), contact_email=contact_email,
            reply_to=reply_to, sender_name=sender_name)
    except Refused as refused:
        raise click.UsageError(str(refused)) from None
    db.session.commit()
    if not changed:
        click.echo(f"office {office.slug}: nothing changed")
        return
    click.echo(f"office {office.slug}: changed {', '.join(changed)} "
               f"({office.name}; {office.default_language}; {office.languages})")
