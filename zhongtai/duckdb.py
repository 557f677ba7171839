"""Open DuckDB with our extensions, loaded straight from the PyPI wheels that carry them.

DuckDB 1.5.5 here cannot download extensions (no internet). Each extension is LOADed from the file
inside its `duckdb-extension-<name>` wheel; the connection's `extension_directory` still points at
the data directory and auto-install is off, so nothing is fetched or written under ~/.duckdb.

DuckDB verifies an extension's signature on every LOAD, over the whole file: 2–4 s for the 352 MB encodings
extension, paid again by every connection that reads a GBK file (18 times in a `tiny` run, a fifth of its CPU).
A connection opened with `wheel_verified=True` trusts instead the SHA-256 that the wheel's RECORD gives for the
file (uv installed the wheel from uv.lock, hash-checked), computed once per process; such a connection may then
LOAD unsigned files, so it is only for connections that run our own SQL, never a user's.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from zhongtai.files import sha256_file
from zhongtai.sql import quote_literal

if TYPE_CHECKING:
    from zhongtai.settings import Settings


def connect(
    path: str | Path,
    *,
    read_only: bool,
    settings: Settings,
    extensions: Iterable[str] = ("sqlite_scanner",),
    wheel_verified: bool = False,
) -> duckdb.DuckDBPyConnection:
    """A connection to `path` (":memory:" works) with each of `extensions` loaded; `wheel_verified`: extensions
    checked against their wheel's RECORD once per process instead of by DuckDB's signature check on every LOAD."""
    ext_dir = settings.duckdb_extension_dir
    ext_dir.mkdir(parents=True, exist_ok=True)
    config: dict[str, str | bool | int | float | list[str]] = {
        "extension_directory": str(ext_dir),
        "autoinstall_known_extensions": False,
    }
    if wheel_verified:
        config["allow_unsigned_extensions"] = True
    con = duckdb.connect(str(path), read_only=read_only, config=config)
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
    """LOAD `name` straight from its wheel: nothing is downloaded, and nothing copied (encodings is 352 MB).

    On a connection that skips DuckDB's signature check (`wheel_verified`), the file must first match its wheel."""
    path = extension_file(name)
    if con.execute("select current_setting('allow_unsigned_extensions')").fetchone() == (True,):
        verify_against_wheel(name, path)
    con.execute(f"load {quote_literal(str(path))}")


@cache
def verify_against_wheel(name: str, path: Path) -> None:
    """Raise unless `path` is the file the `duckdb-extension-<name>` wheel installed, byte for byte (its RECORD's
    SHA-256). Once per file and process: hashing the encodings extension takes about half a second."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(f"duckdb-extension-{name.replace('_', '-')}")
    except PackageNotFoundError as exc:
        raise RuntimeError(f"DuckDB extension {name!r}: its wheel is not installed") from exc
    target = path.resolve()
    expected = next(
        (f.hash.value for f in dist.files or () if f.hash and Path(str(dist.locate_file(f))).resolve() == target),
        None,
    )
    if expected is None:
        raise RuntimeError(f"DuckDB extension {name!r}: {path} is not a file its wheel installed")
    actual = base64.urlsafe_b64encode(bytes.fromhex(sha256_file(path))).rstrip(b"=").decode()
    if actual != expected:
        raise RuntimeError(f"DuckDB extension {name!r}: {path} differs from the file its wheel installed")


def ensure_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """LOAD `name` unless this connection's database has it already.

    Loading is not free: DuckDB verifies the signature of the whole file on every LOAD, about two seconds for
    the 352 MB encodings extension. Code that needs an extension only for some inputs loads it here, on the
    first such input, instead of on every connection.
    """
    row = con.execute("select loaded from duckdb_extensions() where extension_name = ?", [name]).fetchone()
    if not (row and row[0]):
        load_extension(con, name)
