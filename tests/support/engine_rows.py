"""One table's rows compared across engines: each value normalised the same way whichever engine gave it, the rows
sorted, a checksum of them, and the rows only one side has when checksums differ.

Normalisation (the one place it is written): instants as UTC ISO text, naive timestamps and dates as ISO text,
decimals and floats to 6 decimal places, NULL as an explicit marker, lists and structs element by element.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa

NULL = "∅NULL"
PLACES = 6


def normalise(value: Any) -> str:
    """A value's engine-independent text."""
    if value is None:
        return NULL
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (float, decimal.Decimal)):
        text = f"{value:.{PLACES}f}"
        return "0." + "0" * PLACES if text == "-0." + "0" * PLACES else text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {normalise(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(normalise(v) for v in value) + "]"
    return str(value)


def normalised_rows(table: pa.Table) -> list[tuple[str, ...]]:
    """The table's rows, each a tuple of normalised values in column order, sorted."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return sorted(tuple(normalise(v) for v in row) for row in zip(*columns, strict=True))


def checksum(rows: Iterable[Sequence[str]]) -> str:
    """SHA-256 of the sorted normalised rows (a unit separator between values, a record separator after rows)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(("\x1f".join(row) + "\x1e").encode())
    return digest.hexdigest()


def row_differences(left: list[tuple[str, ...]], right: list[tuple[str, ...]], limit: int = 5) -> str:
    """A few rows each side has that the other has not (duplicates counted)."""
    only_left = list((Counter(left) - Counter(right)).elements())
    only_right = list((Counter(right) - Counter(left)).elements())
    lines = [f"  only on the left ({len(only_left)}):", *(f"    {row}" for row in sorted(only_left)[:limit])]
    lines += [f"  only on the right ({len(only_right)}):", *(f"    {row}" for row in sorted(only_right)[:limit])]
    return "\n".join(lines)
