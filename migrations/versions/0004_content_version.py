"""content version: the number that public pages kept in each process are checked against

Revision ID: 0004_content_version
Revises: 0003_gathering_questions
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_content_version"
down_revision = "0003_gathering_questions"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "content_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade():
    op.drop_table("content_version")
