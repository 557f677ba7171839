"""One settings object for every process: read from ZHONGTAI_* environment variables."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


ENV_PREFIX = "ZHONGTAI_"


class Settings(BaseSettings):
    """Where zhongtai keeps its data, which secret keys people, and where its servers listen."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="root of landing, warehouse, published and sandbox")
    key_secret: str = Field(
        default="sandbox-only-secret-change-me",
        description="secret of the keyed hash that turns ID numbers into stable pseudonymous keys",
    )
    upstream_dir: Path | None = Field(
        default=None,
        description="where upstream systems drop files and keep databases (default: <data>/sandbox/upstream)",
    )
    onewindow_url: str = Field(default="http://127.0.0.1:8765", description="base URL of the one-window service API")
    host: str = "127.0.0.1"
    api_port: int = 8000
    datasette_port: int = 8001
    dagster_port: int = 3000
    sandbox_port: int = 8765
    from_landing: bool = Field(
        default=False,
        description="ingest loads only what has already landed and asks no upstream (a rebuild from landing)",
    )
    roster_min_cell: int = Field(default=5, description="published aggregates suppress cells below this count")
    published_keep: int = Field(
        default=48,
        ge=2,  # the version just replaced stays for readers that resolved `current` before the switch
        description="published versions kept, newest first (the one serving always): older ones are removed after each "
        "publish; the change feed reaches back to the version before the oldest kept, the snapshot list offers "
        "the kept ones (48: two days of the hourly refresh)",
    )
    warehouse_memory: str = Field(
        default="4GB",
        description="DuckDB memory limit of dbt's connection to the warehouse (it spills to disk beyond it)",
    )
    resolution_memory: str = Field(
        default="3GB",
        description="DuckDB memory limit of each entity-resolution query (it spills to disk beyond it)",
    )
    registry_dirs: str | None = Field(
        default=None,
        description="extra source-registry folders read after catalog/sources/ (os.pathsep-separated)",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the operational database (accounts, keys, applications …), e.g. "
        "postgresql+psycopg://user@host/db (default: SQLite in WAL mode at <data>/operational.sqlite)",
    )
    session_idle_minutes: int = Field(default=480, description="a signed-in session ends after this long unused")
    session_max_hours: int = Field(default=24, description="a signed-in session ends this long after sign-in")
    session_secret: str | None = Field(
        default=None,
        description="secret that signs CSRF tokens (default: random, kept in <data>/secrets/session_secret)",
    )
    cookie_secure: bool = Field(default=False, description="mark session cookies Secure (set true behind HTTPS)")
    sign_in_limit: str = Field(
        default="5/minute", description="failed sign-ins allowed per account and per client address (limits syntax)"
    )
    quota_anonymous: str = Field(
        default="60/minute", description="API requests allowed per client address without a key (limits syntax)"
    )
    quota_keyed: str = Field(default="1200/minute", description="API requests allowed per API key (limits syntax)")
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="engine dbt builds the models on, and entity resolution reads the mentions and runs Splink on: the "
        "DuckDB warehouse, or Spark (DESIGN.md §4; the dbt profile's target). Loading, quality checks and publish stay "
        "on the warehouse: on Spark, the sources go to it as Parquet and the marts come back",
    )
    spark_master: str = Field(
        default="local[2]",
        description="Spark master when engine is spark: local[N] or a cluster URL (spark://…, yarn, k8s://…)",
    )
    spark_conf: dict[str, str] = Field(
        default_factory=dict,
        description="Spark settings over zhongtai's own when engine is spark and SPARK_CONF_DIR is not set (JSON, e.g. "
        '{"spark.driver.memory": "8g"}); with SPARK_CONF_DIR, its spark-defaults.conf is the whole configuration',
    )

    @property
    def root(self) -> Path:
        return self.data_dir.resolve()

    @property
    def landing_dir(self) -> Path:
        return self.root / "landing"

    @property
    def uploads_dir(self) -> Path:
        """Where the API drops what people send in (cadres' corrections) for the pipeline to land as a source."""
        return self.root / "uploads"

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse" / "zhongtai.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.root / "published"

    @property
    def current_snapshot(self) -> Path:
        return self.published_dir / "current"

    @property
    def sandbox_dir(self) -> Path:
        return self.root / "sandbox"

    @property
    def upstream(self) -> Path:
        return (self.upstream_dir or self.sandbox_dir / "upstream").resolve()

    @property
    def truth_dir(self) -> Path:
        return self.sandbox_dir / "truth"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def duckdb_extension_dir(self) -> Path:
        return self.root / "duckdb_extensions"

    @property
    def operational_url(self) -> str:
        return self.database_url or f"sqlite:///{self.root / 'operational.sqlite'}"


def settings_problems(error: ValueError) -> list[str]:
    """What is wrong with the ZHONGTAI_* settings, a line per setting, named as they are set."""
    if isinstance(error, ValidationError):
        return [
            f"{ENV_PREFIX}{'_'.join(str(part) for part in e['loc']).upper()}={e['input']!r}: {e['msg']}"
            for e in error.errors()
        ]
    # pydantic-settings' own error, when a mapping or list setting is not JSON, names the field, not the variable
    field = re.search(r'field "(\w+)"', str(error))
    if field and isinstance(error.__cause__, json.JSONDecodeError):
        return [f"{ENV_PREFIX}{field.group(1).upper()}: not JSON ({error.__cause__})"]
    cause = f": {error.__cause__}" if error.__cause__ else ""
    return [f"{error}{cause}"]


def get_settings() -> Settings:
    """Settings are read when asked for, never at import time."""
    return Settings()
