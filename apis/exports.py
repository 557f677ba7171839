"""Parquet and XLSX downloads of a records query, in constant memory: DuckDB hands Arrow batches to pyarrow's
ParquetWriter, whose bytes leave after every batch; openpyxl's write-only workbook streams rows into a temporary file
that is then sent in chunks."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

MEDIA = {
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ARROW_BATCH = 65_536  # rows per Arrow batch and Parquet row group: a few MB at most
XLSX_BATCH = 4_096  # rows per Arrow batch for XLSX: each batch becomes Python objects, row by row
XLSX_ROWS = 1_048_575  # data rows per sheet under Excel's 1,048,576-row limit; more go to the next sheet
CHUNK = 1 << 20
_LOCAL = ZoneInfo("Asia/Shanghai")


class _Sink:
    """A write-only file for ParquetWriter that keeps only what has not been sent yet."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0
        self.closed = False

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def parquet_bytes(schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    """A Parquet file, one row group per batch, yielded as it is written."""
    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    try:
        for batch in batches:
            if batch.num_rows:
                writer.write_batch(batch)
            if data := sink.take():
                yield data
    finally:
        writer.close()
    yield sink.take()


def _cell(value: Any) -> Any:
    """A value Excel can hold: it knows no time zones, so times are shown in Asia/Shanghai as Excel shows them."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(_LOCAL).replace(tzinfo=None)
    if isinstance(value, time) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def xlsx_bytes(title: str, headers: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """An XLSX workbook with a bold, frozen header row (the fields' Chinese titles), written row by row by openpyxl
    in write-only mode; a sheet holds at most XLSX_ROWS rows, the rest continue on the next."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    sheet: Any = None
    sheets = 0
    filled = XLSX_ROWS
    with tempfile.TemporaryFile() as tmp:
        for row in rows:
            if filled == XLSX_ROWS:
                sheets += 1
                sheet = workbook.create_sheet((title if sheets == 1 else f"{title}-{sheets}")[:31])
                sheet.freeze_panes = "A2"
                header = []
                for text in headers:
                    cell = WriteOnlyCell(sheet, value=text)
                    cell.font = bold
                    header.append(cell)
                sheet.append(header)
                filled = 0
            sheet.append([_cell(v) for v in row])
            filled += 1
        if sheet is None:  # no rows: the header alone
            sheet = workbook.create_sheet(title[:31])
            sheet.append(headers)
        workbook.save(tmp)
        tmp.seek(0)
        while chunk := tmp.read(CHUNK):
            yield chunk


def closing(stream: Iterator[bytes], close: Callable[[], None]) -> Iterator[bytes]:
    """`stream`, then `close()` — also when the client goes away half-way."""
    try:
        yield from stream
    finally:
        close()
