"""dbt models as Dagster assets, run in the project assembled from dbt_project/ and the registry under the data
directory, with its manifest parsed once per change (never by dev-mode re-parsing)."""

import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from packaging.version import Version

from catalog.dbt_sources import assemble_project, assembled_dir
from catalog.registry import load_registry, registry_dirs
from orchestration.engines.spark import export_sources, import_marts, spark_env
from orchestration.resources import WarehouseResource
from orchestration.sources import WAREHOUSE_POOL
from zhongtai import bookkeeping
from zhongtai.settings import Settings


def dbt_env(settings: Settings) -> dict[str, str]:
    """What dbt needs to find the warehouse (or Spark, its configuration and the sources' Parquet) and the key secret,
    and to stay offline and quiet."""
    env = dbt_env_for(
        settings.warehouse_path, settings.key_secret, settings.engine, settings.spark_master, settings.warehouse_memory
    )
    if settings.engine == "spark":
        env |= spark_env(settings)
    return env


def dbt_env_for(
    warehouse: Path,
    secret: str,
    engine: str = "duckdb",
    spark_master: str = "local[2]",
    memory: str = Settings.model_fields["warehouse_memory"].default,
) -> dict[str, str]:
    """dbt's environment for any warehouse file, key secret and engine (tests build throwaway warehouses); the
    engine picks the target of dbt_project/profiles.yml, `memory` is DuckDB's memory limit."""
    return {
        "ZHONGTAI_WAREHOUSE_PATH": str(warehouse),
        "ZHONGTAI_WAREHOUSE_MEMORY": memory,
        "ZHONGTAI_KEY_SECRET": secret,
        "ZHONGTAI_ENGINE": engine,
        "ZHONGTAI_SPARK_MASTER": spark_master,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_VERSION_CHECK": "false",
        "DO_NOT_TRACK": "1",
    }


def dbt_executable() -> str:
    """dbt from this environment, whether or not the venv's bin folder is on PATH."""
    return str(Path(sys.executable).with_name("dbt"))


def project_dir(settings: Settings) -> Path:
    """The dbt project runs use: dbt_project/ plus the files generated from the registry, under the data directory."""
    return assembled_dir(settings.root / "dbt")


def manifest_path(settings: Settings) -> Path:
    return project_dir(settings) / "target" / "manifest.json"


LOG_TIME = re.compile(r"^\d\d:\d\d:\d\d\s+", re.MULTILINE)  # dbt's time before each line it logs


class DbtParseError(RuntimeError):
    """dbt could not parse the assembled project (a model, macro or generated file it cannot read); the message is
    dbt's own."""


def prepare_project(settings: Settings, *, force: bool = False) -> Path:
    """Assemble the project when dbt_project/ or the registry (extra folders included) changed, and `dbt parse` it
    then or when its manifest is missing. Returns the project's folder; DbtParseError when dbt cannot parse it."""
    registry = load_registry(*registry_dirs(settings.registry_dirs))
    project, rebuilt = assemble_project(registry, settings.root / "dbt")
    if force or rebuilt or not manifest_path(settings).exists():
        parsed = subprocess.run(
            [dbt_executable(), "parse", "--project-dir", str(project), "--profiles-dir", str(project), "--quiet"],
            env={**os.environ, **dbt_env(settings), "DBT_USE_COLORS": "false"},
            capture_output=True,
            text=True,
        )
        if parsed.returncode:
            said = LOG_TIME.sub("", parsed.stdout + parsed.stderr).strip() or f"exit status {parsed.returncode}"
            raise DbtParseError(f"dbt cannot parse the project at {project}:\n{said}")
    return project


def prepare_manifest(settings: Settings, *, force: bool = False) -> Path:
    """The assembled project's manifest, parsed when missing or out of date."""
    prepare_project(settings, force=force)
    return manifest_path(settings)


class ZhongtaiDbtTranslator(DagsterDbtTranslator):
    """Models are keyed by their layer (staging / intermediate / marts / reference) and grouped by it."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] in ("model", "seed"):
            return str(dbt_resource_props["schema"])
        return super().get_group_name(dbt_resource_props)

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        meta = (dbt_resource_props.get("config") or {}).get("meta") or dbt_resource_props.get("meta") or {}
        title = meta.get("title")
        description = dbt_resource_props.get("description") or ""
        return f"{title} — {description}" if title else description


# The dbt project runs in two steps around entity resolution (orchestration/resolution.py), which reads the
# intermediate mentions and writes resolution.*; everything tagged post_resolution, the marts and the golden
# records' history read those tables and run after it.
PREPARE_SELECT = "resource_type:seed config.schema:staging config.schema:intermediate"
POST_RESOLUTION_TAG = "tag:post_resolution"
MARTS_SELECT = f"config.schema:marts config.schema:history {POST_RESOLUTION_TAG}"
# A test runs in the step that builds all its parents: "eager" would run a mart's relationships test to a seed in
# the prepare step, before the mart exists.
BUILD = ["build", "--indirect-selection", "buildable"]


def build_dbt_assets(settings: Settings) -> list[dg.AssetsDefinition]:
    """Two @dbt_assets: prepare (seeds, staging, intermediate) and marts (everything after resolution)."""
    translator = ZhongtaiDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
    manifest = prepare_manifest(settings)

    @dbt_assets(
        manifest=manifest,
        dagster_dbt_translator=translator,
        pool=WAREHOUSE_POOL,
        name="dbt_prepare",
        select=PREPARE_SELECT,
        exclude=POST_RESOLUTION_TAG,
    )
    def _prepare(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):  # type: ignore[no-untyped-def]
        run = warehouse.settings()
        if run.engine == "spark":
            # the loaded raw layer, as Parquet for dbt's source() on Spark (entity resolution writes its own)
            tables = export_sources(run, manifest, exclude={bookkeeping.RESOLUTION})
            context.log.info(f"{tables} source tables written as Parquet for Spark")
        os.environ.update(dbt_env(run))  # dbt runs as a child process and reads these
        yield from dbt.cli(BUILD, context=context).stream()

    @dbt_assets(
        manifest=manifest,
        dagster_dbt_translator=translator,
        pool=WAREHOUSE_POOL,
        name="dbt_models",
        select=MARTS_SELECT,
    )
    def _marts(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):  # type: ignore[no-untyped-def]
        run = warehouse.settings()
        os.environ.update(dbt_env(run))
        yield from dbt.cli(BUILD, context=context).stream()
        if run.engine == "spark":
            # the quality checks and publish read the marts in the warehouse
            marts = import_marts(run, manifest)
            context.log.info(f"{marts} marts copied from Spark into the warehouse")

    return [_prepare, _marts]


class ProjectDbtCli(DbtCliResource):  # type: ignore[misc]
    """dagster-dbt's resource, without the two things it does before each dbt invocation that these assets never use.

    - It learns dbt's version by running `dbt --version`: a whole dbt start-up (~3.5 s of CPU) that also asks PyPI
      for the latest dbt-core and dbt-duckdb (DBT_VERSION_CHECK does not cover `--version`), each with a 1 s
      time-out. `dbt_executable()` is the dbt of this very environment, so the installed dbt-core's version is the
      answer.
    - It opens a dbt adapter in this process (profile, project, dbt-duckdb: ~2.9 s of CPU the first time, ~0.75 s
      after), which serves only `fetch_column_metadata()` and `fetch_row_counts()`; the assets here stream dbt's
      events and call neither. dagster-dbt runs dbt without an adapter when it has none (as it does for Fusion).
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_resource(settings: Settings) -> DbtCliResource:
    project = str(project_dir(settings))
    return ProjectDbtCli(project_dir=project, profiles_dir=project, dbt_executable=dbt_executable())
