"""How to start Datasette over the published analyst SQLite with its generated metadata."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from zhongtai.settings import Settings


def datasette_command(settings: Settings, *, port: int | None = None) -> list[str]:
    """`datasette serve` for the version `current` points at now.

    The path is resolved at start, so a running Datasette keeps serving one consistent version
    (it caches metadata and, with --immutable, row counts); restart it after a publish to serve the new one.
    """
    version = Path(os.path.realpath(settings.current_snapshot))
    database = version / "analyst.sqlite"
    if not database.is_file():
        raise FileNotFoundError(f"no published analyst database at {database}: run publish first")
    return [
        sys.executable, "-m", "datasette", "serve",
        "--immutable", str(database),
        "--metadata", str(version / "metadata.json"),
        "--host", settings.host,
        "--port", str(port if port is not None else settings.datasette_port),
        "--setting", "sql_time_limit_ms", "5000",
        "--setting", "default_page_size", "50",
        *_form_dashboard(settings),
    ]  # fmt: skip


def _form_dashboard(settings: Settings) -> list[str]:
    """The report-form dashboard's SQLite (written by the API after each registration), served mutable."""
    from apis.operational.forms import dashboard_database

    path = dashboard_database(settings)
    return [str(path)] if path.is_file() else []
