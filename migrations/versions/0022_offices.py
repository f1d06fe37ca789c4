"""offices: one installation for every county governor's office

`office` holds each office's address segment, names, languages and mail sender. The installation of before
becomes its first office, with the settings it had from the environment (SAMLINGER_OFFICE_NAME*,
SAMLINGER_DEFAULT_LANGUAGE, SAMLINGER_LANGUAGES, SAMLINGER_CONTACT_EMAIL, SAMLINGER_REPLY_TO; the segment from
SAMLINGER_OFFICE_SLUG or the name), and every round, gathering, municipality, account, audit entry and mail
belongs to it. Addresses without an office stay the first office's, so every link sent before keeps working.
A segment no office can have (a route's, a language's, not lower-case letters, digits and hyphens) stops the
upgrade before anything changes.
Accounts get `is_national_admin`. A municipality's number stays unique: it is national, and a municipality
is in one office's register.

Revision ID: 0022_offices
Revises: 0021_confirm_address
"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

import samlinger.timeutil
from samlinger.offices.service import check_slug
from samlinger.offices.settings import first_office_row
from samlinger.refusal import Refused
from samlinger.timeutil import utcnow

revision = "0022_offices"
down_revision = "0021_confirm_address"
branch_labels = None
depends_on = None

#: table → whether a row may belong to no office (a national administrator's account, entry or mail)
OWNED = {"round": False, "gathering": False, "municipality": False, "user_account": True, "audit_entry": True,
         "outbound_email": True}


def _first_office() -> dict:
    """The first office's row from the settings; stops (Flask-Migrate prints 'Error: …', nothing changed) for an
    address segment no office can have, which would hide a route (/arrangor/) or make the section unreachable."""
    row = first_office_row(current_app.config)
    try:
        check_slug(row["slug"])
    except Refused as refused:
        source = ("SAMLINGER_OFFICE_SLUG" if current_app.config.get("SAMLINGER_OFFICE_SLUG")
                  else "the address segment made from SAMLINGER_OFFICE_NAME")
        raise RuntimeError(f"0022_offices: {source}: {refused}. Set SAMLINGER_OFFICE_SLUG to the office's segment "
                           "(e.g. finnmark) and run the upgrade again") from None
    return row


def upgrade():
    first = _first_office()
    office = op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_nn", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_se", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("default_language", sa.String(length=5), nullable=False),
        sa.Column("languages", sa.String(length=40), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("reply_to", sa.String(length=254), nullable=False),
        sa.Column("created_at", samlinger.timeutil.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
        sa.UniqueConstraint("slug", name=op.f("uq_office_slug")),
    )
    op.bulk_insert(office, [{"id": 1, "created_at": utcnow(), **first}])
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:  # an id given is not taken from the sequence: the next office (create-office) is 2, not 1 again
        op.execute("SELECT setval(pg_get_serial_sequence('office', 'id'), 1)")
    if sqlite:
        # In place, as 0012 does: copying a table would drop it while other tables refer to its rows. SQLite adds
        # a NOT NULL column with a foreign key only with a default and the foreign key check off for the moment
        # (a setting of the connection, changed outside a transaction).
        _foreign_keys("OFF")
    for table, nullable in OWNED.items():
        foreign_key = f"fk_{table}_office_id_office"
        if sqlite:
            not_null = "" if nullable else " NOT NULL DEFAULT 1"
            op.execute(f"ALTER TABLE {table} ADD COLUMN office_id INTEGER{not_null} "
                       f"CONSTRAINT {foreign_key} REFERENCES office (id)")
        else:
            op.add_column(table, sa.Column("office_id", sa.Integer(), nullable=True))
            op.create_foreign_key(foreign_key, table, "office", ["office_id"], ["id"])
        op.create_index(f"ix_{table}_office_id", table, ["office_id"])
        op.execute(f"UPDATE {table} SET office_id = 1")
        if not nullable and not sqlite:
            op.alter_column(table, "office_id", nullable=False)
    if sqlite:
        _foreign_keys("ON")
    with op.batch_alter_table("user_account", recreate="never") as batch:
        batch.add_column(sa.Column("is_national_admin", sa.Boolean(), server_default="0", nullable=False))


def _foreign_keys(on_or_off: str) -> None:
    with op.get_context().autocommit_block():
        op.execute(f"PRAGMA foreign_keys={on_or_off}")


def downgrade():
    # Everything back into one office: refused while there are several, as rows would lose their office.
    if op.get_bind().execute(sa.text("SELECT count(*) FROM office")).scalar() > 1:
        raise RuntimeError("0022_offices: more than one office; a downgrade would mix their data into one")
    # A national administrator belongs to no office and reads no office's data; without offices the account would
    # be an organiser of the one office, with its participants' data. It is kept, deactivated, its sessions ended.
    national = op.get_bind().execute(sa.text(
        "SELECT email FROM user_account WHERE is_national_admin AND active ORDER BY id")).scalars().all()
    if national:
        op.execute(sa.text("UPDATE user_account SET active = false, session_version = session_version + 1 "
                           "WHERE is_national_admin"))
        print(f"0022_offices: national administrators deactivated, as they would be organisers of the office "
              f"without offices: {', '.join(national)}")
    op.execute(sa.text("ALTER TABLE user_account DROP COLUMN is_national_admin"))
    for table in reversed(OWNED):
        op.drop_index(f"ix_{table}_office_id", table_name=table)
        if op.get_bind().dialect.name == "sqlite":
            _foreign_keys("OFF")
            op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN office_id"))
            _foreign_keys("ON")
        else:
            op.drop_constraint(f"fk_{table}_office_id_office", table, type_="foreignkey")
            op.drop_column(table, "office_id")
    op.drop_table("office")
