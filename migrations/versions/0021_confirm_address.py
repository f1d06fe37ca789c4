"""a gathering may ask new registrations to confirm their address from the mail

`gathering.confirm_address_hours`: when set, a new registration from the public holds its seat (or its place in
the queue) only that many hours unless its address is confirmed from the link in the mail; `flask
release-unconfirmed` gives the seats of those not confirmed in time to the waiting list. Off (empty) for every
existing gathering. `registration.confirm_by` (until when) and `registration.address_confirmed_at` (when it
was confirmed) are empty for existing registrations: they have nothing to confirm.

Revision ID: 0021_confirm_address
Revises: 0020_second_factor_and_provider
"""
import sqlalchemy as sa
from alembic import op

import samlinger.timeutil

revision = "0021_confirm_address"
down_revision = "0020_second_factor_and_provider"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("gathering", sa.Column("confirm_address_hours", sa.Integer(), nullable=True))
    op.add_column("registration", sa.Column("confirm_by", samlinger.timeutil.UTCDateTime(), nullable=True))
    op.add_column("registration", sa.Column("address_confirmed_at", samlinger.timeutil.UTCDateTime(),
                                            nullable=True))


def downgrade():
    # In place (SQLite 3.35 or later, as 0014 does): a table copied anew would leave the rows that point at
    # its rows pointing at a dropped table.
    op.execute(sa.text("ALTER TABLE registration DROP COLUMN address_confirmed_at"))
    op.execute(sa.text("ALTER TABLE registration DROP COLUMN confirm_by"))
    op.execute(sa.text("ALTER TABLE gathering DROP COLUMN confirm_address_hours"))
