"""Match form items to what the catalog holds: a mart column or an aggregate over a mart, with confidence and reason."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jieba
import yaml
from rapidfuzz import fuzz

from catalog.datasets import Dataset
from catalog.forms.normalise import Label, normalise, pinyin
from catalog.forms.template import Template, TemplateItem
from zhongtai.identifiers import InvalidIdentifier, normalise_citizen_id, normalise_uscc

ELEMENTS = Path(__file__).with_name("elements.yaml")
SCOPES = ("person", "enterprise", "village")
FUZZY_MIN = 80.0  # below this similarity an item is "not held" rather than a guess a steward must undo
_IDENT = re.compile(r"[a-z_][a-z0-9_]*")
_SQL_WORDS = {"count", "distinct", "sum", "filter", "where", "not", "date_diff", "year", "current_date"}
_AGE_FROM = re.compile(r"(\d+)周?岁(及)?以上")
_AGE_UNDER = re.compile(r"(?:(\d+)周?岁以下|未满(\d+)周?岁)")
_AGE_RANGE = re.compile(r"(\d+)-(\d+)周?岁")
_SCOPE_NAMES = {"person": "人", "enterprise": "市场主体", "village": "村居"}
_BAND = re.compile(r"^(\d+)-(\d+)岁$|^(\d+)岁及以上$")


@dataclass(frozen=True)
class Element:
    id: str
    scope: str
    dataset: str
    target: str  # a column name, or an expression over the dataset's rows (per village)
    aggregate: bool  # an expression summed or counted per village, not a value of one row
    names: tuple[str, ...]
    units: tuple[str, ...] = ()
    check: str | None = None
    codes: tuple[str, ...] = ()  # the code list of its values (男, 女): a label listing them asks for this element


@dataclass
class Match:
    label: str
    dataset: str | None
    field: str | None  # a column, or the aggregate expression over `dataset`; None when not derivable
    confidence: float
    reason: str
    element: str | None = None
    aggregate: bool = False
    unit_factor: float | None = None  # multiply the mart's value by this to get the form's unit

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def read_dictionary(path: Path = ELEMENTS) -> dict[str, Any]:
    """The data-element dictionary as data (elements.yaml), read once."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _jieba() -> Any:
    jieba.setLogLevel(60)  # its dictionary loads once, quietly
    return jieba


class Matcher:
    """The data-element dictionary checked against the catalog's datasets, ready to match form items."""

    def __init__(
        self, datasets: list[Dataset], dictionary: Path = ELEMENTS, learned: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        """`learned`: labels stewards confirmed for an element (element id → labels), names like the dictionary's."""
        d = read_dictionary(dictionary)
        learned = learned or {}
        unknown = sorted(set(learned) - set(d["elements"]))
        if unknown:
            raise KeyError(f"confirmed matches name unknown data elements: {', '.join(unknown)}")
        self.units: dict[str, tuple[str, float]] = {u: (dim, float(f)) for u, (dim, f) in d["units"].items()}
        self._prefixes = tuple(sorted(d["fillers"]["prefix"], key=len, reverse=True))
        self._suffixes = tuple(sorted(d["fillers"]["suffix"], key=len, reverse=True))
        self._endings = tuple(sorted(d["count_endings"], key=len, reverse=True))
        by_id = {ds.id: ds for ds in datasets}
        self.elements: list[Element] = []
        self.skipped: list[str] = []  # elements whose mart or column the catalog does not (yet) hold
        for eid, e in d["elements"].items():
            ds = by_id.get(e["dataset"])
            target = e.get("field") or e["expression"]
            columns = {target} if "field" in e else set(_IDENT.findall(target)) - _SQL_WORDS
            if ds is None or not columns <= {f.name for f in ds.fields}:
                self.skipped.append(eid)
                continue
            title = ds.field(e["field"]).title if "field" in e else None
            names = tuple(dict.fromkeys([*e["names"], *([title] if title else []), *learned.get(eid, ())]))
            units, codes = tuple(e.get("units") or ()), tuple(e.get("codes") or ())
            self.elements.append(
                Element(
                    eid,
                    e["scope"],
                    ds.id,
                    target,
                    "field" not in e and e["scope"] == "village",
                    names,
                    units,
                    e.get("check"),
                    codes,
                )
            )
        held = {e.id: e for e in self.elements}
        # representation terms per scope, longest first, for the elements the catalog holds
        self._terms = {
            scope: sorted(((t, held[eid]) for t, eid in terms.items() if eid in held), key=lambda x: -len(x[0]))
            for scope, terms in (d.get("representation_terms") or {}).items()
        }
        self._bands = _age_bands(datasets)
        self._seen: dict[tuple[str, str | None], tuple[Element, float, str] | None] = {}
        # every name once normalised: (normalised name, its pinyin, element)
        self._names = [(self._norm(n).text, e) for e in self.elements for n in e.names]
        self._pinyin = [pinyin(n) for n, _ in self._names]
        self._tokens = [" ".join(_jieba().lcut(n)) for n, _ in self._names]

    def _norm(self, raw: str) -> Label:
        return normalise(raw, frozenset(self.units), self._prefixes, self._suffixes)

    def _stem(self, text: str) -> str:
        for ending in self._endings:
            if text.endswith(ending) and len(text) > len(ending):
                return text[: -len(ending)]
        return text

    def match_template(self, template: Template) -> list[Match]:
        """One Match per item; the form's scope (person, enterprise or village rows) is decided by its items."""
        labels = [self._norm(i.label) for i in template.items]
        votes = dict.fromkeys(SCOPES, 0.0)
        for scope in SCOPES:
            for label in labels:
                best = self._best(label, scope)
                votes[scope] += best[1] if best is not None and best[1] >= FUZZY_MIN else 0
        if any(lab.unit in ("人", "户", "家", "个", "件", "宗") for lab in labels):
            votes["village"] += 50  # counts in a unit are per-village figures
        scope = max(SCOPES, key=lambda s: votes[s])  # ties go to the first: a roster of people
        return [self._match(item, label, scope) for item, label in zip(template.items, labels, strict=True)]

    def _best(self, label: Label, scope: str | None) -> tuple[Element, float, str] | None:
        """The element whose name is nearest `label` (score 0–100) and how it was found, or None."""
        key = (label.text, scope)
        if key not in self._seen:  # forms repeat their labels; each is scored once per scope
            self._seen[key] = self._nearest(label.text, scope)
        return self._seen[key]

    def _nearest(self, text: str, scope: str | None) -> tuple[Element, float, str] | None:
        if not text:
            return None
        candidates: list[tuple[Element, float, str]] = []
        stem = self._stem(text)
        tokens = " ".join(_jieba().lcut(text))
        py = pinyin(text)
        codes = set(text.split("/"))
        for element in self.elements:
            if element.scope == scope and len(codes) > 1 and codes <= set(element.codes):
                candidates.append((element, 92.0, f"名称列出代码表的值（{'/'.join(element.codes)}）"))
        for term, element in self._terms.get(scope or "", []):
            if text.endswith(term) or stem.endswith(term):
                candidates.append((element, 85.0, f"表示词“{term}”：本表每行一个{_SCOPE_NAMES[element.scope]}"))
                break
        for (name, element), name_py, name_tokens in zip(self._names, self._pinyin, self._tokens, strict=True):
            if scope and element.scope != scope:
                continue
            if name == text:
                candidates.append((element, 100.0, f"名称与数据元同义词“{name}”一致"))
                continue
            if element.scope == "village" and stem == self._stem(name):
                candidates.append((element, 95.0, f"去掉计数词后与“{name}”相同"))
                continue
            if len(name) >= 4 and name in text and len(text) - len(name) <= 3:
                candidates.append((element, 90.0, f"包含数据元名称“{name}”"))
                continue
            score = max(
                fuzz.ratio(text, name),
                fuzz.token_sort_ratio(tokens, name_tokens),
                fuzz.ratio(py, name_py) * 0.95,  # same sounds, other characters: a weaker sign
            )
            if score >= FUZZY_MIN - 10:
                candidates.append((element, score, f"与“{name}”相似度 {score:.0f}"))
        if not candidates:
            return None
        return max(candidates, key=lambda c: c[1])

    def _match(self, item: TemplateItem, label: Label, scope: str) -> Match:
        not_held = Match(item.label, None, None, 0.0, "")
        if scope == "village":
            age = self._age(label.text)
            if age is not None:
                dataset, target, aggregate = age
                return Match(item.label, dataset, target, 0.9, f"按年龄段汇总：{target}", "age_band", aggregate)
        best = self._best(label, scope)
        by_sample = self._by_sample(item, scope)
        if best is not None and item.sample:
            failed = _check(best[0].check, item.sample)
            if failed:
                best = None
                not_held.reason = f"示例值不符：{failed}"
        if by_sample is not None and (best is None or best[1] < FUZZY_MIN):
            best = by_sample
        if best is None or best[1] < FUZZY_MIN:
            if not not_held.reason:
                near = f"（最接近：{best[2]}）" if best else ""
                not_held.reason = f"平台无对应数据元{near}"
            not_held.confidence = round(1 - (best[1] / 100 if best else 0.0), 2)
            return not_held
        element, score, why = best
        factor, unit_note = self._unit(label.unit, element)
        if factor is None:
            not_held.reason = unit_note
            not_held.confidence = 0.8
            return not_held
        confidence = round(min(0.99, score / 100 * (0.98 if element.aggregate else 0.99)), 2)
        if item.sample and element.check and not _check(element.check, item.sample):
            confidence, why = min(0.99, confidence + 0.05), f"{why}；示例值通过{element.check}校验"
        derived = (
            "；按村居汇总" if element.aggregate else ("；由字段计算" if not _IDENT.fullmatch(element.target) else "")
        )
        reason = why + (f"；{unit_note}" if unit_note else "") + derived
        return Match(
            item.label, element.dataset, element.target, confidence, reason, element.id, element.aggregate, factor
        )

    def _by_sample(self, item: TemplateItem, scope: str) -> tuple[Element, float, str] | None:
        """An identifier in the example row names its item whatever the label says (check digits cannot lie)."""
        if not item.sample:
            return None
        for element in self.elements:
            if (
                element.scope == scope
                and element.check in ("citizen_id", "uscc")
                and not _check(element.check, item.sample)
            ):
                return element, 85.0, f"示例值通过{element.check}校验位检查"
        return None

    def _unit(self, unit: str | None, element: Element) -> tuple[float | None, str]:
        """(factor from the mart's unit to the form's, a note), or (None, why) when the dimensions differ."""
        if not unit or not element.units:
            return 1.0, ""
        if unit in element.units:
            return 1.0, ""
        dim, factor = self.units[unit]
        base_dim, base_factor = self.units[element.units[0]]
        if dim != base_dim:
            return None, f"单位“{unit}”与数据元单位“{element.units[0]}”量纲不同"
        return base_factor / factor, f"单位换算：{element.units[0]} → {unit} ×{base_factor / factor:g}"

    def _age(self, text: str) -> tuple[str, str, bool] | None:
        """A count of people of an age ("60岁以上老人数") as the sum of the population mart's age bands."""
        if not self._bands:
            return None
        dataset, bands = self._bands
        low, high = 0, 10**3
        if m := _AGE_FROM.search(text):
            low = int(m.group(1))
        elif m := _AGE_UNDER.search(text):
            high = int(m.group(1) or m.group(2)) - 1
        elif m := _AGE_RANGE.search(text):
            low, high = int(m.group(1)), int(m.group(2))
        else:
            return None
        chosen = [col for col, (lo, hi) in bands.items() if lo >= low and hi <= high]
        if (
            not chosen
            or min(bands[c][0] for c in chosen) != low
            or (high < 10**3 and max(bands[c][1] for c in chosen) != high)
        ):
            return None  # the bands do not add up to exactly the asked range
        return dataset, " + ".join(chosen), len(chosen) > 1


def _age_bands(datasets: list[Dataset]) -> tuple[str, dict[str, tuple[int, int]]] | None:
    """The first dataset whose field titles are age bands ("60-79 岁", "80 岁及以上"): {column: (low, high)}."""
    for ds in datasets:
        bands: dict[str, tuple[int, int]] = {}
        for f in ds.fields:
            m = _BAND.match(f.title.replace(" ", ""))
            if m:
                bands[f.name] = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(3)), 10**3)
        if len(bands) >= 2:
            return ds.id, bands
    return None


def _check(kind: str | None, value: str) -> str:
    """'' when `value` fits the element's check, else what is wrong with it."""
    value = value.strip()
    try:
        if kind == "citizen_id":
            normalise_citizen_id(value)
        elif kind == "uscc":
            normalise_uscc(value)
        elif kind == "date":
            dt.date.fromisoformat(value.replace("/", "-").replace(".", "-")[:10])
        elif kind == "phone" and not re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", value):
            return f"“{value}”不是电话号码"
        elif kind == "sex" and value not in ("男", "女", "1", "2"):
            return f"“{value}”不在性别代码表（男/女）中"
        elif kind in ("integer", "number"):
            float(value.replace(",", ""))
    except (InvalidIdentifier, ValueError) as exc:
        return f"“{value}”：{exc}"
    return ""
