"""organiser texts in Bokmål and Nynorsk

Round titles and introductions, gathering titles, descriptions and programmes and document titles get a
Nynorsk twin (`<column>_nn`). Existing texts stay where they are, as the Bokmål text; the Nynorsk ones
start empty, so every reader sees what they saw before until an organiser writes a translation.

Revision ID: 0013_texts_in_both_standards
Revises: 0012_registration_municipality
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_texts_in_both_standards"
down_revision = "0012_registration_municipality"
branch_labels = None
depends_on = None

#: table: [(column, type)]
TWINS = {
    "round": [("title_nn", sa.String(length=200)), ("intro_nn", sa.Text())],
    "gathering": [("title_nn", sa.String(length=200)), ("description_nn", sa.Text()),
                  ("programme_nn", sa.Text())],
    "document": [("title_nn", sa.String(length=200))],
}


# Plain ALTER TABLE on both databases (SQLite 3.35+ drops columns itself): a batch copy of `round` or
# `gathering` on SQLite would drop a table that other tables' foreign keys point to.
def upgrade():
    for table, columns in TWINS.items():
        for name, type_ in columns:
            op.add_column(table, sa.Column(name, type_, server_default="", nullable=False))


def downgrade():
    # A text written only in Nynorsk becomes the Bokmål one rather than leave an empty title behind.
    for table, columns in TWINS.items():
        for name, _type in columns:
            base = name.removesuffix("_nn")
            op.execute(sa.text(f"UPDATE {table} SET {base} = {name} WHERE {base} = '' AND {name} <> ''"))
        for name, _type in reversed(columns):
            op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {name}"))
