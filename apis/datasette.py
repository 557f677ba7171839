"""How to start Datasette over the published analyst SQLite with its generated metadata, behind zhongtai's sign-in."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from apis.auth import session_secret
from zhongtai.settings import Settings

HERE = Path(__file__).resolve().parent
PLUGINS_DIR = HERE / "datasette_plugins"  # sign-in and query audit (apis.datasette_sign_in, apis.datasette_audit)
TEMPLATES_DIR = HERE / "templates" / "datasette"


def datasette_command(settings: Settings, *, port: int | None = None) -> list[str]:
    """`datasette serve` for the version `current` points at now.

    The path is resolved at start, so a running Datasette keeps serving one consistent version
    (it caches metadata and, with --immutable, row counts); restart it after a publish to serve the new one.
    CSV streaming of whole tables is off: each request answers at most `max_returned_rows` rows, so each audit entry
    names at most that many people, and a bulk copy is many audited requests rather than one.
    """
    version = Path(os.path.realpath(settings.current_snapshot))
    database = version / "analyst.sqlite"
    if not database.is_file():
        raise FileNotFoundError(f"no published analyst database at {database}: run publish first")
    return [
        sys.executable, "-m", "datasette", "serve",
        "--immutable", str(database),
        "--metadata", str(version / "metadata.json"),
        "--plugins-dir", str(PLUGINS_DIR),
        "--template-dir", str(TEMPLATES_DIR),
        "--host", settings.host,
        "--port", str(port if port is not None else settings.datasette_port),
        "--setting", "sql_time_limit_ms", "5000",
        "--setting", "default_page_size", "50",
        "--setting", "allow_csv_stream", "off",
        *_form_dashboard(settings),
    ]  # fmt: skip


def _form_dashboard(settings: Settings) -> list[str]:
    """The report-form dashboard's SQLite (written by the API after each registration), served mutable."""
    from apis.operational.forms import dashboard_database

    path = dashboard_database(settings)
    return [str(path)] if path.is_file() else []


def datasette_env(settings: Settings) -> dict[str, str]:
    """The environment Datasette needs beside the command: these settings (the plugin reads them as `Settings()`:
    the operational database with its accounts, the audit log, session limits) and a stable secret for its own
    signed cookies (CSRF tokens), kept out of the command line."""
    env = {
        f"ZHONGTAI_{name.upper()}": str(value)
        for name, value in settings.model_dump(exclude_none=True).items()
        if isinstance(value, str | int | float | bool | Path)
    }
    env["ZHONGTAI_DATA_DIR"] = str(settings.root)
    env["DATASETTE_SECRET"] = session_secret(settings)
    return env
