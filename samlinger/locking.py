"""Write transactions that serialise on one gathering, on SQLite and PostgreSQL alike.

PostgreSQL locks the gathering's row (SELECT ... FOR UPDATE). SQLite has no row locks, so
the transaction starts with BEGIN IMMEDIATE, which takes the database's write lock before
the first read; other writers wait (busy_timeout) instead of failing.

On SQLite every transaction that writes begins as a write: a transaction that began by reading (BEGIN, deferred)
and then writes cannot wait for the lock, it fails at once with «database is locked» when another connection
wrote in between. So a transaction begins IMMEDIATE when `begin_write()` asks for it, and every transaction of a
request that may change something (any method but GET, HEAD and OPTIONS) begins IMMEDIATE by itself, whatever
service it calls, with its audit entry and the content version raised before it commits. Reads (GET) stay
deferred and never wait for a writer. A GET that writes calls `begin_write()` first (an export's audit entry) or
is marked `@writes_on_get` (the identity provider's answer); where one does not, `DeferredWrite` is warned when
it writes (an error in the tests).
"""

import warnings

from flask import current_app, has_request_context, request
from flask_sqlalchemy.session import Session
from sqlalchemy import event, select

from .extensions import db

IMMEDIATE = {"sqlite_immediate": True}

#: methods that only read: their transactions begin deferred
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: on the SQLite connection: how the open transaction began ("immediate" or "deferred", then "read" once it has)
_BEGUN = "samlinger.begun"
_READS = ("SELECT", "WITH")
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class DeferredWrite(RuntimeWarning):
    """A request wrote on SQLite in a transaction that began by reading: under load it fails (database is locked)."""


def _request_may_write() -> bool:
    if not has_request_context():
        return False
    if request.method not in READING_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "writes_on_get", False)


def writes_on_get(view):
    """Mark a GET view that writes (a sign-in coming back from the identity provider): its transactions begin
    IMMEDIATE on SQLite like those of a POST."""
    view.writes_on_get = True
    return view


def configure_sqlite(engine) -> None:
    """Take over SQLite's transaction control so BEGIN IMMEDIATE can be asked for."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # The driver must not open transactions by itself; "begin" below does it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return  # asked for no transaction (a migration's PRAGMA foreign_keys, which a transaction ignores)
        immediate = conn.get_execution_options().get("sqlite_immediate") or _request_may_write()
        conn.info.pop(_BEGUN, None)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        conn.info[_BEGUN] = "immediate" if immediate else "deferred"

    @event.listens_for(engine, "before_cursor_execute")
    def _on_statement(conn, _cursor, statement, _parameters, _context, _executemany):
        begun = conn.info.get(_BEGUN)
        if begun is None or begun == "immediate":
            return
        verb = statement.lstrip()[:7].upper()
        if verb.startswith(_READS):
            conn.info[_BEGUN] = "read"
        elif verb.startswith(_WRITES) and begun == "read" and has_request_context():
            warnings.warn(DeferredWrite(f"{request.method} {request.path} writes in a transaction that began by "
                                        f"reading: call locking.begin_write() before its first read"), stacklevel=2)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn):
        conn.info.pop(_BEGUN, None)


WROTE = "samlinger.wrote"


@event.listens_for(Session, "after_flush")
def _note_write(session, _flush_context):
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state):
    if state.is_insert or state.is_update or state.is_delete:  # update(...), delete(...): no flush
        state.session.info[WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_write(session, transaction):
    if transaction.parent is None:
        session.info.pop(WROTE, None)


def begin_write() -> None:
    """Start a transaction that holds the write lock on SQLite (PostgreSQL locks rows as it goes).

    A transaction that has only read is ended first. One with changes is a mistake in the caller, who
    must commit them: they are never committed here on the side.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted or session.info.get(WROTE):
        raise RuntimeError("begin_write() inside a transaction that has changes: commit them first")
    session.rollback()
    session.connection(execution_options=IMMEDIATE)


def locked(model, row_id: int, *options):
    """Start a serialised write transaction and return the row *row_id* of *model*, fresh and locked.

    *options* are loader options, e.g. joinedload(..., innerjoin=True) for a parent read in the same
    statement; only *model*'s row is locked.
    """
    begin_write()
    statement = (
        select(model).where(model.id == row_id).options(*options).with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
    return db.session.execute(statement).scalar_one()


def claim(statement) -> bool:
    """Run a conditional UPDATE of one row (WHERE … IS NULL / IS FALSE) in a new write transaction: True if
    this process changed it and the transaction stays open for the work it claims; False (rolled back) if
    another got there first. What makes a reminder go once, also from several processes at once."""
    begin_write()
    if db.session.execute(statement.execution_options(synchronize_session=False)).rowcount == 1:
        return True
    db.session.rollback()
    return False
