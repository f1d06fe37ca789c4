"""hybrid gatherings: on site, online or both, with the video link in a table of its own

A gathering gets its mode (existing ones are on site) and a hybrid gathering's online seats; a registration
gets its side (existing ones are on site). The video link, meeting id and passcode live in `video_link`, which
nothing public reads.

Revision ID: 0016_hybrid_gatherings
Revises: 0015_walk_ins
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_hybrid_gatherings"
down_revision = "0015_walk_ins"
branch_labels = None
depends_on = None


# Columns are added in place (no batch copy): on SQLite, copying `gathering` or `registration` would drop a
# table that other tables' foreign keys point to (see 0012, 0013).
def upgrade():
    op.add_column("gathering", sa.Column("mode", sa.String(length=10), server_default="on_site", nullable=False))
    op.add_column("gathering", sa.Column("online_capacity", sa.Integer(), nullable=True))
    op.add_column("registration", sa.Column("attendance_mode", sa.String(length=10), server_default="on_site",
                                            nullable=False))
    op.create_table(
        "video_link",
        sa.Column("gathering_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("meeting_id", sa.String(length=100), server_default="", nullable=False),
        sa.Column("passcode", sa.String(length=100), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["gathering_id"], ["gathering.id"], name=op.f("fk_video_link_gathering_id_gathering"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("gathering_id", name=op.f("pk_video_link")),
    )


def downgrade():
    # Online participants become on-site ones: the column that said otherwise goes.
    op.drop_table("video_link")
    for table, column in (("registration", "attendance_mode"), ("gathering", "online_capacity"),
                          ("gathering", "mode")):
        op.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN {column}"))
