"""Every office, as each process keeps them: read again whenever the content version changes.

Creating or changing an office raises the content version (pagecache.py) like any change public pages show, so
every process sees a new office at its next request. Before the database has its tables (`flask db upgrade` not
yet run) the installation's settings stand in as its one office.
"""

import threading
from dataclasses import dataclass

from flask import has_request_context, request
from sqlalchemy import inspect, select
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from .models import Office
from .settings import OfficeSettings, from_config

_LANGUAGE_CODES = ("nb", "nn", "en", "se")
#: the environ key of the offices a request was served with (read once per request, by SitePath)
SNAPSHOT = "samlinger.offices"


def settings_of(office: Office) -> OfficeSettings:
    return OfficeSettings(
        id=office.id, slug=office.slug, name=office.name, names=office.names, contact_email=office.contact_email,
        default_language=office.default_language,
        languages=tuple(code for code in office.languages.split(",") if code in _LANGUAGE_CODES),
        sender_name=office.sender_name, reply_to=office.reply_to)


@dataclass(frozen=True)
class Offices:
    """The offices at one content version, the first (the oldest) first."""

    version: int
    all: tuple

    @property
    def first(self) -> OfficeSettings:
        return self.all[0]

    @property
    def several(self) -> bool:
        return len(self.all) > 1

    def by_slug(self, slug: str) -> OfficeSettings | None:
        return next((office for office in self.all if office.slug == slug), None)

    def by_id(self, office_id: int | None) -> OfficeSettings | None:
        return next((office for office in self.all if office.id == office_id), None)


class Registry:
    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.engine = db.engine
        self.lock = threading.Lock()
        self.offices: Offices | None = None

    def get(self, version: int | None = None) -> Offices:
        """The offices as of *version* (read now when not given); in a request, as SitePath read them for it."""
        if version is None and has_request_context():
            kept = request.environ.get(SNAPSHOT)
            if kept is not None:
                return kept
        try:
            if version is None:
                version = self.app.extensions["samlinger.pagecache"].versions.read(self.engine)
            kept = self.offices
            if kept is not None and kept.version == version:
                return kept
            # In autocommit, outside any transaction: a request that has begun writing (on SQLite, holding the
            # write lock) reads the offices without waiting for itself.
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                rows = connection.execute(select(Office.__table__).order_by(Office.id)).all()
        except (DBAPIError, self.engine.dialect.loaded_dbapi.Error):
            if self._has_tables():
                raise  # a database that fails now (locked, gone): no page is served as if it had one office
            return Offices(-1, (from_config(self.app.config),))  # no tables yet: the settings are the office
        offices = tuple(settings_of(Office(**row._mapping)) for row in rows) or (from_config(self.app.config),)
        with self.lock:
            self.offices = Offices(version, offices)
        return self.offices


    def _has_tables(self) -> bool:
        """Whether the database has its office table (True also when it cannot tell: fail closed)."""
        try:
            return inspect(self.engine).has_table(Office.__tablename__)
        except Exception:  # noqa: BLE001 - a database that cannot answer this either
            return True


def init_app(app) -> Registry:
    registry = app.extensions["samlinger.offices"] = Registry(app)
    app.extensions["samlinger.first_office"] = lambda: registry.get().first
    return registry


def offices() -> Offices:
    from flask import current_app

    return current_app.extensions["samlinger.offices"].get()


def office_by_id(office_id: int | None) -> OfficeSettings | None:
    """The office with *office_id*, also one made in this transaction or since the request began (the offices
    every process keeps are those committed when it read them)."""
    known = offices().by_id(office_id)
    if known is None and office_id is not None:
        row = db.session.get(Office, office_id)
        known = settings_of(row) if row is not None else None
    return known
