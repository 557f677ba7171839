"""The settings a step gets from its resource are the settings the code location was built with."""

from __future__ import annotations

from pathlib import Path

from orchestration.resources import WarehouseResource
from zhongtai.settings import Settings


def test_every_setting_comes_back_from_the_resource_as_it_went_in(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        engine="spark",
        spark_master="local[3]",
        spark_conf={"spark.driver.memory": "3g", "spark.sql.shuffle.partitions": "4"},
        roster_min_cell=7,
        cookie_secure=True,
    )
    resource = WarehouseResource.from_settings(settings)
    assert all(isinstance(value, str) for value in resource.options.values())  # Dagster shows them as config
    assert resource.settings() == settings


def test_an_empty_mapping_comes_back_empty(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert WarehouseResource.from_settings(settings).settings().spark_conf == {}
