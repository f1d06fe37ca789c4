"""manage links derived from a per-registration secret; no usable link left in the outbox

Registrations get `link_secret` (NULL for existing ones: their random link keeps working until a link
has to be mailed, when they get a secret and the old link ends once). The outbox forgets every token:
queued rows keep only the hash of the manage link they may carry (when it is still the registration's
link), queued reset e-mails name their account, and the bodies of all rows have the token in their
links replaced by "…".

Revision ID: 0006_derived_manage_links
Revises: 0005_outbox_written_by_worker
"""
import hashlib
import re

import sqlalchemy as sa
from alembic import op

revision = "0006_derived_manage_links"
down_revision = "0005_outbox_written_by_worker"
branch_labels = None
depends_on = None

TOKEN_IN_LINK = re.compile(r"(/pamelding/|/logg-inn/nytt-passord/)[A-Za-z0-9_.=-]+")
MANAGE_TOKEN = re.compile(r"/pamelding/([A-Za-z0-9_-]+)")
PENDING = ("queued", "sending")
BATCH = 500
#: messages the worker of this version writes itself; an older worker cannot
WRITTEN_BY_WORKER_NOW = ("new_link", "reminder", "documents_ready", "account_reset", "account_welcome")

outbound = sa.table(
    "outbound_email", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("status", sa.String),
    sa.column("recipient", sa.String), sa.column("unwritten", sa.JSON), sa.column("text_body", sa.Text),
    sa.column("html_body", sa.Text), sa.column("registration_id", sa.Integer), sa.column("last_error", sa.Text),
)
registration = sa.table("registration", sa.column("id", sa.Integer), sa.column("manage_token_hash", sa.String))
user = sa.table("user_account", sa.column("id", sa.Integer), sa.column("email", sa.String))


def _link_hash(conn, registration_id, token):
    """The hash of *token* if it is still the registration's link; None for a link that already ended."""
    if not token or registration_id is None:
        return None
    current = conn.execute(sa.select(registration.c.manage_token_hash)
                           .where(registration.c.id == registration_id)).scalar()
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    return token_hash if token_hash == current else None


def upgrade():
    with op.batch_alter_table("registration") as batch:
        batch.add_column(sa.Column("link_secret", sa.String(length=64), nullable=True))

    conn = op.get_bind()
    ids = conn.execute(sa.select(outbound.c.id).where(sa.or_(
        outbound.c.unwritten.is_not(None), outbound.c.text_body.contains("/pamelding/"),
        outbound.c.text_body.contains("/nytt-passord/"), outbound.c.html_body.contains("/pamelding/"),
        outbound.c.html_body.contains("/nytt-passord/"),
    )).order_by(outbound.c.id)).scalars().all()
    # A few hundred bodies at a time: an outbox of years should not have to fit in memory at once.
    for start in range(0, len(ids), BATCH):
        rows = conn.execute(sa.select(outbound).where(outbound.c.id.in_(ids[start:start + BATCH]))).mappings().all()
        for row in rows:
            _scrub(conn, row)


def _scrub(conn, row):
    """Forget the tokens of one outbox row; hand messages written with their link to the worker."""
    values = {"text_body": TOKEN_IN_LINK.sub(r"\1…", row["text_body"] or ""),
              "html_body": TOKEN_IN_LINK.sub(r"\1…", row["html_body"] or "")}
    unwritten = row["unwritten"]
    if unwritten is not None and "token" in unwritten:
        unwritten = {k: v for k, v in unwritten.items() if k != "token"}
        unwritten["link"] = _link_hash(conn, row["registration_id"], row["unwritten"]["token"])
        values["unwritten"] = unwritten
    elif unwritten is None and row["status"] in PENDING:
        # Written when queued, link and all: the worker writes these now, with the link computed then.
        if row["kind"].startswith("account_"):
            account = conn.execute(sa.select(user.c.id).where(
                sa.func.lower(user.c.email) == row["recipient"].lower())).scalar()
            if account is None:
                values.update(status="failed", last_error="the account no longer exists")
            else:
                values["unwritten"] = {"user": account}
        elif row["kind"] in ("reminder", "documents_ready"):
            token = MANAGE_TOKEN.search(row["text_body"] or "")
            values["unwritten"] = {"invite": None,
                                   "link": _link_hash(conn, row["registration_id"], token and token.group(1))}
    conn.execute(sa.update(outbound).where(outbound.c.id == row["id"]).values(**values))


def downgrade():
    conn = op.get_bind()
    pending = conn.execute(sa.select(outbound.c.id, outbound.c.kind, outbound.c.unwritten).where(
        outbound.c.status.in_(PENDING), outbound.c.unwritten.is_not(None))).mappings().all()
    for row in pending:
        if row["kind"] in WRITTEN_BY_WORKER_NOW or not isinstance(row["unwritten"], dict):
            values = {"status": "failed", "last_error": "queued by a newer version"}
        else:
            # The older worker expects a token; it writes the message without a link.
            unwritten = {k: v for k, v in row["unwritten"].items() if k != "link"}
            values = {"unwritten": {**unwritten, "token": None}}
        conn.execute(sa.update(outbound).where(outbound.c.id == row["id"]).values(**values))
    with op.batch_alter_table("registration") as batch:
        batch.drop_column("link_secret")
