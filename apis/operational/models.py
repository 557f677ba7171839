"""Every table of the operational database, in one module; a new table is a new Alembic migration beside it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
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


# ------------------------------------------------------------------------------------------------ issue 10: access


class QuotaWindow(Base):
    """One caller's request count in its current fixed window (`bucket` is "key:<prefix>" or "addr:<address>").

    Kept here, not in each worker's memory, so every uvicorn worker (and every host on PostgreSQL) counts against
    the same number; one atomic upsert per request increments it (`apis.quota`)."""

    __tablename__ = "quota_windows"

    bucket: Mapped[str] = mapped_column(String(80), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    resets_at: Mapped[float] = mapped_column(Float)  # epoch seconds: plain arithmetic in one SQL statement


class ApplicationStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class DataApplication(Base):
    """An enterprise's request to use a conditional (有条件开放) dataset: purpose, fields and until when; decided by
    the dataset's owning department, which may approve it (fields and expiry as asked) or reject it with a reason."""

    __tablename__ = "data_applications"
    __table_args__ = (
        CheckConstraint("status in (" + ", ".join(f"'{s.value}'" for s in ApplicationStatus) + ")", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[str] = mapped_column(String(100), index=True)
    department: Mapped[str] = mapped_column(String(200), index=True)  # the owner when the application was made
    purpose: Mapped[str] = mapped_column(Text)
    fields: Mapped[str] = mapped_column(Text)  # comma-separated field names, in the dataset's order
    expires_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.pending.value)
    reason: Mapped[str] = mapped_column(Text, default="")
    applied_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)

    enterprise: Mapped[Enterprise] = relationship()

    @property
    def field_list(self) -> list[str]:
        return [f for f in self.fields.split(",") if f]


class UsageCount(Base):
    """Requests and rows served per day, API key (or "anonymous") and dataset ("" for routes of no dataset)."""

    __tablename__ = "usage_counts"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, Asia/Shanghai
    key_prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    enterprise_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)


# -------------------------------------------------------------------------------------- issue 10: the challenge


class NeedStatus(StrEnum):
    """A data need's life (揭榜挂帅): published by a department, taken by an enterprise with its proposal,
    delivered by that enterprise, accepted by the department."""

    open = "open"
    taken = "taken"
    delivered = "delivered"
    accepted = "accepted"


NEED_STATUS_TITLES: dict[str, str] = {"open": "征集中", "taken": "已揭榜", "delivered": "已交付", "accepted": "已验收"}


class ChallengeNeed(Base):
    """A department's published data need and, once an enterprise takes it, that enterprise's proposal and delivery.
    One taker per need: taking it is what moves it from open to taken."""

    __tablename__ = "challenge_needs"
    __table_args__ = (
        CheckConstraint("status in (" + ", ".join(f"'{s.value}'" for s in NeedStatus) + ")", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    datasets: Mapped[list[str]] = mapped_column(JSON)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=NeedStatus.open.value, index=True)
    published_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    taker_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="SET NULL"), nullable=True, index=True
    )
    proposal: Mapped[str] = mapped_column(Text, default="")
    taken_at: Mapped[datetime | None] = mapped_column(nullable=True)
    delivery_note: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(nullable=True)

    taker: Mapped[Enterprise | None] = relationship()


# ---------------------------------------------------------------------------------------- issue 12: report forms
# A department registers a form before sending it to villages (填表报数); each item is matched to what the platform
# holds; stewards confirm or correct matches, and a confirmed correction teaches the dictionary (FormLesson).


class FormStatus(StrEnum):
    """What the gate decided: refused (every item derivable: an automatic report replaces it), prefilled (some items
    derivable: villages get them filled), allowed (nothing derivable)."""

    refused = "refused"
    prefilled = "prefilled"
    allowed = "allowed"


class ReportForm(Base):
    """A form a department asked to send to villages, with the template it was registered from."""

    __tablename__ = "report_forms"
    __table_args__ = (
        CheckConstraint("status in (" + ", ".join(f"'{s.value}'" for s in FormStatus) + ")", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(500), default="")
    frequency: Mapped[str] = mapped_column(String(20))
    # SHA-256 of department, title and item labels: the same form registered twice (a new year's edition with other
    # items is a new form)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(200), default="")
    template: Mapped[bytes] = mapped_column(LargeBinary)  # the workbook whose layout reports and pre-fills copy
    registered_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    decided_at: Mapped[datetime] = mapped_column(default=now)  # the gate's last decision (a review can change it)

    items: Mapped[list[FormItem]] = relationship(
        back_populates="form", order_by="FormItem.position", cascade="all, delete-orphan"
    )
    villages: Mapped[list[FormVillage]] = relationship(cascade="all, delete-orphan", order_by="FormVillage.code")


class FormVillage(Base):
    __tablename__ = "report_form_villages"

    form_id: Mapped[int] = mapped_column(ForeignKey("report_forms.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(12), primary_key=True)


class FormItem(Base):
    """One data item of a form: its label as written, and what it is matched to (dataset and field, or nothing)."""

    __tablename__ = "report_form_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("report_forms.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    column: Mapped[int] = mapped_column(Integer)  # 0-based column in the template
    label: Mapped[str] = mapped_column(String(200))
    group_label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    element: Mapped[str | None] = mapped_column(String(64), nullable=True)
    dataset: Mapped[str | None] = mapped_column(String(100), nullable=True)
    field: Mapped[str | None] = mapped_column(String(300), nullable=True)
    aggregate: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_factor: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(500))
    review: Mapped[str] = mapped_column(String(20), default="pending")  # pending, confirmed, corrected
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(nullable=True)

    form: Mapped[ReportForm] = relationship(back_populates="items")

    @property
    def derivable(self) -> bool:
        return self.dataset is not None


class FormLesson(Base):
    """A label a steward confirmed as naming a data element: the matcher reads these as synonyms on its next match."""

    __tablename__ = "report_form_lessons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200), unique=True)
    element: Mapped[str] = mapped_column(String(64))
    steward: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)


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


# ------------------------------------------------------------------------------------------- issue 13: clerical review
# A data steward's decision on a person match entity resolution sent to review. The pipeline reads decisions only as
# deliveries of the "match_review" source that the API drops, never from this table.


class MatchDecisionKind(StrEnum):
    link = "link"  # the record is this candidate
    reject = "reject"  # the record is not this candidate
    new_person = "new_person"  # the record is none of the known people


class MatchDecision(Base):
    """One decision on one review case (a source record's person mention), taken on the queue of one published
    version; the same case can be decided again only on a later version's queue."""

    __tablename__ = "match_decisions"
    __table_args__ = (
        CheckConstraint("decision in (" + ", ".join(f"'{k.value}'" for k in MatchDecisionKind) + ")", name="decision"),
        UniqueConstraint("source_id", "entity", "record_id", "role", "version", name="uq_match_decisions_case_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(100))
    record_id: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))
    candidate_person_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    version: Mapped[str] = mapped_column(String(64))  # the published version whose queue showed the case
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(default=now)
    delivery_file: Mapped[str] = mapped_column(String(255))
