"""Open DuckDB with our extensions, loaded straight from the PyPI wheels that carry them.

DuckDB 1.5.5 here cannot download extensions (no internet). Each extension is LOADed from the file
inside its `duckdb-extension-<name>` wheel; the connection's `extension_directory` still points at
the data directory and auto-install is off, so nothing is fetched or written under ~/.duckdb.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from zhongtai.sql import quote_literal

if TYPE_CHECKING:
    from zhongtai.settings import Settings


def connect(
    path: str | Path,
    *,
    read_only: bool,
    settings: Settings,
    extensions: Iterable[str] = ("sqlite_scanner",),
) -> duckdb.DuckDBPyConnection:
    """A connection to `path` (":memory:" works) with each of `extensions` loaded."""
    ext_dir = settings.duckdb_extension_dir
    ext_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        str(path),
        read_only=read_only,
        config={"extension_directory": str(ext_dir), "autoinstall_known_extensions": False},
    )
    try:
        for name in extensions:
            load_extension(con, name)
    except BaseException:
        con.close()
        raise
    return con


def extension_file(name: str) -> Path:
    """The extension binary shipped inside its `duckdb-extension-<name>` wheel, for this DuckDB version."""
    import importlib

    try:
        module = importlib.import_module(f"duckdb_extension_{name}")
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"DuckDB extension {name!r} is not installed: add duckdb-extension-{name.replace('_', '-')}"
            f"=={duckdb.__version__} to the project"
        ) from exc
    return Path(str(module.__file__)).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """LOAD `name` straight from its wheel: nothing is downloaded, and nothing copied (encodings is 352 MB)."""
    con.execute(f"load {quote_literal(str(extension_file(name)))}")


def ensure_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """LOAD `name` unless this connection's database has it already.

    Loading is not free: DuckDB verifies the signature of the whole file on every LOAD, about two seconds for
    the 352 MB encodings extension. Code that needs an extension only for some inputs loads it here, on the
    first such input, instead of on every connection.
    """
    row = con.execute("select loaded from duckdb_extensions() where extension_name = ?", [name]).fetchone()
    if not (row and row[0]):
        load_extension(con, name)
