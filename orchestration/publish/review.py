"""The clerical-review writer: `review.sqlite`, the person-match review queue for data stewards' page — each case's
record and candidates side by side with the evidence per comparison, as entity resolution left them
(bookkeeping.PERSON_REVIEW_CASES). Stewards are entitled to every field (masking: steward policy keeps all)."""

from __future__ import annotations

from pathlib import Path

from orchestration.publish.context import WAREHOUSE, PublishContext, Writer
from zhongtai import bookkeeping
from zhongtai.sql import qualified, quote_literal

FILE = "review.sqlite"
TABLE = "review_case"


def write(context: PublishContext, version_dir: Path) -> None:
    con = context.con
    if not bookkeeping.table_exists(con, bookkeeping.PERSON_REVIEW_CASES, WAREHOUSE):
        return
    cases = qualified(WAREHOUSE, *bookkeeping.PERSON_REVIEW_CASES.split("."))
    con.execute(f"attach {quote_literal(str(version_dir / FILE))} as review (type sqlite)")
    try:
        # the candidate's full ID stays in the warehouse: the page names candidates by their person key
        con.execute(
            f"create table review.{TABLE} as select * exclude (candidate_id_number, resolved_at), "
            f"cast(resolved_at as varchar) as resolved_at from {cases} "
            "order by source_id, entity, record_id, role, rank"
        )
        rows = con.execute(f"select count(*) from review.{TABLE}").fetchone()
    finally:
        con.execute("detach review")
    context.result.rows["review"] = {TABLE: int(rows[0]) if rows else 0}


WRITER = Writer("review", write)
