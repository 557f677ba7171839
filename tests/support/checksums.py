"""Checksums of a warehouse's tables, to prove a rewrite of a model left its rows unchanged.

A table's checksum is its row count and the sum of its rows' hashes (as a 128-bit integer): independent of row order,
as a checksum of the sorted rows would be, and duplicates count (a sum, not an XOR).

`python -m tests.support.checksums WAREHOUSE [--schema marts] [--write FILE | --compare FILE]`
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

from zhongtai.sql import quote_identifier


def table_checksums(
    con: duckdb.DuckDBPyConnection, schema: str = "marts", leave_out: tuple[str, ...] = ()
) -> dict[str, list[int]]:
    """`schema.table` → [rows, sum of row hashes] for every table and view of the schema; the columns named in
    `leave_out` (such as a time of writing) are not hashed."""
    names = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by table_name", [schema]
        ).fetchall()
    ]
    sums = {}
    for name in names:
        relation = f"{quote_identifier(schema)}.{quote_identifier(name)}"
        columns = [
            quote_identifier(column)
            for (column,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [schema, name],
            ).fetchall()
            if column not in leave_out
        ]
        projection = f"select {', '.join(columns)} from {relation}"
        rows, total = con.execute(
            f"select count(*), coalesce(sum(hash(t)::hugeint), 0) from ({projection}) as t"
        ).fetchone()  # type: ignore[misc]
        sums[f"{schema}.{name}"] = [int(rows), int(total)]
    return sums


def database_checksums(con: duckdb.DuckDBPyConnection, leave_out: tuple[str, ...] = ()) -> dict[str, list[int]]:
    """table_checksums of every schema of a database."""
    schemas = con.execute("select distinct table_schema from information_schema.tables order by 1").fetchall()
    return {name: sums for (schema,) in schemas for name, sums in table_checksums(con, schema, leave_out).items()}


def differences(before: dict[str, list[int]], after: dict[str, list[int]]) -> list[str]:
    """The tables whose checksum differs, or which only one side has."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.checksums")
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--schema", default="marts")
    parser.add_argument("--write", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args(argv)
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        sums = table_checksums(con, args.schema)
    if args.write:
        args.write.write_text(json.dumps(sums, indent=1, sort_keys=True) + "\n")
    if args.compare:
        changed = differences(json.loads(args.compare.read_text()), sums)
        print(f"{len(sums)} tables, {len(changed)} differ" + "".join(f"\n  {name}" for name in changed))
        return 1 if changed else 0
    print(f"{len(sums)} tables checksummed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
