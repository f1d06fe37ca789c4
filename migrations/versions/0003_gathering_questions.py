"""gathering questions

Revision ID: 0003_gathering_questions
Revises: 0002_audit_log
Create Date: 2026-11-22 09:38:10.963690

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_gathering_questions'
down_revision = '0002_audit_log'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['gathering_id'], ['gathering.id'], name=op.f('fk_question_gathering_id_gathering')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question'))
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_gathering_id'), ['gathering_id'], unique=False)



def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_gathering_id'))

    op.drop_table('question')
