"""The district credit office's (区信用办) credit-repair register: applications against real penalties, reviewed.

The register is one more upstream system, kept by the credit office as an Excel workbook (a title row above the
header) and delivered whole into its drop folder. Its applications name penalties the sandbox's credit sources
really deliver (one-window credit records and the market regulator's penalty system); some are approved, some
rejected, some still under review, and some approved before the penalty's shortest publication period ended, so
the repair only takes effect when that period ends. What the register should do to each record is kept apart, in
the truth folder (`credit_repairs.parquet`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
import polars as pl

from sandbox.writers import workbook

SYSTEM_ID = "xy_credit_repair"
ENTITY = "repair_applications"
TITLE = "信用修复申请登记台账"
# key of the frame -> the register's column header (catalog/sources/xy_credit_repair.yaml names the same headers)
HEADERS = {
    "application_no": "申请编号",
    "record_no": "原决定书文号",
    "source_id": "原记录来源系统",
    "subject_name": "主体名称",
    "subject_id": "统一社会信用代码或身份证号",
    "applied_on": "申请日期",
    "review_result": "审查结论",
    "reviewed_on": "审查日期",
    "review_office": "经办科室",
}
APPROVED, REJECTED, PENDING = "准予修复", "不予修复", "审查中"
OFFICES = ["信用修复科", "信用监管科"]
PENALTY = "行政处罚"
# The national rule the credit office applies (the warehouse reads it from its seed credit_publication_rules):
# a penalty is published for 36 months and can be repaired once 6 of them have passed.
MIN_PUBLISH_MONTHS = 6
MAX_PUBLISH_MONTHS = 36
REPAIR_SHARE = 0.08  # of the penalties published today, the share someone applied to have repaired
MIN_APPLICATIONS = 8  # so even `tiny` has every kind of case
TRUTH_COLUMNS = [
    "application_no",
    "source_id",
    "record_no",
    "record_type",
    "decided_on",
    "subject_type",
    "person_id",
    "enterprise_id",
    "subject_name",
    "subject_id",
    "applied_on",
    "review_result",
    "reviewed_on",
    "review_office",
    "repairable_from",
    "effective_on",
    "state",
]

AtomicPath = Callable[[Path], AbstractContextManager[Path]]


def _penalties(
    credit_records: pl.DataFrame,
    persons: pl.DataFrame,
    enterprises: pl.DataFrame,
    sj_penalties: pl.DataFrame | None,
    enterprise_records: pl.DataFrame,
) -> pl.DataFrame:
    """Every penalty the credit sources deliver, with its true subject (clean name and identifier)."""
    people = persons.select("person_id", p_name="name", p_id="citizen_id")
    orgs = enterprises.select("enterprise_id", e_name="name", e_id="uscc")
    onewindow = (
        credit_records.filter(pl.col("record_type") == PENALTY)
        .select("record_no", "person_id", "enterprise_id", "decided_on")
        .with_columns(source_id=pl.lit("onewindow"))
    )
    frames = [onewindow]
    if sj_penalties is not None:
        owners = enterprise_records.filter(pl.col("system") == "sj_penalties").select(
            record_no="record_id", enterprise_id="enterprise_id"
        )
        frames.append(
            sj_penalties.select("record_no", decided_on="event_date")
            .join(owners, on="record_no", how="left")
            .with_columns(source_id=pl.lit("sj_penalties"), person_id=pl.lit(None, dtype=pl.String))
        )
    both = pl.concat([f.select("source_id", "record_no", "person_id", "enterprise_id", "decided_on") for f in frames])
    return (
        both.join(people, on="person_id", how="left")
        .join(orgs, on="enterprise_id", how="left")
        .with_columns(
            record_type=pl.lit(PENALTY),
            subject_type=pl.when(pl.col("person_id").is_not_null())
            .then(pl.lit("person"))
            .otherwise(pl.lit("enterprise")),
            subject_name=pl.coalesce("p_name", "e_name"),
            subject_id=pl.coalesce("p_id", "e_id"),
        )
        .drop("p_name", "p_id", "e_name", "e_id")
        .filter(pl.col("subject_id").is_not_null())
        .sort("source_id", "record_no")
    )


def _windows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        repairable_from=pl.col("decided_on").dt.offset_by(f"{MIN_PUBLISH_MONTHS}mo"),
        published_until=pl.col("decided_on").dt.offset_by(f"{MAX_PUBLISH_MONTHS}mo"),
    )


def _counts(n: int, shares: dict[str, float]) -> np.ndarray:
    """n kinds with at least one of each (when n allows), the rest by share, the first kind taking the remainder."""
    kinds = list(shares)
    rest = [max(1, round(n * shares[k])) if n >= len(kinds) else 0 for k in kinds[1:]]
    first = max(n - sum(rest), 0)
    return np.repeat(np.asarray(kinds), [first, *rest])[:n]


def build_register(
    seed: int,
    as_of: dt.date,
    credit_records: pl.DataFrame,
    persons: pl.DataFrame,
    enterprises: pl.DataFrame,
    sj_penalties: pl.DataFrame | None,
    enterprise_records: pl.DataFrame,
) -> pl.DataFrame:
    """The register on `as_of` as truth (TRUTH_COLUMNS): the same inputs and seed always give the same register."""
    rng = np.random.default_rng([seed, 31])  # its own stream: adding the register changes no other delivery
    today = (as_of - dt.date(1970, 1, 1)).days
    penalties = _windows(_penalties(credit_records, persons, enterprises, sj_penalties, enterprise_records))
    published = penalties.filter((pl.col("decided_on") <= as_of) & (pl.col("published_until") > as_of))
    # not yet repairable, but old enough to have been applied for and reviewed
    young = published.filter(
        (pl.col("repairable_from") > as_of) & (pl.col("decided_on") <= as_of - dt.timedelta(days=10))
    )
    # repairable long enough ago for an application after the period and its review
    old = published.filter(pl.col("repairable_from") <= as_of - dt.timedelta(days=20))
    n = min(max(MIN_APPLICATIONS, round(REPAIR_SHARE * published.height)), young.height + old.height)
    n_young = min(young.height, max(2, round(0.2 * n)))
    n_old = min(old.height, n - n_young)

    def sample(frame: pl.DataFrame, k: int) -> pl.DataFrame:
        return frame[np.sort(rng.choice(frame.height, k, replace=False))] if k else frame.clear()

    chosen_young = sample(young, n_young).with_columns(
        kind=pl.Series(rng.permutation(_counts(n_young, {"early": 0.5, "rejected": 0.25, "pending": 0.25})))
    )
    chosen_old = sample(old, n_old).with_columns(
        kind=pl.Series(rng.permutation(_counts(n_old, {"approved": 0.6, "rejected": 0.25, "pending": 0.15})))
    )
    chosen = pl.concat([chosen_young, chosen_old])
    k = chosen.height
    decided = chosen["decided_on"].cast(pl.Int64).to_numpy()
    repairable = chosen["repairable_from"].cast(pl.Int64).to_numpy()
    kind = chosen["kind"].to_numpy()
    # most apply once the shortest period is over; a quarter of the old ones applied before it ended
    room = np.maximum((today - 15) - repairable, 1)
    after_period = repairable + (rng.random(k) * room).astype(np.int64)
    early_old = decided + rng.integers(15, 150, k)
    age = np.maximum(today - decided, 10)
    early_young = decided + 3 + (rng.random(k) * (age - 8)).astype(np.int64)
    applied = np.where(rng.random(k) < 0.25, early_old, after_period)
    applied = np.where((chosen["repairable_from"] > as_of).to_numpy(), early_young, applied)
    pending = np.maximum(decided + 1, today - rng.integers(1, 15, k))
    applied = np.where(kind == "pending", pending, np.minimum(applied, today - 2))
    reviewed = np.minimum(applied + rng.integers(2, 15, k), today - 1)
    result = np.where(np.isin(kind, ["approved", "early"]), APPROVED, np.where(kind == "rejected", REJECTED, PENDING))
    register = (
        chosen.with_columns(
            applied_on=pl.Series(applied.astype("datetime64[D]")).cast(pl.Date),
            reviewed_on=pl.Series(reviewed.astype("datetime64[D]")).cast(pl.Date),
            review_result=pl.Series(result),
            review_office=pl.Series(np.asarray(OFFICES)[rng.integers(0, len(OFFICES), k)]),
        )
        .with_columns(reviewed_on=pl.when(pl.col("review_result") != PENDING).then(pl.col("reviewed_on")))
        .sort("applied_on", "source_id", "record_no")
        .with_columns(application_no=_numbers(1, k))
    )
    return _judged(register, as_of).select(TRUTH_COLUMNS)


def _numbers(first: int, k: int) -> pl.Expr:
    return pl.lit("XF440604") + pl.int_range(first, first + k, dtype=pl.Int64).cast(pl.String).str.zfill(6)


def _judged(register: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """What each application does to its record on `as_of`: applied / rejected / approved (not yet) / effective."""
    effective = pl.when(pl.col("review_result") == APPROVED).then(pl.max_horizontal("reviewed_on", "repairable_from"))
    return register.with_columns(effective_on=effective).with_columns(
        state=pl.when(pl.col("review_result") == PENDING)
        .then(pl.lit("applied"))
        .when(pl.col("review_result") == REJECTED)
        .then(pl.lit("rejected"))
        .when(pl.col("effective_on") <= as_of)
        .then(pl.lit("effective"))
        .otherwise(pl.lit("approved"))
    )


def delivered(register: pl.DataFrame) -> pl.DataFrame:
    """The register as the credit office keeps it: its own headers, every value as text, dates as YYYY-MM-DD."""
    return register.select(
        [
            (pl.col(key).dt.strftime("%Y-%m-%d") if register.schema[key] == pl.Date else pl.col(key)).alias(header)
            for key, header in HEADERS.items()
        ]
    )


def register_path(upstream: Path, day: dt.date, *, fresh: bool = False) -> Path:
    """The register's file in its drop folder, named by its day; `fresh`: never an existing file's name.

    A later delivery's name sorts after every earlier one (a second one on a day is `_002`), so a warehouse rebuilt
    from the folder lands them in the order they were sent.
    """
    folder = upstream / "drops" / SYSTEM_ID
    path, n = folder / f"{SYSTEM_ID}_{day:%Y%m%d}.xlsx", 1
    if fresh:
        last = max((p.name for p in folder.glob(f"{SYSTEM_ID}_*.xlsx")), default="")
        if last > path.name and not last.startswith(path.stem):
            raise ValueError(f"{last} was delivered after {day}: a new delivery cannot be dated before it")
        while path.exists():
            n += 1
            path = folder / f"{SYSTEM_ID}_{day:%Y%m%d}_{n:03d}.xlsx"
    return path


def write_register(text: pl.DataFrame, path: Path, day: dt.date, atomic_path: AtomicPath) -> Path:
    """Write the workbook: a title row, the header row, then one row per application, every cell as text."""
    with atomic_path(path) as tmp:
        book = workbook(tmp, day)
        sheet = book.add_worksheet("修复申请")
        bold = book.add_format({"bold": True})
        sheet.write_string(0, 0, f"区信用办{TITLE}（截至{day:%Y年%m月%d日}）", bold)
        sheet.write_row(1, 0, text.columns, bold)
        for r, values in enumerate(text.iter_rows(), start=2):
            for c, value in enumerate(values):
                if value is not None:
                    sheet.write_string(r, c, value)
        book.close()
    return path


def _subjects(truth_dir: Path) -> pl.DataFrame:
    """(source_id, record_no) -> the true subject of every credit record the truth knows a subject for."""
    persons = pl.read_parquet(truth_dir / "persons.parquet").select("person_id", p_name="name", p_id="citizen_id")
    ents = pl.read_parquet(truth_dir / "enterprises.parquet").select("enterprise_id", e_name="name", e_id="uscc")
    people = pl.read_parquet(truth_dir / "source_records.parquet").filter(pl.col("role") == "subject")
    orgs = pl.read_parquet(truth_dir / "enterprise_records.parquet").filter(pl.col("role") == "subject")
    mentions = pl.concat(
        [
            people.select(
                source_id="system", record_no="record_id", person_id="person_id", enterprise_id=pl.lit(None, pl.String)
            ),
            orgs.select(
                source_id="system",
                record_no="record_id",
                person_id=pl.lit(None, pl.String),
                enterprise_id="enterprise_id",
            ),
        ]
    )
    return (
        mentions.join(persons, on="person_id", how="left")
        .join(ents, on="enterprise_id", how="left")
        .select(
            "source_id",
            "record_no",
            "person_id",
            "enterprise_id",
            subject_type=pl.when(pl.col("person_id").is_not_null())
            .then(pl.lit("person"))
            .otherwise(pl.lit("enterprise")),
            subject_name=pl.coalesce("p_name", "e_name"),
            subject_id=pl.coalesce("p_id", "e_id"),
        )
        .unique(["source_id", "record_no"], keep="first", maintain_order=True)
    )


def deliver(
    upstream: Path, truth_dir: Path, applications: pl.DataFrame, day: dt.date, atomic_path: AtomicPath
) -> tuple[Path, pl.DataFrame]:
    """The credit office sends its register again, with `applications` added; returns the file and the added rows.

    `applications`: source_id, record_no, applied_on, review_result (准予修复 / 不予修复 / 审查中), reviewed_on and
    optionally review_office. The applicant is the record's true subject. The truth gains the rows, not judged
    (record_type, decided_on and state stay empty: the sandbox did not choose these records).
    """
    path = truth_dir / "credit_repairs.parquet"
    register = pl.read_parquet(path)
    last = max(register["application_no"].str.slice(len("XF440604")).cast(pl.Int64).to_list(), default=0)
    known = (
        applications.with_columns(
            review_office=pl.col("review_office") if "review_office" in applications.columns else pl.lit(OFFICES[0])
        )
        .join(_subjects(truth_dir), on=["source_id", "record_no"], how="left", maintain_order="left")
        .with_columns(application_no=_numbers(last + 1, applications.height))
    )
    unjudged = {c: pl.lit(None, dtype=register.schema[c]) for c in TRUTH_COLUMNS if c not in known.columns}
    added = known.with_columns(**unjudged).select(TRUTH_COLUMNS).cast(dict(register.schema))  # type: ignore[arg-type]
    missing = added.filter(pl.col("subject_id").is_null())
    if missing.height:
        raise ValueError(f"the truth knows no subject for {missing.select('source_id', 'record_no').rows()}")
    register = pl.concat([register, added])
    written = write_register(delivered(register), register_path(upstream, day, fresh=True), day, atomic_path)
    with atomic_path(path) as tmp:
        register.write_parquet(tmp)
    return written, added
