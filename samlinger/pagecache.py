"""Public pages kept whole in each process, for as long as what they show is unchanged.

The database holds one counter, `content_version.version`. Every transaction that changes what public
pages show raises it just before it commits, in the same transaction, so the new number becomes visible
together with the change, in every process at once. What the pages show is declared beside the code that
computes it, `gatherings/public.SHOWS`: a round, a gathering or a document (any column), a registration added
or deleted, and the registration's columns the seat ledger counts by (gathering, side, status, municipality:
seats/ledger.SHOWN_COLUMNS, the columns its query groups by), so a column the ledger starts to read is watched
by that change alone. Nothing else of a registration is on a public page: check-ins, reminders, link renewals,
corrected names, anonymising and the outbox leave the version alone (an address registered again raises
it, to look to the public like a new registration: `extensions.mark_public_change`), so the pages stay kept
during the gathering day. Each request for a kept page reads the counter (one primary-key lookup); a page
built at another number is built again. A page also expires at the next instant that changes it by the clock
alone: a deadline, a start or an end (see `expires_at`).

The counter is raised by SQLAlchemy session events, so every ORM write anywhere in the code is seen,
also bulk `update()`/`delete()` through the session. Raw SQL that bypasses the ORM is not: call
`mark_changed()` next to it.

Which pages are kept is decided by allowlist, never by what a request lacks: the view is marked with
`@cached`, the request is a GET or HEAD without a query string or Authorization header, it carries no
cookie but the session's, and its session holds nothing but keys no public page reads (`PUBLIC_SESSION`:
the CSRF token and the receipt's address). A flashed message, a login or any new key makes the page be
built for that request alone. The key is the path, language included (`/nn/...`, see i18n.py). A page
that holds a CSRF token (a form) is never kept. A kept page goes out with an ETag and, once its second has
passed, a Last-Modified; `If-None-Match` / `If-Modified-Since` get 304 without a body, and
`Cache-Control: no-cache` lets browsers and shared caches keep the page but ask every time. Every other
answer (forms, flashes, logins, manage pages, errors) is `no-store` unless its view says otherwise.

One cache, two doors: `frontdoor.FrontDoor`, a WSGI layer, answers a kept page before Flask runs (the cheap path,
most readers); `cached`, inside Flask, builds and keeps pages, and answers when the front door could not.
"""

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache, wraps

from flask import Response, current_app, g, request, session
from flask_sqlalchemy.session import Session
from sqlalchemy import DDL, Integer, event, insert, inspect, update
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.http import http_date, parse_date, parse_etags, quote_etag

from .extensions import PUBLIC_CHANGE, db, mark_public_change
from .timeutil import utcnow

CHANGED = PUBLIC_CHANGE


class ContentVersion(db.Model):
    """One row: a number raised by every committed change to what the public pages show."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


event.listen(ContentVersion.__table__, "after_create",
             DDL("INSERT INTO content_version (id, version) VALUES (1, 0)"))

_READ_SQL = "SELECT version FROM content_version WHERE id = 1"
_RAISE = update(ContentVersion).where(ContentVersion.id == 1).values(version=ContentVersion.version + 1)


@lru_cache(maxsize=1)
def _shows() -> dict:
    """{model: the columns public pages show, or None for all}: declared where those pages are computed
    (gatherings/public.SHOWS; the registration's columns are those the seat ledger counts by)."""
    from .gatherings.public import SHOWS

    return SHOWS


def _changes_what_shows(session, obj) -> bool:
    """Whether a pending change to *obj* (in *session*) changes what a public page shows."""
    columns = _shows().get(type(obj), False)
    if columns is False:
        return False
    if columns is None:
        return session.is_modified(obj, include_collections=False)
    attrs = inspect(obj).attrs
    return any(getattr(attrs, name).history.has_changes() for name in columns)


def mark_changed(session=None) -> None:
    """Say that the current transaction changes what public pages show (for writes outside the ORM)."""
    mark_public_change(session)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session, _flush_context):
    if session.info.get(CHANGED):
        return
    shows = _shows()
    for obj in (*session.new, *session.deleted):
        if type(obj) in shows:
            session.info[CHANGED] = True
            return
    for obj in session.dirty:
        if _changes_what_shows(session, obj):
            session.info[CHANGED] = True
            return


def _columns_set(state) -> set[str] | None:
    """The names of the columns a bulk UPDATE sets, or None when they cannot be told."""
    statement = state.statement
    values = getattr(statement, "_values", None) or dict(getattr(statement, "_ordered_values", None) or ())
    keys = list(values)
    parameters = state.parameters
    if isinstance(parameters, dict):
        keys += list(parameters)
    elif isinstance(parameters, (list, tuple)):
        keys += [key for row in parameters for key in row]
    if not keys:
        return None
    return {key if isinstance(key, str) else getattr(key, "key", None) or str(key) for key in keys}


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state):
    if not (state.is_update or state.is_delete):
        return
    shows = _shows()
    for mapper in state.all_mappers:
        if mapper.class_ not in shows:
            continue
        watched = shows[mapper.class_]
        columns = None if state.is_delete else _columns_set(state)
        if watched is None or columns is None or columns & watched:
            state.session.info[CHANGED] = True
            return


@event.listens_for(Session, "before_commit")
def _raise_version(session):
    # Flush first, so that the counter is the last row the transaction writes: it is held locked only
    # for the moment before COMMIT, and always after any row lock the transaction took.
    session.flush()
    if session.info.pop(CHANGED, False):
        connection = session.connection()
        if connection.execute(_RAISE).rowcount == 0:  # the row is gone (a table emptied by hand)
            connection.execute(insert(ContentVersion).values(id=1, version=1))


@event.listens_for(Session, "after_rollback")
def _forget_changes(session):
    session.info.pop(CHANGED, None)


class VersionReader:
    """Reads the content version on a few connections of its own, in autocommit, outside the pool.

    The read is then a single round trip: a pooled connection would add a ping on checkout, BEGIN and a
    ROLLBACK on return on PostgreSQL, and the pool's bookkeeping, which together cost more than the read.
    A reader takes an idle connection (or opens one) and gives it back; at most `keep` stay open
    between reads, any more are closed at once, so a server that starts a thread per request (`flask run`)
    does not leave one connection per thread behind. A connection that fails (the server restarted) is
    closed and the read tried once more on a new one.
    """

    def __init__(self, keep: int = 8):
        self.keep = keep
        self.idle: list = []
        self.lock = threading.Lock()

    def _connect(self, engine):
        pooled = engine.raw_connection()  # runs the engine's connect hooks (SQLite PRAGMAs)
        pooled.detach()
        connection = pooled.dbapi_connection
        if engine.dialect.name == "postgresql":
            connection.rollback()  # the checkout's ping may have opened a transaction
            connection.autocommit = True
        # SQLite connections are already in autocommit: locking.configure_sqlite sets isolation_level None.
        return connection

    @staticmethod
    def _read(connection) -> int:
        cursor = connection.cursor()
        try:
            cursor.execute(_READ_SQL)
            row = cursor.fetchone()
        finally:
            cursor.close()
        return row[0] if row else 0

    def read(self, engine) -> int:
        for attempt in (1, 2):
            with self.lock:
                connection = self.idle.pop() if self.idle else None
            if connection is None:
                connection = self._connect(engine)
            try:
                version = self._read(connection)
            except engine.dialect.loaded_dbapi.Error:
                _close_quietly(connection)
                if attempt == 2:
                    raise
                continue
            except BaseException:
                _close_quietly(connection)
                raise
            with self.lock:
                if len(self.idle) < self.keep:
                    self.idle.append(connection)
                    return version
            _close_quietly(connection)
            return version
        raise AssertionError("unreachable")

    def close_all(self) -> None:
        """Close the idle connections (the engine is being disposed of)."""
        with self.lock:
            idle, self.idle = self.idle, []
        for connection in idle:
            _close_quietly(connection)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a broken connection may fail to close, too
        pass


def current_version() -> int:
    """The content version, read without the ORM session or its transaction."""
    return current_app.extensions["samlinger.pagecache"].versions.read(db.engine)


def expires_at(instant: datetime | None) -> None:
    """Say that the page being built changes by itself at *instant* (a deadline passes, ...)."""
    if instant is None or instant <= utcnow():
        return
    current = g.get("page_expires_at")
    if current is None or instant < current:
        g.page_expires_at = instant


#: the headers of a view's answer that are kept with the page; the rest is added again per request
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
#: session keys that no public page reads: the CSRF token of a form once seen, the receipt's address,
#: Flask-Login's "_fresh" (False in a session without a login; a login adds "_user_id", not in this list)
PUBLIC_SESSION = frozenset({"csrf_token", "receipt", "_fresh"})
#: kept pages: browsers and shared caches may keep them, but ask every time (an ETag makes that cheap)
CACHE_CONTROL = "no-cache"


@dataclass(frozen=True)
class Page:
    version: int
    body: bytes
    headers: tuple
    expires_at: datetime | None
    etag: str
    #: Last-Modified: the first whole second after the version was read. Unchanged since then for sure,
    #: so it is sent (and If-Modified-Since honoured) only once that second has passed.
    modified: datetime


class PageCache:
    """The pages of one process, at most one per path."""

    def __init__(self):
        self.pages: dict[str, Page] = {}
        self.versions = VersionReader()

    def get(self, key: str, version: int, now: datetime) -> Page | None:
        page = self.pages.get(key)
        return page if page is not None and self.holds(page, version, now) else None

    @staticmethod
    def holds(page: Page, version: int, now: datetime) -> bool:
        """Whether *page* still holds: built at *version* and not expired by the clock."""
        return page.version == version and (page.expires_at is None or now < page.expires_at)

    def put(self, key: str, page: Page) -> None:
        kept = self.pages.get(key)
        if kept is None or kept.version <= page.version:
            self.pages[key] = page


def init_app(app) -> None:
    app.config.setdefault("PAGE_CACHE", True)
    cache = app.extensions["samlinger.pagecache"] = PageCache()
    with app.app_context():
        event.listen(db.engine, "engine_disposed", lambda _engine: cache.versions.close_all())
    app.after_request(_not_stored_elsewhere)


def _not_stored_elsewhere(response):
    """Only kept pages may be stored by a browser or proxy: every other answer is no-store, unless its
    view decided (static files, downloads)."""
    if "Cache-Control" not in response.headers and request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _cacheable_request() -> bool:
    """Whether nothing personal can be in the answer (see the module's docstring): an allowlist."""
    if (not current_app.config["PAGE_CACHE"] or request.method not in ("GET", "HEAD") or request.query_string
            or "Authorization" in request.headers):
        return False
    cookies = request.cookies
    if not cookies:
        return True
    if any(name != current_app.config["SESSION_COOKIE_NAME"] for name in cookies):
        return False
    return session.keys() <= PUBLIC_SESSION


def _whole_second_after(instant: datetime) -> datetime:
    return instant.replace(microsecond=0) + timedelta(seconds=1)


def not_modified(page: Page, now: datetime, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """If-None-Match first (weak comparison, as for GET); If-Modified-Since only without it."""
    if if_none_match is not None:
        return parse_etags(if_none_match).contains_weak(page.etag)
    since = parse_date(if_modified_since)
    return since is not None and page.modified <= now and since >= page.modified


def validators(page: Page, now: datetime) -> list[tuple[str, str]]:
    headers = [("ETag", quote_etag(page.etag)), ("Cache-Control", CACHE_CONTROL)]
    if page.modified <= now:
        headers.append(("Last-Modified", http_date(page.modified)))
    return headers


def _answer(page: Page, now: datetime) -> Response:
    headers = validators(page, now)
    if not_modified(page, now, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")):
        response = Response(status=304, headers=headers)
        response.headers.pop("Content-Type", None)
        return response
    return Response(page.body, status=200, headers=[*page.headers, *headers])


def cached(view):
    """Keep the view's 200 answers in the process's pages and serve them while the content version holds.

    The view is thereby marked as one whose page depends only on its path and the data: it must not read
    the session, the query string or the user.
    """

    @wraps(view)
    def wrapper(**kwargs):
        if not _cacheable_request():
            return view(**kwargs)
        cache: PageCache = current_app.extensions["samlinger.pagecache"]
        version = current_version()  # read before the page's data: a page is never older than its number
        now = utcnow()
        key = request.script_root + request.path
        page = cache.get(key, version, now)
        if page is None:
            g.page_expires_at = None
            response = current_app.make_response(view(**kwargs))
            # Flask-WTF keeps the request's token in g: a page with a form belongs to one session.
            if response.status_code != 200 or response.is_streamed or "csrf_token" in g:
                return response
            body = response.get_data()
            headers = tuple((name, response.headers[name]) for name in KEPT_HEADERS if name in response.headers)
            page = Page(version, body, headers, g.page_expires_at, hashlib.blake2b(body, digest_size=16).hexdigest(),
                        _whole_second_after(now))
            cache.put(key, page)
        return _answer(page, now)

    wrapper.cacheable = True
    return wrapper
