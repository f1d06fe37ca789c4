"""second factor (TOTP) and sign-in with the office's OpenID Connect provider

`user_account` gets the sealed TOTP secret, the last time step accepted and when it was enrolled, and the
person's subject at the provider; `recovery_code` keeps keyed hashes of the one-time recovery codes. Every
session ends (session_version goes up): a session begun with a password alone must not outlive the rule
that an organiser needs a second factor.

Revision ID: 0020_second_factor_and_provider
Revises: 0019_anonymity
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_second_factor_and_provider"
down_revision = "0019_anonymity"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", recreate="never") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("totp_enrolled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(length=400), nullable=True))
    op.create_index(op.f("ix_user_account_oidc_subject"), "user_account", ["oidc_subject"], unique=True)
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_recovery_code_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_code_code_hash")),
    )
    op.create_index(op.f("ix_recovery_code_user_id"), "recovery_code", ["user_id"], unique=False)
    op.execute("UPDATE user_account SET session_version = session_version + 1")


def downgrade():
    op.drop_index(op.f("ix_recovery_code_user_id"), table_name="recovery_code")
    op.drop_table("recovery_code")
    op.drop_index(op.f("ix_user_account_oidc_subject"), table_name="user_account")
    with op.batch_alter_table("user_account", recreate="never") as batch:
        batch.drop_column("oidc_subject")
        batch.drop_column("totp_enrolled_at")
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
