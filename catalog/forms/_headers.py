"""Adapter to the one header-parsing module, catalog/headers.py (helper A's branch): until it lands, a stand-in.

The integrator deletes the stand-in below once `catalog.headers` is on main; the form reader calls only
`locate_header` and `join_header`, with the signatures catalog/headers.py has."""

from __future__ import annotations

from collections.abc import Sequence

try:
    from catalog.headers import HeaderError, join_header, locate_header  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - removed at merge
    Row = Sequence[str | None]

    class HeaderError(ValueError):  # type: ignore[no-redef]
        """The header cannot be read; `code` says why."""

        def __init__(self, code: str, message: str) -> None:
            self.code = code
            super().__init__(message)

    def _text(cell: object) -> str:
        return ("" if cell is None else str(cell)).strip()

    def locate_header(rows: Sequence[Row]) -> tuple[int, int]:  # type: ignore[misc]
        """(first header row, rows it spans): the first row filling at least half the widest row, one row."""
        width = max((sum(bool(_text(c)) for c in r) for r in rows), default=0)
        top = next((i for i, r in enumerate(rows) if sum(bool(_text(c)) for c in r) >= max(2, width // 2)), 0)
        return top, 1

    def join_header(lines: Sequence[Row], name: str, header_row: int) -> list[str]:  # type: ignore[misc]
        """Header cells joined "group/sub" over the header rows, a merged group cell carried right."""
        if not lines or not any(_text(h) for h in lines[0]):
            raise HeaderError("no_header", f"{name}: no header on line {header_row}")
        width = max(len(line) for line in lines)
        groups = ["" for _ in lines[:-1]]
        cells = []
        for c in range(width):
            sub = _text(lines[-1][c]) if c < len(lines[-1]) else ""
            parts = []
            for r in range(len(lines) - 1):
                top = _text(lines[r][c]) if c < len(lines[r]) else ""
                if top:
                    groups[r] = top if sub else ""
                    parts.append(top)
                elif sub and groups[r]:
                    parts.append(groups[r])
            cells.append("/".join([*parts, *([sub] if sub else [])]))
        return [h or f"_column_{i + 1}" for i, h in enumerate(cells)]


__all__ = ["HeaderError", "join_header", "locate_header"]
