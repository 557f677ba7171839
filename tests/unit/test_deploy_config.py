"""deploy/: every file parses, the Dagster instance validates against Dagster's own schema, the settings are
zhongtai's own, and the files agree with each other (Spark's master, the warehouse bucket, the code location).
Not checked: the Helm values against the chart's schema (the chart is not on this machine)."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
import yaml
from dagster._core.errors import DagsterInvalidConfigError
from dagster._core.instance.config import dagster_instance_config
from dbt.adapters.spark.connections import SparkConnectionMethod, SparkCredentials
from dotenv import dotenv_values

from orchestration.engines.spark import sources_dir
from zhongtai.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _yaml(path: Path) -> dict:  # type: ignore[type-arg]
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), path
    return loaded


def spark_defaults(path: Path = DEPLOY / "spark" / "spark-defaults.conf") -> dict[str, str]:
    """`key value` per line as Spark reads spark-defaults.conf; a key given twice fails."""
    conf: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.strip().partition(" ")
        assert key.startswith("spark.") and value.strip(), f"not a Spark setting: {line!r}"
        assert key not in conf, f"{key} set twice"
        conf[key] = value.strip()
    return conf


def _validate_instance(tmp_path: Path, config: dict) -> None:  # type: ignore[type-arg]
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    dagster_instance_config(str(tmp_path))


def test_every_yaml_file_parses() -> None:
    files = sorted(DEPLOY.rglob("*.yaml"))
    assert len(files) == 3
    for path in files:
        _yaml(path)


def test_the_dagster_instance_validates_against_dagsters_schema(tmp_path: Path) -> None:
    shutil.copyfile(DEPLOY / "dagster" / "dagster.yaml", tmp_path / "dagster.yaml")
    config, _ = dagster_instance_config(str(tmp_path))
    assert set(config["storage"]) == {"postgres"}
    assert config["concurrency"]["pools"]["default_limit"] == 1  # one warehouse writer, as in ./dagster.yaml
    # the check has teeth: a misspelt field of the PostgreSQL storage is refused
    broken = _yaml(DEPLOY / "dagster" / "dagster.yaml")
    broken["storage"]["postgres"]["postgres_db"]["host_name"] = broken["storage"]["postgres"]["postgres_db"].pop(
        "hostname"
    )
    with pytest.raises(DagsterInvalidConfigError):
        _validate_instance(tmp_path, broken)


def test_the_helm_values_run_our_code_location_on_postgres_with_an_instance_dagster_accepts(tmp_path: Path) -> None:
    values = _yaml(DEPLOY / "helm" / "dagster-values.yaml")
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    flag, module = deployment["dagsterApiGrpcArgs"]
    assert flag == "-m" and hasattr(importlib.import_module(module), "defs")
    assert values["postgresql"]["enabled"] is False and values["postgresql"]["postgresqlHost"]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    # what the chart adds to the instance as it is, beside the PostgreSQL storage and the queued run coordinator it
    # renders from these values (Dagster refuses run limits given both there and under `concurrency`)
    assert values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"] == {}
    coordinator = {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator", "config": {}}
    storage = _yaml(DEPLOY / "dagster" / "dagster.yaml")["storage"]
    instance = {"storage": storage, "run_coordinator": coordinator, **values["additionalInstanceConfig"]}
    _validate_instance(tmp_path, instance)


def test_the_settings_are_zhongtais_own_and_load() -> None:
    env = dotenv_values(DEPLOY / "zhongtai.env")
    ours = {key.removeprefix("ZHONGTAI_").lower() for key in env if key.startswith("ZHONGTAI_")}
    assert ours <= set(Settings.model_fields), f"not settings: {ours - set(Settings.model_fields)}"
    settings = Settings(_env_file=DEPLOY / "zhongtai.env")  # type: ignore[call-arg]
    assert settings.engine == "spark"
    assert settings.operational_url.startswith("postgresql+psycopg://")
    assert env["SPARK_CONF_DIR"] == "/app/deploy/spark"  # the image holds the repository at /app


def test_spark_defaults_agree_with_the_settings_and_the_object_storage_layout() -> None:
    conf = spark_defaults()
    env = dotenv_values(DEPLOY / "zhongtai.env")
    # dbt's profile sets the master from ZHONGTAI_SPARK_MASTER, over this file's
    assert conf["spark.master"] == env["ZHONGTAI_SPARK_MASTER"]
    bucket = conf["spark.sql.warehouse.dir"].removeprefix("s3a://").split("/")[0]
    assert bucket in _yaml(DEPLOY / "object-storage.yaml")["buckets"]
    # the executors read the sources' Parquet where the run pod writes it: under the data directory, on the data volume
    settings = Settings(data_dir=env["ZHONGTAI_DATA_DIR"])  # not from the environment, where a test may have set one
    mount = conf["spark.kubernetes.executor.volumes.persistentVolumeClaim.zhongtai-data.mount.path"]
    assert sources_dir(settings).is_relative_to(mount)
    claim = conf["spark.kubernetes.executor.volumes.persistentVolumeClaim.zhongtai-data.options.claimName"]
    assert claim in str(_yaml(DEPLOY / "helm" / "dagster-values.yaml"))


def test_the_cluster_target_is_the_projects_spark_session_target() -> None:
    outputs = _yaml(ROOT / "dbt_project" / "profiles.yml")["zhongtai"]["outputs"]
    target = {key: value for key, value in outputs["spark"].items() if key not in ("type", "threads")}
    SparkCredentials.validate(target)
    assert set(target) <= set(SparkCredentials.__dataclass_fields__)
    assert target["method"] == SparkConnectionMethod.SESSION
    assert "ZHONGTAI_SPARK_MASTER" in target["server_side_parameters"]["spark.master"]
