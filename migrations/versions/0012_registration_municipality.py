"""registrations: the municipality from the register

A registration names its municipality by the register (municipality_id) instead of free text. Existing
registrations keep their text in `organisation`; those whose text certainly names one active municipality
of the register ("Vadsø", "vadsø kommune", "5607") get it now. The rest are marked `unmatched`, for an admin
to resolve on the workspace page /arrangor/kommuner/koble, which also matches them to a register loaded later.

Revision ID: 0012_registration_municipality
Revises: 0011_account_language
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0012_registration_municipality"
down_revision = "0011_account_language"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_registration_municipality_id_municipality"


def upgrade():
    # Not batch mode on SQLite: copying the table would drop it, and the outbox refers to its rows. SQLite
    # adds a column with its foreign key in place (and drops it again, 3.35 and later).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE registration ADD COLUMN municipality_id INTEGER "
                   f"CONSTRAINT {FOREIGN_KEY} REFERENCES municipality (id)")
    else:
        op.add_column("registration", sa.Column("municipality_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "registration", "municipality", ["municipality_id"], ["id"])
    op.add_column("registration", sa.Column("unmatched", sa.Boolean(), server_default=sa.text("false"),
                                            nullable=False))
    op.create_index("ix_registration_municipality_id", "registration", ["municipality_id"])
    _match_certain_texts()


# The matching rule as it was when this migration was written (municipalities/matching.py): a migration
# must do the same on every database, whatever the application's code becomes later.
_WORDS = "kommune|kommun|komm|kom|k|gielda|suohkan"
_AFFIX = re.compile(rf"^(?:(?:{_WORDS})\.?\s+)?(.*?)(?:\s+(?:{_WORDS})\.?)?$")


def _normalise(text):
    text = " ".join(unicodedata.normalize("NFC", text).casefold().replace("–", "-").split()).strip(" .,")
    return _AFFIX.match(text).group(1).strip(" .,")


def _certain_names(register):
    """Written form → municipality id, leaving out any form two municipalities share."""
    found, shared = {}, set()
    for id_, number, name, sami_name in register:
        names = {number, name}
        if sami_name:
            names |= {sami_name, f"{sami_name}-{name}", f"{name}-{sami_name}"}
        for key in {_normalise(n) for n in names}:
            if found.get(key, id_) != id_:
                shared.add(key)
            found[key] = id_
    return {key: id_ for key, id_ in found.items() if key not in shared}


def _match_certain_texts():
    conn = op.get_bind()
    known = _certain_names(conn.execute(sa.text(
        "SELECT id, number, name, sami_name FROM municipality WHERE active")).all())
    matched = 0
    for row in conn.execute(sa.text("SELECT id, organisation FROM registration")).fetchall():
        municipality_id = known.get(_normalise(row.organisation)) if row.organisation else None
        if municipality_id is not None:
            conn.execute(sa.text("UPDATE registration SET municipality_id = :m WHERE id = :id"),
                         {"m": municipality_id, "id": row.id})
            matched += 1
        else:
            conn.execute(sa.text("UPDATE registration SET unmatched = true WHERE id = :id"), {"id": row.id})
    if matched:
        print(f"0012: {matched} registrations matched to the municipality register")


def downgrade():
    op.drop_index("ix_registration_municipality_id", table_name="registration")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE registration DROP COLUMN unmatched")
        op.execute("ALTER TABLE registration DROP COLUMN municipality_id")
    else:
        op.drop_constraint(FOREIGN_KEY, "registration", type_="foreignkey")
        op.drop_column("registration", "unmatched")
        op.drop_column("registration", "municipality_id")
