"""evaluations: a gathering's evaluation, its questions, invitations and anonymous answers

Four new tables; nothing existing changes. `evaluation_answer` has a random text key and, on SQLite, no rowid
(its rows are kept in key order, not in the order they came); neither it nor `evaluation_invitation` has a time.

Revision ID: 0017_evaluations
Revises: 0016_hybrid_gatherings
"""
import sqlalchemy as sa
from alembic import op

import samlinger.timeutil

revision = "0017_evaluations"
down_revision = "0016_hybrid_gatherings"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gathering_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("auto_open", sa.Boolean(), nullable=False),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("opened_at", samlinger.timeutil.UTCDateTime(), nullable=True),
        sa.Column("created_at", samlinger.timeutil.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["gathering_id"], ["gathering.id"], name=op.f("fk_evaluation_gathering_id_gathering")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation")),
        sa.UniqueConstraint("gathering_id", name=op.f("uq_evaluation_gathering_id")),
    )
    op.create_table(
        "evaluation_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"],
                                name=op.f("fk_evaluation_question_evaluation_id_evaluation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_question")),
    )
    op.create_index(op.f("ix_evaluation_question_evaluation_id"), "evaluation_question", ["evaluation_id"])
    op.create_table(
        "evaluation_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("link_secret", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"],
                                name=op.f("fk_evaluation_invitation_evaluation_id_evaluation")),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_evaluation_invitation_registration_id_registration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_invitation")),
        sa.UniqueConstraint("evaluation_id", "registration_id",
                            name=op.f("uq_evaluation_invitation_evaluation_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_evaluation_invitation_token_hash")),
    )
    op.create_index(op.f("ix_evaluation_invitation_evaluation_id"), "evaluation_invitation", ["evaluation_id"])
    op.create_index(op.f("ix_evaluation_invitation_registration_id"), "evaluation_invitation", ["registration_id"])
    op.create_table(
        "evaluation_answer",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"],
                                name=op.f("fk_evaluation_answer_evaluation_id_evaluation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_answer")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_evaluation_answer_evaluation_id"), "evaluation_answer", ["evaluation_id"])


def downgrade():
    op.drop_index(op.f("ix_evaluation_answer_evaluation_id"), table_name="evaluation_answer")
    op.drop_table("evaluation_answer")
    op.drop_index(op.f("ix_evaluation_invitation_registration_id"), table_name="evaluation_invitation")
    op.drop_index(op.f("ix_evaluation_invitation_evaluation_id"), table_name="evaluation_invitation")
    op.drop_table("evaluation_invitation")
    op.drop_index(op.f("ix_evaluation_question_evaluation_id"), table_name="evaluation_question")
    op.drop_table("evaluation_question")
    op.drop_table("evaluation")
