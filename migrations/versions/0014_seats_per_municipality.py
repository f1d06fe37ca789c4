"""seats per municipality: a limit per municipality and seats held for municipalities not yet registered

Three nullable columns on gathering; existing gatherings get none of either (NULL), so nothing changes
for them.

Revision ID: 0014_seats_per_municipality
Revises: 0013_texts_in_both_standards
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_seats_per_municipality"
down_revision = "0013_texts_in_both_standards"
branch_labels = None
depends_on = None

COLUMNS = [("per_municipality_limit", sa.Integer()), ("held_seats", sa.Integer()), ("held_until", sa.Date())]


# Plain ALTER TABLE on both databases, outside batch mode: a batch copy of `gathering` on SQLite would
# drop a table that registrations, documents, questions and the outbox refer to (see 0012, 0013).
def upgrade():
    for name, type_ in COLUMNS:
        op.add_column("gathering", sa.Column(name, type_, nullable=True))


def downgrade():
    for name, _type in reversed(COLUMNS):
        op.execute(sa.text(f"ALTER TABLE gathering DROP COLUMN {name}"))
