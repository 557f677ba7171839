"""Catalogue search: Chinese text segmented with jieba over titles, descriptions and field titles, ranked, with
facet counts — shared by /v1/datasets and CKAN's package_search."""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jieba

# Weights: a word in the title says more about a dataset than one in a field title, more than one in the description.
WEIGHTS = (("title", 3), ("fields", 2), ("description", 1))
FACETS = ("theme", "department", "open_level", "cadence")
UNLABELLED = "未标注"
_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
jieba.setLogLevel(logging.WARNING)


def words(text: str) -> list[str]:
    """A text's search words: jieba's search-mode segmentation (overlapping words), lower-cased, no punctuation."""
    with _lock:  # jieba builds its dictionary on first use; once is enough
        tokens = jieba.lcut_for_search(text)
    return [t.lower() for t in (t.strip() for t in tokens) if t and _WORD.search(t)]


def facet_values(entry: dict[str, Any]) -> dict[str, str]:
    """A dataset's value for each facet; theme and cadence say 未标注 until the catalog carries them."""
    return {
        "theme": entry.get("theme") or UNLABELLED,
        "department": entry["owner_department"],
        "open_level": entry["open_level"],
        "cadence": entry.get("cadence") or UNLABELLED,
    }


@dataclass(frozen=True)
class Indexed:
    texts: dict[str, str]  # part → lower-cased text
    words: dict[str, frozenset[str]]  # part → its words


@lru_cache(maxsize=8)
def _index(snapshot_path: str, datasets: tuple[tuple[str, str, str, str], ...]) -> tuple[Indexed, ...]:
    del snapshot_path  # the cache key: one index per published version
    indexed = []
    for _id, *texts in datasets:
        parts = dict(zip(("title", "fields", "description"), texts, strict=True))
        indexed.append(
            Indexed(
                texts={p: t.lower() for p, t in parts.items()},
                words={p: frozenset(words(t)) for p, t in parts.items()},
            )
        )
    return tuple(indexed)


def score(doc: Indexed, query: list[str]) -> int:
    """0 unless every query word occurs (as a segmented word or, for segmentation's misses, as a substring)."""
    total = 0
    for word in query:
        hit = sum(weight for part, weight in WEIGHTS if word in doc.words[part] or word in doc.texts[part])
        if not hit:
            return 0
        total += hit
    return total


def search(
    snapshot_path: str, entries: list[dict[str, Any]], q: str | None, chosen: dict[str, str | None]
) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The entries matching `q` (best first, then by id) and the chosen facet values, and facet counts over them."""
    key = tuple((e["id"], e["title"], " ".join(f["title"] for f in e["fields"]), e["description"]) for e in entries)
    docs = _index(snapshot_path, key)
    query = words(q or "")
    ranked: list[tuple[int, dict[str, Any]]] = []
    for entry, doc in zip(entries, docs, strict=True):
        values = facet_values(entry)
        if any(want and values[name] != want for name, want in chosen.items()):
            continue
        points = score(doc, query) if query else 1
        if points:
            ranked.append((points, entry))
    ranked.sort(key=lambda pair: (-pair[0], pair[1]["id"]))
    found = [entry for _, entry in ranked]
    facets = {
        name: [{"value": v, "count": c} for v, c in sorted(Counter(facet_values(e)[name] for e in found).items())]
        for name in FACETS
    }
    return found, facets
