"""Issue 13: data stewards' decisions on the person matches entity resolution sent to review (clerical review)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_clerical_review"
down_revision: str | None = "0005_forms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=100), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("candidate_person_key", sa.String(length=64), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivery_file", sa.String(length=255), nullable=False),
        sa.CheckConstraint("decision in ('link', 'reject', 'new_person')", name=op.f("ck_match_decisions_decision")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_decisions")),
        sa.UniqueConstraint(
            "source_id", "entity", "record_id", "role", "version", name=op.f("uq_match_decisions_case_version")
        ),
    )
    with op.batch_alter_table("match_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_decisions_candidate_person_key"), ["candidate_person_key"], unique=False
        )


def downgrade() -> None:
    op.drop_table("match_decisions")
