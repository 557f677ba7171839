"""Renders the district as its upstream systems deliver it, with realistic noise, and the truth of each mention."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from sandbox import credit_repair, discrepancies
from sandbox.district import DISTRICT_NAME, District
from sandbox.legacy import Rendered, legacy_systems, render_system, write_system
from sandbox.noise import (
    ID_NOISE,
    NAME_TYPO,
    PHONE_NOISE,
    USCC_NOISE,
    noisy_ids,
    noisy_names,
    noisy_phones,
    noisy_usccs,
)
from sandbox.writers import atomic_path, write_csv, write_sqlite, write_titled_xlsx

GRID_COVERAGE = 0.97  # grid workers never quite reach everybody
GRID_RECOLLECTED = 0.02  # some people are collected twice, in separate visits
HUKOU_DUPLICATE_ROWS = 0.003
BAD_DATES = ["2023-13-45", "未知"]


PERSON_RECORD_COLUMNS = [
    "system",
    "entity",
    "record_id",
    "role",
    "person_id",
    "id_as_delivered",
    "id_noise",
    "name_as_delivered",
    "name_noise",
    "phone_noise",
    "fault",
]
ENTERPRISE_RECORD_COLUMNS = [
    "system",
    "entity",
    "record_id",
    "role",
    "enterprise_id",
    "uscc_as_delivered",
    "uscc_noise",
    "name_as_delivered",
    "fault",
]


@dataclass
class Deliveries:
    """What each upstream system holds, column names as delivered, and the truth of every person/enterprise mention."""

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)  # "<system>/<entity>" -> delivered rows
    source_records: pl.DataFrame = field(default_factory=pl.DataFrame)
    enterprise_records: pl.DataFrame = field(default_factory=pl.DataFrame)
    credit_repairs: pl.DataFrame = field(default_factory=pl.DataFrame)  # the repair register, with its outcomes
    discrepancies: pl.DataFrame = field(default_factory=pl.DataFrame)  # values planted wrong, beside the true ones


def _ts(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def person_truth(system: str, entity: str, role: str, frame: pl.DataFrame) -> pl.DataFrame:
    """frame: record_id, person_id, id_as_delivered, id_noise, name_as_delivered, name_noise, [phone_noise, fault]."""
    return frame.with_columns(
        system=pl.lit(system),
        entity=pl.lit(entity),
        role=pl.lit(role),
        **{c: pl.lit(None, dtype=pl.String) for c in ("phone_noise", "fault") if c not in frame.columns},
    ).select(PERSON_RECORD_COLUMNS)


def enterprise_truth(system: str, entity: str, role: str, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        system=pl.lit(system),
        entity=pl.lit(entity),
        role=pl.lit(role),
        **{c: pl.lit(None, dtype=pl.String) for c in ("fault",) if c not in frame.columns},
    ).select(ENTERPRISE_RECORD_COLUMNS)


def person_applications(
    rng: np.random.Generator, applications: pl.DataFrame, persons: pl.DataFrame, pool: list[str], prefixes: list[str]
) -> Rendered:
    """One-window person applications as the API serves them, with noise, and the truth of each applicant."""
    persons_t: list[pl.DataFrame] = []
    ents_t: list[pl.DataFrame] = []
    apps = applications.join(persons.select("person_id", "name", "citizen_id", "phone"), on="person_id", how="left")
    ids, id_noise = noisy_ids(rng, apps["citizen_id"], ID_NOISE["onewindow"])
    names, name_noise = noisy_names(rng, apps["name"], NAME_TYPO["onewindow"], pool)
    phones, phone_noise = noisy_phones(rng, apps["phone"], PHONE_NOISE["onewindow"], prefixes)
    frame = apps.select(
        applicationNo="application_no",
        itemCode="item_code",
        itemName="item_name",
        applicantName=names,
        applicantIdNo=ids,
        applicantPhone=phones,
        villageCode="village_code",
        submittedAt=_ts("submitted_at"),
        status="status",
        updatedAt=_ts("updated_at"),
    )
    persons_t.append(
        person_truth(
            "onewindow",
            "person_applications",
            "applicant",
            apps.select(
                record_id="application_no",
                person_id="person_id",
                id_as_delivered=ids,
                id_noise=id_noise,
                name_as_delivered=names,
                name_noise=name_noise,
                phone_noise=phone_noise,
            ),
        )
    )
    return Rendered(frame, persons_t, ents_t)


def enterprise_applications(
    rng: np.random.Generator, applications: pl.DataFrame, ents: pl.DataFrame, persons: pl.DataFrame, pool: list[str]
) -> Rendered:
    """One-window enterprise applications, with noise, and the truth of each enterprise and agent."""
    persons_t: list[pl.DataFrame] = []
    ents_t: list[pl.DataFrame] = []
    eapps = applications.join(ents.select("enterprise_id", "uscc", ent_name="name"), on="enterprise_id", how="left")
    eapps = eapps.join(persons.select(agent_person_id="person_id", agent_name="name"), on="agent_person_id", how="left")
    codes, code_noise = noisy_usccs(rng, eapps["uscc"], USCC_NOISE)
    agent_names, agent_noise = noisy_names(rng, eapps["agent_name"], NAME_TYPO["onewindow"], pool)
    frame = eapps.select(
        applicationNo="application_no",
        itemCode="item_code",
        itemName="item_name",
        enterpriseName="ent_name",
        creditCode=codes,
        agentName=agent_names,
        submittedAt=_ts("submitted_at"),
        status="status",
        updatedAt=_ts("updated_at"),
    )
    ents_t.append(
        enterprise_truth(
            "onewindow",
            "enterprise_applications",
            "applicant",
            eapps.select(
                record_id="application_no",
                enterprise_id="enterprise_id",
                uscc_as_delivered=codes,
                uscc_noise=code_noise,
                name_as_delivered="ent_name",
            ),
        )
    )
    persons_t.append(
        person_truth(
            "onewindow",
            "enterprise_applications",
            "agent",
            eapps.select(
                record_id="application_no",
                person_id="agent_person_id",
                id_as_delivered=pl.lit(None, dtype=pl.String),
                id_noise=pl.lit("no_id_field"),
                name_as_delivered=agent_names,
                name_noise=agent_noise,
            ),
        )
    )
    return Rendered(frame, persons_t, ents_t)


def credit_records(
    rng: np.random.Generator, records: pl.DataFrame, ents: pl.DataFrame, persons: pl.DataFrame, pool: list[str]
) -> Rendered:
    """One-window credit records about enterprises (credit code) or persons (ID number), with noise, and their truth."""
    persons_t: list[pl.DataFrame] = []
    ents_t: list[pl.DataFrame] = []
    credit = records.join(ents.select("enterprise_id", "uscc", ent_name="name"), on="enterprise_id", how="left").join(
        persons.select("person_id", "citizen_id", p_name="name"), on="person_id", how="left"
    )
    is_person = credit["subject_type"] == "自然人"
    p_ids, p_id_noise = noisy_ids(
        rng, credit["citizen_id"].fill_null("000000000000000000"), ID_NOISE["onewindow"] | {"missing": 0.0}
    )
    e_ids, e_id_noise = noisy_usccs(rng, credit["uscc"].fill_null("000000000000000000"), USCC_NOISE)
    p_names, p_name_noise = noisy_names(rng, credit["p_name"].fill_null("某某"), NAME_TYPO["onewindow"], pool)
    credit = credit.with_columns(
        subject_name=pl.when(is_person).then(p_names).otherwise(pl.col("ent_name")),
        subject_id=pl.when(is_person).then(p_ids).otherwise(e_ids),
        id_noise=pl.when(is_person).then(p_id_noise).otherwise(e_id_noise),
        name_noise=pl.when(is_person).then(p_name_noise),
    )
    frame = credit.select(
        recordNo="record_no",
        subjectType="subject_type",
        subjectName="subject_name",
        subjectIdNo="subject_id",
        recordType="record_type",
        title="title",
        decidedOn=pl.col("decided_on").dt.strftime("%Y-%m-%d"),
        authority="authority",
        updatedAt=_ts("updated_at"),
    )
    persons_t.append(
        person_truth(
            "onewindow",
            "credit_records",
            "subject",
            credit.filter(is_person).select(
                record_id="record_no",
                person_id="person_id",
                id_as_delivered="subject_id",
                id_noise="id_noise",
                name_as_delivered="subject_name",
                name_noise="name_noise",
            ),
        )
    )
    ents_t.append(
        enterprise_truth(
            "onewindow",
            "credit_records",
            "subject",
            credit.filter(~is_person).select(
                record_id="record_no",
                enterprise_id="enterprise_id",
                uscc_as_delivered="subject_id",
                uscc_noise="id_noise",
                name_as_delivered="subject_name",
            ),
        )
    )
    return Rendered(frame, persons_t, ents_t)


def grid_residents(
    rng: np.random.Generator, res: pl.DataFrame, pool: list[str], prefixes: list[str], first_id: int
) -> Rendered:
    """Persons as grid workers collected them (`collected_at` set, in collection order), ids from `first_id`."""
    persons_t: list[pl.DataFrame] = []
    ents_t: list[pl.DataFrame] = []
    ids, id_noise = noisy_ids(rng, res["citizen_id"], ID_NOISE["grid"])
    names, name_noise = noisy_names(rng, res["name"], NAME_TYPO["grid"], pool)
    phones, phone_noise = noisy_phones(rng, res["phone"], PHONE_NOISE["grid"], prefixes)
    row_id = pl.int_range(first_id, first_id + res.height, eager=True)
    frame = res.select(
        id=row_id,
        name=names,
        id_no=ids,
        sex="sex",
        birth_date=pl.col("birth_date").dt.strftime("%Y-%m-%d"),
        phone=phones,
        house_no="house_no",
        address="address",
        grid_code="grid_code",
        village_code="village_code",
        collected_at=_ts("collected_at"),
    )
    persons_t.append(
        person_truth(
            "grid",
            "residents",
            "resident",
            res.select(
                record_id=row_id.cast(pl.String),
                person_id="person_id",
                id_as_delivered=ids,
                id_noise=id_noise,
                name_as_delivered=names,
                name_noise=name_noise,
                phone_noise=phone_noise,
            ),
        )
    )
    return Rendered(frame, persons_t, ents_t)


def grid_events(events: pl.DataFrame, first_id: int) -> pl.DataFrame:
    """Grid events as the grid database holds them, ids numbered from `first_id`."""
    return events.select(
        id=pl.int_range(first_id, first_id + events.height),
        event_no="event_no",
        category="category",
        event_type="event_type",
        department="department",
        grid_code="grid_code",
        village_code="village_code",
        address="address",
        reported_at=_ts("reported_at"),
        status="status",
        closed_at=_ts("closed_at"),
    )


def hukou_residents(huk: pl.DataFrame) -> Rendered:
    """Hukou extract rows of persons with `id_as_delivered`, `id_noise`, `registered_on` and `fault` set."""
    persons_t: list[pl.DataFrame] = []
    ents_t: list[pl.DataFrame] = []
    frame = huk.select(
        户号="household_no",
        姓名="name",
        性别="sex",
        出生日期=pl.col("birth_date").dt.strftime("%Y%m%d"),
        公民身份号码="id_as_delivered",
        与户主关系="relation",
        户籍地址="address",
        村居代码="village_code",
        登记日期=pl.col("registered_on").dt.strftime("%Y%m%d"),
    )
    persons_t.append(
        person_truth(
            "hukou",
            "residents",
            "resident",
            huk.select(
                record_id="id_as_delivered",
                person_id="person_id",
                id_as_delivered="id_as_delivered",
                id_noise="id_noise",
                name_as_delivered="name",
                name_noise=pl.lit(None, dtype=pl.String),
                fault="fault",
            ),
        )
    )
    return Rendered(frame, persons_t, ents_t)


def marriage_registrations(
    rng: np.random.Generator, marriages: pl.DataFrame, persons: pl.DataFrame, pool: list[str], bad_dates: list[str]
) -> Rendered:
    """Civil-marriage registrations with noise; `bad_dates` replace the dates of as many random rows."""
    persons_t: list[pl.DataFrame] = []
    ents_t: list[pl.DataFrame] = []
    mar = marriages.join(
        persons.select(husband_person_id="person_id", h_name="name", h_id="citizen_id"),
        on="husband_person_id",
        how="left",
    ).join(
        persons.select(wife_person_id="person_id", w_name="name", w_id="citizen_id"), on="wife_person_id", how="left"
    )
    h_ids, h_noise = noisy_ids(rng, mar["h_id"], ID_NOISE["civil_marriage"])
    w_ids, w_noise = noisy_ids(rng, mar["w_id"], ID_NOISE["civil_marriage"])
    h_names, h_name_noise = noisy_names(rng, mar["h_name"], NAME_TYPO["civil_marriage"], pool)
    w_names, w_name_noise = noisy_names(rng, mar["w_name"], NAME_TYPO["civil_marriage"], pool)
    bad: list[str | None] = [None] * mar.height
    bad_rows = np.sort(rng.choice(mar.height, min(len(bad_dates), mar.height), replace=False))
    for row, value in zip(bad_rows, bad_dates[: len(bad_rows)], strict=True):
        bad[row] = value
    mar = mar.with_columns(bad_date=pl.Series(bad, dtype=pl.String))
    fault = pl.when(pl.col("bad_date").is_not_null()).then(pl.lit("bad_date_row"))
    frame = mar.select(
        登记编号="registration_no",
        登记类型="registration_type",
        登记日期=pl.coalesce("bad_date", pl.col("registered_on").dt.strftime("%Y-%m-%d")),
        男方姓名=h_names,
        男方身份证号=h_ids,
        女方姓名=w_names,
        女方身份证号=w_ids,
        登记机关="office",
    )
    for role, pid, ids_, noise_, names_, nnoise in (
        ("husband", "husband_person_id", h_ids, h_noise, h_names, h_name_noise),
        ("wife", "wife_person_id", w_ids, w_noise, w_names, w_name_noise),
    ):
        persons_t.append(
            person_truth(
                "civil_marriage",
                "registrations",
                role,
                mar.select(
                    record_id="registration_no",
                    person_id=pid,
                    id_as_delivered=ids_,
                    id_noise=noise_,
                    name_as_delivered=names_,
                    name_noise=nnoise,
                    fault=fault,
                ),
            )
        )
    return Rendered(frame, persons_t, ents_t)


def market_enterprises(
    rng: np.random.Generator, ents: pl.DataFrame, persons: pl.DataFrame, pool: list[str]
) -> Rendered:
    """Market-register rows of the given enterprises, with noise on their representatives, and their truth."""
    persons_t: list[pl.DataFrame] = []
    ents_t: list[pl.DataFrame] = []
    mkt = ents.join(
        persons.select(legal_rep_person_id="person_id", rep_name="name", rep_id="citizen_id"),
        on="legal_rep_person_id",
        how="left",
        maintain_order="left",
    )
    ids, id_noise = noisy_ids(rng, mkt["rep_id"], ID_NOISE["market_registry"])
    names, name_noise = noisy_names(rng, mkt["rep_name"], NAME_TYPO["market_registry"], pool)
    frame = mkt.select(
        统一社会信用代码="uscc",
        企业名称="name",
        市场主体类型="entity_type",
        法定代表人=names,
        法定代表人证件号码=ids,
        成立日期=pl.col("established_on").dt.strftime("%Y-%m-%d"),
        **{"注册资本（万元）": "registered_capital"},
        住所="address",
        所属村居="village_code",
        登记状态="status",
    )
    persons_t.append(
        person_truth(
            "market_registry",
            "enterprises",
            "legal_rep",
            mkt.select(
                record_id="uscc",
                person_id="legal_rep_person_id",
                id_as_delivered=ids,
                id_noise=id_noise,
                name_as_delivered=names,
                name_noise=name_noise,
            ),
        )
    )
    ents_t.append(
        enterprise_truth(
            "market_registry",
            "enterprises",
            "registrant",
            mkt.select(
                record_id="uscc",
                enterprise_id="enterprise_id",
                uscc_as_delivered="uscc",
                uscc_noise=pl.lit(None, dtype=pl.String),
                name_as_delivered="name",
            ),
        )
    )
    return Rendered(frame, persons_t, ents_t)


def build_deliveries(district: District) -> Deliveries:
    """Everything the upstream systems hold on `as_of`, in memory; same district → same deliveries."""
    rng = np.random.default_rng(district.seed + 1)
    persons = district.persons
    pool = district.given_chars
    out = Deliveries()
    people_truth: list[pl.DataFrame] = []
    ent_truth: list[pl.DataFrame] = []
    today = (district.as_of - dt.date(1970, 1, 1)).days

    def add(key: str, part: Rendered) -> None:
        out.tables[key] = part.frame
        people_truth.extend(part.persons)
        ent_truth.extend(part.enterprises)

    prefixes = district.phone_prefixes
    ents = district.enterprises
    add(
        "onewindow/person_applications", person_applications(rng, district.person_applications, persons, pool, prefixes)
    )
    add(
        "onewindow/enterprise_applications",
        enterprise_applications(rng, district.enterprise_applications, ents, persons, pool),
    )
    add("onewindow/credit_records", credit_records(rng, district.credit_records, ents, persons, pool))

    # --- grid: residents as collected by grid workers (the living, most of them, some twice)
    alive = persons.filter(pl.col("alive"))
    seen = alive.filter(pl.Series(rng.random(alive.height) < GRID_COVERAGE))
    again = seen.filter(pl.Series(rng.random(seen.height) < GRID_RECOLLECTED))
    res = pl.concat([seen, again])
    collected = (today - rng.integers(1, 2 * 365, res.height)) * 86_400 + rng.integers(8 * 3600, 20 * 3600, res.height)
    res = res.with_columns(collected_at=pl.Series((collected * 1_000_000).astype("datetime64[us]"))).sort(
        "collected_at", "person_id"
    )
    # outdated actual addresses in a few villages, for their cadres to correct (sandbox/discrepancies.py)
    planted_in = discrepancies.planted_villages(district.seed, alive)
    once = seen.filter(~pl.col("person_id").is_in(again["person_id"].implode()))["person_id"]
    res, grid_planted = discrepancies.plant_grid(district.seed, planted_in, res, once)
    grid, grid_planted = discrepancies.named_only(grid_residents(rng, res, pool, prefixes, 1), res, grid_planted)
    add("grid/residents", grid)
    out.tables["grid/events"] = grid_events(district.grid_events, 1)

    # --- hukou: full extract of the living with local registration; a few exact duplicate lines
    huk = alive.filter(~pl.col("is_migrant")).with_row_index("order")
    ids, id_noise = noisy_ids(rng, huk["citizen_id"], ID_NOISE["hukou"])
    born = huk["birth_date"].cast(pl.Int64).to_numpy()
    registered = np.where(
        rng.random(huk.height) < 0.6,
        born + rng.integers(1, 60, huk.height),
        born + (rng.random(huk.height) * (today - 1 - born)).astype(np.int64),
    )
    huk = huk.with_columns(
        id_as_delivered=ids,
        id_noise=id_noise,
        registered_on=pl.Series(np.minimum(registered, today - 1).astype("datetime64[D]")),
    )
    huk, hukou_planted = discrepancies.plant_register(
        district.seed, planted_in, huk, pool, district.as_of, set(grid_planted["person_id"].to_list())
    )
    out.discrepancies = pl.concat([grid_planted, hukou_planted])
    dup = huk.filter(pl.Series(rng.random(huk.height) < HUKOU_DUPLICATE_ROWS)).with_columns(
        fault=pl.lit("duplicate_row")
    )
    huk = pl.concat([huk.with_columns(fault=pl.lit(None, dtype=pl.String)), dup]).sort(
        "household_no", "order", "fault", nulls_last=False
    )
    add("hukou/residents", hukou_residents(huk))

    # --- civil marriage: registrations of the past five years; two rows carry dates no parser accepts
    add("civil_marriage/registrations", marriage_registrations(rng, district.marriages, persons, pool, BAD_DATES))

    # --- market registry: every registered entity, including those struck off
    add("market_registry/enterprises", market_enterprises(rng, ents, persons, pool))

    # --- the other 152 legacy department systems, each a view over the same district (sandbox/legacy.py)
    for system in legacy_systems():
        add(f"{system.id}/records", render_system(system, district, person_truth, enterprise_truth))

    out.source_records = pl.concat(people_truth, how="vertical_relaxed")
    out.enterprise_records = pl.concat(ent_truth, how="vertical_relaxed")

    # --- the credit office's repair register, against penalties delivered above (sandbox/credit_repair.py)
    out.credit_repairs = credit_repair.build_register(
        district.seed,
        district.as_of,
        district.credit_records,
        persons,
        ents,
        out.tables.get("sj_penalties/records"),
        out.enterprise_records,
    )
    out.tables[f"{credit_repair.SYSTEM_ID}/{credit_repair.ENTITY}"] = credit_repair.delivered(out.credit_repairs)
    return out


def write_deliveries(
    deliveries: Deliveries, district: District, upstream: Path, on_step: Callable[[str], None] | None = None
) -> dict[str, Path]:
    """Write every system's delivery where the registry says it lives; returns system -> path written."""
    step = on_step or (lambda _msg: None)
    t = deliveries.tables
    day = district.as_of.strftime("%Y%m%d")
    paths = {
        "onewindow": upstream / "onewindow" / "onewindow.sqlite",
        "grid": upstream / "grid" / "grid.sqlite",
        "hukou": upstream / "drops" / "hukou" / f"hukou_{day}.csv",
        "civil_marriage": upstream / "drops" / "civil_marriage" / f"marriage_{day}.csv",
        "market_registry": upstream / "drops" / "market_registry" / f"market_{district.as_of:%Y%m}.xlsx",
    }
    step("writing one-window database")
    write_sqlite(
        paths["onewindow"],
        {
            "person_applications": (
                t["onewindow/person_applications"],
                "applicationNo",
                ["updatedAt", "applicationNo"],
            ),
            "enterprise_applications": (
                t["onewindow/enterprise_applications"],
                "applicationNo",
                ["updatedAt", "applicationNo"],
            ),
            "credit_records": (t["onewindow/credit_records"], "recordNo", ["updatedAt", "recordNo"]),
        },
    )
    step("writing grid database")
    write_sqlite(paths["grid"], {"residents": (t["grid/residents"], "id", []), "events": (t["grid/events"], "id", [])})
    step("writing hukou, marriage and market files")
    # GBK is what the police system writes; the content never leaves GBK's repertoire, so strict encoding proves it
    write_csv(paths["hukou"], t["hukou/residents"], "gbk")
    write_csv(paths["civil_marriage"], t["civil_marriage/registrations"], "utf-8")
    title = f"{DISTRICT_NAME}市场主体登记信息（{district.as_of.year}年{district.as_of.month}月）"
    write_titled_xlsx(paths["market_registry"], t["market_registry/enterprises"], title, "市场主体", district.as_of)
    systems = legacy_systems()
    step(f"writing {len(systems)} legacy department systems")
    for system in systems:
        paths[system.id] = write_system(system, t[f"{system.id}/records"], upstream, district.as_of)
    step("writing the credit office's repair register")
    repairs = t[f"{credit_repair.SYSTEM_ID}/{credit_repair.ENTITY}"]
    path = credit_repair.register_path(upstream, district.as_of)
    paths[credit_repair.SYSTEM_ID] = credit_repair.write_register(repairs, path, district.as_of, atomic_path)
    return paths


def write_truth(deliveries: Deliveries, district: District, truth_dir: Path, summary: dict) -> None:
    truth_dir.mkdir(parents=True, exist_ok=True)
    frames = {
        "persons": district.persons,
        "enterprises": district.enterprises,
        "households": district.households,
        "marriages": district.marriages,
        "source_records": deliveries.source_records,
        "enterprise_records": deliveries.enterprise_records,
        "credit_repairs": deliveries.credit_repairs,
        "discrepancies": deliveries.discrepancies,
    }
    for name, frame in frames.items():
        with atomic_path(truth_dir / f"{name}.parquet") as tmp:
            frame.write_parquet(tmp)
    with atomic_path(truth_dir / "summary.json") as tmp:
        tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
