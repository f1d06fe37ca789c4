"""Commands for operators: `flask --app app <command>` (the demo data is in demo/; offices/commands.py has
create-office, update-office and the `--office` option)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from .auth.cli import create_user, reset_second_factor
from .evaluations import service as evaluations
from .mail import worker
from .municipalities import importing, resolving
from .offices.commands import create_office_command, for_each_office, for_one_office, update_office_command
from .refusal import Refused
from .registration import confirming, releasing, reminders, retention


def register_commands(app) -> None:
    app.cli.add_command(mail_worker)
    app.cli.add_command(create_user)
    app.cli.add_command(reset_second_factor)
    app.cli.add_command(send_reminders)
    app.cli.add_command(purge_personal_data)
    app.cli.add_command(load_municipalities)
    app.cli.add_command(release_held_seats)
    app.cli.add_command(release_unconfirmed)
    app.cli.add_command(send_evaluations)
    app.cli.add_command(create_office_command)
    app.cli.add_command(update_office_command)


@click.command("load-municipalities")
@with_appcontext
@for_one_office
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--county", default=None, help="Set this county name on every municipality in the file.")
def load_municipalities(file, county):
    """Add or update municipalities by number from a CSV file into the office's register (all rows or none)."""
    with open(file, "rb") as handle:
        data = handle.read(importing.MAX_BYTES + 1)
    try:
        result = importing.load(data, county=county)
    except Refused as refused:
        click.echo(f"{file}: {refused}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{result.total} municipalities: {result.added} new, {result.changed} changed, "
               f"{result.unchanged} unchanged")
    matched = resolving.match_certain()
    if matched:
        click.echo(f"{matched} registrations written as free text matched to the register")


@click.command("send-reminders")
@with_appcontext
@for_each_office
def send_reminders():
    """Queue a reminder to each confirmed participant REMINDER_DAYS_BEFORE days before (once each)."""
    click.echo(f"{reminders.send_reminders()} reminders queued")


@click.command("purge-personal-data")
@with_appcontext
@for_each_office
@click.option("--months", type=click.IntRange(min=0), default=None,
              help="Anonymise registrations of gatherings that ended this many months ago (default RETENTION_MONTHS).")
def purge_personal_data(months):
    """Anonymise old registrations, keeping counts per municipality; safe to run daily."""
    months = current_app.config["RETENTION_MONTHS"] if months is None else months
    click.echo(f"{retention.purge(months)} registrations anonymised (gatherings ended over {months} months ago)")


@click.command("release-held-seats")
@with_appcontext
@for_each_office
def release_held_seats():
    """Give seats released by an ended hold to the waiting lists (in order, with mail); run it every few minutes."""
    click.echo(f"{releasing.release_held_seats()} moved up from waiting lists")


@click.command("release-unconfirmed")
@with_appcontext
@for_each_office
def release_unconfirmed():
    """End registrations whose address was not confirmed in time and give their seats to the waiting lists (in
    order, with mail); run it every few minutes."""
    released, promoted = confirming.release_unconfirmed()
    click.echo(f"{released} registrations ended unconfirmed, {promoted} moved up from waiting lists")


@click.command("send-evaluations")
@with_appcontext
@for_each_office
def send_evaluations():
    """Open the evaluations set to open when their gathering has ended, and send each open evaluation's one
    reminder to everyone invited after the chosen days (once, also when runs overlap); run it hourly."""
    opened = evaluations.open_due()
    reminded = evaluations.send_reminders()
    click.echo(f"{opened} evaluations opened, {reminded} reminders queued")


@click.command("mail-worker")
@with_appcontext
@click.option("--once", is_flag=True, help="Deliver what is due now and exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between looks at the outbox.")
def mail_worker(once, poll):
    """Deliver the outbox: retries with backoff, safe to run in several processes."""
    if once:
        total = 0
        while True:
            sent, failed = worker.deliver_due()
            total += sent
            if not sent and not failed:
                break
        click.echo(f"{total} sent")
        return
    click.echo(f"mail worker delivering ({current_app.config['MAIL_BACKEND']}); Ctrl+C stops it")
    worker.run_forever(poll)
