"""The district's 155 legacy department systems (152 here + hukou, civil marriage, market registry), from one spec.

The spec is templates × variants, each system rendered as a view.

Each legacy system is a view over the district's persons or enterprises (a filter and a share), with its own
Chinese headers, file format, encoding, delimiter, date format and noise. The same spec renders the delivered
files, the truth of every person / enterprise mention they carry, and (`python -m sandbox.registry_drafts`)
the registry entries a steward reviews and commits under catalog/sources/.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
import yaml

from sandbox import writers
from sandbox.noise import LEGACY_ID_NOISE, LEGACY_NAME_TYPO, LEGACY_USCC_NOISE, noisy_ids, noisy_names, noisy_usccs
from zhongtai.reference import load_divisions

if TYPE_CHECKING:
    from sandbox.district import District

SPEC_PATH = Path(__file__).with_name("spec.yaml")


@functools.cache
def spec() -> dict[str, Any]:
    """The legacy systems as data (sandbox/spec.yaml): departments, synonyms, variants, templates, cadences."""
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------------ templates

# population: which persons a system holds (age in whole years on as_of)
POPULATIONS: dict[str, Callable[[], pl.Expr]] = {
    "alive": lambda: pl.col("alive"),
    "adults": lambda: pl.col("alive") & (pl.col("age") >= 18),
    "working": lambda: pl.col("alive") & pl.col("age").is_between(18, 59),
    "seniors60": lambda: pl.col("alive") & (pl.col("age") >= 60),
    "seniors65": lambda: pl.col("alive") & (pl.col("age") >= 65),
    "seniors80": lambda: pl.col("alive") & (pl.col("age") >= 80),
    "retired": lambda: pl.col("alive") & (pl.col("age") >= 55),
    "children0_6": lambda: pl.col("alive") & (pl.col("age") <= 6),
    "children3_5": lambda: pl.col("alive") & pl.col("age").is_between(3, 5),
    "pupils": lambda: pl.col("alive") & pl.col("age").is_between(6, 15),
    "students": lambda: pl.col("alive") & pl.col("age").is_between(6, 18),
    "migrants": lambda: pl.col("alive") & pl.col("is_migrant") & (pl.col("age") >= 16),
    "heads": lambda: pl.col("alive") & (pl.col("relation") == "户主"),
    "men": lambda: pl.col("alive") & (pl.col("sex") == "男") & pl.col("age").is_between(20, 80),
    "drivers": lambda: pl.col("alive") & pl.col("age").is_between(18, 70),
    "dead": lambda: ~pl.col("alive"),
    "newborns": lambda: pl.col("alive") & (pl.col("age") <= 2) & pl.col("relation").is_in(["子", "女"]),
}
ENTERPRISE_POPULATIONS: dict[str, Callable[[], pl.Expr]] = {
    "all": lambda: pl.lit(True),
    "companies": lambda: pl.col("entity_type") != "个体工商户",
    "sole_traders": lambda: pl.col("entity_type") == "个体工商户",
}


@dataclass(frozen=True)
class Template:
    stem: str  # English id stem
    title: str  # Chinese system title
    dept: str
    kind: str  # person | enterprise | birth | death
    population: str
    share: float
    date_header: str  # the event date column
    extra: tuple[str, ...] = ()  # extra column headers: "金额:amount" or "类别:category"
    per_town: bool = False
    schedule: str = "monthly"


# ------------------------------------------------------------------------------------------------ format variants


@dataclass(frozen=True)
class Variant:
    kind: str  # csv | xlsx | json | jsonl | database
    encoding: str = "utf-8"
    delimiter: str = ","
    quote_all: bool = False
    title_row: bool = False
    header_rows: int = 1
    date_format: str | None = None  # None: ISO (or Excel serial numbers in xlsx)
    bom: bool = False
    crlf: bool = False
    excel_serial: bool = False


def _load() -> tuple[dict[str, str], list[str], list[str], dict[str, list[str]], list[Variant], list[Template]]:
    s = spec()
    templates = [Template(**{**t, "extra": tuple(t.get("extra", ()))}) for t in s["templates"]]
    variants = [Variant(**v) for v in s["variants"]]
    return s["departments"], s["town_stems"], s["categories"], s["synonyms"], variants, templates


DEPARTMENTS, TOWN_STEMS, CATEGORIES, SYNONYMS, VARIANTS, TEMPLATES = _load()
CADENCE: dict[str, str] = spec()["cadence"]


# ------------------------------------------------------------------------------------------------ systems


@dataclass(frozen=True)
class Column:
    name: str  # raw column name
    header: str  # as delivered (for two-row headers: "group/sub")
    value: str  # key of the rendered frame
    type: str = "varchar"
    canonical: str | None = None
    role: str | None = None
    required: bool = False
    group: str | None = None  # two-row header group


@dataclass(frozen=True)
class LegacySystem:
    id: str
    title: str
    template: Template
    variant: Variant
    town: int | None  # index into the district's towns
    index: int
    columns: list[Column] = field(default_factory=list)

    @property
    def department(self) -> str:
        return DEPARTMENTS[self.template.dept]

    @property
    def file_suffix(self) -> str:
        return {"csv": ".csv", "xlsx": ".xlsx", "json": ".json", "jsonl": ".jsonl", "database": ".sqlite"}[
            self.variant.kind
        ]


def _pick(options: list[str], i: int) -> str:
    return options[i % len(options)]


def _columns(t: Template, v: Variant, i: int) -> list[Column]:
    c: list[Column] = [Column("record_no", _pick(SYNONYMS["record_no"], i), "record_no", required=True)]
    group = "基本信息" if v.header_rows == 2 else None
    if t.kind in ("person", "death"):
        role = "deceased" if t.kind == "death" else "subject"
        c += [
            Column("name", _pick(SYNONYMS["person_name"], i), "name", canonical="person_name", role=role, group=group),
            Column(
                "id_number", _pick(SYNONYMS["citizen_id"], i + 1), "id", canonical="citizen_id", role=role, group=group
            ),
            Column("sex", "性别", "sex", canonical="sex", role=role, group=group),
        ]
        if i % 2 == 0:
            c.append(
                Column(
                    "birth_date",
                    _pick(SYNONYMS["birth_date"], i),
                    "birth_date",
                    "date",
                    "birth_date",
                    role,
                    group=group,
                )
            )
        if i % 3 != 2 and t.kind == "person":
            c.append(Column("phone", _pick(SYNONYMS["phone"], i), "phone", canonical="phone", role=role, group=group))
        if i % 4 != 3:
            c.append(Column("address", _pick(SYNONYMS["address"], i), "address", canonical="address", role=role))
        c.append(
            Column(
                "village_code", _pick(SYNONYMS["village_code"], i), "village_code", canonical="village_code", role=role
            )
        )
        if t.stem in ("property_rights", "rentals", "old_estates"):
            c.append(Column("house_no", "房屋编号", "house_no", canonical="house_no", role=role))
    elif t.kind == "birth":
        for role, label in (("newborn", "新生儿"), ("mother", "母亲"), ("father", "父亲")):
            g = f"{label}信息" if v.header_rows == 2 else None
            head = "" if g else label
            c += [
                Column(f"{role}_name", f"{head}姓名", f"{role}_name", canonical="person_name", role=role, group=g),
                Column(
                    f"{role}_id_number", f"{head}身份证号", f"{role}_id", canonical="citizen_id", role=role, group=g
                ),
            ]
        c += [
            Column("sex", "新生儿性别", "sex", canonical="sex", role="newborn"),
            Column(
                "village_code",
                _pick(SYNONYMS["village_code"], i),
                "village_code",
                canonical="village_code",
                role="newborn",
            ),
        ]
    else:  # enterprise
        c += [
            Column("uscc", _pick(SYNONYMS["uscc"], i), "uscc", canonical="uscc", role="subject", group=group),
            Column(
                "org_name",
                _pick(SYNONYMS["org_name"], i),
                "org_name",
                canonical="org_name",
                role="subject",
                group=group,
            ),
        ]
        if i % 2 == 1:
            c.append(Column("legal_rep_name", "法定代表人", "rep_name"))
        c.append(
            Column(
                "village_code",
                _pick(SYNONYMS["village_code"], i),
                "village_code",
                canonical="village_code",
                role="subject",
            )
        )
    c.append(Column("event_date", t.date_header, "event_date", "date"))
    for extra in t.extra:
        header, what = extra.split(":")
        c.append(Column(what, header, what, "decimal" if what == "amount" else "varchar"))
    if v.header_rows == 2:  # in two-row headers the group prefixes the sub-header
        c = [
            Column(x.name, f"{x.group}/{x.header}", x.value, x.type, x.canonical, x.role, x.required, x.group)
            if x.group
            else x
            for x in c
        ]
    return c


def legacy_systems() -> list[LegacySystem]:
    """The 152 generically staged legacy systems, in a stable order."""
    out: list[LegacySystem] = []
    towns = _town_names()
    for t in TEMPLATES:
        for town in range(4) if t.per_town else [None]:
            i = len(out)
            sid = f"{t.dept}_{t.stem}" + (f"_{TOWN_STEMS[town]}" if town is not None else "")
            title = t.title if town is None else f"{towns[town]}{t.title}"
            v = VARIANTS[(i * 7 + len(t.stem)) % len(VARIANTS)]
            out.append(LegacySystem(sid, title, t, v, town, i, _columns(t, v, i)))
    return out


def _town_names() -> list[str]:
    d = load_divisions().filter(pl.col("level") == "town").sort("code")
    return d["name"].to_list()


def _town_codes() -> list[str]:
    return load_divisions().filter(pl.col("level") == "town").sort("code")["code"].to_list()


# ------------------------------------------------------------------------------------------------ rendering


@dataclass
class Rendered:
    frame: pl.DataFrame  # columns keyed by Column.value, all text
    persons: list[pl.DataFrame]  # truth frames (PERSON_RECORD_COLUMNS)
    enterprises: list[pl.DataFrame]


def render_system(
    s: LegacySystem,
    district: District,
    person_truth: Callable[..., pl.DataFrame],
    enterprise_truth: Callable[..., pl.DataFrame],
) -> Rendered:
    rng = np.random.default_rng([district.seed, 7, s.index])
    today = district.as_of
    t = s.template
    if t.kind in ("person", "death", "birth"):
        people = district.persons.with_columns(
            age=((pl.lit(today) - pl.col("birth_date")).dt.total_days() // 365.25).cast(pl.Int64)
        )
        pick = people.filter(POPULATIONS[t.population]())
        if s.town is not None:
            pick = pick.filter(pl.col("village_code").str.starts_with(_town_codes()[s.town]))
        pick = pick.filter(_chosen(rng, pick.height, t.share))
    else:
        ents = district.enterprises.filter(ENTERPRISE_POPULATIONS[t.population]())
        if s.town is not None:
            ents = ents.filter(pl.col("village_code").str.starts_with(_town_codes()[s.town]))
        pick = ents.filter(_chosen(rng, ents.height, t.share))
    n = pick.height
    since = (today - dt.date(1970, 1, 1)).days
    event_days = since - rng.integers(1, 5 * 365, n)
    event = pl.Series(event_days.astype("datetime64[D]")).cast(pl.Date)
    if t.kind in ("death", "birth"):  # a death is dated by the death, a birth certificate by the birth
        event = pick["death_date" if t.kind == "death" else "birth_date"]
    return render_rows(s, pick, event, 1, rng, district.persons, district.given_chars, person_truth, enterprise_truth)


def render_rows(
    s: LegacySystem,
    pick: pl.DataFrame,
    event: pl.Series,
    first_no: int,
    rng: np.random.Generator,
    persons: pl.DataFrame,
    pool: list[str],
    person_truth: Callable[..., pl.DataFrame],
    enterprise_truth: Callable[..., pl.DataFrame],
) -> Rendered:
    """The system's rows for the picked persons or enterprises (event dates given), numbered from `first_no`."""
    t = s.template
    entity = "records"
    persons_t: list[pl.DataFrame] = []
    ents_t: list[pl.DataFrame] = []
    n = pick.height
    record_no = pl.select(
        pl.lit(f"{t.dept.upper()}{s.index:03d}-")
        + pl.int_range(first_no, first_no + n, dtype=pl.Int64).cast(pl.String).str.zfill(7)
    ).to_series()
    cols: dict[str, pl.Series | pl.Expr] = {"record_no": record_no, "event_date": event}
    cols["amount"] = pl.Series(np.round(rng.gamma(2.0, 800.0, n), 2))
    cols["category"] = pl.Series(np.asarray(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)])
    if t.kind in ("person", "death"):
        role = "deceased" if t.kind == "death" else "subject"
        ids, id_noise = noisy_ids(rng, pick["citizen_id"], LEGACY_ID_NOISE)
        names, name_noise = noisy_names(rng, pick["name"], LEGACY_NAME_TYPO, pool)
        cols |= {
            "name": names,
            "id": ids,
            "sex": pick["sex"],
            "birth_date": pick["birth_date"],
            "phone": pick["phone"],
            "address": pick["address"],
            "village_code": pick["village_code"],
            "house_no": pick["house_no"],
        }
        persons_t.append(
            person_truth(
                s.id,
                entity,
                role,
                pl.DataFrame(
                    {
                        "record_id": record_no,
                        "person_id": pick["person_id"],
                        "id_as_delivered": ids,
                        "id_noise": id_noise,
                        "name_as_delivered": names,
                        "name_noise": name_noise,
                    }
                ),
            )
        )
    elif t.kind == "birth":
        everyone = persons
        heads = everyone.filter(pl.col("relation").is_in(["户主", "配偶"])).select(
            "household_no", "person_id", "name", "citizen_id", "sex"
        )
        mothers = (
            heads.filter(pl.col("sex") == "女")
            .unique("household_no", keep="first")
            .select("household_no", m_pid="person_id", m_name="name", m_id="citizen_id")
        )
        fathers = (
            heads.filter(pl.col("sex") == "男")
            .unique("household_no", keep="first")
            .select("household_no", f_pid="person_id", f_name="name", f_id="citizen_id")
        )
        pick = pick.join(mothers, on="household_no", how="left", maintain_order="left").join(
            fathers, on="household_no", how="left", maintain_order="left"
        )
        cols |= {"sex": pick["sex"], "village_code": pick["village_code"]}
        for role, pid, name, cid in (
            ("newborn", "person_id", "name", "citizen_id"),
            ("mother", "m_pid", "m_name", "m_id"),
            ("father", "f_pid", "f_name", "f_id"),
        ):
            present = pick[pid].is_not_null()
            ids, id_noise = noisy_ids(rng, pick[cid].fill_null("000000000000000000"), LEGACY_ID_NOISE)
            names, name_noise = noisy_names(rng, pick[name].fill_null("某某"), LEGACY_NAME_TYPO, pool)
            ids = pl.select(pl.when(present).then(ids)).to_series()
            names = pl.select(pl.when(present).then(names)).to_series()
            cols[f"{role}_name"] = names
            cols[f"{role}_id"] = ids
            frame = pl.DataFrame(
                {
                    "record_id": record_no,
                    "person_id": pick[pid],
                    "id_as_delivered": ids,
                    "id_noise": id_noise,
                    "name_as_delivered": names,
                    "name_noise": name_noise,
                }
            ).filter(present)
            persons_t.append(person_truth(s.id, entity, role, frame))
    else:
        codes, code_noise = noisy_usccs(rng, pick["uscc"], LEGACY_USCC_NOISE)
        reps = pick.join(
            persons.select(legal_rep_person_id="person_id", rep_name="name"),
            on="legal_rep_person_id",
            how="left",
            maintain_order="left",
        )
        cols |= {
            "uscc": codes,
            "org_name": pick["name"],
            "village_code": pick["village_code"],
            "rep_name": reps["rep_name"],
        }
        ents_t.append(
            enterprise_truth(
                s.id,
                entity,
                "subject",
                pl.DataFrame(
                    {
                        "record_id": record_no,
                        "enterprise_id": pick["enterprise_id"],
                        "uscc_as_delivered": codes,
                        "uscc_noise": code_noise,
                        "name_as_delivered": pick["name"],
                    }
                ),
            )
        )
    frame = pl.DataFrame({c.value: cols[c.value] for c in s.columns})
    return Rendered(frame, persons_t, ents_t)


def _chosen(rng: np.random.Generator, n: int, share: float) -> pl.Series:
    """Rows a system holds: its share of the population, and never fewer than three (an empty system is no system)."""
    mask = rng.random(n) < share
    if mask.sum() < 3:
        mask[: min(3, n)] = True
    return pl.Series(mask)


def _text(frame: pl.DataFrame, s: LegacySystem) -> pl.DataFrame:
    """Every value as the system writes it: dates in its format, numbers as text; headers as delivered."""
    v = s.variant
    out = {}
    for c in s.columns:
        col = frame[c.value]
        if c.type == "date":
            if v.excel_serial:
                col = (col.cast(pl.Int64) + 25569).cast(pl.String)  # days since 1899-12-30
            else:
                col = col.dt.strftime(v.date_format or "%Y-%m-%d")
        elif c.value == "sex" and s.index % 3 == 1:
            col = col.replace_strict({"男": "1", "女": "2"}, default=None)  # GB/T 2261.1 codes
        out[c.header] = col.cast(pl.String)
    return pl.DataFrame(out)


def delivery_path(s: LegacySystem, upstream: Path, day: dt.date, tag: str = "") -> Path:
    """Where a system's delivery of `day` lands: a dated file in its drop folder, or its database."""
    if s.variant.kind == "database":
        return upstream / "legacy_db" / f"{s.id}.sqlite"
    return upstream / "drops" / s.id / f"{s.id}_{day:%Y%m%d}{tag}{s.file_suffix}"


def write_system(s: LegacySystem, frame: pl.DataFrame, upstream: Path, as_of: dt.date, tag: str = "") -> Path:
    """Write one system's delivery: the file in its drop folder, or its database."""
    text = _text(frame, s)
    v = s.variant
    path = delivery_path(s, upstream, as_of, tag)
    if v.kind == "database":
        writers.write_text_table(path, text)
    elif v.kind == "csv":
        title = f"{s.title}（截至{as_of:%Y年%m月%d日}）" if v.title_row else None
        writers.write_delimited(
            path,
            text,
            delimiter=v.delimiter,
            quote_all=v.quote_all,
            crlf=v.crlf,
            title=title,
            encoding=v.encoding,
            bom=v.bom,
        )
    elif v.kind == "json":
        writers.write_json(path, text)
    elif v.kind == "jsonl":
        writers.write_jsonl(path, text)
    elif v.kind == "xlsx":
        numeric = {i for i, c in enumerate(s.columns) if c.type == "decimal" or (c.type == "date" and v.excel_serial)}
        writers.write_grouped_xlsx(
            path,
            text,
            [c.header for c in s.columns],
            [c.group for c in s.columns],
            title=f"{s.title}（{as_of:%Y年%m月}）" if v.title_row else None,
            day=as_of,
            two_row_header=v.header_rows == 2,
            numeric=numeric,
        )
    return path
