"""The kernel's single copies of SQL quoting, file hashing and atomic writes (zhongtai/sql.py, zhongtai/files.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhongtai.files import atomic_copy, atomic_symlink, atomic_write, sha256_bytes, sha256_file
from zhongtai.sql import qualified, quote_identifier, quote_literal

# Any text but NUL (which no SQL engine takes in a name) and not only blanks (DuckDB refuses an empty name).
names = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda s: s.strip() != ""
)
values = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=50)


@given(names)
def test_a_quoted_identifier_names_exactly_itself_in_duckdb(name: str) -> None:
    con = duckdb.connect()
    con.execute(f"create table t ({quote_identifier(name)} integer)")
    assert [r[0] for r in con.execute("select column_name from (describe t)").fetchall()] == [name]
    con.execute(f"create schema {quote_identifier(name)}")
    con.execute(f"create table {qualified(name, name)} (x integer)")
    found = con.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name = ? and table_name = ?", [name, name]
    ).fetchall()
    assert found == [(name, name)]


@given(values)
def test_a_quoted_literal_is_exactly_its_value(value: str) -> None:
    assert duckdb.connect().execute(f"select {quote_literal(value)}").fetchone() == (value,)


def test_file_hash_streams_to_the_same_digest_as_hashing_the_bytes(tmp_path: Path) -> None:
    data = os.urandom(3 * (1 << 20) + 17)  # more than one read block, not a multiple of it
    path = tmp_path / "delivery.csv"
    path.write_bytes(data)
    assert sha256_file(path) == sha256_bytes(data) == hashlib.sha256(data).hexdigest()


def test_atomic_write_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "status.json"
    atomic_write(target, "第一")
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["status.json"]


def test_a_failed_atomic_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "status.json"
    atomic_write(target, "old")
    with pytest.raises(TypeError):
        atomic_write(target, 42)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]


def test_atomic_copy_and_symlink(tmp_path: Path) -> None:
    src = tmp_path / "a.bin"
    src.write_bytes(b"x" * ((1 << 20) + 1))
    atomic_copy(src, tmp_path / "landed" / "b.bin")
    assert sha256_file(tmp_path / "landed" / "b.bin") == sha256_file(src)
    for version in ("v1", "v2"):
        (tmp_path / version).mkdir()
        atomic_symlink(version, tmp_path / "current")
        assert os.readlink(tmp_path / "current") == version
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "current", "landed", "v1", "v2"]
