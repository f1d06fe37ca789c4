"""municipality register: number, names, language decision, Sami area, active

The register of a county's municipalities, loaded from CSV (`flask load-municipalities`, the workspace's
import page). Registrations do not refer to it yet.

Revision ID: 0010_municipality_register
Revises: 0009_season_is_round
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_municipality_register"
down_revision = "0009_season_is_round"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "municipality",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sami_name", sa.String(length=100), nullable=False),
        sa.Column("language_decision", sa.String(length=10), nullable=False),
        sa.Column("sami_area", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("county", sa.String(length=100), nullable=False),
        sa.CheckConstraint("language_decision IN ('bokmal', 'nynorsk', 'neutral', 'unknown')",
                           name=op.f("ck_municipality_language_decision")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
        sa.UniqueConstraint("number", name=op.f("uq_municipality_number")),
    )


def downgrade():
    op.drop_table("municipality")
