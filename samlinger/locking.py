"""Write transactions that serialise on one gathering, on SQLite and PostgreSQL alike.

PostgreSQL locks the gathering's row (SELECT ... FOR UPDATE). SQLite has no row locks, so
the transaction starts with BEGIN IMMEDIATE, which takes the database's write lock before
the first read; other writers wait (busy_timeout) instead of failing.
"""

from flask_sqlalchemy.session import Session
from sqlalchemy import event, select

from .extensions import db

IMMEDIATE = {"sqlite_immediate": True}


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
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


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
