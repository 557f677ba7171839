"""Issue 11: cadres' roster uploads and the corrections and confirmations in them, with the departments' decisions."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_corrections"
down_revision: str | None = "0003_challenge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "correction_uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("roster_version", sa.String(length=64), nullable=False),
        sa.Column("delivery_file", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_correction_uploads_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_uploads")),
        sa.UniqueConstraint("village_code", "sha256", name=op.f("uq_correction_uploads_village_file")),
    )
    with op.batch_alter_table("correction_uploads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_uploads_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_correction_uploads_village_code"), ["village_code"], unique=False)

    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("person_key", sa.String(length=64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("attribute", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("old_value", sa.String(length=500), nullable=True),
        sa.Column("new_value", sa.String(length=500), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("applied_version", sa.String(length=64), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('confirmed', 'pending', 'accepted', 'rejected')", name=op.f("ck_corrections_status")
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["correction_uploads.id"],
            name=op.f("fk_corrections_upload_id_correction_uploads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    with op.batch_alter_table("corrections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_corrections_department"), ["department"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrections_person_key"), ["person_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrections_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrections_upload_id"), ["upload_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_corrections_village_code"), ["village_code"], unique=False)


def downgrade() -> None:
    op.drop_table("corrections")
    op.drop_table("correction_uploads")
