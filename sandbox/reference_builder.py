"""Builds the committed reference tables of Chancheng's divisions and grids (run once; deterministic)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "zhongtai" / "reference"

DISTRICT = ("440604", "禅城区")
# (code, name, villages, residential committees): committees crowd the old town, villages the south and west
TOWNS = [
    ("440604010", "祖庙街道", 6, 50),
    ("440604011", "石湾镇街道", 10, 28),
    ("440604012", "张槎街道", 18, 12),
    ("440604100", "南庄镇", 20, 11),
]
TOTAL_GRIDS = 462
SEED = 440604

# place-name characters common in Pearl River Delta village names; combined in pairs they read as plausible names
_PLACE_CHARS = (
    "升平兴华同济朝安莲花新风福贤卫国建设文普君东里紫南罗格吉利杏头龙津溶洲堤田梧上元大富朗塘江白坭跃进澜石深湾"
    "岗沙涌基塱边岭洪澄雅居乐康宁和泰盛隆昌荣德善秀丽锦绣翠园湖滘围洛城祥瑞嘉禾鸿丰裕永庆怡景"
)


def _unique_names(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    chars = np.array(list(dict.fromkeys(_PLACE_CHARS)))
    while len(names) < n:
        a, b = rng.choice(chars, 2, replace=False)
        name = f"{a}{b}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def build() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Return (divisions, grids) rows; the same every time."""
    rng = np.random.default_rng(SEED)
    n_units = sum(v + c for _, _, v, c in TOWNS)
    names = _unique_names(rng, n_units)
    divisions = [{"code": DISTRICT[0], "name": DISTRICT[1], "level": "district", "parent_code": "", "unit_type": ""}]
    divisions += [
        {"code": code, "name": name, "level": "town", "parent_code": DISTRICT[0], "unit_type": ""}
        for code, name, _, _ in TOWNS
    ]
    units: list[dict[str, str]] = []
    for code, _, n_villages, n_committees in TOWNS:
        # committees take 001…, villages 201…, echoing the 1xx/2xx split of real village-level codes
        for i in range(n_committees):
            units.append(
                {
                    "code": f"{code}{i + 1:03d}",
                    "name": f"{names[len(units)]}社区居委会",
                    "level": "village",
                    "parent_code": code,
                    "unit_type": "居委会",
                }
            )
        for i in range(n_villages):
            units.append(
                {
                    "code": f"{code}{i + 201:03d}",
                    "name": f"{names[len(units)]}村委会",
                    "level": "village",
                    "parent_code": code,
                    "unit_type": "村委会",
                }
            )
    divisions += units

    # start every unit at 3 grids and move grids between units so each keeps 2–4 and the total is exact
    counts = np.full(len(units), 3)
    surplus = 3 * len(units) - TOTAL_GRIDS
    order = rng.permutation(len(units))
    n_four = 30
    counts[order[:n_four]] = 4
    counts[order[n_four : n_four + n_four + surplus]] = 2
    assert counts.sum() == TOTAL_GRIDS and counts.min() >= 2 and counts.max() <= 4
    grids = [
        {
            "grid_code": f"{u['code']}{g + 1:03d}",
            "village_code": u["code"],
            "name": f"{u['name'].removesuffix('社区居委会').removesuffix('村委会')}第{g + 1}网格",
        }
        for u, k in zip(units, counts, strict=True)
        for g in range(int(k))
    ]
    return divisions, grids


def write(directory: Path = REFERENCE_DIR) -> None:
    divisions, grids = build()
    for filename, rows in (("admin_divisions.csv", divisions), ("grids.csv", grids)):
        with open(directory / filename, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


if __name__ == "__main__":
    write()
