"""registrations: walk-ins

People who came without registering are added on the spot from the check-in page: `walk_in` marks them
(confirmed and checked in at once). Every existing registration was made by registering, so all are false.

Revision ID: 0015_walk_ins
Revises: 0014_seats_per_municipality
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_walk_ins"
down_revision = "0014_seats_per_municipality"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite 3.35+ drops columns itself): a batch copy of `registration`
# on SQLite would drop a table the outbox's foreign key points to.
def upgrade():
    op.add_column("registration", sa.Column("walk_in", sa.Boolean(), server_default=sa.text("false"),
                                            nullable=False))


def downgrade():
    op.execute(sa.text("ALTER TABLE registration DROP COLUMN walk_in"))
