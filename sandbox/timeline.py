"""The district's calendar: `zhongtai sandbox advance --days N` lives N more days and delivers what each upstream would.

The district of `sandbox generate` is true on its `as_of`. Advancing it draws the life of N days — births, deaths,
marriages, household moves, new and closed enterprises, penalties, grid events, one-window cases and the closing of
open ones — column-wise (no loop per person), updates the truth, and then delivers, day by day, what each upstream
system would send on its own cadence (sandbox/spec.yaml `cadence` and each template's `schedule`, the same as the
registry's `schedule`): dated files in the drop folders (full extracts, as before), rows added to the grid and
one-window databases (the one-window API reads its database per request, so it serves them at once). Now and then
a delivery is held back and arrives with the next advance (late), one is sent again byte for byte (re-sent), and one
is followed by a corrected file of the same day. What was delivered, and how, is recorded in the truth's
summary.json (`advances`) and `life_events.parquet`; the sandbox's own bookkeeping between advances is
`calendar.json` beside the truth. The same seed and the same sequence of advances give the same files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sandbox import writers
from sandbox.district import (
    DEPARTMENTS,
    DISTRICT_CODE,
    DISTRICT_NAME,
    ENTERPRISE_CREDIT,
    ENTERPRISE_ITEMS,
    EVENT_CATEGORIES,
    PERSON_CREDIT,
    PERSON_ITEMS,
    PHONE_PREFIXES,
    _enterprises,
    _name_pools,
    _office_seconds,
    _pick,
    _statuses,
    _to_date,
    _to_datetime,
    _units,
    build_district,
    id_check_expr,
)
from sandbox.legacy import CADENCE, LegacySystem, legacy_systems, render_rows, spec, write_system
from sandbox.noise import ID_NOISE, noisy_ids
from sandbox.render import (
    credit_records,
    enterprise_applications,
    enterprise_truth,
    grid_events,
    grid_residents,
    hukou_residents,
    market_enterprises,
    marriage_registrations,
    person_applications,
    person_truth,
)
from sandbox.scales import get_scale
from zhongtai.settings import Settings

CALENDAR = "calendar.json"
EPOCH = dt.date(1970, 1, 1)
LIFE: dict[str, Any] = spec()["life"]
# the systems whose deliveries the advance reads back and extends (full extracts of a register)
HUKOU_HEADERS = ["户号", "姓名", "性别", "出生日期", "公民身份号码", "与户主关系", "户籍地址", "村居代码", "登记日期"]
# legacy templates whose rows grow with the district's life: stem -> (the life event a row records, the share of
# those events the system records); the market regulator's penalty system records the enterprises' new penalties
EVENT_TEMPLATES = {
    "deaths": ("death", 1.0),
    "funerals": ("death", 0.8),
    "birth_certificates": ("birth", 1.0),
    "household_moves": ("move", 1.0),
    "penalties": ("penalty", 1.0),
}
LATE_SYSTEM = "ga_household_moves"  # a daily system whose last delivery of an advance arrives with the next one


def _days(d: dt.date) -> int:
    return (d - EPOCH).days


def _date(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


def due(schedule: str, day: dt.date, origin: dt.date) -> bool:
    """Whether a system on `schedule` delivers on `day`: weekly ones on the weekday of the first delivery."""
    if schedule in ("hourly", "daily"):
        return True
    if schedule == "weekly":
        return day.weekday() == origin.weekday()
    if schedule == "monthly":
        return day.day == 1
    raise ValueError(f"unknown schedule {schedule!r}")


def _count(rng: np.random.Generator, kind: str, heads: int, days: int) -> int:
    rule = LIFE[kind]
    return max(int(rule["min"]), int(rng.poisson(rule["rate"] * heads * days / 365.25)))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------------ the world


@dataclass
class World:
    """The truth as of the calendar's date, plus what the advance adds to it."""

    persons: pl.DataFrame
    households: pl.DataFrame
    enterprises: pl.DataFrame
    marriages: pl.DataFrame
    source_records: pl.DataFrame
    enterprise_records: pl.DataFrame
    life_events: pl.DataFrame

    @classmethod
    def load(cls, truth: Path) -> World:
        frames = {
            name: pl.read_parquet(truth / f"{name}.parquet")
            for name in ("persons", "households", "enterprises", "marriages", "source_records", "enterprise_records")
        }
        events = truth / "life_events.parquet"
        life = pl.read_parquet(events) if events.exists() else pl.DataFrame(schema=LIFE_EVENT_SCHEMA)
        return cls(**frames, life_events=life)

    def save(self, truth: Path) -> None:
        for name in (
            "persons",
            "households",
            "enterprises",
            "marriages",
            "source_records",
            "enterprise_records",
            "life_events",
        ):
            with writers.atomic_path(truth / f"{name}.parquet") as tmp:
                getattr(self, name).write_parquet(tmp)


LIFE_EVENT_SCHEMA = {
    "kind": pl.String,  # birth | death | marriage | move | enterprise_opened | enterprise_closed | penalty
    "day": pl.Date,
    "person_id": pl.String,
    "enterprise_id": pl.String,
    "other_person_id": pl.String,  # the mother of a birth, the wife of a marriage
    "registered_on": pl.Date,  # a birth's hukou registration
    "detail": pl.String,  # a move's new address, a penalty's record number
}


def _events(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(kind).alias("kind"),
        *[
            pl.lit(None, dtype=t).alias(c)
            for c, t in LIFE_EVENT_SCHEMA.items()
            if c not in frame.columns and c != "kind"
        ],
    ).select([pl.col(c).cast(t) for c, t in LIFE_EVENT_SCHEMA.items()])


@dataclass
class Life:
    """What happened in the days of one advance (person and enterprise rows in the truth's shape)."""

    births: pl.DataFrame = field(default_factory=pl.DataFrame)
    deaths: pl.DataFrame = field(default_factory=pl.DataFrame)
    moves: pl.DataFrame = field(default_factory=pl.DataFrame)  # per person: new residence, day
    marriages: pl.DataFrame = field(default_factory=pl.DataFrame)
    opened: pl.DataFrame = field(default_factory=pl.DataFrame)
    closed: pl.DataFrame = field(default_factory=pl.DataFrame)
    credit: pl.DataFrame = field(default_factory=pl.DataFrame)
    grid_events: pl.DataFrame = field(default_factory=pl.DataFrame)
    person_apps: pl.DataFrame = field(default_factory=pl.DataFrame)
    enterprise_apps: pl.DataFrame = field(default_factory=pl.DataFrame)


def _ages(persons: pl.DataFrame, today: int) -> np.ndarray:
    return (today - persons["birth_date"].cast(pl.Int64).to_numpy()) / 365.25


def _next_number(values: pl.Series, prefix_len: int) -> int:
    """The number after the largest numeric tail of `values` (identifiers like P00000001, ZR440604000000001)."""
    if values.len() == 0:
        return 1
    return int(values.str.slice(prefix_len).cast(pl.Int64).max()) + 1  # type: ignore[arg-type]


def live(world: World, seed: int, start: dt.date, days: int, counters: dict[str, int]) -> Life:
    """Draw `days` days of the district's life from `start` (events on start … start + days - 1)."""
    rng = np.random.default_rng([seed, 99, _days(start), days])
    today = _days(start)
    persons, households = world.persons, world.households
    n_people = int(persons["alive"].sum())
    n_ents = int((world.enterprises["status"] == "存续").sum())
    _, _, given, roads = _name_pools(seed)
    units, grids = _units()
    life = Life()

    def when(k: int) -> np.ndarray:
        return np.sort(today + rng.integers(0, days, k))

    # births: to local mothers of 20–42 who head a household or are a head's spouse
    age = _ages(persons, today)
    mothers = persons.filter(
        pl.Series(
            persons["alive"].to_numpy()
            & (persons["sex"] == "女").to_numpy()
            & persons["relation"].is_in(["户主", "配偶"]).to_numpy()
            & ~persons["is_migrant"].to_numpy()
            & (age >= 20)
            & (age <= 42)
        )
    )
    k = min(_count(rng, "births", n_people, days), mothers.height)
    mom = mothers[np.sort(rng.choice(mothers.height, k, replace=False))]
    born = when(k)
    born[:1] = today  # the first of them on the first day, so even a short advance registers a birth
    low, high = LIFE["registration_lag_days"]
    male = rng.random(k) < 0.52
    heads = mom.join(households.select("household_no", "head_person_id"), on="household_no", how="left").join(
        persons.select(head_person_id="person_id", head_name="name"), on="head_person_id", how="left"
    )
    given2 = np.where(rng.random(k) < 0.75, _pick(rng, given, k), "")
    name = np.char.add(
        np.char.add(heads["head_name"].str.slice(0, 1).to_numpy().astype(str), _pick(rng, given, k)), given2
    )
    first_pid = counters.setdefault("person", _next_number(persons["person_id"], 1))
    ids = pl.DataFrame({"prefix": DISTRICT_CODE + _to_date(born).dt.strftime("%Y%m%d"), "male": male})
    used = persons.select(prefix=pl.col("citizen_id").str.slice(0, 14), seq=pl.col("citizen_id").str.slice(14, 3))
    used = used.group_by("prefix").agg(top=pl.col("seq").cast(pl.Int64).max())
    ids = ids.join(used, on="prefix", how="left", maintain_order="left").with_columns(
        top=pl.col("top").fill_null(0), rank=pl.int_range(pl.len()).over("prefix", "male")
    )
    # the next free sequence of the right parity (odd for boys, even for girls), after every one given that day
    first = pl.col("top") + 1 + ((pl.col("top") + 1 + pl.col("male").cast(pl.Int64)) % 2)
    ids = ids.with_columns(f17=pl.col("prefix") + (first + 2 * pl.col("rank")).cast(pl.String).str.zfill(3))
    citizen_id = ids.select(pl.col("f17") + id_check_expr(pl.col("f17"))).to_series()
    life.births = pl.DataFrame(
        {
            "person_id": np.char.add("P", np.char.zfill(np.arange(first_pid, first_pid + k).astype(str), 8)),
            "name": name,
            "sex": np.where(male, "男", "女"),
            "birth_date": _to_date(born),
            "citizen_id": citizen_id,
            "phone": pl.Series([None] * k, dtype=pl.String),
            "household_no": mom["household_no"],
            "relation": np.where(male, "子", "女"),
            "village_code": mom["village_code"],
            "grid_code": mom["grid_code"],
            "house_no": mom["house_no"],
            "address": mom["address"],
            "is_migrant": mom["is_migrant"],
            "alive": np.ones(k, dtype=bool),
            "death_date": pl.Series([None] * k, dtype=pl.Date),
        }
    ).with_columns(
        mother_person_id=mom["person_id"],
        registered_on=_to_date(born + rng.integers(low, high + 1, k)),
    )
    counters["person"] = first_pid + k

    # deaths: mostly among the old, never a mother of this advance
    can_die = persons.filter(pl.col("alive") & ~pl.col("person_id").is_in(mom["person_id"].implode()))
    a = _ages(can_die, today)
    w = 0.002 + 0.02 * (a > 75) + 0.06 * (a > 85)
    k = _count(rng, "deaths", n_people, days)
    dead = can_die[np.sort(rng.choice(can_die.height, k, replace=False, p=w / w.sum()))]
    life.deaths = dead.select("person_id").with_columns(day=_to_date(when(k)))

    # household moves within the district: the whole household to another village's grid, a new address
    k = _count(rng, "household_moves", n_people // 3, days)
    hh = households[np.sort(rng.choice(households.height, k, replace=False))]
    unit = rng.integers(0, units.height, k)
    unit_codes = units["code"].to_numpy()[unit]
    grid_village = grids["village_code"].to_numpy()
    g0 = np.searchsorted(grid_village, unit_codes, side="left")
    g1 = np.searchsorted(grid_village, unit_codes, side="right")
    grid_code = grids["grid_code"].to_numpy()[g0 + (rng.random(k) * (g1 - g0)).astype(int)].astype(str)
    number, room = rng.integers(1, 400, k), rng.integers(1, 30, k) * 100 + rng.integers(1, 9, k)
    road = _pick(rng, roads, k)
    address = np.char.add(
        np.char.add(
            np.char.add("佛山市禅城区", units["town_name"].to_numpy()[unit].astype(str)),
            units["short"].to_numpy()[unit].astype(str),
        ),
        np.char.add(
            np.char.add(road.astype(str), np.char.add(number.astype(str), "号")), np.char.add(room.astype(str), "房")
        ),
    )
    house_no = np.char.add(
        np.char.add(grid_code, "-"),
        np.char.add(np.char.zfill(number.astype(str), 3), np.char.zfill(room.astype(str), 4)),
    )
    moved_hh = pl.DataFrame(
        {
            "household_no": hh["household_no"],
            "day": _to_date(when(k)),
            "village_code": unit_codes,
            "grid_code": grid_code,
            "house_no": house_no,
            "address": address,
        }
    )
    life.moves = (
        persons.filter(pl.col("alive"))
        .select("person_id", "household_no")
        .join(moved_hh, on="household_no", how="inner", maintain_order="left")
    )

    # marriages: unmarried sons and daughters of two households
    married = pl.concat([world.marriages["husband_person_id"], world.marriages["wife_person_id"]])
    single = persons.filter(
        pl.col("alive") & pl.col("relation").is_in(["子", "女"]) & ~pl.col("person_id").is_in(married.implode())
    )
    sa = _ages(single, today)
    men = single.filter(pl.Series((single["sex"] == "男").to_numpy() & (sa >= 22) & (sa <= 40)))
    women = single.filter(pl.Series((single["sex"] == "女").to_numpy() & (sa >= 20) & (sa <= 38)))
    k = min(_count(rng, "marriages", n_people, days), men.height, women.height)
    h = men[np.sort(rng.choice(men.height, k, replace=False))]
    wv = women[rng.choice(women.height, k, replace=False)]
    pairs = pl.DataFrame(
        {"husband_person_id": h["person_id"], "wife_person_id": wv["person_id"], "hh": h["household_no"]}
    ).with_columns(wh=wv["household_no"], registered_on=_to_date(when(k)))
    pairs = pairs.filter(pl.col("hh") != pl.col("wh"))
    first_no = counters.setdefault("marriage", _next_number(world.marriages["registration_no"].str.slice(13), 0))
    life.marriages = pairs.select(
        registration_no=pl.lit("J440604-")
        + pl.col("registered_on").dt.year().cast(pl.String)
        + "-"
        + pl.int_range(first_no, first_no + pl.len()).cast(pl.String).str.zfill(6),
        registration_type=pl.lit("结婚"),
        registered_on="registered_on",
        husband_person_id="husband_person_id",
        wife_person_id="wife_person_id",
        office=pl.lit("佛山市禅城区民政局婚姻登记处"),
    )
    counters["marriage"] = first_no + life.marriages.height

    # enterprises: new ones (legal representatives among the living) and some struck off
    ents = world.enterprises
    k = _count(rng, "new_enterprises", n_ents, days)
    fresh = _enterprises(rng, k, persons.filter(pl.col("alive")), units, given, roads, today)
    fresh = fresh.filter(~pl.col("uscc").is_in(ents["uscc"].implode()))
    first_e = counters.setdefault("enterprise", _next_number(ents["enterprise_id"], 1))
    life.opened = fresh.with_columns(
        enterprise_id=pl.lit("E") + pl.int_range(first_e, first_e + pl.len()).cast(pl.String).str.zfill(8),
        established_on=_to_date(when(fresh.height)),
        status=pl.lit("存续"),
    )
    counters["enterprise"] = first_e + life.opened.height
    open_ents = ents.filter(pl.col("status") == "存续")
    k = _count(rng, "closed_enterprises", n_ents, days)
    life.closed = open_ents[np.sort(rng.choice(open_ents.height, k, replace=False))].select("enterprise_id")
    life.closed = life.closed.with_columns(day=_to_date(when(k)))

    # penalties, for enterprises and for persons, decided in these days
    live_ents = open_ents.filter(~pl.col("enterprise_id").is_in(life.closed["enterprise_id"].implode()))
    ke = _count(rng, "enterprise_penalties", n_ents, days)
    kp = _count(rng, "person_penalties", n_people, days)
    adults = persons.filter(pl.Series(persons["alive"].to_numpy() & (age >= 18)))
    e_pool, p_pool = ENTERPRISE_CREDIT[1][1], PERSON_CREDIT[1][1]
    decided = when(ke + kp)
    first_r = counters["credit_record"]
    life.credit = pl.DataFrame(
        {
            "record_no": np.char.add("XY440604", np.char.zfill(np.arange(first_r, first_r + ke + kp).astype(str), 10)),
            "subject_type": np.concatenate([np.full(ke, "法人"), np.full(kp, "自然人")]),
            "person_id": pl.concat(
                [
                    pl.repeat(None, ke, dtype=pl.String, eager=True),
                    adults["person_id"][rng.integers(0, adults.height, kp)],
                ]
            ),
            "enterprise_id": pl.concat(
                [
                    live_ents["enterprise_id"][rng.integers(0, live_ents.height, ke)],
                    pl.repeat(None, kp, dtype=pl.String, eager=True),
                ]
            ),
            "record_type": np.full(ke + kp, ENTERPRISE_CREDIT[1][0]),
            "title": np.concatenate([_pick(rng, e_pool, ke), _pick(rng, p_pool, kp)]),
            "decided_on": _to_date(decided),
            "authority": _pick(rng, DEPARTMENTS[:12], ke + kp),
            "updated_at": _to_datetime(_office_seconds(rng, decided)),
        }
    )
    counters["credit_record"] = first_r + ke + kp

    # grid events where people live
    k = _count(rng, "grid_events", n_people, days)
    where = persons.filter(pl.col("alive")).select("grid_code", "village_code", "address")
    where = where[rng.integers(0, where.height, k)]
    cat = rng.integers(0, len(EVENT_CATEGORIES), k)
    types = np.asarray([t for _, ts, _ in EVENT_CATEGORIES for t in ts])
    reported = np.sort(when(k) * 86_400 + rng.integers(6 * 3600, 23 * 3600, k))
    closed_at = reported + rng.exponential(2 * 86_400, k).astype(np.int64) + 600
    end = (today + days) * 86_400
    done = closed_at < end
    first_ev = counters["grid_event"]
    life.grid_events = pl.DataFrame(
        {
            "event_no": np.char.add("SJ440604", np.char.zfill(np.arange(first_ev, first_ev + k).astype(str), 9)),
            "category": np.asarray([c for c, _, _ in EVENT_CATEGORIES])[cat],
            "event_type": types[cat * 3 + rng.integers(0, 3, k)],
            "department": np.asarray([d for _, _, d in EVENT_CATEGORIES])[cat],
            "grid_code": where["grid_code"],
            "village_code": where["village_code"],
            "address": where["address"],
            "reported_at": _to_datetime(reported),
            "status": np.where(done, "已办结", "处置中"),
            "closed_at": _to_datetime(closed_at),
        }
    ).with_columns(closed_at=pl.when(pl.col("status") == "已办结").then(pl.col("closed_at")))
    counters["grid_event"] = first_ev + k

    # one-window cases: adults' applications, and the ones life brings (a newborn's registration, a new
    # enterprise's establishment, a closed one's deregistration)
    k = _count(rng, "person_applications", n_people, days)
    who = adults["person_id"][rng.integers(0, adults.height, k)]
    newborn_reg = life.births.filter(pl.col("registered_on").cast(pl.Int64) < today + days)
    item = rng.integers(0, len(PERSON_ITEMS), k)
    p_items = pl.DataFrame(
        {
            "item_code": np.concatenate(
                [np.asarray([c for c, _ in PERSON_ITEMS])[item], np.full(newborn_reg.height, "ZR0004")]
            ),
            "item_name": np.concatenate(
                [np.asarray([t for _, t in PERSON_ITEMS])[item], np.full(newborn_reg.height, "新生儿入户")]
            ),
            "person_id": pl.concat([who, newborn_reg["mother_person_id"]]),
            "day": np.concatenate([when(k), newborn_reg["registered_on"].cast(pl.Int64).to_numpy()]),
        }
    )
    life.person_apps = _cases(rng, p_items, "ZR440604", counters, "person_application", today + days).join(
        persons.select("person_id", "village_code"), on="person_id", how="left", maintain_order="left"
    )
    k = _count(rng, "enterprise_applications", n_ents, days)
    item = rng.integers(0, len(ENTERPRISE_ITEMS), k)
    picked = live_ents[rng.integers(0, live_ents.height, k)]
    closing = life.closed.join(ents.select("enterprise_id", "legal_rep_person_id"), on="enterprise_id", how="left")
    e_items = pl.DataFrame(
        {
            "item_code": np.concatenate(
                [
                    np.asarray([c for c, _ in ENTERPRISE_ITEMS])[item],
                    np.full(life.opened.height, "FR0001"),
                    np.full(closing.height, "FR0003"),
                ]
            ),
            "item_name": np.concatenate(
                [
                    np.asarray([t for _, t in ENTERPRISE_ITEMS])[item],
                    np.full(life.opened.height, "企业设立登记"),
                    np.full(closing.height, "企业注销登记"),
                ]
            ),
            "enterprise_id": pl.concat(
                [picked["enterprise_id"], life.opened["enterprise_id"], closing["enterprise_id"]]
            ),
            "agent_person_id": pl.concat(
                [picked["legal_rep_person_id"], life.opened["legal_rep_person_id"], closing["legal_rep_person_id"]]
            ),
            "day": np.concatenate(
                [
                    when(k),
                    life.opened["established_on"].cast(pl.Int64).to_numpy(),
                    closing["day"].cast(pl.Int64).to_numpy(),
                ]
            ),
        }
    )
    life.enterprise_apps = _cases(rng, e_items, "FR440604", counters, "enterprise_application", today + days)
    return life


def _cases(
    rng: np.random.Generator, items: pl.DataFrame, prefix: str, counters: dict[str, int], counter: str, end: int
) -> pl.DataFrame:
    """Applications submitted on `day` in office hours, numbered on; finished ones touched again before `end`."""
    k = items.height
    submitted = _office_seconds(rng, items["day"].to_numpy())
    order = np.argsort(submitted, kind="stable")
    status = _statuses(rng, k)
    lag = np.where(status == "已办结", rng.integers(3600, 3 * 86_400, k), rng.integers(60, 8 * 3600, k))
    first = counters[counter]
    counters[counter] = first + k
    return (
        items[order]
        .drop("day")
        .with_columns(
            application_no=pl.lit(prefix) + pl.int_range(first, first + k).cast(pl.String).str.zfill(9),
            submitted_at=_to_datetime(submitted[order]),
            status=pl.Series(status),
            updated_at=_to_datetime(np.minimum(submitted[order] + lag, end * 86_400 - 1)),
        )
    )


def apply(world: World, life: Life) -> None:
    """The truth after the advance: newborns, the dead, moved households, marriages, enterprises."""
    births = life.births.drop("mother_person_id", "registered_on")
    persons = pl.concat([world.persons, births], how="vertical_relaxed")
    persons = persons.join(life.deaths, on="person_id", how="left", maintain_order="left").with_columns(
        alive=pl.col("alive") & pl.col("day").is_null(), death_date=pl.coalesce("death_date", "day")
    )
    persons = persons.drop("day")
    moved = life.moves.select("person_id", "village_code", "grid_code", "house_no", "address")
    persons = persons.update(moved, on="person_id", how="left")
    world.persons = persons
    sizes = births.group_by("household_no").agg(extra=pl.len())
    households = world.households.join(sizes, on="household_no", how="left", maintain_order="left").with_columns(
        size=pl.col("size") + pl.col("extra").fill_null(0)
    )
    hh_moves = life.moves.unique("household_no", keep="first", maintain_order=True)
    world.households = households.drop("extra").update(
        hh_moves.select("household_no", "village_code", "grid_code", "house_no", "address"),
        on="household_no",
        how="left",
    )
    world.marriages = pl.concat([world.marriages, life.marriages], how="vertical_relaxed")
    ents = pl.concat([world.enterprises, life.opened.select(world.enterprises.columns)], how="vertical_relaxed")
    world.enterprises = ents.with_columns(
        status=pl.when(pl.col("enterprise_id").is_in(life.closed["enterprise_id"].implode()))
        .then(pl.lit("注销"))
        .otherwise(pl.col("status"))
    )
    world.life_events = pl.concat(
        [
            world.life_events,
            _events(
                "birth",
                life.births.select(
                    "person_id", day="birth_date", other_person_id="mother_person_id", registered_on="registered_on"
                ),
            ),
            _events("death", life.deaths),
            _events("move", life.moves.select("person_id", "day", detail="address")),
            _events(
                "marriage",
                life.marriages.select(
                    person_id="husband_person_id",
                    other_person_id="wife_person_id",
                    day="registered_on",
                    detail="registration_no",
                ),
            ),
            _events("enterprise_opened", life.opened.select("enterprise_id", day="established_on")),
            _events("enterprise_closed", life.closed),
            _events("penalty", life.credit.select("person_id", "enterprise_id", day="decided_on", detail="record_no")),
        ]
    ).sort("day", "kind", maintain_order=True)


# ------------------------------------------------------------------------------------------------ delivering


@dataclass
class Deliverer:
    """Writes the advance's deliveries and keeps the truth of every mention they carry."""

    settings: Settings
    seed: int
    world: World
    calendar: dict[str, Any]
    pool: list[str]
    written: list[dict[str, Any]] = field(default_factory=list)
    persons_t: list[pl.DataFrame] = field(default_factory=list)
    ents_t: list[pl.DataFrame] = field(default_factory=list)
    rows_added: dict[str, int] = field(default_factory=dict)

    @property
    def upstream(self) -> Path:
        return self.settings.upstream

    def note(self, path: Path, system: str, day: dt.date, how: str = "on time") -> None:
        self.written.append(
            {
                "system": system,
                "day": day.isoformat(),
                "path": str(path.relative_to(self.upstream)),
                "sha256": _sha(path),
                "how": how,
            }
        )

    def keep(self, part: Any) -> pl.DataFrame:
        self.persons_t.extend(part.persons)
        self.ents_t.extend(part.enterprises)
        return part.frame

    def rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, 98, *key])


def _insert(db: Path, table: str, frame: pl.DataFrame) -> None:
    """Add a day's rows. An advance stopped after this but before it saved its calendar is run again from the same
    calendar, seed and truth, and makes the very same rows: those already in are left as they are."""
    con = sqlite3.connect(db)
    try:
        marks = ", ".join("?" for _ in frame.columns)
        con.executemany(f'INSERT OR IGNORE INTO "{table}" VALUES ({marks})', frame.iter_rows())
        con.commit()
    finally:
        con.close()


def _max_number(db: Path, table: str, column: str, prefix_len: int) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        top = con.execute(
            f'SELECT max(CAST(substr("{column}", {prefix_len + 1}) AS INTEGER)) FROM "{table}"'
        ).fetchone()
    finally:
        con.close()
    return int(top[0] or 0)


def init_counters(upstream: Path, counters: dict[str, int]) -> None:
    """Numbering carries on from what the databases hold."""
    ow = upstream / "onewindow" / "onewindow.sqlite"
    grid = upstream / "grid" / "grid.sqlite"
    for name, (db, table, column, skip) in {
        "person_application": (ow, "person_applications", "applicationNo", 8),
        "enterprise_application": (ow, "enterprise_applications", "applicationNo", 8),
        "credit_record": (ow, "credit_records", "recordNo", 8),
        "grid_event": (grid, "events", "event_no", 8),
    }.items():
        if name not in counters:
            counters[name] = _max_number(db, table, column, skip) + 1


def deliver_databases(d: Deliverer, life: Life, start: dt.date, days: int) -> None:
    """Rows added to the one-window and grid databases; some open one-window cases are closed (a new version)."""
    w, prefixes = d.world, PHONE_PREFIXES
    rng = d.rng(_days(start), days, 1)
    ow = d.upstream / "onewindow" / "onewindow.sqlite"
    tables = {
        "person_applications": d.keep(person_applications(rng, life.person_apps, w.persons, d.pool, prefixes)),
        "enterprise_applications": d.keep(
            enterprise_applications(rng, life.enterprise_apps, w.enterprises, w.persons, d.pool)
        ),
        "credit_records": d.keep(credit_records(rng, life.credit, w.enterprises, w.persons, d.pool)),
    }
    for table, frame in tables.items():
        _insert(ow, table, frame)
        d.rows_added[f"onewindow/{table}"] = frame.height
    # cases still open are finished now: the API serves them again with a later updatedAt
    con = sqlite3.connect(ow)
    try:
        open_cases = [
            r[0]
            for r in con.execute(
                "SELECT applicationNo FROM person_applications"
                " WHERE status IN ('办理中', '已受理') ORDER BY applicationNo"
            )
        ]
        k = min(_count(rng, "case_updates", int(w.persons["alive"].sum()), days), len(open_cases))
        chosen = sorted(np.asarray(open_cases)[rng.choice(len(open_cases), k, replace=False)].tolist())
        stamps = _to_datetime(_office_seconds(rng, _days(start) + rng.integers(0, days, k))).dt.strftime(
            "%Y-%m-%dT%H:%M:%S+08:00"
        )
        con.executemany(
            "UPDATE person_applications SET status = '已办结', updatedAt = ? WHERE applicationNo = ?",
            list(zip(stamps.to_list(), chosen, strict=True)),
        )
        con.commit()
    finally:
        con.close()
    d.rows_added["onewindow/person_applications (closed cases)"] = k

    # grid workers collect most newborns and movers after the event, and report the new events
    grid = d.upstream / "grid" / "grid.sqlite"
    share = LIFE["grid_collects"]
    end = (_days(start) + days) * 86_400
    seen = pl.concat(
        [
            life.births.select("person_id", day="birth_date"),
            life.moves.select("person_id", "day"),
        ]
    )
    seen = seen.filter(pl.Series(rng.random(seen.height) < share))
    at = seen["day"].cast(pl.Int64).to_numpy() * 86_400 + rng.integers(86_400, 4 * 86_400, seen.height)
    seen = seen.with_columns(collected_at=_to_datetime(at)).filter(
        pl.col("collected_at") < _to_datetime(np.asarray([end]))[0]
    )
    res = seen.join(w.persons, on="person_id", how="left").sort("collected_at", "person_id")
    first_id = _max_number(grid, "residents", "id", 0) + 1
    frame = d.keep(grid_residents(rng, res, d.pool, prefixes, first_id))
    _insert(grid, "residents", frame)
    d.rows_added["grid/residents"] = frame.height
    events = grid_events(life.grid_events, _max_number(grid, "events", "id", 0) + 1)
    _insert(grid, "events", events)
    d.rows_added["grid/events"] = events.height


def _latest(calendar: dict[str, Any], upstream: Path, system: str, folder: Path, pattern: str) -> Path:
    """The system's last proper delivery (not a re-sent copy nor a cut-short original): where the next one starts."""
    known = calendar["latest"].get(system)
    return upstream / known if known else sorted(folder.glob(pattern))[-1]


def deliver_hukou(d: Deliverer, life: Life, start: dt.date, days: int) -> None:
    """A full extract every day: the dead leave it, movers' addresses change, newborns join once registered.

    The last day's extract is first sent cut short, then corrected; the first day's is sent a second time."""
    folder = d.upstream / "drops" / "hukou"
    base = pl.read_csv(
        _latest(d.calendar, d.upstream, "hukou", folder, "hukou_*.csv"), encoding="gb18030", infer_schema=False
    )
    owner = d.world.source_records.filter((pl.col("system") == "hukou") & (pl.col("entity") == "residents"))
    owner = owner.select(公民身份号码="record_id", person_id="person_id").unique("公民身份号码")
    base = base.join(owner, on="公民身份号码", how="left", maintain_order="left")
    rng = d.rng(_days(start), days, 2)
    born = life.births.filter(~pl.col("is_migrant"))
    ids, id_noise = noisy_ids(rng, born["citizen_id"], ID_NOISE["hukou"])
    newborn = d.keep(
        hukou_residents(born.with_columns(id_as_delivered=ids, id_noise=id_noise, fault=pl.lit(None, dtype=pl.String)))
    ).with_columns(person_id=born["person_id"], _registered=born["registered_on"])
    deaths = life.deaths.rename({"day": "_died"})
    moves = life.moves.select("person_id", _moved="day", _address="address", _village="village_code")
    base = base.join(deaths, on="person_id", how="left", maintain_order="left").join(
        moves, on="person_id", how="left", maintain_order="left"
    )
    end = start + dt.timedelta(days=days)
    for offset in range(1, days + 1):
        day = start + dt.timedelta(days=offset)
        today = pl.lit(day)
        extract = pl.concat(
            [
                base.filter(pl.col("_died").is_null() | (pl.col("_died") >= today))
                .with_columns(
                    户籍地址=pl.when(pl.col("_moved") < today).then(pl.col("_address")).otherwise(pl.col("户籍地址")),
                    村居代码=pl.when(pl.col("_moved") < today).then(pl.col("_village")).otherwise(pl.col("村居代码")),
                )
                .select(HUKOU_HEADERS),
                newborn.filter(pl.col("_registered") < today).select(HUKOU_HEADERS),
            ]
        )
        path = folder / f"hukou_{day:%Y%m%d}.csv"
        if day == end:  # the export of the last day was cut short, and sent again whole
            cut = max(1, extract.height // 100)
            writers.write_csv(path, extract.head(extract.height - cut), "gbk")
            d.note(path, "hukou", day, "cut short (corrected below)")
            path = folder / f"hukou_{day:%Y%m%d}_corrected.csv"
            writers.write_csv(path, extract, "gbk")
            d.note(path, "hukou", day, "correction")
        else:
            writers.write_csv(path, extract, "gbk")
            d.note(path, "hukou", day)
        if offset == 1:  # the police system sent its first extract twice
            again = folder / f"hukou_{day:%Y%m%d}_resend.csv"
            shutil.copyfile(path, again)
            d.note(again, "hukou", day, "re-sent")
    d.calendar["latest"]["hukou"] = str(path.relative_to(d.upstream))


def deliver_marriages(d: Deliverer, day: dt.date) -> None:
    """The registry's full list, with the registrations made since its last delivery added."""
    folder = d.upstream / "drops" / "civil_marriage"
    base = pl.read_csv(_latest(d.calendar, d.upstream, "civil_marriage", folder, "marriage_*.csv"), infer_schema=False)
    new = d.world.marriages.filter(
        (pl.col("registered_on") < day) & ~pl.col("registration_no").is_in(base["登记编号"].implode())
    )
    frame = d.keep(marriage_registrations(d.rng(_days(day), 3), new, d.world.persons, d.pool, []))
    path = folder / f"marriage_{day:%Y%m%d}.csv"
    writers.write_csv(path, pl.concat([base, frame]), "utf-8")
    d.note(path, "civil_marriage", day)
    d.calendar["latest"]["civil_marriage"] = str(path.relative_to(d.upstream))


def deliver_market(d: Deliverer, day: dt.date) -> None:
    """The monthly register: struck-off entities change status, new ones are added."""
    folder = d.upstream / "drops" / "market_registry"
    latest = _latest(d.calendar, d.upstream, "market_registry", folder, "market_*.xlsx")
    base = pl.read_excel(latest, sheet_name="市场主体", read_options={"header_row": 1})
    ents = d.world.enterprises
    closed = ents.filter(pl.col("status") == "注销")["uscc"].implode()
    base = base.with_columns(
        登记状态=pl.when(pl.col("统一社会信用代码").is_in(closed)).then(pl.lit("注销")).otherwise(pl.col("登记状态"))
    )
    new = ents.filter((pl.col("established_on") < day) & ~pl.col("uscc").is_in(base["统一社会信用代码"].implode()))
    rows = d.keep(market_enterprises(d.rng(_days(day), 4), new, d.world.persons, d.pool))
    path = folder / f"market_{day:%Y%m}.xlsx"
    title = f"{DISTRICT_NAME}市场主体登记信息（{day.year}年{day.month}月）"
    writers.write_titled_xlsx(path, pl.concat([base, rows], how="vertical_relaxed"), title, "市场主体", day)
    d.note(path, "market_registry", day)
    d.calendar["latest"]["market_registry"] = str(path.relative_to(d.upstream))


class LegacyDeliveries:
    """A legacy system's extract on a day: its rows of the first delivery, and rows for the life since."""

    def __init__(self, d: Deliverer, scale: str, origin: dt.date) -> None:
        self.d = d
        self.scale = scale
        self.origin = origin
        self._district: Any = None
        self._base: dict[str, Any] = {}

    def base(self, s: LegacySystem) -> Any:
        from sandbox.legacy import render_system

        if s.id not in self._base:
            if self._district is None:  # the district of the first delivery, rebuilt from its seed
                self._district = build_district(get_scale(self.scale), self.d.seed, self.origin)
            self._base[s.id] = render_system(s, self._district, person_truth, enterprise_truth)
        return self._base[s.id]

    def rows_since(self, s: LegacySystem, day: dt.date) -> list[Any]:
        """Rows for each day's events before `day`, rendered per event day so earlier rows never change."""
        if s.template.stem not in EVENT_TEMPLATES:
            return []
        kind, share = EVENT_TEMPLATES[s.template.stem]
        w = self.d.world
        ev = w.life_events.filter((pl.col("kind") == kind) & (pl.col("day") < day))
        if kind == "penalty":
            ev = ev.filter(pl.col("enterprise_id").is_not_null())
        parts = []
        number = self.base(s).frame.height + 1
        for (event_day,), group in ev.group_by("day", maintain_order=True):
            rng = np.random.default_rng([self.d.seed, 7, s.index, _days(event_day)])
            if kind == "penalty":
                pick = group.select("enterprise_id").join(w.enterprises, on="enterprise_id", how="left")
            else:
                pick = group.select("person_id").join(w.persons, on="person_id", how="left", maintain_order="left")
            pick = pick.filter(pl.Series(rng.random(pick.height) < share))
            event = pl.Series([event_day] * pick.height, dtype=pl.Date)
            part = render_rows(s, pick, event, number, rng, w.persons, self.d.pool, person_truth, enterprise_truth)
            parts.append((event_day, part))
            number += pick.height
        return parts

    def deliver(self, s: LegacySystem, day: dt.date, how: str = "on time") -> None:
        base = self.base(s)
        parts = self.rows_since(s, day)
        through = self.d.calendar["truth_through"].get(s.id)
        for event_day, part in parts:  # the truth learns of rows when they are first delivered
            if through is None or event_day.isoformat() >= through:
                self.d.keep(part)
        if parts:
            self.d.calendar["truth_through"][s.id] = (parts[-1][0] + dt.timedelta(days=1)).isoformat()
        frame = pl.concat([base.frame, *[p.frame for _, p in parts]], how="vertical_relaxed")
        path = write_system(s, frame, self.d.upstream, day)
        self.d.note(path, s.id, day, how)


def advance(settings: Settings, days: int, on_step: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Move the district's calendar on by `days`, deliver what every upstream would, update the truth."""
    if days < 1:
        raise ValueError("advance by at least one day")
    step = on_step or (lambda _msg: None)
    started = time.perf_counter()
    truth = settings.truth_dir
    summary_path = truth / "summary.json"
    if not summary_path.exists():
        raise FileNotFoundError(f"no district under {settings.sandbox_dir}: run `zhongtai sandbox generate` first")
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    start = dt.date.fromisoformat(summary["as_of"])
    end = start + dt.timedelta(days=days)
    seed = int(summary["seed"])
    cal_path = settings.sandbox_dir / CALENDAR
    calendar: dict[str, Any] = (
        json.loads(cal_path.read_text(encoding="utf-8"))
        if cal_path.exists()
        else {"origin": summary["as_of"], "counters": {}, "latest": {}, "truth_through": {}, "late": None}
    )
    origin = dt.date.fromisoformat(calendar["origin"])

    step(f"living {days} days from {start} (seed {seed})")
    world = World.load(truth)
    init_counters(settings.upstream, calendar["counters"])
    life = live(world, seed, start, days, calendar["counters"])
    apply(world, life)
    d = Deliverer(settings, seed, world, calendar, _name_pools(seed)[2])

    step("adding rows to the one-window and grid databases")
    deliver_databases(d, life, start, days)
    step("writing the daily hukou extracts")
    deliver_hukou(d, life, start, days)
    legacy = LegacyDeliveries(d, summary["scale"], origin)
    systems = legacy_systems()
    held = calendar.get("late")
    if held:  # last advance's held-back delivery arrives first, under its own date
        s = next(x for x in systems if x.id == held["system"])
        step(f"delivering {s.id}'s late extract of {held['day']}")
        legacy.deliver(s, dt.date.fromisoformat(held["day"]), "late")
        calendar["late"] = None
    for offset in range(1, days + 1):
        day = start + dt.timedelta(days=offset)
        step(f"{day}: deliveries due")
        if due(CADENCE["civil_marriage"], day, origin):
            deliver_marriages(d, day)
        if due(CADENCE["market_registry"], day, origin):
            deliver_market(d, day)
        for s in systems:
            if not due(s.template.schedule, day, origin):
                continue
            if s.id == LATE_SYSTEM and day == end:  # held back: it arrives with the next advance
                calendar["late"] = {"system": s.id, "day": day.isoformat()}
                continue
            legacy.deliver(s, day)

    step("updating the truth")
    if d.persons_t:
        world.source_records = pl.concat([world.source_records, *d.persons_t], how="vertical_relaxed")
    if d.ents_t:
        world.enterprise_records = pl.concat([world.enterprise_records, *d.ents_t], how="vertical_relaxed")
    world.save(truth)
    record = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "days": days,
        "life": {
            "births": life.births.height,
            "deaths": life.deaths.height,
            "marriages": life.marriages.height,
            "household_moves": life.moves["household_no"].n_unique(),
            "persons_moved": life.moves.height,
            "enterprises_opened": life.opened.height,
            "enterprises_closed": life.closed.height,
            "penalties": life.credit.height,
            "grid_events": life.grid_events.height,
        },
        "rows_added": d.rows_added,
        "files": d.written,
        "held_back": calendar["late"],
    }
    summary["as_of"] = end.isoformat()
    summary.setdefault("advances", []).append(record)
    with writers.atomic_path(summary_path) as tmp:
        tmp.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    with writers.atomic_path(cal_path) as tmp:
        tmp.write_text(json.dumps(calendar, ensure_ascii=False, indent=2), encoding="utf-8")
    return {
        "from": record["from"],
        "as_of": record["to"],
        **record["life"],
        "files_written": len(d.written),
        "late": sum(f["how"] == "late" for f in d.written),
        "re_sent": sum(f["how"] == "re-sent" for f in d.written),
        "corrected": sum(f["how"] == "correction" for f in d.written),
        "held_back": f"{calendar['late']['system']} {calendar['late']['day']}" if calendar["late"] else "none",
        "seconds": round(time.perf_counter() - started, 2),
    }
