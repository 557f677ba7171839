"""The open-extract writer: open/<id>/<id>.csv + datapackage.json for each 无条件开放 dataset, exactly the rows the
API serves (read back from the serving writer's `serving.duckdb`)."""

from __future__ import annotations

import json
from pathlib import Path

from catalog.datapackage import data_package, is_open_extract
from orchestration.publish.context import PublishContext, Writer, order
from zhongtai.files import sha256_file
from zhongtai.sql import quote_identifier, quote_literal


def write(context: PublishContext, version_dir: Path) -> None:
    extracts = [d for d in context.datasets if is_open_extract(d)]
    if not extracts:
        return
    con, q = context.con, quote_identifier
    con.execute(f"attach {quote_literal(str(version_dir / 'serving.duckdb'))} as serving (read_only)")
    try:
        for d in extracts:
            folder = version_dir / "open" / d.id
            folder.mkdir(parents=True)
            csv_path = folder / f"{d.id}.csv"
            cols = context.types[d.id]
            # ISO 8601 timestamps with offset, as Table Schema's datetime expects them.
            select = ", ".join(
                f"strftime({q(c)}, '%Y-%m-%dT%H:%M:%S%z') as {q(c)}" if t.upper().startswith("TIMESTAMP") else q(c)
                for c, t in cols.items()
            )
            con.execute(
                f"copy (select {select} from serving.{q(d.id)} order by {order(d)}) "
                f"to {quote_literal(str(csv_path))} (header, delimiter ',')"
            )
            package = data_package(
                d,
                types=cols,
                csv_name=csv_path.name,
                csv_bytes=csv_path.stat().st_size,
                csv_sha256=sha256_file(csv_path),
                version=context.result.version,
                created_at=context.result.created_at,
            )
            text = json.dumps(package, ensure_ascii=False, indent=2)
            (folder / "datapackage.json").write_text(text, encoding="utf-8")
    finally:
        con.execute("detach serving")


WRITER = Writer("open_extracts", write)
