"""Published versions: their folder names (vYYYYMMDDTHHMMSSZ, -n when two start in one second), their order, and
letting the oldest go.

Publish writes a new version folder beside the others and switches `published/current` to it; readers resolve
`current` when they start. Versions beyond Settings.published_keep are removed after each publish, oldest first,
never the one `current` points at. The change feed still reaches back to the version before the oldest kept (the
kept versions hold the diffs after it) and answers 410 from further back; the snapshot list offers the kept ones.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

VERSION = re.compile(r"v\d{8}T\d{6}Z(-\d{1,4})?")


def version_order(name: str) -> tuple[str, int]:
    """A version's place in time: its second, then its -n."""
    second, _, n = name.partition("-")
    return second, int(n or 0)


def versions(published: Path) -> list[str]:
    """The version folders under `published`, oldest first."""
    if not published.is_dir():
        return []
    names = [e.name for e in os.scandir(published) if e.is_dir(follow_symlinks=False) and VERSION.fullmatch(e.name)]
    return sorted(names, key=version_order)


def prune(published: Path, keep: int) -> list[str]:
    """Remove the versions older than the newest `keep` (never the one `current` points at); returns their names.

    Each goes out of sight in one rename (to a hidden folder) before it is deleted, so a reader never finds a version
    half deleted; a reader that already has a file open keeps reading it. What an interrupted prune left hidden goes
    too."""
    current = published / "current"
    serving = current.resolve().name if current.is_symlink() else None
    kept = versions(published)
    old = [name for name in kept[: max(len(kept) - keep, 0)] if name != serving]
    for name in old:
        os.replace(published / name, published / f".{name}.deleting")
    for going in published.glob(".v*.deleting"):
        shutil.rmtree(going, ignore_errors=True)
    return old
