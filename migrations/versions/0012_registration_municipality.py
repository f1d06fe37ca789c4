"""registrations: the municipality from the register

A registration names its municipality by the register (municipality_id) instead of free text. Existing
registrations keep their text in `organisation`; those whose text certainly names one active municipality
of the register ("Vadsø", "vadsø kommune", "5607") get it now. The rest are marked `unmatched`, for an admin
to resolve on the workspace page /arrangor/kommuner/koble, which also matches them to a register loaded later.

Revision ID: 0012_registration_municipality
Revises: 0011_account_language
"""
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

revision = "0012_registration_municipality"
down_revision = "0011_account_language"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration") as batch_op:
        batch_op.add_column(sa.Column("municipality_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("unmatched", sa.Boolean(), server_default=sa.text("false"), nullable=False))
        batch_op.create_index("ix_registration_municipality_id", ["municipality_id"])
        batch_op.create_foreign_key("fk_registration_municipality_id_municipality", "municipality",
                                    ["municipality_id"], ["id"])
    _match_certain_texts()


def _match_certain_texts():
    from samlinger.municipalities.matching import certain_match, index

    conn = op.get_bind()
    register = [SimpleNamespace(id=row.id, number=row.number, name=row.name, sami_name=row.sami_name)
                for row in conn.execute(sa.text(
                    "SELECT id, number, name, sami_name FROM municipality WHERE active"))]
    known = index(register)
    matched = 0
    for row in conn.execute(sa.text("SELECT id, organisation FROM registration")).fetchall():
        municipality = certain_match(row.organisation, known)
        if municipality is not None:
            conn.execute(sa.text("UPDATE registration SET municipality_id = :m WHERE id = :id"),
                         {"m": municipality.id, "id": row.id})
            matched += 1
        else:
            conn.execute(sa.text("UPDATE registration SET unmatched = true WHERE id = :id"), {"id": row.id})
    if matched:
        print(f"0012: {matched} registrations matched to the municipality register")


def downgrade():
    with op.batch_alter_table("registration") as batch_op:
        batch_op.drop_constraint("fk_registration_municipality_id_municipality", type_="foreignkey")
        batch_op.drop_index("ix_registration_municipality_id")
        batch_op.drop_column("unmatched")
        batch_op.drop_column("municipality_id")
