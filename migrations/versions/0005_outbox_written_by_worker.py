"""outbox: messages about a registration are written by the mail worker, from what the row keeps

Revision ID: 0005_outbox_written_by_worker
Revises: 0004_content_version
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_outbox_written_by_worker"
down_revision = "0004_content_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbound_email") as batch:
        batch.add_column(sa.Column("language", sa.String(length=10), nullable=False, server_default="nb"))
        batch.add_column(sa.Column("unwritten", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbound_email") as batch:
        batch.drop_column("unwritten")
        batch.drop_column("language")
