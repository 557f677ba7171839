"""What the later run of the integration tests delivers before running again: a person who moved, a department's new
monthly extract, the credit repair, a village's corrections decided by their departments, the sandbox's cadres'
corrections of its planted discrepancies, and three person-match review decisions."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from catalog.registry import load_registry
from tests.support.clerical_review import ClericalCases
from tests.support.credit_repair import RepairCase
from tests.support.sandbox_corrections import SandboxCorrections
from tests.support.village_corrections import VillageCorrections
from zhongtai.bookkeeping import DELIVERIES
from zhongtai.settings import Settings

MOVED_TO = "佛山市禅城区祖庙街道测试新街1号101房"
DEPARTMENT = "cl_disability_certificates_zumiao"  # a generically staged system that delivers snapshots


@dataclass(frozen=True)
class LaterDelivery:
    settings: Settings  # the copy, after its second run
    id_number: str  # the person who moved
    old_address: str
    department: tuple[str, str]  # the department extract's renamed record and the record that went
    repair: RepairCase  # the repair approved and the one rejected before the second run
    corrections: VillageCorrections  # a village's correction accepted and one rejected before the second run
    sandbox: SandboxCorrections  # the sandbox's cadres' corrections of its planted discrepancies, decided
    clerical: ClericalCases  # three review cases decided on the steward page before the second run
    earlier_deliveries: frozenset[str]  # the delivery ids the copy's warehouse held before the second run


def delivery_ids(settings: Settings) -> frozenset[str]:
    """Every delivery recorded in the warehouse (raw._deliveries)."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return frozenset(row[0] for row in con.execute(f"select delivery_id from {DELIVERIES}").fetchall())


def deliver_a_move(later: Settings) -> tuple[str, str]:
    """One more hukou extract, identical but for one person's address; returns (their ID number, old address)."""
    drops = later.upstream / "drops" / "hukou"
    first = sorted(drops.glob("hukou_*.csv"))[-1]
    frame = pl.read_csv(first, encoding="gb18030", infer_schema=False)
    target = frame.filter(pl.col("公民身份号码").str.contains(r"^[0-9]{18}$")).row(0, named=True)
    changed = frame.with_columns(
        pl.when(pl.col("公民身份号码") == target["公民身份号码"]).then(pl.lit(MOVED_TO)).otherwise(pl.col("户籍地址"))
        .alias("户籍地址")
    )  # fmt: skip
    (drops / "hukou_20991231.csv").write_bytes(changed.write_csv().encode("gb18030"))
    return target["公民身份号码"], target["户籍地址"]


def deliver_a_department_extract(later: Settings) -> tuple[str, str]:
    """One more extract of a generically staged department system, its latest but for one record renamed and its last
    record gone: the refresh recomputes that system's part of the incremental mentions and keeps every other's.
    Returns (the renamed record's number, the number of the record that went)."""
    system = load_registry().sources[DEPARTMENT]
    (entity,) = system.entities
    sep = system.format.delimiter
    named = next(f.header for f in entity.fields if f.canonical == "person_name")
    key = next(f.header for f in entity.fields if f.name == entity.primary_key[0])
    drops = later.upstream / "drops" / DEPARTMENT
    latest = sorted(drops.glob(entity.locator))[-1]
    header, first, *rest = latest.read_text(encoding="utf-8-sig").splitlines()
    columns = header.split(sep)
    cells, gone = first.split(sep), rest[-1].split(sep)
    cells[columns.index(named)] = "梁新名"
    text = "\n".join([header, sep.join(cells), *rest[:-1]]) + "\n"
    (drops / entity.locator.replace("*", "20991231")).write_text(text, encoding="utf-8-sig")
    return cells[columns.index(key)], gone[columns.index(key)]
