"""Report forms (填表报数): forms, their target villages and items, and the labels stewards taught the matcher."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_forms"
down_revision: str | None = "0004_corrections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("template", sa.LargeBinary(), nullable=False),
        sa.Column("registered_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status in ('refused', 'prefilled', 'allowed')", name=op.f("ck_report_forms_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_forms")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_report_forms_fingerprint")),
    )
    op.create_index(op.f("ix_report_forms_department"), "report_forms", ["department"])
    op.create_table(
        "report_form_villages",
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["report_forms.id"],
            name=op.f("fk_report_form_villages_form_id_report_forms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("form_id", "code", name=op.f("pk_report_form_villages")),
    )
    op.create_table(
        "report_form_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("column", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("group_label", sa.String(length=200), nullable=True),
        sa.Column("element", sa.String(length=64), nullable=True),
        sa.Column("dataset", sa.String(length=100), nullable=True),
        sa.Column("field", sa.String(length=300), nullable=True),
        sa.Column("aggregate", sa.Boolean(), nullable=False),
        sa.Column("unit_factor", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("review", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["form_id"], ["report_forms.id"], name=op.f("fk_report_form_items_form_id_report_forms"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_form_items")),
    )
    op.create_index(op.f("ix_report_form_items_form_id"), "report_form_items", ["form_id"])
    op.create_table(
        "report_form_lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("element", sa.String(length=64), nullable=False),
        sa.Column("steward", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_form_lessons")),
        sa.UniqueConstraint("label", name=op.f("uq_report_form_lessons_label")),
    )


def downgrade() -> None:
    op.drop_table("report_form_lessons")
    op.drop_index(op.f("ix_report_form_items_form_id"), table_name="report_form_items")
    op.drop_table("report_form_items")
    op.drop_table("report_form_villages")
    op.drop_index(op.f("ix_report_forms_department"), table_name="report_forms")
    op.drop_table("report_forms")
