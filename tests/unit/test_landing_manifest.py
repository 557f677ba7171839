"""The landing's manifest is parsed once per Landing (one per ingest step), not once per delivery: on a landing that
already holds 10,000 deliveries, landing more and asking for the high-water mark before each parses each line once.
What the dedup and the marks answer is unchanged, and lines appended by another process, or torn by a kill, are read
when they are whole. Figures are printed (taken on a shared machine, so never asserted)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import pytest

from orchestration.ingestion import landing as landing_module
from orchestration.ingestion.landing import MANIFEST, Delivery, Landing

EXISTING, NEW, REREAD = 10_000, 200, 3


def _line(i: int, source: str = "onewindow", entity: str = "cases") -> str:
    delivery = Delivery(
        delivery_id=f"{source}.{entity}.{i}",
        source_id=source,
        entity=entity,
        received_at="2026-12-01T00:00:00+00:00",
        sha256=f"{i:064x}",
        bytes=1,
        file_name=f"page_{i}.json",
        path=f"{source}/{entity}/{i:064x}.json",
        cursor_to=f"{i:08d}",
    )
    return json.dumps(asdict(delivery), ensure_ascii=False) + "\n"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the manifest lines the landing module parses."""
    count = [0]

    def loads(text: str | bytes) -> object:
        count[0] += 1
        return json.loads(text)

    monkeypatch.setattr(landing_module, "json", SimpleNamespace(loads=loads, dumps=json.dumps))
    return count


def test_a_landing_of_10000_deliveries_parses_each_line_once(tmp_path: Path, parsed: list[int]) -> None:
    (tmp_path / MANIFEST).write_text("".join(_line(i) for i in range(EXISTING)), encoding="utf-8")
    landing = Landing(tmp_path)
    started = time.perf_counter()
    for i in range(NEW):  # as a pull does: ask for the mark, land a page
        assert landing.high_water_mark("onewindow", "cases") == f"{EXISTING - 1 + i:08d}"
        page = f'{{"page": {i}}}'.encode()
        assert landing.land_bytes("onewindow", "cases", page, f"page_{i}.json", cursor_to=f"{EXISTING + i:08d}")
    seconds = time.perf_counter() - started
    # The 10,000 lines once, and each new line once after its own append (the last one not yet asked for).
    assert parsed[0] == EXISTING + NEW - 1
    # Before, every look-up parsed the whole manifest: what a fresh Landing per look-up still does.
    before, started = parsed[0], time.perf_counter()
    for _ in range(REREAD):
        Landing(tmp_path).high_water_mark("onewindow", "cases")
    reread = (time.perf_counter() - started) / REREAD
    assert parsed[0] - before == REREAD * (EXISTING + NEW)
    print(
        f"\non a landing of {EXISTING:,} deliveries: {seconds / NEW * 1e3:.2f} ms per delivery landed "
        f"(look-up and land), against {reread * 1e3:.1f} ms per look-up re-reading the whole manifest (under load)"
    )
    parsed[0] = 0
    # The same content again is not landed twice; for another entity it is. Nothing is parsed twice.
    assert landing.land_bytes("onewindow", "cases", b'{"page": 0}', "again.json") is None
    assert landing.land_bytes("onewindow", "persons", b'{"page": 0}', "page_0.json") is not None
    assert len(landing.deliveries()) == EXISTING + NEW + 1
    assert parsed[0] == 2  # the last page's line, and the persons line after its append
    assert landing.high_water_mark("onewindow", "cases") == f"{EXISTING + NEW - 1:08d}"
    assert landing.high_water_mark("onewindow", "persons") is None
    assert len(landing.seen("onewindow", "cases")) == EXISTING + NEW
    assert parsed[0] == 2


def test_what_another_process_appends_is_read_once_whole(tmp_path: Path, parsed: list[int]) -> None:
    ours, theirs = Landing(tmp_path), Landing(tmp_path)
    assert ours.seen("onewindow", "cases") == {} and ours.high_water_mark("onewindow", "cases") is None
    theirs.land_bytes("onewindow", "cases", b"a", "a.json", cursor_to="00000005")
    assert ours.high_water_mark("onewindow", "cases") == "00000005"
    assert ours.land_bytes("onewindow", "cases", b"a", "a.json") is None  # landed by the other: not twice
    manifest = tmp_path / MANIFEST
    torn = _line(7, "grid", "events")
    with manifest.open("a", encoding="utf-8") as fh:
        fh.write(torn[:40])  # a writer killed mid-append, or still appending
    assert ours.high_water_mark("grid", "events") is None
    with manifest.open("a", encoding="utf-8") as fh:
        fh.write(torn[40:])
    assert ours.high_water_mark("grid", "events") == "00000007"
    assert [d.entity for d in ours.deliveries()] == ["cases", "events"]
    assert parsed[0] == 2  # in ours: the other's line, then the completed line; theirs never needed to read


def test_a_file_name_with_a_line_separator_lands_once(tmp_path: Path) -> None:
    landing = Landing(tmp_path)
    first = landing.land_bytes("legacy", "rows", b"x", "名单\u2028第二行\x85.csv", cursor_to="1")
    assert first is not None and first.file_name == "名单\u2028第二行\x85.csv"
    assert Landing(tmp_path).seen("legacy", "rows") == {first.sha256: first}
    assert landing.land_bytes("legacy", "rows", b"x", "again.csv") is None
