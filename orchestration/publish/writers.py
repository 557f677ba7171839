"""The publish writers, in the order they run: a channel added later (open data, village pages, report forms,
analyst workbooks) is one more module with a `WRITER`, listed here — the frame around them does not change.

Order matters where a writer reads another's output: changes, open extracts and the catalog read what serving wrote.
"""

from orchestration.publish import analyst, catalog_index, changes, forms, open_extracts, review, rosters, serving
from orchestration.publish.context import Writer

WRITERS: list[Writer] = [
    serving.WRITER,
    changes.WRITER,
    analyst.WRITER,
    rosters.WRITER,
    forms.WRITER,
    review.WRITER,
    open_extracts.WRITER,
    catalog_index.WRITER,
]
