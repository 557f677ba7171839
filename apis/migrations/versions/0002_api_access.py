"""Open-data access (issue 10): shared quota windows, applications for conditional datasets, usage counts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_api_access"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quota_windows",
        sa.Column("bucket", sa.String(length=80), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("resets_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", name=op.f("pk_quota_windows")),
    )
    op.create_table(
        "data_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("applied_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('pending', 'approved', 'rejected')", name=op.f("ck_data_applications_status")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_data_applications_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_applications")),
    )
    for column in ("enterprise_id", "dataset_id", "department"):
        op.create_index(op.f(f"ix_data_applications_{column}"), "data_applications", [column])
    op.create_table(
        "usage_counts",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("dataset_id", sa.String(length=100), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "key_prefix", "dataset_id", name=op.f("pk_usage_counts")),
    )
    op.create_index(op.f("ix_usage_counts_enterprise_id"), "usage_counts", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_usage_counts_enterprise_id"), table_name="usage_counts")
    op.drop_table("usage_counts")
    for column in ("enterprise_id", "dataset_id", "department"):
        op.drop_index(op.f(f"ix_data_applications_{column}"), table_name="data_applications")
    op.drop_table("data_applications")
    op.drop_table("quota_windows")
