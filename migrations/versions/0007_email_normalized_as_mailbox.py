"""registrations: one key per mailbox, however the address is written

`email_normalized`, the key of "one active registration per address and gathering", was the address in
lower case, so `kari@ａｌｔａ.kommune.no`, a decomposed `å` or `bø` next to `xn--b-5ga` each took a seat of
their own. It is recomputed here as the app now computes it (`normalise_email`): the local part in NFC
and lower case, the domain in its ASCII (IDNA) form. Anonymised rows keep their key.

Two active registrations of one gathering that now share a key are both kept: the later one's key gets
"#dup<id>" so the unique index holds, and a warning names both registrations for the organisers to
sort out (cancel one of them). Nothing else changes; `email` keeps what was stored.

Revision ID: 0007_email_normalized_as_mailbox
Revises: 0006_derived_manage_links
"""
import unicodedata

import sqlalchemy as sa
from alembic import op
from email_validator import EmailNotValidError, validate_email

revision = "0007_email_normalized_as_mailbox"
down_revision = "0006_derived_manage_links"
branch_labels = None
depends_on = None

KEY_LENGTH = 254

registration = sa.table(
    "registration",
    sa.column("id", sa.Integer), sa.column("gathering_id", sa.Integer), sa.column("status", sa.String),
    sa.column("email", sa.String), sa.column("email_normalized", sa.String),
    sa.column("created_at", sa.DateTime), sa.column("anonymised_at", sa.DateTime),
)


def mailbox_key(email: str) -> str:
    """samlinger.registration.models.normalise_email as of this revision (kept here so that later
    changes to the app do not change what this migration does)."""
    try:
        validated = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        return unicodedata.normalize("NFC", email.strip()).lower()
    return f"{unicodedata.normalize('NFC', validated.local_part).lower()}@{validated.ascii_domain.lower()}"


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(registration.c.id, registration.c.gathering_id, registration.c.status, registration.c.email,
                  registration.c.email_normalized)
        .where(registration.c.anonymised_at.is_(None))
        .order_by(registration.c.gathering_id, registration.c.created_at, registration.c.id)
    ).all()
    first_with_key: dict[tuple[int, str], int] = {}
    changed: dict[int, str] = {}
    for row in rows:
        key = mailbox_key(row.email)
        if row.status != "cancelled":
            first = first_with_key.setdefault((row.gathering_id, key), row.id)
            if first != row.id:
                suffix = f"#dup{row.id}"
                key = key[:KEY_LENGTH - len(suffix)] + suffix
                print(f"WARNING: registrations {first} and {row.id} (gathering {row.gathering_id}) are one "
                      f"mailbox written two ways and both active; both are kept, cancel one of them.")
        if key != row.email_normalized:
            changed[row.id] = key
    if not changed:
        return
    # In two steps, so that no row takes a key another row still holds for a moment.
    update = (registration.update().where(registration.c.id == sa.bindparam("row_id"))
              .values(email_normalized=sa.bindparam("key")))
    conn.execute(update, [{"row_id": i, "key": f"#migrating{i}"} for i in changed])
    conn.execute(update, [{"row_id": i, "key": key} for i, key in changed.items()])


def downgrade():
    # Going back leaves the keys as they are: they stay unique, which is all the older code needs.
    pass
