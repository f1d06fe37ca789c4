"""Public pages kept whole in each process, for as long as what they show is unchanged.

The database holds one counter, `content_version.version`. Every transaction that changes a round,
a gathering, a document or the seats of a gathering (a registration's status or gathering) raises it
just before it commits, in the same transaction, so the new number becomes visible together with the
change, in every process at once. Each request for a cached page reads the counter (one primary-key
lookup) before anything else; a page built at another number is built again. A page also expires at the
next instant that changes it by the clock alone: a deadline, a start or an end (see `expires_at`).

The counter is raised by SQLAlchemy session events, so every ORM write anywhere in the code is seen,
also bulk `update()`/`delete()` through the session. Raw SQL that bypasses the ORM is not: call
`mark_changed()` next to it.

What a cached page may not depend on: the person's session. Pages are kept per path and language; a
request with flashed messages, a logged-in user or a query string is never served from or put into the
cache, and a page that holds a CSRF token (a form) is not kept. Public pages have no form, so they go out
without touching the session: no cookie is set for a visitor who only reads.

Two layers serve kept pages: `FrontDoor`, around Flask, answers visitors who send no cookie with the
answer Flask gave (most readers, and the cheapest path); `cached`, inside Flask, serves the rest after
the session checks above.
"""

import threading
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from flask import Response, current_app, g, request, session
from flask_sqlalchemy.session import Session
from sqlalchemy import DDL, Integer, event, insert, inspect, update
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .timeutil import utcnow

CHANGED = "samlinger.content_changed"


class ContentVersion(db.Model):
    """One row: a number raised by every committed change to what the public pages show."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


event.listen(ContentVersion.__table__, "after_create",
             DDL("INSERT INTO content_version (id, version) VALUES (1, 0)"))

_READ_SQL = "SELECT version FROM content_version WHERE id = 1"
_RAISE = update(ContentVersion).where(ContentVersion.id == 1).values(version=ContentVersion.version + 1)


def _watched():
    from .documents.models import Document
    from .gatherings.models import Gathering, Round
    from .registration.models import Registration

    return (Round, Gathering, Document), Registration


def mark_changed(session=None) -> None:
    """Say that the current transaction changes what public pages show (for writes outside the ORM)."""
    (session or db.session()).info[CHANGED] = True


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session, _flush_context):
    if session.info.get(CHANGED):
        return
    content, Registration = _watched()
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, (*content, Registration)):
            session.info[CHANGED] = True
            return
    for obj in session.dirty:
        if isinstance(obj, content) and session.is_modified(obj, include_collections=False):
            session.info[CHANGED] = True
            return
        if isinstance(obj, Registration):
            attrs = inspect(obj).attrs
            if attrs.status.history.has_changes() or attrs.gathering_id.history.has_changes():
                session.info[CHANGED] = True
                return


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state):
    if state.is_update or state.is_delete:
        content, Registration = _watched()
        if any(mapper.class_ in (*content, Registration) for mapper in state.all_mappers):
            state.session.info[CHANGED] = True


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
    """Reads the content version on one connection per thread, kept outside the pool, in autocommit.

    The read is then a single round trip: a pooled connection would add a ping on checkout, BEGIN and a
    ROLLBACK on return on PostgreSQL, and the pool's bookkeeping, which together cost more than the read.
    A connection that fails (the server restarted) is replaced once.
    """

    def __init__(self):
        self.local = threading.local()
        self.opened: list = []
        self.lock = threading.Lock()

    def _connect(self, engine):
        pooled = engine.raw_connection()  # runs the engine's connect hooks (SQLite PRAGMAs)
        pooled.detach()
        connection = pooled.dbapi_connection
        if engine.dialect.name == "postgresql":
            connection.rollback()  # the checkout's ping may have opened a transaction
            connection.autocommit = True
        # SQLite connections are already in autocommit: locking.configure_sqlite sets isolation_level None.
        with self.lock:
            self.opened.append(connection)
        return connection

    def _read(self, connection) -> int:
        cursor = connection.cursor()
        try:
            cursor.execute(_READ_SQL)
            row = cursor.fetchone()
        finally:
            cursor.close()
        return row[0] if row else 0

    def read(self, engine) -> int:
        connection = getattr(self.local, "connection", None)
        if connection is not None:
            try:
                return self._read(connection)
            except engine.dialect.loaded_dbapi.Error:
                self._forget(connection)
        self.local.connection = self._connect(engine)
        return self._read(self.local.connection)

    def _forget(self, connection) -> None:
        self.local.connection = None
        with self.lock:
            if connection in self.opened:
                self.opened.remove(connection)
        _close_quietly(connection)

    def close_all(self) -> None:
        """Close every thread's connection (the engine is being disposed of)."""
        with self.lock:
            opened, self.opened = self.opened, []
        for connection in opened:
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


@dataclass(frozen=True)
class Page:
    version: int
    body: bytes
    status: int
    headers: tuple
    expires_at: datetime | None


class PageCache:
    """The pages of one process, at most one per (path, language)."""

    def __init__(self):
        self.pages: dict[tuple, Page] = {}
        self.versions = VersionReader()

    def get(self, key, version: int, now: datetime) -> Page | None:
        page = self.pages.get(key)
        if page is None or page.version != version or (page.expires_at is not None and now >= page.expires_at):
            return None
        return page

    def put(self, key, page: Page) -> None:
        kept = self.pages.get(key)
        if kept is None or kept.version <= page.version:
            self.pages[key] = page


def init_app(app) -> None:
    app.config.setdefault("PAGE_CACHE", True)
    cache = app.extensions["samlinger.pagecache"] = PageCache()
    with app.app_context():
        event.listen(db.engine, "engine_disposed", lambda _engine: cache.versions.close_all())
    app.wsgi_app = FrontDoor(app, app.wsgi_app, cache.versions)


#: set by `cached` on the WSGI environ of a request answered with a kept page: (language, version, expiry)
KEPT = "samlinger.kept_page"


@dataclass(frozen=True)
class Answer:
    """A kept page as Flask sent it: status line and every header its after-request hooks added."""

    version: int
    expires_at: datetime | None
    status: str
    headers: tuple
    body: bytes


class FrontDoor:
    """Answers a GET for a kept page before Flask runs, when the visitor sends no cookie.

    Without a cookie there is no session: no language chosen, no login, no flashed message. Such a page
    depends only on the path, the scheme and the browser's languages, and the visitor who only reads is
    most of the traffic. The first request goes through Flask, whose `cached` wrapper marks a kept page;
    the answer Flask gave is then given again, headers and all, while the content version and the clock
    allow. A cookie, a query string or any other method always goes through Flask.
    """

    def __init__(self, app, wsgi_app, versions: VersionReader):
        self.app, self.wsgi_app, self.versions = app, wsgi_app, versions
        self.answers: dict[tuple, Answer] = {}
        #: path -> whether its page is kept per language, learnt from the pages Flask built
        self.per_language: dict[str, bool] = {}
        with app.app_context():
            self.engine = db.engine

    @staticmethod
    def _key(environ, path: str, language: str | None) -> tuple:
        return path, environ.get("wsgi.url_scheme"), language

    def __call__(self, environ, start_response):
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING") or "HTTP_COOKIE" in environ
                or "HTTP_AUTHORIZATION" in environ or not self.app.config["PAGE_CACHE"]):
            return self.wsgi_app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        per_language = self.per_language.get(path)
        if per_language is not None:
            from . import browser_language

            language = browser_language(environ.get("HTTP_ACCEPT_LANGUAGE")) if per_language else None
            answer = self.answers.get(self._key(environ, path, language))
            if (answer is not None and answer.version == self.versions.read(self.engine)
                    and (answer.expires_at is None or utcnow() < answer.expires_at)):
                start_response(answer.status, list(answer.headers))
                return [answer.body]
        return self._through_flask(environ, start_response, path)

    def _through_flask(self, environ, start_response, path: str):
        sent = []

        def remember(status, headers, exc_info=None):
            sent.append((status, headers))
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember)
        kept = environ.get(KEPT)
        if kept is None or not sent or not sent[0][0].startswith("200 ") or any(
                name.lower() == "set-cookie" for name, _ in sent[0][1]):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        language, version, expires = kept
        key = self._key(environ, path, language)
        known = self.answers.get(key)
        if known is None or known.version <= version:
            self.per_language[path] = language is not None
            self.answers[key] = Answer(version, expires, sent[0][0], tuple(sent[0][1]), data)
        return [data]


def _cacheable_request() -> bool:
    return (current_app.config["PAGE_CACHE"] and not request.query_string
            and "_flashes" not in session and "_user_id" not in session)


def _serve(page: Page) -> Response:
    return Response(page.body, status=page.status, headers=list(page.headers))


def cached(view=None, *, per_language: bool = True):
    """Serve the view's 200 responses from the process's cache while the content version holds.

    *per_language*: keep one page per language (HTML); feeds without translated text keep one.
    """
    if view is None:
        return lambda view: cached(view, per_language=per_language)

    @wraps(view)
    def wrapper(**kwargs):
        if not _cacheable_request():
            return view(**kwargs)
        cache: PageCache = current_app.extensions["samlinger.pagecache"]
        version = current_version()  # read before the page's data: a page is never older than its number
        # The app's own locale selector: cheaper than get_locale(), which parses a babel Locale.
        language = current_app.extensions["babel"].locale_selector() if per_language else None
        key = (request.path, language)
        page = cache.get(key, version, utcnow())
        if page is not None:
            request.environ[KEPT] = (language, page.version, page.expires_at)
            return _serve(page)
        g.page_expires_at = None
        response = current_app.make_response(view(**kwargs))
        if per_language:
            response.vary.add("Accept-Language")  # shared caches must keep one copy per language
        # Flask-WTF keeps the request's token in g: a page with a form belongs to one session.
        if response.status_code != 200 or response.is_streamed or "csrf_token" in g:
            return response
        headers = tuple((k, v) for k, v in response.headers.items()
                        if k.lower() not in ("content-length", "set-cookie"))
        cache.put(key, Page(version, response.get_data(), response.status_code, headers, g.page_expires_at))
        request.environ[KEPT] = (language, version, g.page_expires_at)
        return response

    return wrapper
