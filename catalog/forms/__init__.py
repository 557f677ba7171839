"""Report forms (填表报数): read a form's template and match its items to the marts that already hold them."""

from __future__ import annotations

import json
from pathlib import Path

from catalog.datasets import Dataset, load_datasets
from catalog.forms.matcher import Match, Matcher
from catalog.forms.template import FormError, Template, read_template
from zhongtai.settings import Settings


def catalog_manifest(settings: Settings) -> Path:
    """The dbt manifest the latest publish was built from; FileNotFoundError when nothing is published yet."""
    published = settings.current_snapshot / "manifest.json"
    if published.is_file():
        built_from = Path(json.loads(published.read_text(encoding="utf-8"))["manifest_path"])
        if built_from.is_file():
            return built_from
    raise FileNotFoundError("nothing published yet")


def match_file(path: str | Path, datasets: list[Dataset]) -> list[Match]:
    """Every item of the template at `path` with what it derives from (registers nothing)."""
    return Matcher(datasets).match_template(read_template(path))


__all__ = [
    "FormError",
    "Match",
    "Matcher",
    "Template",
    "catalog_manifest",
    "load_datasets",
    "match_file",
    "read_template",
]
