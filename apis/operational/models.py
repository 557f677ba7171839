"""Every table of the operational database, in one module; a new table is a new Alembic migration beside it."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Named constraints, so migrations can drop or alter them the same way on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment with its time zone on every engine: SQLite keeps no zone, so values are stored in UTC and come
    back aware, and comparisons with `now()` work the same on SQLite and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: operational timestamps carry a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


class Role(StrEnum):
    """Who a person is to zhongtai; each role has one landing page and one dependency in `apis.auth`."""

    cadre = "cadre"
    department_reviewer = "department_reviewer"
    steward = "steward"
    analyst = "analyst"
    enterprise_admin = "enterprise_admin"


class Enterprise(Base):
    """A market entity registered to use the open-data API; `uscc` is checked with GB 32100 before it is stored."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    keys: Mapped[list[ApiKey]] = relationship(back_populates="enterprise")


class Account(Base):
    """A person who signs in. `scope` is the village code (cadre), department name (reviewer) or USCC (enterprise)."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("role in (" + ", ".join(f"'{r.value}'" for r in Role) + ")", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(nullable=True)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256, so a leaked table signs
    no one in. It ends when idle too long, when too old, or at sign-out."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)

    account: Mapped[Account] = relationship()


class ApiKey(Base):
    """A program's key: shown once, stored as the SHA-256 of its secret (keys are 256 random bits, so a fast hash
    cannot be brute-forced, and each request can check one cheaply); `prefix` lets a person tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)

    enterprise: Mapped[Enterprise] = relationship(back_populates="keys")


# ------------------------------------------------------------------------------------------------ issue 11: corrections
# A cadre's upload of a verified roster, and each of its rows that corrects or confirms a resident (还数于村). The
# department owning a corrected attribute decides it; the pipeline reads uploads and decisions only as deliveries of
# the "village verification" source that the API drops, never from these tables.


class CorrectionStatus(StrEnum):
    confirmed = "confirmed"  # "confirmed, no change": counts toward coverage, needs no review
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class CorrectionUpload(Base):
    """One roster a cadre sent back; the same file (sha256) is taken once per village."""

    __tablename__ = "correction_uploads"
    __table_args__ = (UniqueConstraint("village_code", "sha256", name="uq_correction_uploads_village_file"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    roster_version: Mapped[str] = mapped_column(String(64))
    delivery_file: Mapped[str] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(default=now)

    corrections: Mapped[list[Correction]] = relationship(back_populates="upload")


class Correction(Base):
    """One row of an upload: a changed attribute of one resident (a case for its owning department), or a
    confirmation that the row is right. `applied_*` is set once a published roster shows the accepted value."""

    __tablename__ = "corrections"
    __table_args__ = (
        CheckConstraint("status in (" + ", ".join(f"'{s.value}'" for s in CorrectionStatus) + ")", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("correction_uploads.id", ondelete="CASCADE"), index=True)
    village_code: Mapped[str] = mapped_column(String(12), index=True)
    person_key: Mapped[str] = mapped_column(String(64), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    attribute: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the roster column; None: confirmed
    title: Mapped[str | None] = mapped_column(String(100), nullable=True)
    old_value: Mapped[str | None] = mapped_column(String(500), nullable=True)
    new_value: Mapped[str | None] = mapped_column(String(500), nullable=True)
    department: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(default=now)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    applied_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(nullable=True)

    upload: Mapped[CorrectionUpload] = relationship(back_populates="corrections")
