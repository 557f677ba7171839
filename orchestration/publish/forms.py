"""The report-form writer: `forms.duckdb`, what automatic reports and pre-filled forms are filled from.

Per dataset the form dictionary names, its rows as a village cadre may see them (`masked_select`, village-cadre
policy; a `_row` column keeps the key order); and `village_aggregate`, each per-village element of the dictionary
(a count or sum over a mart) computed on the mart itself — a village's own totals are no one's personal data.
"""

from __future__ import annotations

from pathlib import Path

from catalog.forms.matcher import ELEMENTS, read_dictionary
from catalog.masking import Audience, masked_select
from orchestration.publish.context import PublishContext, Writer, order, source
from zhongtai.sql import quote_identifier, quote_literal

FILE = "forms.duckdb"
VILLAGE_COLUMN = "village_code"


def write(context: PublishContext, version_dir: Path) -> None:
    elements = read_dictionary(ELEMENTS)["elements"]
    wanted = {e["dataset"] for e in elements.values()}
    datasets = [d for d in context.datasets if d.id in wanted and VILLAGE_COLUMN in {f.name for f in d.fields}]
    if not datasets:
        return
    con, q = context.con, quote_identifier
    con.execute(f"attach {quote_literal(str(version_dir / FILE))} as forms")
    try:
        for d in datasets:
            sql = masked_select(d, Audience.village_cadre, source=source(d))
            con.execute(
                f"create table forms.{q(d.id)} as select row_number() over (order by {order(d)}) as _row, * "
                f"from ({sql})"
            )
        con.execute("create table forms.village_aggregate (element varchar, village_code varchar, value double)")
        held = {d.id: d for d in datasets}
        for eid, e in elements.items():
            over = held.get(e["dataset"])
            if over is None or e["scope"] != "village" or "expression" not in e:
                continue
            # a mart of one row per village holds its figures already; any other is counted or summed per village
            per_village = list(over.primary_key) == [VILLAGE_COLUMN]
            con.execute(
                f"insert into forms.village_aggregate select {quote_literal(eid)}, {q(VILLAGE_COLUMN)}, "
                f"cast({e['expression']} as double) from {source(over)}"
                + ("" if per_village else f" group by {q(VILLAGE_COLUMN)}")
            )
    finally:
        con.execute("detach forms")


WRITER = Writer("forms", write)
