"""The sheet of an upload's bad rows, for the cadre to download and fix: row, person key and reasons, kept beside the
uploads under the file's SHA-256 (the same file always gets the same sheet)."""

from __future__ import annotations

import re
from pathlib import Path

from apis.roster_upload import RowProblem
from zhongtai.files import atomic_path
from zhongtai.settings import Settings

_SHA = re.compile(r"^[0-9a-f]{64}$")


def problems_path(settings: Settings, village_code: str, sha256: str) -> Path | None:
    """Where the sheet of this upload is kept; None for a name that is not a SHA-256 (never a path from outside)."""
    if not _SHA.match(sha256) or not village_code.isdigit():
        return None
    return settings.uploads_dir / "problems" / village_code / f"{sha256}.xlsx"


def write_problems(settings: Settings, village_code: str, sha256: str, problems: list[RowProblem]) -> None:
    import xlsxwriter

    path = problems_path(settings, village_code, sha256)
    assert path is not None
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp))
        sheet = book.add_worksheet("有问题的行")
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, ["行号", "自然人键", "原因"], bold)
        for i, p in enumerate(problems, start=1):
            sheet.write_row(i, 0, [p.row, p.key, "；".join(p.reasons)])
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, 0, 8)
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 2, 80)
        book.close()
