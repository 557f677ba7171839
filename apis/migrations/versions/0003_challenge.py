"""The challenge (揭榜挂帅): departments' data needs, each with the enterprise that took it, its proposal and
delivery (issue 10)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_challenge"
down_revision: str | None = "0002_api_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "challenge_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("datasets", sa.JSON(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taker_id", sa.Integer(), nullable=True),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_note", sa.Text(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('open', 'taken', 'delivered', 'accepted')", name=op.f("ck_challenge_needs_status")
        ),
        sa.ForeignKeyConstraint(
            ["taker_id"], ["enterprises.id"], name=op.f("fk_challenge_needs_taker_id_enterprises"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_needs")),
    )
    with op.batch_alter_table("challenge_needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_needs_department"), ["department"], unique=False)
        batch_op.create_index(batch_op.f("ix_challenge_needs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_challenge_needs_taker_id"), ["taker_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("challenge_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_needs_taker_id"))
        batch_op.drop_index(batch_op.f("ix_challenge_needs_status"))
        batch_op.drop_index(batch_op.f("ix_challenge_needs_department"))
    op.drop_table("challenge_needs")
