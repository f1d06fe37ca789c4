"""evaluations anonymous to whoever reads the database; organisers' people raise the minimum group

Evaluation links are no longer stored: each is made by the mail worker and signed, and an answer is keyed by
its link, so answering writes nothing but the answer. `evaluation_invitation` keeps only who was invited: its
link secret, token hash and answered/reminded flags go. The table is written anew (copied, dropped and made
again, on SQLite with secure_delete on so the freed pages are zeroed), so that no row version, transaction id
or page of the old one, which answered together with the answers, is left in the live database; backups taken
before this revision still hold them. Links mailed before it stop working; the answers stay.

One seat per mailbox: `registration.email_normalized` folds a "+tag" (kari+1@ and kari+2@ are kari@), as
the mail cap does; existing keys are folded here (the address as typed stays in `email`). Two active
registrations of one gathering that now share a key are both kept, as 0007 did: the later one's key gets
"#dup<id>" so the unique index holds, and a warning names both for the organisers to cancel one.

`evaluation.reminded` marks the one reminder (sent to everyone invited), `evaluation.organiser_added` counts
those invited whom an organiser added or gave an address, and `registration.address_from_organiser` marks an
address an organiser changed, read back from the audit log for existing registrations. Mail queued but not yet
written names its evaluation instead of an invitation's token hash.

Revision ID: 0019_anonymity
Revises: 0017_evaluations
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0019_anonymity"
down_revision = "0017_evaluations"
branch_labels = None
depends_on = None

KEY_LENGTH = 254

registration = sa.table(
    "registration", sa.column("id", sa.Integer), sa.column("gathering_id", sa.Integer),
    sa.column("status", sa.String), sa.column("email_normalized", sa.String),
    sa.column("created_at", sa.DateTime), sa.column("anonymised_at", sa.DateTime))

outbox = sa.table("outbound_email", sa.column("id", sa.Integer), sa.column("unwritten", sa.JSON))

invitation = sa.table("evaluation_invitation", sa.column("id", sa.Integer), sa.column("evaluation_id", sa.Integer),
                      sa.column("registration_id", sa.Integer))


def _invitation_table(*extra):
    op.create_table(
        "evaluation_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        *extra,
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"],
                                name=op.f("fk_evaluation_invitation_evaluation_id_evaluation")),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_evaluation_invitation_registration_id_registration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_invitation")),
        sa.UniqueConstraint("evaluation_id", "registration_id", name=op.f("uq_evaluation_invitation_evaluation_id")),
        *([sa.UniqueConstraint("token_hash", name=op.f("uq_evaluation_invitation_token_hash"))] if extra else []),
    )
    op.create_index(op.f("ix_evaluation_invitation_evaluation_id"), "evaluation_invitation", ["evaluation_id"])
    op.create_index(op.f("ix_evaluation_invitation_registration_id"), "evaluation_invitation", ["registration_id"])


def _drop_invitation_table():
    op.drop_index(op.f("ix_evaluation_invitation_registration_id"), table_name="evaluation_invitation")
    op.drop_index(op.f("ix_evaluation_invitation_evaluation_id"), table_name="evaluation_invitation")
    op.drop_table("evaluation_invitation")


def _restart_ids():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('evaluation_invitation', 'id'), "
                   "COALESCE((SELECT max(id) FROM evaluation_invitation), 0) + 1, false)")


def folded(key: str) -> str:
    """A mailbox key without its "+tag" (samlinger.registration.models.normalise_email as of this revision)."""
    local, at, domain = key.rpartition("@")
    return f"{local.partition('+')[0] or local}{at}{domain}" if at else key


def fold_mailbox_keys(conn) -> None:
    rows = conn.execute(
        sa.select(registration.c.id, registration.c.gathering_id, registration.c.status,
                  registration.c.email_normalized)
        .where(registration.c.anonymised_at.is_(None))
        .order_by(registration.c.gathering_id, registration.c.created_at, registration.c.id)).all()
    first_with_key: dict[tuple[int, str], int] = {}
    changed: dict[int, str] = {}
    for row in rows:
        key = folded(row.email_normalized)
        if row.status != "cancelled":
            first = first_with_key.setdefault((row.gathering_id, key), row.id)
            if first != row.id:
                suffix = f"#dup{row.id}"
                key = key[:KEY_LENGTH - len(suffix)] + suffix
                print(f"WARNING: registrations {first} and {row.id} (gathering {row.gathering_id}) are one "
                      f"mailbox (a +tag) and both active; both are kept, cancel one of them.")
        if key != row.email_normalized:
            changed[row.id] = key
    if not changed:
        return
    # In two steps, so that no row takes a key another row still holds for a moment.
    update = (registration.update().where(registration.c.id == sa.bindparam("row_id"))
              .values(email_normalized=sa.bindparam("key")))
    conn.execute(update, [{"row_id": i, "key": f"#migrating{i}"} for i in changed])
    conn.execute(update, [{"row_id": i, "key": key} for i, key in changed.items()])


def upgrade():
    conn = op.get_bind()
    fold_mailbox_keys(conn)
    op.add_column("registration", sa.Column("address_from_organiser", sa.Boolean(), server_default=sa.text("false"),
                                            nullable=False))
    op.execute("UPDATE registration SET address_from_organiser = true WHERE id IN (SELECT object_id FROM audit_entry "
               "WHERE action = 'registration.edit' AND object_type = 'registration' AND summary LIKE '%new address%')")
    op.add_column("evaluation", sa.Column("organiser_added", sa.Integer(), server_default="0", nullable=False))
    op.add_column("evaluation", sa.Column("reminded", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.execute("UPDATE evaluation SET reminded = true WHERE id IN "
               "(SELECT evaluation_id FROM evaluation_invitation WHERE reminded)")
    op.execute("UPDATE evaluation SET organiser_added = (SELECT count(*) FROM evaluation_invitation i "
               "JOIN registration r ON r.id = i.registration_id WHERE i.evaluation_id = evaluation.id "
               "AND (r.added_by_organiser OR r.address_from_organiser))")

    # Mail queued and not yet written names its invitation by the old token hash: name the evaluation instead
    # (the worker makes the link now).
    evaluation_of = dict(conn.execute(sa.text("SELECT token_hash, evaluation_id FROM evaluation_invitation")).all())
    for row in conn.execute(sa.select(outbox.c.id, outbox.c.unwritten).where(outbox.c.unwritten.is_not(None))).all():
        if isinstance(row.unwritten, dict) and isinstance(row.unwritten.get("evaluation"), str):
            details = {**row.unwritten, "evaluation": evaluation_of.get(row.unwritten["evaluation"])}
            conn.execute(outbox.update().where(outbox.c.id == row.id).values(unwritten=details))

    kept = [dict(row._mapping) for row in conn.execute(
        sa.select(invitation.c.id, invitation.c.evaluation_id, invitation.c.registration_id).order_by(invitation.c.id))]
    if conn.dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")  # the dropped table's pages are overwritten with zeros
    _drop_invitation_table()
    _invitation_table()
    if kept:
        op.bulk_insert(invitation, kept)
    _restart_ids()


def downgrade():
    # Mailbox keys stay folded: they stay unique, which is all the older code needs.
    conn = op.get_bind()
    kept = conn.execute(sa.text(
        "SELECT i.id, i.evaluation_id, i.registration_id, e.reminded FROM evaluation_invitation i "
        "JOIN evaluation e ON e.id = i.evaluation_id ORDER BY i.id")).all()
    _drop_invitation_table()
    _invitation_table(sa.Column("link_secret", sa.String(length=64), nullable=False),
                      sa.Column("token_hash", sa.String(length=64), nullable=False),
                      sa.Column("answered", sa.Boolean(), nullable=False),
                      sa.Column("reminded", sa.Boolean(), nullable=False))
    old = sa.table("evaluation_invitation", *(sa.column(c) for c in (
        "id", "evaluation_id", "registration_id", "link_secret", "token_hash", "answered", "reminded")))
    if kept:  # links that never went out: nobody can answer with them, and nobody is taken for having answered
        op.bulk_insert(old, [{"id": row.id, "evaluation_id": row.evaluation_id, "registration_id": row.registration_id,
                              "link_secret": secrets.token_hex(32), "token_hash": secrets.token_hex(32),
                              "answered": False, "reminded": bool(row.reminded)} for row in kept])
    _restart_ids()
    op.execute(sa.text("ALTER TABLE evaluation DROP COLUMN reminded"))
    op.execute(sa.text("ALTER TABLE evaluation DROP COLUMN organiser_added"))
    op.execute(sa.text("ALTER TABLE registration DROP COLUMN address_from_organiser"))
