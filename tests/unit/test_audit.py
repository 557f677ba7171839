"""The audit log is tamper-evident: any single changed byte is found, and the first broken entry is named."""

from __future__ import annotations

from pathlib import Path

from zhongtai.audit import append, verify, who_looked_at


def small_log(tmp_path: Path) -> Path:
    path = tmp_path / "audit.jsonl"
    append(path, who="pipeline", role="steward", purpose="发布", action="publish", what={"dataset": "village"})
    append(path, who="张三", role="village_cadre", purpose="核对名册", action="read_record",
           what={"dataset": "village_roster", "person_key": "pk1"})  # fmt: skip
    append(path, who="api", role="public", purpose="开放数据", action="read_records", what={"person_keys": ["pk1"]})
    return path


def test_an_intact_log_verifies_and_answers_who_looked_at(tmp_path: Path) -> None:
    path = small_log(tmp_path)
    result = verify(path)
    assert result.ok and result.entries == 3
    assert [e["seq"] for e in who_looked_at(path, "pk1")] == [2, 3]


def test_changing_any_single_byte_breaks_verify_at_that_entry(tmp_path: Path) -> None:
    path = small_log(tmp_path)
    original = path.read_bytes()
    line_of = []
    line = 1
    for b in original:
        line_of.append(line)
        if b == 0x0A:
            line += 1
    for offset in range(len(original)):
        tampered = bytearray(original)
        tampered[offset] ^= 0x01
        path.write_bytes(bytes(tampered))
        result = verify(path)
        assert not result.ok, offset
        assert result.broken_line == line_of[offset], (offset, result)
        assert result.broken_seq == line_of[offset]
    path.write_bytes(original[:-1])  # the last newline cut off
    assert not verify(path).ok


def test_appends_chain_onto_the_last_entry_whatever_its_length(tmp_path: Path) -> None:
    """The tail is read backwards in chunks: entries longer and shorter than a chunk still chain in order."""
    path = tmp_path / "audit.jsonl"
    for n, size in enumerate([10, 20_000, 5, 9_000, 1, 30_000, 3]):
        entry = append(path, who=f"u{n}", role="steward", purpose="测试", action="read", what={"pad": "甲" * size})
        assert entry["seq"] == n + 1
    assert verify(path).ok and verify(path).entries == 7
