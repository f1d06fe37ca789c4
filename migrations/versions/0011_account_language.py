"""accounts: the language of their e-mails

Welcome and new-password e-mails were written in the language of whoever caused them (an admin creating
the account, anyone typing the address on the forgotten-password page). They are now written in the
account's own language: chosen when the account is made, then the language its owner last logged in
with. Existing accounts start in Bokmål.

Revision ID: 0011_account_language
Revises: 0010_municipality_register
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_account_language"
down_revision = "0010_municipality_register"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=5), server_default="nb", nullable=False))


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("language")
