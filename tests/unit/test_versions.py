"""Published versions: their order, and which go when only the newest are kept."""

from __future__ import annotations

from pathlib import Path

from zhongtai.files import atomic_symlink
from zhongtai.versions import prune, versions


def published(tmp_path: Path, names: list[str], current: str) -> Path:
    folder = tmp_path / "published"
    for name in names:
        (folder / name).mkdir(parents=True)
        (folder / name / "manifest.json").write_text("{}")
    atomic_symlink(current, folder / "current")
    (folder / "status.json").write_text("{}")
    (folder / ".v20261201T120000Z.building").mkdir()  # a publish under way
    return folder


def test_versions_are_in_time_order_a_second_apart_or_within_one(tmp_path: Path) -> None:
    names = ["v20261201T100000Z-10", "v20261201T100000Z", "v20261130T235959Z", "v20261201T100000Z-2"]
    folder = published(tmp_path, names, "v20261201T100000Z")
    assert versions(folder) == [
        "v20261130T235959Z",
        "v20261201T100000Z",
        "v20261201T100000Z-2",
        "v20261201T100000Z-10",
    ]


def test_the_oldest_go_and_nothing_else(tmp_path: Path) -> None:
    names = [f"v2026120{d}T000000Z" for d in range(1, 6)]
    folder = published(tmp_path, names, names[-1])
    assert prune(folder, 2) == names[:3]
    assert versions(folder) == names[3:]
    assert (folder / "status.json").exists() and (folder / ".v20261201T120000Z.building").is_dir()
    assert not list(folder.glob(".*.deleting"))
    assert (folder / "current").resolve().name == names[-1]
    assert prune(folder, 2) == []


def test_the_version_serving_stays_however_old(tmp_path: Path) -> None:
    names = [f"v2026120{d}T000000Z" for d in range(1, 5)]
    folder = published(tmp_path, names, names[0])  # current switched back to the oldest
    assert prune(folder, 1) == names[1:3]
    assert versions(folder) == [names[0], names[3]]


def test_what_an_interrupted_prune_hid_is_removed_next_time(tmp_path: Path) -> None:
    folder = published(tmp_path, ["v20261201T000000Z"], "v20261201T000000Z")
    (folder / ".v20261130T000000Z.deleting" / "open").mkdir(parents=True)
    assert prune(folder, 5) == []
    assert not (folder / ".v20261130T000000Z.deleting").exists()
