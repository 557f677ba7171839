"""`python -m orchestration.ingestion`: pull, land and load every source once, without Dagster.

The plain entry point the fault tests kill and rerun; the pipeline itself runs ingestion through Dagster.
"""

from __future__ import annotations

from orchestration.ingestion.run import ingest_all
from zhongtai.settings import get_settings


def main() -> int:
    summary = ingest_all(get_settings())
    rows = sum(e.rows_loaded for e in summary.entities)
    quarantined = sum(e.rows_quarantined for e in summary.entities)
    print(f"ingested {len(summary.entities)} source entities: {rows} rows loaded, {quarantined} quarantined")
    for error in summary.errors:
        print(f"error: {error}")
    return 1 if summary.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
