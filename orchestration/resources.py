"""Dagster resources: the settings the assets work with, handed to each step as a resource, never captured.

`definitions.py` builds them once from the process's Settings; an asset asks its `warehouse` resource for the
data directory, the warehouse connection or the full Settings. They show in the Dagster UI as configuration,
so a run can also be pointed at another data directory from there (the key secret stays an environment variable).
"""

import json
import os
from pathlib import Path
from typing import get_origin

import dagster as dg
import duckdb

from zhongtai.duckdb import connect
from zhongtai.settings import Settings

SECRET_ENV = "ZHONGTAI_KEY_SECRET"


class WarehouseResource(dg.ConfigurableResource):  # type: ignore[misc]
    """The data directory (landing, warehouse, published snapshots), the key secret and every other setting."""

    data_dir: str
    key_secret: str
    # Every other ZHONGTAI_* setting, by field name, as text (a mapping or list as JSON); Settings types them again.
    options: dict[str, str] = {}  # noqa: RUF012  (pydantic copies a default, it is never shared)

    @classmethod
    def from_settings(cls, settings: Settings) -> "WarehouseResource":
        # The secret is referred to by its environment variable when it comes from there: not shown in the UI.
        in_env = os.environ.get(SECRET_ENV) == settings.key_secret
        options = settings.model_dump(mode="json", exclude={"data_dir", "key_secret"}, exclude_none=True)
        return cls(
            data_dir=str(settings.root),
            key_secret=dg.EnvVar(SECRET_ENV) if in_env else settings.key_secret,
            options={k: json.dumps(v) if isinstance(v, dict | list) else str(v) for k, v in options.items()},
        )

    def settings(self) -> Settings:
        options = {k: json.loads(v) if _structured(k) else v for k, v in self.options.items()}
        return Settings(data_dir=Path(self.data_dir), key_secret=self.key_secret, **options)  # type: ignore[arg-type]

    def connect(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """The warehouse; read-write only inside the warehouse pool, where this step is its one writer."""
        settings = self.settings()
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        return connect(settings.warehouse_path, read_only=read_only, settings=settings, extensions=())


def _structured(field: str) -> bool:
    """Whether a setting is a mapping or a list (given as JSON text), not a scalar."""
    annotation = Settings.model_fields[field].annotation if field in Settings.model_fields else None
    return get_origin(annotation) in (dict, list)


def resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """Every resource of the code location, by the name assets ask for it."""
    return {"warehouse": WarehouseResource.from_settings(settings)}
