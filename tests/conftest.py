"""Shared fixtures: the dbt manifest of the real project (helpers are in tests/support)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.dbt import parsed_manifest


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """manifest.json from `dbt parse` of the real dbt project, copied where a test may not change the project's."""
    return parsed_manifest(tmp_path_factory.mktemp("dbt_manifest"))


# Property tests must not fail because a loaded 2-core machine was slow: no per-example deadline.
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("zhongtai", deadline=None)
hypothesis_settings.load_profile("zhongtai")
