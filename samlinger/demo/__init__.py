"""Demo data for trying the service and for `make run`: `flask --app app seed-demo`, safe to run again.

Two offices, as in the pages this service grew from: the first office (the installation's own, from its settings:
Statsforvalteren i Finnmark in `make run`) with the Finnmark register, and Statsforvaltaren i Rogaland at
/rogaland/ (Nynorsk by default, the Rogaland register with its municipalities' language decisions), each with
its own rounds, gatherings, organiser and admin. An installation that already has the Finnmark demo gets
Rogaland added; `--one-office` leaves it out. Every office's rows are made inside `scope.use_office`, so they
land in that office.
"""

import click
from flask.cli import with_appcontext

from ..offices.registry import offices
from ..offices.scope import use_office
from . import accounts, finnmark, rogaland
from .common import TERM_WORDS, TERM_WORDS_NN
from .finnmark import DEMO_VIDEO_LINK, HISTORY_TERMS

__all__ = ["DEMO_VIDEO_LINK", "HISTORY_TERMS", "TERM_WORDS", "TERM_WORDS_NN", "register_commands", "seed_demo"]


def register_commands(app) -> None:
    app.cli.add_command(seed_demo)


@click.command("seed-demo")
@click.option("--one-office", is_flag=True,
              help="Only the first office's demo (Finnmark's), as an installation of one office: no Rogaland.")
@with_appcontext
def seed_demo(one_office):
    """Load demo offices, registers, rounds and gatherings with dates relative to today, and each office's demo
    organiser and admin (in debug mode); safe to run again, and adds Rogaland to an installation that has
    only the first office's demo."""
    first = offices().first
    with use_office(first):
        finnmark.seed()
        made = accounts.make(first, accounts.FIRST_OFFICE_ACCOUNTS)
    if not one_office:
        second = rogaland.office()
        if second is not None:
            with use_office(second):
                rogaland.seed()
                made += accounts.make(second, accounts.ROGALAND_ACCOUNTS)
    click.echo("demo data ready")
    accounts.print_offices(made)
