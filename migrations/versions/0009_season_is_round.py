"""one name for a round: table season becomes round, gathering.season_id becomes round_id

The code, the URLs and the pages already said "round"; the database said "season". Data stays as it is:
the table and column are renamed, their index and constraints follow, and audit entries about rounds
name the new table.

Revision ID: 0009_season_is_round
Revises: 0008_audit_without_free_text
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_season_is_round"
down_revision = "0008_audit_without_free_text"
branch_labels = None
depends_on = None

audit_entry = sa.table("audit_entry", sa.column("object_type", sa.String))


def _rename(old: str, new: str) -> None:
    op.rename_table(old, new)  # SQLite rewrites gathering's foreign key to the new name itself
    op.drop_index(f"ix_gathering_{old}_id", table_name="gathering")
    # A plain RENAME COLUMN on both: SQLite's batch mode would copy the table, which registrations,
    # questions and documents refer to.
    op.execute(f'ALTER TABLE gathering RENAME COLUMN {old}_id TO {new}_id')
    op.create_index(f"ix_gathering_{new}_id", "gathering", [f"{new}_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'ALTER TABLE "{new}" RENAME CONSTRAINT pk_{old} TO pk_{new}')
        op.execute(f"ALTER TABLE gathering RENAME CONSTRAINT fk_gathering_{old}_id_{old} TO fk_gathering_{new}_id_{new}")
        op.execute(f"ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq")
    # SQLite cannot rename a constraint without copying the table; there the primary and foreign key keep
    # their old names (pk_season, fk_gathering_season_id_season) in the table's SQL. A later batch
    # migration that drops one of them on SQLite must use those names.
    op.execute(audit_entry.update().where(audit_entry.c.object_type == old).values(object_type=new))


def upgrade():
    _rename("season", "round")


def downgrade():
    _rename("round", "season")
