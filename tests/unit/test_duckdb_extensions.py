"""Extensions load from their wheels: signed by DuckDB's check, or, on a `wheel_verified` connection, only a file
byte-identical to the one its wheel installed (zhongtai.duckdb)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from zhongtai import duckdb as zduckdb
from zhongtai.settings import Settings

GBK_TEXT = "姓名,地址\n张三,广东省佛山市\n"


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def read_gbk(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> list[tuple[str, str]]:
    path = tmp_path / "gbk.csv"
    path.write_bytes(GBK_TEXT.encode("gbk"))
    zduckdb.ensure_extension(con, "encodings")
    return con.execute(f"select * from read_csv('{path}', encoding='gb18030', header=true)").fetchall()


@pytest.mark.parametrize("wheel_verified", [False, True])
def test_the_encodings_extension_reads_gbk_either_way(settings: Settings, tmp_path: Path, wheel_verified: bool) -> None:
    con = zduckdb.connect(":memory:", read_only=False, settings=settings, extensions=(), wheel_verified=wheel_verified)
    assert read_gbk(con, tmp_path) == [("张三", "广东省佛山市")]
    allowed = con.execute("select current_setting('allow_unsigned_extensions')").fetchone()
    assert allowed == (wheel_verified,)


def test_a_file_that_is_not_the_wheels_own_is_refused(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy elsewhere, or one byte changed in place of the wheel's file: neither loads on a wheel-verified
    connection (where DuckDB's own signature check is off)."""
    real = zduckdb.extension_file("sqlite_scanner")
    copy = tmp_path / real.name
    shutil.copyfile(real, copy)
    monkeypatch.setattr(zduckdb, "extension_file", lambda name: copy)
    con = zduckdb.connect(":memory:", read_only=False, settings=settings, extensions=(), wheel_verified=True)
    with pytest.raises(RuntimeError, match="is not a file its wheel installed"):
        zduckdb.load_extension(con, "sqlite_scanner")

    monkeypatch.setattr(zduckdb, "sha256_file", lambda path: "00" * 32)  # what a changed file would hash to
    monkeypatch.setattr(zduckdb, "extension_file", lambda name: real)
    zduckdb.verify_against_wheel.cache_clear()
    with pytest.raises(RuntimeError, match="differs from the file its wheel installed"):
        zduckdb.load_extension(con, "sqlite_scanner")
    assert con.execute("select loaded from duckdb_extensions() where extension_name = 'sqlite_scanner'").fetchone() != (
        True,
    )
