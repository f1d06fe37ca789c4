"""The evaluation read as an operator would read it: every row of every table, PostgreSQL's system columns
(xmin, ctid), the SQLite file and its write-ahead log byte by byte. Nothing stored may tie an answer to the
person who gave it: answering writes the answer and nothing else, and no link that was mailed is kept in any
form. People answer here as they would, with the link from their mail, through the form."""

import base64
import hashlib
import struct
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, inspect, select, text

from samlinger import tokens
from samlinger.evaluations.models import LINK_SALT
from samlinger.extensions import db
from samlinger.registration import attendance
from samlinger.timeutil import utcnow

from . import factories
from .conftest import missing
from .test_evaluations import answer, links, open_evaluation, past_gathering
from .test_manage_links import database_text

ANSWER_TABLE = "evaluation_answer"


def _is_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _rows_but_answers(app) -> dict[str, list]:
    """Every row of every table but the answers, with PostgreSQL's row version (xmin) and place (ctid)."""
    with app.app_context():
        engine = db.engine
        found = {}
        with engine.connect() as conn:
            for name in sorted(inspect(engine).get_table_names()):
                if name == ANSWER_TABLE:
                    continue
                table = Table(name, MetaData(), autoload_with=conn)
                if engine.dialect.name == "postgresql":
                    query = text(f'SELECT xmin::text, ctid::text, t.*::text FROM "{name}" t ORDER BY ctid')
                else:
                    query = select(table)
                found[name] = sorted(tuple(map(repr, row)) for row in conn.execute(query))
        return found


def _answer_xmins(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(text(f"SELECT xmin::text FROM {ANSWER_TABLE}")))


def _mailed_links(app, smtp, deliver, attended: int) -> list[str]:
    gid = past_gathering(app, attended=attended, others=False)
    open_evaluation(app, gid)
    deliver()
    found = sorted(links(smtp).values())
    assert len(found) == attended
    return found


def test_answering_changes_nothing_but_adding_the_answer(app, client, smtp, deliver):
    """Two people answer. Every other row of every table is the same afterwards as before, also in its row
    version and place on PostgreSQL; so no invitation, registration, mail or counter records who answered, and
    no row shares a transaction (xmin) with an answer."""
    first, second = _mailed_links(app, smtp, deliver, 3)[:2]
    before = _rows_but_answers(app)
    assert answer(client, first, a="2", b="3", c="Lokalet var for lite").status_code == 302
    assert answer(client, second, a="5", b="5", c="Alt var bra").status_code == 302
    after = _rows_but_answers(app)
    changed = {name for name in before if before[name] != after[name]}
    assert not changed, f"answering changed {changed}"
    if not _is_sqlite(app):
        answers = _answer_xmins(app)
        assert len(answers) == 2, "each answer its own transaction"
        shared = {name for name, rows in after.items() for row in rows if row[0] in {repr(x) for x in answers}}
        assert not shared, f"rows written in an answer's transaction: {shared}"


# --- SQLite's write-ahead log, byte by byte ---------------------------------------------------------------

WAL_HEADER, FRAME_HEADER = 32, 24


def wal_transactions(path: Path) -> list[list[tuple[int, bytes]]]:
    """The committed transactions in a WAL file, each a list of (page number, page bytes) in the order written.

    Only frames of the log's current generation count (their salts are the header's): frames left over from
    before a restart are not part of the database."""
    data = path.read_bytes()
    if len(data) < WAL_HEADER:
        return []
    page_size = struct.unpack(">I", data[8:12])[0]
    salts = data[16:24]
    transactions, current = [], []
    offset = WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(data):
        page, commit_size = struct.unpack(">II", data[offset:offset + 8])
        if data[offset + 8:offset + 16] != salts:
            break
        current.append((page, data[offset + FRAME_HEADER:offset + FRAME_HEADER + page_size]))
        if commit_size:
            transactions.append(current)
            current = []
        offset += FRAME_HEADER + page_size
    return transactions


def pages_of(conn) -> dict[int, str]:
    """Which table or index each page of the database belongs to (SQLite's dbstat)."""
    try:
        return {page: name for name, page in conn.exec_driver_sql("SELECT name, pageno FROM dbstat")}
    except Exception:  # noqa: BLE001 - a SQLite built without the dbstat table
        missing("this SQLite has no dbstat table, which tells which table a page belongs to")


def _answer_indexes(conn) -> set[str]:
    return {name for (name,) in conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE tbl_name = ?", (ANSWER_TABLE,))}


def test_sqlite_an_answer_s_commit_in_the_write_ahead_log_holds_only_answer_pages(app, client, smtp, deliver):
    """In the WAL each commit is a run of whole pages. The commits that brought the answers may hold pages of
    the answer table (and the file's first page) only: a page of the invitations, the registrations or the
    outbox in the same commit would say whose answer it was."""
    if not _is_sqlite(app):
        pytest.skip("the write-ahead log of SQLite; PostgreSQL's transactions are read from xmin")
    found = _mailed_links(app, smtp, deliver, 3)
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    wal = Path(f"{path}-wal")
    with app.app_context():
        db.session.remove()
        with db.engine.connect() as conn:
            busy, _log, _done = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()  # an empty log
            assert busy == 0
    assert answer(client, found[0], a="1", b="2", c="First answer").status_code == 302
    assert answer(client, found[1], a="4", b="4", c="Second answer").status_code == 302
    with app.app_context(), db.engine.connect() as conn:
        owner = pages_of(conn)
        allowed = _answer_indexes(conn) | {"sqlite_schema", "sqlite_master"}
    transactions = wal_transactions(wal)
    with_answers = [t for t in transactions if any(text in page for text in (b"First answer", b"Second answer")
                                                   for _n, page in t)]
    assert len(with_answers) == 2, f"one commit per answer, found {len(with_answers)} of {len(transactions)}"
    for transaction in with_answers:
        others = {owner.get(page, f"page {page}") for page, _ in transaction} - allowed
        assert not others, f"an answer was committed together with pages of {others}"
    for answered in ("First answer", "Second answer"):
        assert any(answered.encode() in page for t in with_answers for _n, page in t)


def _stored_bytes(app) -> bytes:
    """The SQLite file and its WAL as they lie on disk."""
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _forms_of(app, token: str) -> tuple[list[str], list[bytes]]:
    """The token and what could stand for it: its hash, its random part and that part's hash as text; the
    random part and the signature as bytes."""
    with app.app_context():
        _evaluation, nonce = tokens.unsign_random(token, salt=LINK_SALT)
    signature = token.rsplit(".", 1)[1]
    texts = [token, hashlib.sha256(token.encode()).hexdigest(), nonce, hashlib.sha256(nonce.encode()).hexdigest(),
             _b64(nonce).hex(), signature, _b64(signature).hex()]
    return texts, [_b64(nonce), _b64(signature)]


def test_no_link_that_was_mailed_is_kept_in_any_form(app, client, smtp, deliver):
    """The links went by mail; the database keeps neither a link nor its hash nor its random part, in a table
    or anywhere in the SQLite file and its log: so nothing joins the mail sent to a person to the answer given
    with its link."""
    found = _mailed_links(app, smtp, deliver, 3)
    answer(client, found[0])
    rows = database_text(app)
    stored = _stored_bytes(app) if _is_sqlite(app) else b""
    for link in found:
        texts, raw = _forms_of(app, link.rsplit("/", 1)[1])
        for form in texts:
            assert form not in rows, f"{form} is kept in a table"
            assert form.encode() not in stored, f"{form} is in the database file or its log"
        for form in raw:
            assert form not in stored, f"{form!r} is in the database file or its log"


def test_who_was_invited_is_all_that_is_kept_of_the_invitations(app, client, smtp, deliver):
    """An invitation says who was asked (for the one reminder), not whether, when or with which link they
    answered."""
    found = _mailed_links(app, smtp, deliver, 2)
    answer(client, found[0])
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("evaluation_invitation")}
    assert columns == {"id", "evaluation_id", "registration_id"}, columns


# --- the minimum group ---------------------------------------------------------------------------------

def test_organiser_added_people_do_not_fill_the_minimum_group(app, client, organiser_client, smtp, deliver):
    """An organiser adds two walk-ins with addresses of their own and answers with their links: the one real
    person's answers must not stand alone in the results. Each person an organiser added raises the minimum."""
    gid = past_gathering(app, attended=1, others=False, days_ago=0)
    with app.app_context():
        gathering = db.session.get(factories.Gathering, gid)
        gathering.starts_at, gathering.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
        db.session.commit()
        for n in (1, 2):
            attendance.add_walk_in(gid, {"name": f"Walk In {n}", "organisation": "Alta kommune"},
                                   email=f"arrangor+{n}@statsforvalteren.test", language="nb")
    open_evaluation(app, gid)
    deliver()
    found = links(smtp)
    assert len(found) == 3
    real = found["p0@alta.kommune.no"]
    answer(client, real, a="1", b="1", c="Det eneste ekte svaret")
    for address, link in found.items():
        if address != "p0@alta.kommune.no":
            answer(client, link, a="5", b="5", c="Fyll")
    page = organiser_client.get(f"/arrangor/samlinger/{gid}/evalueringsresultat").get_data(as_text=True)
    assert "Det eneste ekte svaret" not in page and "<svg" not in page
    assert "3 svar" in page and "5 svar" in page, "says how many it needs, and why"
    assert "lagt til" in page and "arrangørene" in page
    with app.app_context():
        round_id = db.session.get(factories.Gathering, gid).round_id
    round_page = organiser_client.get(f"/arrangor/runder/{round_id}/evaluering").get_data(as_text=True)
    assert "Det eneste ekte svaret" not in round_page


def test_an_address_the_organisers_changed_raises_the_minimum_too(app):
    """Correcting a participant's address to a mailbox of the organisers' own would bring them that person's
    link: such a person counts as the organisers' (Registration.address_from_organiser)."""
    from samlinger.evaluations.models import Evaluation
    from samlinger.evaluations.results import MIN_GROUP, minimum
    from samlinger.registration import service as registrations
    from samlinger.registration.models import Registration

    gid = past_gathering(app, attended=3, others=False)
    with app.app_context():
        first = db.session.scalar(select(Registration.id).order_by(Registration.id))
        registrations.edit(first, {}, email="arrangor@statsforvalteren.test")
        assert db.session.get(Registration, first).address_from_organiser
        registrations.edit(first + 1, {}, email="p1@alta.kommune.no")  # the same address: not a change
    evaluation_id = open_evaluation(app, gid)
    with app.app_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        assert (evaluation.organiser_added, minimum(evaluation)) == (1, MIN_GROUP + 1)
