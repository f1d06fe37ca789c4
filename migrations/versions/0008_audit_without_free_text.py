"""audit log: no message subjects or cancellation reasons

Organisers' own words may name a participant, and the audit log outlives the retention purge. The app no
longer writes them into summaries; here the entries written before lose them too: "Message to all (3):
<subject>" becomes "Message to all (3)", "<title>: <reason> (3 notified)" becomes "<title> (3 notified)".
Nothing to undo: the words are gone.

Revision ID: 0008_audit_without_free_text
Revises: 0007_email_normalized_as_mailbox
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0008_audit_without_free_text"
down_revision = "0007_email_normalized_as_mailbox"
branch_labels = None
depends_on = None

audit_entry = sa.table("audit_entry", sa.column("id", sa.Integer), sa.column("action", sa.String),
                       sa.column("object_id", sa.Integer), sa.column("summary", sa.Text))
gathering = sa.table("gathering", sa.column("id", sa.Integer), sa.column("title", sa.String))

MESSAGE = re.compile(r"^(Message to \S+ \(\d+\)): ")
NOTIFIED = re.compile(r"\((\d+) notified\)$")


def _without_free_text(action: str, summary: str, title: str | None) -> str:
    if action == "message.send":
        found = MESSAGE.match(summary)
        return found.group(1) if found else "Message"
    found = NOTIFIED.search(summary)
    return f"{title or 'Gathering'} ({found.group(1) if found else '?'} notified)"


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(audit_entry.c.id, audit_entry.c.action, audit_entry.c.summary, gathering.c.title)
        .select_from(audit_entry.outerjoin(gathering, gathering.c.id == audit_entry.c.object_id))
        .where(audit_entry.c.action.in_(("message.send", "gathering.cancel")))
    ).all()
    for entry_id, action, summary, title in rows:
        title = title if action == "gathering.cancel" else None
        connection.execute(sa.update(audit_entry).where(audit_entry.c.id == entry_id)
                           .values(summary=_without_free_text(action, summary, title)))


def downgrade():
    pass
