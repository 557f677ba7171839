"""The ground-truth synthetic district: people, households, enterprises and their life, generated vectorised."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from faker import Faker
from faker.providers.person.zh_CN import Provider as PersonProvider

from sandbox import DEFAULT_SEED
from sandbox.scales import Scale
from zhongtai.identifiers import (
    ID_CHECK_CHARS,
    ID_WEIGHTS,
    ORG_CODE_ALPHABET,
    ORG_CODE_WEIGHTS,
    USCC_ALPHABET,
    USCC_WEIGHTS,
)
from zhongtai.reference import load_divisions, load_grids

# fixed, so the same seed gives the same district whatever day it is generated on
AS_OF = dt.date(2026, 11, 16)
DISTRICT_CODE = "440604"
DISTRICT_NAME = "禅城区"

# real county codes in the provinces Foshan's migrants mostly come from, chosen among those never re-coded, so an
# ID is valid whatever the holder's birth year (GB/T 2260 codes are only valid for the years they existed)
MIGRANT_AREAS = [
    "430121",
    "430321",
    "433127",
    "360121",
    "510121",
    "510321",
    "422822",
    "350121",
    "522323",
    "522625",
]
# Chancheng (440604) exists since 2002; people born earlier carry the code of its predecessors
LOCAL_AREAS_BY_ERA = [(2002, DISTRICT_CODE), (1984, "440602"), (0, "440600")]  # 禅城区, 城区 (1984–2001), 佛山市
MIGRANT_SHARE = 0.15
PHONE_PREFIXES = [f"{p}" for p in (*range(130, 140), *range(150, 154), *range(155, 160), *range(180, 190))]
RELATIONS = ["户主", "配偶", "子", "女", "父母"]

PERSON_ITEMS = [
    ("ZR0001", "居民身份证换领"),
    ("ZR0002", "居住证办理"),
    ("ZR0003", "生育登记"),
    ("ZR0004", "新生儿入户"),
    ("ZR0005", "城乡居民医疗保险参保登记"),
    ("ZR0006", "城乡居民养老保险参保登记"),
    ("ZR0007", "高龄津贴申领"),
    ("ZR0008", "老年人优待证办理"),
    ("ZR0009", "婚前医学检查券领取"),
    ("ZR0010", "最低生活保障申请"),
    ("ZR0011", "残疾人证办理"),
    ("ZR0012", "就业登记"),
    ("ZR0013", "失业保险金申领"),
    ("ZR0014", "公积金提取"),
    ("ZR0015", "儿童保健券领取"),
    ("ZR0016", "不动产登记查询"),
    ("ZR0017", "无犯罪记录证明"),
    ("ZR0018", "临时救助申请"),
    ("ZR0019", "计划生育证明"),
    ("ZR0020", "学位申请材料审核"),
]
ENTERPRISE_ITEMS = [
    ("FR0001", "企业设立登记"),
    ("FR0002", "企业变更登记"),
    ("FR0003", "企业注销登记"),
    ("FR0004", "食品经营许可"),
    ("FR0005", "公共场所卫生许可"),
    ("FR0006", "建设工程规划许可"),
    ("FR0007", "排污许可"),
    ("FR0008", "消防安全检查"),
    ("FR0009", "户外广告设置许可"),
    ("FR0010", "社保单位登记"),
    ("FR0011", "税务登记信息确认"),
    ("FR0012", "招工备案"),
]
INDUSTRIES = [
    "五金",
    "陶瓷",
    "服装",
    "餐饮",
    "电子",
    "贸易",
    "物流",
    "建材",
    "家具",
    "食品",
    "科技",
    "印刷",
    "汽车维修",
    "美容",
    "教育咨询",
    "装饰工程",
    "不锈钢",
    "纺织",
    "塑料制品",
    "照明电器",
]
COMPANY_TYPES = [
    ("有限责任公司（自然人投资或控股）", "有限公司", 0.55),
    ("有限责任公司（自然人独资）", "有限公司", 0.25),
    ("股份有限公司（非上市）", "股份有限公司", 0.05),
    ("个人独资企业", "商行", 0.08),
    ("合伙企业", "合伙企业", 0.07),
]
DEPARTMENTS = [
    "区公安分局",
    "区应急管理局",
    "区市场监督管理局",
    "区生态环境分局",
    "区城市管理和综合执法局",
    "区住房城乡建设和水利局",
    "区交通运输局",
    "区司法局",
    "区人力资源和社会保障局",
    "区卫生健康局",
    "区民政局",
    "区消防救援大队",
    "区自然资源分局",
    "区教育局",
    "区信访局",
    "区残联",
    "区文化广电旅游体育局",
    "镇街综合治理办",
]
EVENT_CATEGORIES: list[tuple[str, list[str], str]] = [
    ("治安隐患", ["可疑人员", "治安乱点", "盗窃隐患"], "区公安分局"),
    ("消防安全", ["通道堵塞", "违规用电", "消防设施缺失"], "区消防救援大队"),
    ("安全生产", ["违规作业", "危化品存放", "有限空间隐患"], "区应急管理局"),
    ("食品药品安全", ["无证经营", "过期食品", "卫生不达标"], "区市场监督管理局"),
    ("环境卫生", ["垃圾堆积", "卫生死角", "病媒孳生"], "区城市管理和综合执法局"),
    ("环境保护", ["噪声扰民", "废气排放", "污水直排"], "区生态环境分局"),
    ("城市管理", ["占道经营", "乱摆卖", "违规广告"], "区城市管理和综合执法局"),
    ("市政设施", ["井盖缺失", "路灯损坏", "道路破损"], "区住房城乡建设和水利局"),
    ("道路交通", ["乱停放", "交通设施损坏", "非法营运"], "区交通运输局"),
    ("矛盾纠纷", ["邻里纠纷", "家庭纠纷", "物业纠纷"], "区司法局"),
    ("劳动保障", ["欠薪", "劳动合同纠纷", "非法用工"], "区人力资源和社会保障局"),
    ("出租屋管理", ["未登记出租", "群租", "安全隐患"], "区公安分局"),
    ("流动人口服务", ["未申报居住", "证件办理", "子女入学"], "区公安分局"),
    ("特殊人群服务", ["独居老人", "困境儿童", "重症精神障碍"], "区民政局"),
    ("违法建设", ["违章搭建", "擅自改建", "占用绿地"], "区自然资源分局"),
    ("三小场所", ["小作坊", "小档口", "小娱乐场所"], "区应急管理局"),
    ("其他", ["咨询建议", "求助", "其他事项"], "镇街综合治理办"),
]
ENTERPRISE_CREDIT = [
    ("行政许可", ["食品经营许可", "道路运输经营许可", "排污许可", "公共场所卫生许可", "建筑施工许可"], 0.70),
    ("行政处罚", ["未按规定公示年报", "超标排放", "销售过期食品", "消防设施不合格", "无证经营"], 0.22),
    ("守信红名单", ["纳税信用A级", "守合同重信用企业"], 0.04),
    ("失信黑名单", ["严重违法失信企业", "拖欠农民工工资"], 0.04),
]
PERSON_CREDIT = [
    ("行政许可", ["执业医师注册", "导游资格", "机动车驾驶许可"], 0.50),
    ("行政处罚", ["违反治安管理", "违规燃放烟花爆竹", "交通违法"], 0.35),
    ("失信黑名单", ["失信被执行人"], 0.10),
    ("守信红名单", ["优秀志愿者", "无偿献血先进个人"], 0.05),
]
CREDIT_AUTHORITY = {
    "食品经营许可": "区市场监督管理局",
    "道路运输经营许可": "区交通运输局",
    "排污许可": "区生态环境分局",
    "公共场所卫生许可": "区卫生健康局",
    "建筑施工许可": "区住房城乡建设和水利局",
}


@dataclass
class District:
    """Everything that is true about the district on `as_of`; upstream systems only ever show parts of it."""

    seed: int
    scale: Scale
    as_of: dt.date
    persons: pl.DataFrame
    households: pl.DataFrame
    enterprises: pl.DataFrame
    marriages: pl.DataFrame
    person_applications: pl.DataFrame
    enterprise_applications: pl.DataFrame
    credit_records: pl.DataFrame
    grid_events: pl.DataFrame
    given_chars: list[str]
    phone_prefixes: list[str]

    def counts(self) -> dict[str, int]:
        return {
            "persons": self.persons.height,
            "households": self.households.height,
            "enterprises": self.enterprises.height,
            "marriages": self.marriages.height,
            "person_applications": self.person_applications.height,
            "enterprise_applications": self.enterprise_applications.height,
            "credit_records": self.credit_records.height,
            "grid_events": self.grid_events.height,
        }


def id_check_expr(first17: pl.Expr) -> pl.Expr:
    """GB 11643 check character of a column of 17-digit strings, computed column-wise."""
    total = sum(first17.str.slice(i, 1).cast(pl.Int64) * w for i, w in enumerate(ID_WEIGHTS))
    return (total % 11).replace_strict(dict(enumerate(ID_CHECK_CHARS)), return_dtype=pl.String)


def uscc_check_expr(first17: pl.Expr) -> pl.Expr:
    values = {c: i for i, c in enumerate(USCC_ALPHABET)}
    total = sum(
        first17.str.slice(i, 1).replace_strict(values, return_dtype=pl.Int64) * w for i, w in enumerate(USCC_WEIGHTS)
    )
    return ((31 - total % 31) % 31).replace_strict(dict(enumerate(USCC_ALPHABET)), return_dtype=pl.String)


def org_code_check_expr(first8: pl.Expr) -> pl.Expr:
    values = {c: i for i, c in enumerate(ORG_CODE_ALPHABET)}
    total = sum(
        first8.str.slice(i, 1).replace_strict(values, return_dtype=pl.Int64) * w for i, w in enumerate(ORG_CODE_WEIGHTS)
    )
    check = 11 - total % 11
    return pl.when(check == 10).then(pl.lit("X")).when(check == 11).then(pl.lit("0")).otherwise(check.cast(pl.String))


def _pick(rng: np.random.Generator, pool: list[str], n: int, p: np.ndarray | None = None) -> np.ndarray:
    return np.asarray(pool)[rng.choice(len(pool), n, p=p)]


def _days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def _to_date(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype("int64").astype("datetime64[D]"))


def _to_datetime(seconds: np.ndarray) -> pl.Series:
    return pl.Series((seconds.astype("int64") * 1_000_000).astype("datetime64[us]"))


def _office_seconds(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Local timestamps (seconds since epoch, Asia/Shanghai wall clock) inside office hours on the given days."""
    return days.astype("int64") * 86_400 + rng.integers(8 * 3600 + 1800, 17 * 3600 + 1800, len(days))


def _name_pools(seed: int) -> tuple[list[str], np.ndarray, list[str], list[str]]:
    surnames = list(PersonProvider.last_names)
    weights = np.asarray(list(PersonProvider.last_names.values()), dtype=float)
    # Faker's given names include two-character ones; a pool of single characters lets names be 1 or 2 of them
    given = list(dict.fromkeys("".join(PersonProvider.first_names)))
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    roads = list(dict.fromkeys(fake.street_name() for _ in range(400)))[:150]
    return surnames, weights / weights.sum(), given, roads


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct 11-digit mobile numbers: collisions are redrawn so no two people share a phone by accident."""
    prefix = rng.integers(0, len(PHONE_PREFIXES), n)
    rest = rng.integers(0, 100_000_000, n)
    while True:
        key = prefix.astype(np.int64) * 100_000_000 + rest
        _, first = np.unique(key, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        if not dup.any():
            break
        rest[dup] = rng.integers(0, 100_000_000, int(dup.sum()))
    return np.char.add(np.asarray(PHONE_PREFIXES)[prefix], np.char.zfill(rest.astype(str), 8))


def _units() -> tuple[pl.DataFrame, pl.DataFrame]:
    divisions = load_divisions()
    towns = divisions.filter(pl.col("level") == "town").select(
        pl.col("code").alias("parent_code"), pl.col("name").alias("town_name")
    )
    units = (
        divisions.filter(pl.col("level") == "village")
        .join(towns, on="parent_code", how="left")
        .with_columns(short=pl.col("name").str.replace(r"(社区居委会|村委会)$", ""))
        .sort("code")
    )
    grids = load_grids().sort("grid_code")
    return units, grids


def build_district(scale: Scale, seed: int = DEFAULT_SEED, as_of: dt.date = AS_OF) -> District:
    """The same (scale, seed, as_of) always gives the same district."""
    rng = np.random.default_rng(seed)
    surnames, surname_p, given, roads = _name_pools(seed)
    units, grids = _units()
    today = _days(as_of)

    persons, households = _people(rng, scale.persons, units, grids, surnames, surname_p, given, roads, today)
    enterprises = _enterprises(rng, scale.enterprises, persons, units, given, roads, today)
    marriages = _marriages(rng, persons, scale, today)
    person_apps = _person_applications(rng, persons, scale, today)
    enterprise_apps = _enterprise_applications(rng, enterprises, persons, scale, today)
    credit = _credit_records(rng, persons, enterprises, scale, today)
    events = _grid_events(rng, persons, scale, today)
    return District(
        seed=seed,
        scale=scale,
        as_of=as_of,
        persons=persons,
        households=households,
        enterprises=enterprises,
        marriages=marriages,
        person_applications=person_apps,
        enterprise_applications=enterprise_apps,
        credit_records=credit,
        grid_events=events,
        given_chars=given,
        phone_prefixes=PHONE_PREFIXES,
    )


def _people(
    rng: np.random.Generator,
    n: int,
    units: pl.DataFrame,
    grids: pl.DataFrame,
    surnames: list[str],
    surname_p: np.ndarray,
    given: list[str],
    roads: list[str],
    today: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    # households first, then members by position: 0 head, 1 usually spouse, then children, a parent in big ones
    sizes = rng.choice(np.arange(1, 7), int(n / 2.6 * 1.2) + 16, p=[0.22, 0.27, 0.24, 0.15, 0.08, 0.04])
    ends = np.cumsum(sizes)
    h = int(np.searchsorted(ends, n)) + 1
    sizes = sizes[:h]
    sizes[-1] -= int(ends[h - 1] - n)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    hh = np.repeat(np.arange(h), sizes)
    pos = np.arange(n) - starts[hh]
    size = sizes[hh]

    # committees in the old town are denser than villages
    unit_w = rng.gamma(2.0, 1.0, units.height) * np.where(units["unit_type"].to_numpy() == "居委会", 1.6, 1.0)
    h_unit = rng.choice(units.height, h, p=unit_w / unit_w.sum())
    grid_village = grids["village_code"].to_numpy()
    unit_codes = units["code"].to_numpy()
    g_start = np.searchsorted(grid_village, unit_codes, side="left")
    g_count = np.searchsorted(grid_village, unit_codes, side="right") - g_start
    h_grid = g_start[h_unit] + (rng.random(h) * g_count[h_unit]).astype(int)
    h_migrant = rng.random(h) < MIGRANT_SHARE
    h_origin = _pick(rng, MIGRANT_AREAS, h)
    h_road = _pick(rng, roads, h)
    h_number = rng.integers(1, 400, h)
    h_room = rng.integers(1, 30, h) * 100 + rng.integers(1, 9, h)
    # 9-digit household numbers, distinct and in no particular order
    step = 900_000_000 // h
    h_no = 100_000_000 + rng.permutation(h) * step + rng.integers(0, step, h)

    rel_spouse = (pos == 1) & (rng.random(n) < 0.8)
    rel_parent = (pos >= 2) & (size >= 5) & (pos == size - 1)
    head_age = rng.triangular(20, 40, 90, h)
    head_male = rng.random(h) < 0.7
    ha = head_age[hh]
    hm = head_male[hh]
    child_age = np.clip(np.abs(ha - rng.uniform(20, 36, n)), 0.01, np.maximum(ha - 16, 0.01))
    age = np.select(
        [pos == 0, rel_spouse, rel_parent],
        # out-of-range ages are redrawn in a band rather than clipped, so no birthday piles up
        [
            ha,
            _redraw(ha + rng.normal(np.where(hm, -2, 2), 3), 20, np.inf, (20, 24), rng),
            _redraw(ha + rng.uniform(22, 35, n), 0, 99, (80, 99), rng),
        ],
        child_age,
    )
    male = np.select([pos == 0, rel_spouse], [hm, ~hm], rng.random(n) < 0.52)
    relation = np.select([pos == 0, rel_spouse, rel_parent, male], ["户主", "配偶", "父母", "子"], "女")
    birth = today - np.maximum((age * 365.25).astype(np.int64), 1)

    own_surname = _pick(rng, surnames, n, surname_p)
    head_surname = own_surname[starts[hh]]
    surname = np.where(
        (relation == "子") | (relation == "女") | ((relation == "父母") & male), head_surname, own_surname
    )
    given1 = _pick(rng, given, n)
    given2 = np.where(rng.random(n) < 0.75, _pick(rng, given, n), "")
    name = np.char.add(np.char.add(surname, given1), given2)

    # death is rare and mostly among the old; the dead stay in the truth because old records still name them
    p_death = 0.002 + 0.02 * (age > 75) + 0.06 * (age > 85)
    dead = rng.random(n) < p_death
    death = np.where(dead, np.maximum(today - rng.integers(1, 1000, n), birth + 1), 0)

    birth_year = birth.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    local_area = np.select([birth_year >= y for y, _ in LOCAL_AREAS_BY_ERA], [c for _, c in LOCAL_AREAS_BY_ERA], "")
    area = np.where(h_migrant[hh], h_origin[hh], local_area)
    df = pl.DataFrame(
        {
            "hh": hh,
            "area": area,
            "birth_days": birth,
            "male": male,
        }
    ).with_columns(
        birth_date=_to_date(birth),
        rank=pl.int_range(pl.len()).over("area", "birth_days", "male"),
        # a per-day offset so sequences do not all start at 001
        offset=((pl.col("birth_days") * 37) % 50),
    )
    # odd sequence for men, even for women (GB 11643); women start at 002, never 000
    df = df.with_columns(seq=2 * (pl.col("rank") + pl.col("offset")) + pl.when(pl.col("male")).then(1).otherwise(2))
    if df["seq"].max() > 999:  # pragma: no cover - would need tens of millions of people
        raise ValueError("too many people born on one day in one area for a 3-digit sequence")
    first17 = pl.concat_str(
        pl.col("area"), pl.col("birth_date").dt.strftime("%Y%m%d"), pl.col("seq").cast(pl.String).str.zfill(3)
    )
    citizen_id = df.select(first17.alias("f")).select(pl.concat_str(pl.col("f"), id_check_expr(pl.col("f"))))
    phones = np.where(age >= 16, _phones(rng, n), None)

    unit_short = units["short"].to_numpy()
    town_name = units["town_name"].to_numpy()
    h_address = pl.Series(
        np.char.add(
            np.char.add(np.char.add("佛山市禅城区", town_name[h_unit].astype(str)), unit_short[h_unit].astype(str)),
            np.char.add(h_road.astype(str), np.char.add(h_number.astype(str), "号")),
        ),
    )
    households = pl.DataFrame(
        {
            "household_no": h_no.astype(str),
            "head_person_id": [None] * h,
            "size": sizes,
            "village_code": unit_codes[h_unit],
            "grid_code": grids["grid_code"].to_numpy()[h_grid],
            "house_no": np.char.add(
                np.char.add(grids["grid_code"].to_numpy()[h_grid].astype(str), "-"),
                np.char.add(np.char.zfill(h_number.astype(str), 3), np.char.zfill(h_room.astype(str), 4)),
            ),
            "address": np.char.add(h_address.to_numpy().astype(str), np.char.add(h_room.astype(str), "房")),
            "is_migrant": h_migrant,
        }
    )
    person_id = np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 8))
    households = households.with_columns(head_person_id=pl.Series(person_id[starts]))
    persons = pl.DataFrame(
        {
            "person_id": person_id,
            "name": name,
            "sex": np.where(male, "男", "女"),
            "birth_date": df["birth_date"],
            "citizen_id": citizen_id.to_series(),
            "phone": pl.Series(phones, dtype=pl.String),
            "household_no": households["household_no"].to_numpy()[hh],
            "relation": relation,
            "village_code": households["village_code"].to_numpy()[hh],
            "grid_code": households["grid_code"].to_numpy()[hh],
            "house_no": households["house_no"].to_numpy()[hh],
            "address": households["address"].to_numpy()[hh],
            "is_migrant": h_migrant[hh],
            "alive": ~dead,
            "death_date": _to_date(death),
        }
    ).with_columns(death_date=pl.when(pl.col("alive")).then(None).otherwise(pl.col("death_date")))
    return persons, households


def _redraw(
    age: np.ndarray, low: float, high: float, band: tuple[float, float], rng: np.random.Generator
) -> np.ndarray:
    """Ages outside [low, high) are replaced by a uniform draw from `band`."""
    return np.where((age < low) | (age >= high), rng.uniform(*band, len(age)), age)


def _adults(persons: pl.DataFrame, today: int, min_age: int = 18, max_age: int = 200) -> pl.DataFrame:
    age_days = today - persons["birth_date"].cast(pl.Int64)
    return persons.filter((age_days >= min_age * 365.25) & (age_days <= max_age * 365.25))


def _enterprises(
    rng: np.random.Generator,
    m: int,
    persons: pl.DataFrame,
    units: pl.DataFrame,
    given: list[str],
    roads: list[str],
    today: int,
) -> pl.DataFrame:
    reps = _adults(persons.filter(pl.col("alive")), today, 18, 75)
    rep_idx = rng.integers(0, reps.height, m)
    rep = reps[rep_idx]
    individual = rng.random(m) < 0.4
    ctype = rng.choice(len(COMPANY_TYPES), m, p=[t[2] for t in COMPANY_TYPES])
    entity_type = np.where(individual, "个体工商户", np.asarray([t[0] for t in COMPANY_TYPES])[ctype])
    suffix = np.asarray([t[1] for t in COMPANY_TYPES])[ctype]
    industry = _pick(rng, INDUSTRIES, m)
    brand = np.char.add(_pick(rng, given, m), _pick(rng, given, m))
    unit_idx = rng.integers(0, units.height, m)
    short = units["short"].to_numpy()[unit_idx].astype(str)
    rep_surname = rep["name"].str.slice(0, 1).to_numpy().astype(str)
    name = np.where(
        individual,
        np.char.add(
            np.char.add(np.char.add("禅城区", short), np.char.add(rep_surname, "记")), np.char.add(industry, "店")
        ),
        np.char.add(np.char.add("佛山市", brand), np.char.add(industry, suffix)),
    )
    # org-code bodies are distinct base-31 numbers, so no two enterprises share a code
    body_int = rng.choice(31**6, m, replace=False)
    digits = [(body_int // 31**k) % 31 for k in range(5, -1, -1)]
    alphabet = np.asarray(list(USCC_ALPHABET))
    body = np.char.add(
        "MA",
        np.char.add(
            np.char.add(alphabet[digits[0]], alphabet[digits[1]]),
            np.char.add(
                np.char.add(alphabet[digits[2]], alphabet[digits[3]]),
                np.char.add(alphabet[digits[4]], alphabet[digits[5]]),
            ),
        ),
    )
    rep_birth = rep["birth_date"].cast(pl.Int64).to_numpy()
    low = np.maximum(rep_birth + int(18 * 365.25), _days(dt.date(1990, 1, 1)))
    established = low + (rng.random(m) * (today - 1 - low)).astype(np.int64)
    capital = np.round(np.where(individual, rng.lognormal(1.5, 0.8, m), rng.lognormal(4.5, 1.2, m)), 2)
    road = _pick(rng, roads, m)
    number = rng.integers(1, 400, m)
    town = units["town_name"].to_numpy()[unit_idx].astype(str)
    address = np.char.add(
        np.char.add(np.char.add("佛山市禅城区", town), short),
        np.char.add(road.astype(str), np.char.add(number.astype(str), "号")),
    )
    status = np.where(rng.random(m) < 0.9, "存续", "注销")
    df = pl.DataFrame(
        {
            "enterprise_id": np.char.add("E", np.char.zfill(np.arange(1, m + 1).astype(str), 8)),
            "body": body,
            "prefix": np.where(individual, "92", "91"),
        }
    ).with_columns(org=pl.concat_str(pl.col("body"), org_code_check_expr(pl.col("body"))))
    df = df.with_columns(first17=pl.concat_str(pl.col("prefix"), pl.lit(DISTRICT_CODE), pl.col("org")))
    uscc = df.select(pl.concat_str(pl.col("first17"), uscc_check_expr(pl.col("first17")))).to_series()
    return pl.DataFrame(
        {
            "enterprise_id": df["enterprise_id"],
            "uscc": uscc,
            "name": name,
            "entity_type": entity_type,
            "legal_rep_person_id": rep["person_id"],
            "established_on": _to_date(established),
            "registered_capital": capital,
            "address": address,
            "village_code": units["code"].to_numpy()[unit_idx],
            "status": status,
        }
    )


def _marriages(rng: np.random.Generator, persons: pl.DataFrame, scale: Scale, today: int) -> pl.DataFrame:
    heads = persons.filter(pl.col("relation") == "户主").select(
        "household_no", "person_id", "sex", "birth_date", "alive"
    )
    spouses = persons.filter(pl.col("relation") == "配偶").select(
        "household_no", "person_id", "sex", "birth_date", "alive"
    )
    couples = heads.join(spouses, on="household_no", suffix="_s").filter(pl.col("alive") & pl.col("alive_s"))
    husband_is_head = couples["sex"] == "男"
    couples = couples.select(
        husband=pl.when(husband_is_head).then(pl.col("person_id")).otherwise(pl.col("person_id_s")),
        wife=pl.when(husband_is_head).then(pl.col("person_id_s")).otherwise(pl.col("person_id")),
        hb=pl.when(husband_is_head).then(pl.col("birth_date")).otherwise(pl.col("birth_date_s")).cast(pl.Int64),
        wb=pl.when(husband_is_head).then(pl.col("birth_date_s")).otherwise(pl.col("birth_date")).cast(pl.Int64),
    )
    # legal marriage age is 22 for men and 20 for women; only recent marriages are registered in this system
    earliest = np.maximum.reduce(
        [
            np.full(couples.height, today - 5 * 365),
            couples["hb"].to_numpy() + int(22 * 365.25) + 1,
            couples["wb"].to_numpy() + int(20 * 365.25) + 1,
        ]
    )
    couples = couples.with_columns(earliest=earliest).filter(
        (pl.col("earliest") < today - 7) & (today - pl.col("hb") < 45 * 365)
    )
    k = min(couples.height, round(scale.marriages_per_person * scale.persons))
    chosen = couples[np.sort(rng.choice(couples.height, k, replace=False))]
    days = chosen["earliest"].to_numpy() + (rng.random(k) * (today - 1 - chosen["earliest"].to_numpy())).astype(
        np.int64
    )
    order = np.argsort(days, kind="stable")
    days = days[order]
    chosen = chosen[order]
    years = (days.astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970).astype(str)
    return pl.DataFrame(
        {
            "registration_no": np.char.add(
                np.char.add("J440604-", years), np.char.add("-", np.char.zfill(np.arange(1, k + 1).astype(str), 6))
            ),
            "registration_type": np.full(k, "结婚"),
            "registered_on": _to_date(days),
            "husband_person_id": chosen["husband"],
            "wife_person_id": chosen["wife"],
            "office": np.full(k, "佛山市禅城区民政局婚姻登记处"),
        }
    )


def _statuses(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(np.asarray(["已办结", "办理中", "已受理", "不予受理"]), n, p=[0.85, 0.08, 0.04, 0.03])


def _updated(rng: np.random.Generator, submitted: np.ndarray, status: np.ndarray, today: int) -> np.ndarray:
    """Finished cases were last touched days after submission; open ones hours after."""
    lag = np.where(
        status == "已办结", rng.integers(3600, 20 * 86_400, len(submitted)), rng.integers(60, 8 * 3600, len(submitted))
    )
    return np.minimum(submitted + lag, today * 86_400 - 1)


def _person_applications(rng: np.random.Generator, persons: pl.DataFrame, scale: Scale, today: int) -> pl.DataFrame:
    applicants = _adults(persons, today, 18)
    k = round(scale.person_applications_per_person * scale.persons)
    who = applicants[rng.integers(0, applicants.height, k)]
    day = today - rng.integers(1, 3 * 365, k)
    # the dead do not apply: their applications happened before they died
    death = who["death_date"].cast(pl.Int64).fill_null(today + 1).to_numpy()
    day = np.minimum(day, death - 1)
    submitted = _office_seconds(rng, day)
    order = np.argsort(submitted, kind="stable")
    submitted = submitted[order]
    who = who[order]
    item = rng.integers(0, len(PERSON_ITEMS), k)
    status = _statuses(rng, k)
    return pl.DataFrame(
        {
            "application_no": np.char.add("ZR440604", np.char.zfill(np.arange(1, k + 1).astype(str), 9)),
            "item_code": np.asarray([c for c, _ in PERSON_ITEMS])[item],
            "item_name": np.asarray([t for _, t in PERSON_ITEMS])[item],
            "person_id": who["person_id"],
            "village_code": who["village_code"],
            "submitted_at": _to_datetime(submitted),
            "status": status,
            "updated_at": _to_datetime(_updated(rng, submitted, status, today)),
        }
    )


def _enterprise_applications(
    rng: np.random.Generator, enterprises: pl.DataFrame, persons: pl.DataFrame, scale: Scale, today: int
) -> pl.DataFrame:
    k = round(scale.enterprise_applications_per_enterprise * scale.enterprises)
    ent = enterprises[rng.integers(0, enterprises.height, k)]
    low = np.maximum(ent["established_on"].cast(pl.Int64).to_numpy(), today - 3 * 365)
    day = low + (rng.random(k) * (today - low)).astype(np.int64)
    submitted = _office_seconds(rng, np.minimum(day, today - 1))
    # an agent is the legal representative or a clerk sent by the enterprise
    clerks = _adults(persons.filter(pl.col("alive")), today, 18, 60)["person_id"]
    agent = np.where(
        rng.random(k) < 0.6, ent["legal_rep_person_id"].to_numpy(), clerks.to_numpy()[rng.integers(0, clerks.len(), k)]
    )
    order = np.argsort(submitted, kind="stable")
    item = rng.integers(0, len(ENTERPRISE_ITEMS), k)
    status = _statuses(rng, k)
    submitted = submitted[order]
    return pl.DataFrame(
        {
            "application_no": np.char.add("FR440604", np.char.zfill(np.arange(1, k + 1).astype(str), 9)),
            "item_code": np.asarray([c for c, _ in ENTERPRISE_ITEMS])[item],
            "item_name": np.asarray([t for _, t in ENTERPRISE_ITEMS])[item],
            "enterprise_id": ent["enterprise_id"].to_numpy()[order],
            "agent_person_id": agent[order],
            "submitted_at": _to_datetime(submitted),
            "status": status,
            "updated_at": _to_datetime(_updated(rng, submitted, status, today)),
        }
    )


def _credit_draw(
    rng: np.random.Generator, kinds: list[tuple[str, list[str], float]], k: int
) -> tuple[np.ndarray, np.ndarray]:
    kind = rng.choice(len(kinds), k, p=[p for _, _, p in kinds])
    titles = np.empty(k, dtype=object)
    for i, (_, pool, _) in enumerate(kinds):  # a loop over record kinds, not over records
        mask = kind == i
        titles[mask] = _pick(rng, pool, int(mask.sum()))
    return np.asarray([t for t, _, _ in kinds])[kind], titles.astype(str)


def _credit_records(
    rng: np.random.Generator, persons: pl.DataFrame, enterprises: pl.DataFrame, scale: Scale, today: int
) -> pl.DataFrame:
    ke = round(scale.enterprise_credit_per_enterprise * scale.enterprises)
    ent = enterprises[rng.integers(0, enterprises.height, ke)]
    low = np.maximum(ent["established_on"].cast(pl.Int64).to_numpy(), today - 5 * 365)
    e_day = low + (rng.random(ke) * (today - 1 - low)).astype(np.int64)
    e_type, e_title = _credit_draw(rng, ENTERPRISE_CREDIT, ke)
    kp = round(scale.person_credit_per_person * scale.persons)
    who = _adults(persons, today, 18)
    who = who[rng.integers(0, who.height, kp)]
    p_day = today - rng.integers(1, 5 * 365, kp)
    p_day = np.minimum(p_day, who["death_date"].cast(pl.Int64).fill_null(today + 1).to_numpy() - 1)
    p_type, p_title = _credit_draw(rng, PERSON_CREDIT, kp)
    day = np.concatenate([e_day, p_day])
    title = np.concatenate([e_title, p_title])
    authority = np.asarray(
        [
            CREDIT_AUTHORITY.get(t, d)
            for t, d in zip(title.tolist(), _pick(rng, DEPARTMENTS[:12], ke + kp).tolist(), strict=True)
        ]
    )
    k = ke + kp
    order = np.argsort(day, kind="stable")
    updated = day * 86_400 + rng.integers(9 * 3600, 30 * 3600, k)
    df = pl.DataFrame(
        {
            "subject_type": np.concatenate([np.full(ke, "法人"), np.full(kp, "自然人")]),
            "person_id": pl.concat([pl.repeat(None, ke, dtype=pl.String, eager=True), who["person_id"]]),
            "enterprise_id": pl.concat([ent["enterprise_id"], pl.repeat(None, kp, dtype=pl.String, eager=True)]),
            "record_type": np.concatenate([e_type, p_type]),
            "title": title,
            "decided_on": _to_date(day),
            "authority": authority,
            "updated_at": _to_datetime(np.minimum(updated, today * 86_400 - 1)),
        }
    )[order]
    return df.with_columns(record_no=pl.lit("XY440604") + pl.int_range(1, k + 1).cast(pl.String).str.zfill(10)).select(
        "record_no", pl.exclude("record_no")
    )


def _grid_events(rng: np.random.Generator, persons: pl.DataFrame, scale: Scale, today: int) -> pl.DataFrame:
    k = round(scale.grid_events_per_person * scale.persons)
    # events happen where people live, so sample places by population
    # ... and the platform records where: the address of the home the grid worker was called to
    where = persons.select("grid_code", "village_code", "address")[rng.integers(0, persons.height, k)]
    cat = rng.integers(0, len(EVENT_CATEGORIES), k)
    sub = rng.integers(0, 3, k)
    types = np.asarray([t for _, ts, _ in EVENT_CATEGORIES for t in ts])
    reported = np.sort((today - rng.integers(1, 2 * 365, k)) * 86_400 + rng.integers(6 * 3600, 23 * 3600, k))
    closed_lag = rng.exponential(3 * 86_400, k).astype(np.int64) + 600
    closed = reported + closed_lag
    is_closed = (rng.random(k) < 0.986) & (closed < today * 86_400)
    status = np.where(is_closed, "已办结", np.where(rng.random(k) < 0.5, "处置中", "待受理"))
    return pl.DataFrame(
        {
            "event_no": np.char.add("SJ440604", np.char.zfill(np.arange(1, k + 1).astype(str), 9)),
            "category": np.asarray([c for c, _, _ in EVENT_CATEGORIES])[cat],
            "event_type": types[cat * 3 + sub],
            "department": np.asarray([d for _, _, d in EVENT_CATEGORIES])[cat],
            "grid_code": where["grid_code"],
            "village_code": where["village_code"],
            "address": where["address"],
            "reported_at": _to_datetime(reported),
            "status": status,
            "closed_at": _to_datetime(closed),
        }
    ).with_columns(closed_at=pl.when(pl.col("status") == "已办结").then(pl.col("closed_at")))
