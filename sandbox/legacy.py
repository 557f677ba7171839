"""The district's 155 legacy department systems (152 here + hukou, civil marriage, market registry), from one spec.

The spec is templates × variants, each system rendered as a view.

Each legacy system is a view over the district's persons or enterprises (a filter and a share), with its own
Chinese headers, file format, encoding, delimiter, date format and noise. The same spec renders the delivered
files, the truth of every person / enterprise mention they carry, and (`python -m sandbox.registry_drafts`)
the registry entries a steward reviews and commits under catalog/sources/.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import xlsxwriter

from zhongtai.reference import load_divisions

# ------------------------------------------------------------------------------------------------ departments

DEPARTMENTS = {
    "ga": "区公安分局",
    "mz": "区民政局",
    "wj": "区卫生健康局",
    "rs": "区人力资源和社会保障局",
    "sj": "区市场监督管理局",
    "sw": "区税务局",
    "fy": "区人民法院",
    "zj": "区住房城乡建设和水利局",
    "jy": "区教育局",
    "cl": "区残疾人联合会",
    "ty": "区退役军人事务局",
    "yb": "区医疗保障局",
    "gjj": "佛山市住房公积金管理中心禅城分中心",
    "jt": "区交通运输局",
    "cg": "区城市管理和综合执法局",
    "yj": "区应急管理局",
    "tj": "区统计局",
    "sf": "区司法局",
}

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


T = Template
TEMPLATES: list[Template] = [
    # 公安
    T(
        "household_moves",
        "户口迁移登记系统",
        "ga",
        "person",
        "alive",
        0.04,
        "迁移日期",
        ("迁移类型:category",),
        schedule="daily",
    ),
    T("residence_permits", "居住证管理系统", "ga", "person", "migrants", 0.5, "签发日期", ("有效期限:category",)),
    T("id_card_issue", "居民身份证受理系统", "ga", "person", "adults", 0.08, "受理日期", ()),
    T("temporary_residents", "流动人口登记台账", "ga", "person", "migrants", 0.4, "登记日期", (), per_town=True),
    # 民政
    T(
        "elderly_allowance",
        "高龄津贴发放系统",
        "mz",
        "person",
        "seniors80",
        0.95,
        "发放日期",
        ("发放金额（元）:amount",),
        per_town=True,
    ),
    T(
        "subsistence",
        "最低生活保障信息系统",
        "mz",
        "person",
        "alive",
        0.03,
        "审批日期",
        ("保障金额（元）:amount",),
        per_town=True,
    ),
    T("deaths", "死亡人员信息系统", "mz", "death", "dead", 1.0, "死亡日期", ("死亡原因:category",), schedule="weekly"),
    T("funerals", "殡葬服务管理系统", "mz", "death", "dead", 0.8, "火化日期", ("殡仪馆:category",), schedule="weekly"),
    T("special_hardship", "特困人员供养系统", "mz", "person", "seniors60", 0.02, "认定日期", ("供养方式:category",)),
    T(
        "home_care",
        "居家养老服务台账",
        "mz",
        "person",
        "seniors65",
        0.15,
        "服务日期",
        ("服务项目:category",),
        per_town=True,
    ),
    T(
        "disability_subsidy",
        "残疾人两项补贴系统",
        "mz",
        "person",
        "alive",
        0.02,
        "发放日期",
        ("补贴金额（元）:amount",),
    ),
    # 卫健
    T(
        "birth_certificates",
        "出生医学证明管理系统",
        "wj",
        "birth",
        "newborns",
        1.0,
        "出生日期",
        ("接生机构:category",),
        schedule="weekly",
    ),
    T(
        "vaccination",
        "预防接种信息系统",
        "wj",
        "person",
        "children0_6",
        0.9,
        "接种日期",
        ("疫苗名称:category",),
        per_town=True,
        schedule="weekly",
    ),
    T(
        "family_doctor",
        "家庭医生签约系统",
        "wj",
        "person",
        "alive",
        0.25,
        "签约日期",
        ("签约团队:category",),
        per_town=True,
    ),
    T("health_records", "居民电子健康档案", "wj", "person", "alive", 0.4, "建档日期", (), per_town=True),
    T(
        "elderly_checkup",
        "老年人健康体检系统",
        "wj",
        "person",
        "seniors65",
        0.6,
        "体检日期",
        ("体检结论:category",),
        per_town=True,
    ),
    T(
        "family_planning",
        "计划生育奖励扶助系统",
        "wj",
        "person",
        "seniors60",
        0.05,
        "审核日期",
        ("扶助金额（元）:amount",),
    ),
    # 人社
    T(
        "pensions",
        "城乡居民养老保险待遇系统",
        "rs",
        "person",
        "seniors60",
        0.5,
        "待遇开始日期",
        ("月养老金（元）:amount",),
        per_town=True,
    ),
    T(
        "retirement",
        "企业退休人员管理系统",
        "rs",
        "person",
        "retired",
        0.35,
        "退休日期",
        ("退休类别:category",),
        per_town=True,
    ),
    T("employment", "就业登记系统", "rs", "person", "working", 0.3, "就业日期", ("就业形式:category",), per_town=True),
    T("unemployment", "失业登记系统", "rs", "person", "working", 0.03, "失业登记日期", ()),
    T(
        "social_insurance",
        "社会保险参保系统",
        "rs",
        "person",
        "working",
        0.6,
        "参保日期",
        ("缴费基数（元）:amount",),
        per_town=True,
    ),
    T("skills_training", "职业技能培训系统", "rs", "person", "working", 0.05, "结业日期", ("培训工种:category",)),
    T("employers", "用人单位参保登记", "rs", "enterprise", "companies", 0.7, "参保日期", ("参保人数:amount",)),
    # 市场监管
    T("penalties", "行政处罚案件系统", "sj", "enterprise", "all", 0.05, "处罚决定日期", ("罚没金额（元）:amount",)),
    T("annual_reports", "企业年报公示系统", "sj", "enterprise", "companies", 0.8, "报送日期", (), per_town=True),
    T("food_licences", "食品经营许可系统", "sj", "enterprise", "all", 0.2, "发证日期", ("经营项目:category",)),
    T("abnormal_list", "经营异常名录系统", "sj", "enterprise", "all", 0.05, "列入日期", ("列入原因:category",)),
    T(
        "special_equipment",
        "特种设备安全监察系统",
        "sj",
        "enterprise",
        "companies",
        0.1,
        "检验日期",
        ("设备类别:category",),
    ),
    T("sole_traders", "个体工商户登记台账", "sj", "enterprise", "sole_traders", 0.9, "成立日期", (), per_town=True),
    # 税务
    T(
        "a_grade_taxpayers",
        "A级纳税人名单",
        "sw",
        "enterprise",
        "companies",
        0.2,
        "评定日期",
        ("评定年度:category",),
        schedule="monthly",
    ),
    T("tax_registration", "税务登记信息系统", "sw", "enterprise", "all", 0.9, "登记日期", (), per_town=True),
    T("invoices", "发票领用系统", "sw", "enterprise", "all", 0.4, "领用日期", ("领用份数:amount",)),
    T("tax_arrears", "欠税公告系统", "sw", "enterprise", "all", 0.02, "公告日期", ("欠税金额（元）:amount",)),
    T("individual_tax", "个人所得税申报系统", "sw", "person", "working", 0.3, "申报日期", ("应纳税额（元）:amount",)),
    # 法院
    T(
        "dishonest_persons",
        "失信被执行人名单",
        "fy",
        "person",
        "adults",
        0.006,
        "立案日期",
        ("执行标的（元）:amount",),
        schedule="daily",
    ),
    T(
        "dishonest_enterprises",
        "失信被执行企业名单",
        "fy",
        "enterprise",
        "all",
        0.01,
        "立案日期",
        ("执行标的（元）:amount",),
        schedule="daily",
    ),
    T("consumption_bans", "限制高消费人员名单", "fy", "person", "adults", 0.004, "发布日期", ()),
    T("civil_parties", "民事案件当事人系统", "fy", "person", "adults", 0.01, "立案日期", ("案由:category",)),
    # 住建
    T(
        "property_rights",
        "房屋产权登记系统",
        "zj",
        "person",
        "heads",
        0.7,
        "登记日期",
        ("建筑面积（平方米）:amount",),
        per_town=True,
    ),
    T(
        "rentals",
        "房屋租赁登记备案系统",
        "zj",
        "person",
        "migrants",
        0.35,
        "备案日期",
        ("月租金（元）:amount",),
        per_town=True,
    ),
    T("public_housing", "公共租赁住房系统", "zj", "person", "adults", 0.01, "配租日期", ()),
    T("builders", "建筑业企业资质系统", "zj", "enterprise", "companies", 0.05, "发证日期", ("资质等级:category",)),
    T("old_estates", "老旧小区改造台账", "zj", "person", "heads", 0.05, "改造日期", (), per_town=True),
    # 教育
    T(
        "school_enrolment",
        "义务教育入学系统",
        "jy",
        "person",
        "pupils",
        0.95,
        "入学日期",
        ("学校:category",),
        per_town=True,
        schedule="weekly",
    ),
    T("kindergartens", "幼儿园在园幼儿系统", "jy", "person", "children3_5", 0.8, "入园日期", (), per_town=True),
    T("student_aid", "学生资助管理系统", "jy", "person", "students", 0.05, "资助日期", ("资助金额（元）:amount",)),
    # 残联
    T(
        "disability_certificates",
        "残疾人证管理系统",
        "cl",
        "person",
        "alive",
        0.02,
        "发证日期",
        ("残疾类别:category",),
        per_town=True,
    ),
    # 退役军人
    T("veterans", "退役军人信息采集系统", "ty", "person", "men", 0.03, "退役日期", ("服役部队:category",)),
    T("preferential_care", "优抚对象管理系统", "ty", "person", "men", 0.01, "认定日期", ("抚恤金额（元）:amount",)),
    # 医保
    T("medical_insurance", "城乡居民医保参保系统", "yb", "person", "alive", 0.6, "参保日期", (), per_town=True),
    T("medical_aid", "医疗救助系统", "yb", "person", "alive", 0.01, "救助日期", ("救助金额（元）:amount",)),
    T("chronic_disease", "门诊特定病种备案系统", "yb", "person", "seniors60", 0.08, "备案日期", ("病种:category",)),
    T("designated_pharmacies", "定点医药机构系统", "yb", "enterprise", "companies", 0.03, "协议日期", ()),
    # 公积金
    T("housing_fund", "住房公积金缴存系统", "gjj", "person", "working", 0.3, "开户日期", ("月缴存额（元）:amount",)),
    T(
        "fund_withdrawals",
        "住房公积金提取系统",
        "gjj",
        "person",
        "working",
        0.05,
        "提取日期",
        ("提取金额（元）:amount",),
    ),
    T("fund_employers", "公积金缴存单位系统", "gjj", "enterprise", "companies", 0.3, "开户日期", ()),
    # 交通
    T("drivers", "机动车驾驶人信息系统", "jt", "person", "drivers", 0.35, "初次领证日期", ("准驾车型:category",)),
    T(
        "transport_operators",
        "道路运输经营许可系统",
        "jt",
        "enterprise",
        "all",
        0.03,
        "许可日期",
        ("经营范围:category",),
    ),
    # 城管
    T("street_stalls", "临时摊点登记台账", "cg", "person", "adults", 0.005, "登记日期", (), per_town=True),
    T("enforcement_cases", "城管执法案件系统", "cg", "enterprise", "all", 0.03, "立案日期", ("罚款金额（元）:amount",)),
    T("shop_signs", "户外广告招牌审批系统", "cg", "enterprise", "all", 0.15, "审批日期", ()),
    # 应急
    T(
        "hazardous_chemicals",
        "危险化学品企业台账",
        "yj",
        "enterprise",
        "companies",
        0.02,
        "许可日期",
        ("危险等级:category",),
    ),
    T("safety_training", "安全生产培训考核系统", "yj", "person", "working", 0.02, "考核日期", ()),
    T(
        "safety_inspections",
        "安全生产检查台账",
        "yj",
        "enterprise",
        "all",
        0.1,
        "检查日期",
        ("检查结论:category",),
        per_town=True,
    ),
    # 统计
    T(
        "economic_census",
        "经济普查单位名录",
        "tj",
        "enterprise",
        "all",
        0.9,
        "普查日期",
        ("从业人员数:amount",),
        per_town=True,
    ),
    T("labour_survey", "劳动力调查样本库", "tj", "person", "working", 0.02, "调查日期", ()),
    T("population_sample", "人口抽样调查台账", "tj", "person", "alive", 0.05, "调查日期", (), per_town=True),
    # 司法
    T("community_corrections", "社区矫正管理系统", "sf", "person", "adults", 0.002, "矫正开始日期", ()),
    T("legal_aid", "法律援助案件系统", "sf", "person", "adults", 0.005, "受理日期", ("案件类型:category",)),
    T(
        "mediation",
        "人民调解案件台账",
        "sf",
        "person",
        "adults",
        0.008,
        "调解日期",
        ("纠纷类型:category",),
        per_town=True,
    ),
]

TOWN_STEMS = ["zumiao", "shiwan", "zhangcha", "nanzhuang"]
CATEGORIES = ["一类", "二类", "三类", "其他"]

# ------------------------------------------------------------------------------------------------ header synonyms

SYNONYMS: dict[str, list[str]] = {
    "citizen_id": ["公民身份号码", "身份证号", "身份证号码", "证件号码", "居民身份证号码"],
    "person_name": ["姓名", "人员姓名", "对象姓名"],
    "phone": ["联系电话", "手机号", "手机号码", "联系方式"],
    "sex": ["性别"],
    "birth_date": ["出生日期", "出生年月日"],
    "address": ["住址", "居住地址", "家庭住址", "现住址"],
    "village_code": ["村居代码", "所属村居代码", "社区代码"],
    "uscc": ["统一社会信用代码", "社会信用代码", "信用代码"],
    "org_name": ["企业名称", "单位名称", "市场主体名称"],
    "record_no": ["记录编号", "业务编号", "编号", "流水号"],
}

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


VARIANTS: list[Variant] = [
    Variant("csv"),
    Variant("csv", encoding="gbk", date_format="%Y%m%d"),
    Variant("csv", encoding="gb18030", delimiter="|"),
    Variant("csv", delimiter=";", quote_all=True, date_format="%Y/%m/%d"),
    Variant("csv", delimiter="\t", bom=True, crlf=True),
    Variant("xlsx", title_row=True),
    Variant("csv", encoding="gbk", delimiter=",", title_row=True, date_format="%Y年%m月%d日", crlf=True),
    Variant("xlsx", title_row=True, header_rows=2, excel_serial=True),
    Variant("json", date_format="%Y%m%d"),
    Variant("jsonl"),
    Variant("database"),
    Variant("csv", encoding="gb18030", delimiter="\t", quote_all=True, date_format="%Y%m%d"),
]


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

NoiseFn = Callable[..., tuple[pl.Series, pl.Series]]
ID_RATES = {"missing": 0.005, "broken_check": 0.005, "old15": 0.005, "full_width": 0.005, "lower_x": 0.2}
USCC_RATES = {"missing": 0.005, "broken_check": 0.005, "lower_case": 0.01}
NAME_TYPO = 0.005


@dataclass
class Rendered:
    frame: pl.DataFrame  # columns keyed by Column.value, all text
    persons: list[pl.DataFrame]  # truth frames (PERSON_RECORD_COLUMNS)
    enterprises: list[pl.DataFrame]


def render_system(
    s: LegacySystem,
    district,
    noisy_ids: NoiseFn,
    noisy_usccs: NoiseFn,
    noisy_names: NoiseFn,
    person_truth: Callable[..., pl.DataFrame],
    enterprise_truth: Callable[..., pl.DataFrame],
) -> Rendered:
    rng = np.random.default_rng([district.seed, 7, s.index])
    today = district.as_of
    t = s.template
    entity = "records"
    persons_t: list[pl.DataFrame] = []
    ents_t: list[pl.DataFrame] = []
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
    record_no = pl.select(
        pl.lit(f"{t.dept.upper()}{s.index:03d}-") + pl.int_range(1, n + 1, dtype=pl.Int64).cast(pl.String).str.zfill(7)
    ).to_series()
    since = (today - dt.date(1970, 1, 1)).days
    event_days = since - rng.integers(1, 5 * 365, n)
    cols: dict[str, pl.Series | pl.Expr] = {"record_no": record_no}
    event = pl.Series(event_days.astype("datetime64[D]")).cast(pl.Date)
    if t.kind in ("death", "birth"):  # a death is dated by the death, a birth certificate by the birth
        event = pick["death_date" if t.kind == "death" else "birth_date"]
    cols["event_date"] = event
    cols["amount"] = pl.Series(np.round(rng.gamma(2.0, 800.0, n), 2))
    cols["category"] = pl.Series(np.asarray(CATEGORIES)[rng.integers(0, len(CATEGORIES), n)])
    pool = district.given_chars
    if t.kind in ("person", "death"):
        role = "deceased" if t.kind == "death" else "subject"
        ids, id_noise = noisy_ids(rng, pick["citizen_id"], ID_RATES)
        names, name_noise = noisy_names(rng, pick["name"], NAME_TYPO, pool)
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
        everyone = district.persons
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
            ids, id_noise = noisy_ids(rng, pick[cid].fill_null("000000000000000000"), ID_RATES)
            names, name_noise = noisy_names(rng, pick[name].fill_null("某某"), NAME_TYPO, pool)
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
        codes, code_noise = noisy_usccs(rng, pick["uscc"], USCC_RATES)
        reps = pick.join(
            district.persons.select(legal_rep_person_id="person_id", rep_name="name"),
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


def write_system(s: LegacySystem, frame: pl.DataFrame, upstream: Path, as_of: dt.date, atomic_path: Callable) -> Path:
    """Write one system's delivery: the file in its drop folder, or its database."""
    text = _text(frame, s)
    v = s.variant
    if v.kind == "database":
        path = upstream / "legacy_db" / f"{s.id}.sqlite"
        with atomic_path(path) as tmp:
            con = sqlite3.connect(tmp)
            cols = ", ".join(f'"{c}" TEXT' for c in text.columns)
            con.execute(f'CREATE TABLE "records" ({cols})')
            con.executemany(f'INSERT INTO "records" VALUES ({", ".join("?" for _ in text.columns)})', text.iter_rows())
            con.commit()
            con.close()
        return path
    path = upstream / "drops" / s.id / f"{s.id}_{as_of:%Y%m%d}{s.file_suffix}"
    with atomic_path(path) as tmp:
        if v.kind == "csv":
            body = text.write_csv(
                separator=v.delimiter,
                quote_style="always" if v.quote_all else "necessary",
                null_value="",
                line_terminator="\r\n" if v.crlf else "\n",
            )
            if v.title_row:
                body = f"{s.title}（截至{as_of:%Y年%m月%d日}）" + ("\r\n" if v.crlf else "\n") + body
            data = body.encode("gb18030" if v.encoding in ("gbk", "gb18030") else "utf-8")
            tmp.write_bytes((b"\xef\xbb\xbf" if v.bom else b"") + data)
        elif v.kind == "json":
            tmp.write_text(json.dumps(text.to_dicts(), ensure_ascii=False, indent=1), encoding="utf-8")
        elif v.kind == "jsonl":
            tmp.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in text.iter_rows(named=True)), encoding="utf-8"
            )
        elif v.kind == "xlsx":
            _write_xlsx(tmp, s, text, as_of)
    return path


def _write_xlsx(path: Path, s: LegacySystem, text: pl.DataFrame, as_of: dt.date) -> None:
    # constant-memory mode writes rows strictly in order, which merged two-row headers cannot do
    book = xlsxwriter.Workbook(str(path), {"constant_memory": s.variant.header_rows == 1})
    sheet = book.add_worksheet("数据")
    bold = book.add_format({"bold": True})
    row = 0
    if s.variant.title_row:
        sheet.write_string(0, 0, f"{s.title}（{as_of:%Y年%m月}）", bold)
        row = 1
    if s.variant.header_rows == 2:
        c = 0
        cols = s.columns
        while c < len(cols):
            g = cols[c].group
            if g is None:
                sheet.merge_range(row, c, row + 1, c, cols[c].header, bold)
                c += 1
                continue
            end = c
            while end + 1 < len(cols) and cols[end + 1].group == g:
                end += 1
            if end > c:
                sheet.merge_range(row, c, row, end, g, bold)
            else:
                sheet.write_string(row, c, g, bold)
            for k in range(c, end + 1):
                sheet.write_string(row + 1, k, cols[k].header.split("/", 1)[1], bold)
            c = end + 1
        row += 2
    else:
        sheet.write_row(row, 0, text.columns, bold)
        row += 1
    numeric = {
        i for i, c in enumerate(s.columns) if c.type == "decimal" or (c.type == "date" and s.variant.excel_serial)
    }
    for values in text.iter_rows():
        for k, value in enumerate(values):
            if value is None:
                continue
            if k in numeric:
                sheet.write_number(row, k, float(value))
            else:
                sheet.write_string(row, k, value)
        row += 1
    book.close()
