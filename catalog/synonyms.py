"""Header synonyms of the canonical attributes (catalog/synonyms.yaml) with their pinyin spellings derived."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

SYNONYMS_FILE = Path(__file__).resolve().parent / "synonyms.yaml"


@dataclass(frozen=True)
class Synonyms:
    labels: dict[str, str]  # label (Chinese, pinyin initials or full pinyin, lower case) -> canonical attribute
    roles: dict[str, str]  # role word -> role
    spelled: dict[str, str]  # derived pinyin spelling -> the Chinese label it spells (xm -> 姓名)


def pinyin_spellings(label: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese label, lower case, no tones: 姓名 → ("xm", "xingming")."""
    from pypinyin import Style, lazy_pinyin

    syllables = [re.sub(r"[^a-z0-9]", "", s.lower()) for s in lazy_pinyin(label, style=Style.NORMAL)]
    syllables = [s for s in syllables if s]
    return "".join(s[0] for s in syllables), "".join(syllables)


@functools.cache
def load_synonyms(path: Path = SYNONYMS_FILE) -> Synonyms:
    """The labels of every attribute plus their pinyin initials and full pinyin. A spelling two attributes share
    (an ambiguous abbreviation) names neither; a written label always wins over a derived spelling."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    written = {label: attr for attr, labels in spec["attributes"].items() for label in labels}
    derived: dict[str, set[str]] = {}
    spelled: dict[str, str] = {}
    for label, attr in written.items():
        for spelling in pinyin_spellings(label):
            if len(spelling) >= 2:
                derived.setdefault(spelling, set()).add(attr)
                spelled.setdefault(spelling, label)
    excluded = set(spec.get("not_spellings") or [])
    labels = {s: attrs.pop() for s, attrs in derived.items() if len(attrs) == 1 and s not in excluded}
    return Synonyms(labels | written, dict(spec["roles"]), {s: spelled[s] for s in labels})
