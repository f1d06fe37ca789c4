"""Each office's demo organiser and admin, made in debug mode only and printed by seed-demo with the offices."""

import click
from flask import current_app
from sqlalchemy import select

from ..audit.service import record
from ..auth.models import User
from ..extensions import db
from ..offices.registry import offices
from ..offices.scope import ALL_OFFICES

#: (local part, name, admin?, password) of each office's demo accounts, at <slug>.example.no
FIRST_OFFICE_ACCOUNTS = (("arrangor", "Inga Arrangør", False, "nordlys over varangerfjorden"),
                         ("admin", "Aslak Admin", True, "nordlys over varangerfjorden"))
ROGALAND_ACCOUNTS = (("arrangor", "Solveig Skipar", False, "lyng og fjell ved lysefjorden"),
                     ("admin", "Tormod Admin", True, "lyng og fjell ved lysefjorden"))


def make(office, accounts) -> list[tuple]:
    """The office's demo organiser and admin (the office in scope), made when missing; only in debug mode (or
    the tests): a known password is for a demo on one's own machine, never for a server."""
    if not (current_app.debug or current_app.testing):
        return []
    from ..auth import service as accounts_service

    made = []
    for local, name, admin, password in accounts:
        email = f"{local}@{office.slug or 'kontor'}.example.no"
        user = db.session.scalar(select(User).where(User.email == email), execution_options={ALL_OFFICES: True})
        if user is None:
            user = accounts_service.create_user(email, name, admin=admin, password=password)
            record("user.create", user, f"{user.email} ({user.role}), demo account from seed-demo")
            db.session.commit()
        made.append((office, email, password, "admin" if admin else "organiser"))
    return made


def print_offices(accounts) -> None:
    from ..offices.settings import segment

    base = current_app.config["SAMLINGER_BASE_URL"].rstrip("/")
    known = offices()
    if known.several:
        click.echo(f"Offices: {base}/ lists them")
    for office in known.all:
        click.echo(f"  {office.name_in(office.default_language)}: {base}{segment(office)}/ "
                   f"({office.default_language}; offers {','.join(office.languages)})")
        for shown, email, password, role in accounts:
            if shown.id == office.id:
                click.echo(f"    {role:<9} {email}  password: {password}")
    if accounts:
        click.echo(f"Sign in at {base}/logg-inn (each account sees its own office only); the first sign-in sets "
                   "up the second factor: an authenticator app.")
    else:
        click.echo("No demo accounts outside debug mode: make them with create-user EMAIL --name NAME --office SLUG")
