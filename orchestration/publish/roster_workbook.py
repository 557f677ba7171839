"""A village roster workbook as a minimal SpreadsheetML package, zipped with zlib: Chinese headers in a frozen row,
auto-filter, column widths, the correctable columns marked (yellow header) and validated (lists, dates, lengths),
and the 本次变化 sheet. Each sheet's rows arrive as one string of `<row>` elements that DuckDB built
(`roster_cells`); this module writes only what surrounds them, so no Python runs per cell.

The parts are those Excel and WPS need and no more: content types, the package and workbook relationships, the
workbook (sheets, each filter's hidden `_FilterDatabase` name), styles, the document properties and the sheets.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

from orchestration.publish.roster_sheets import BuiltSheet, SheetColumn

CHANGES_SHEET = "本次变化"
CHANGE_HEADERS = ["表", "变化", "键", "姓名或名称", "项目", "原值", "新值"]
CHANGE_WIDTHS = [8, 8, 24, 20, 16, 36, 36]
FIRST_PUBLISH = "首次发布，无可比较的上一版本"
LAST_ROW = 1_048_576  # Excel's last row: validation covers rows a cadre adds too
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
HEADER_STYLE, CORRECTABLE_STYLE = 1, 2  # cellXfs: 0 plain, 1, 2, 3 date (roster_cells)
COMPRESS_LEVEL = 1  # zlib: the sheets are repetitive XML; level 1 is several times faster than 6 for ~10 % more bytes

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"

STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="4"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDDDDD"/><bgColor indexed="64"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border>'
    + "".join(f'<{side} style="thin"><color auto="1"/></{side}>' for side in ("left", "right", "top", "bottom"))
    + "<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="3" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'
)


def excel_width(width: int) -> float:
    """A column width in characters as Excel stores it (Calibri 11: 7-pixel digits and 5 pixels of padding)."""
    return int((int(width * 7 + 0.5) + 5) / 7 * 256) / 256


def column_width(column: SheetColumn) -> int:
    if column.is_date:
        return 12
    wide = {"address": 40, "name": 16}
    base = next((w for suffix, w in wide.items() if column.name.endswith(suffix)), 14)
    return max(base, 2 * len(column.title) + 2)


def _serial(d: date) -> int:
    """Excel's serial day (which counts a 29 February 1900 that never was)."""
    return (d - date(1899, 12, 31 if d < date(1900, 3, 1) else 30)).days


def validations(built: BuiltSheet) -> list[str]:
    """`<dataValidation>` of each column a cadre may correct: a date range, a list to pick from, or a length."""
    out = []
    for i, column in enumerate(built.columns):
        letter = get_column_letter(i + 1)
        ref = f'sqref="{letter}2:{letter}{LAST_ROW}"'
        common = 'allowBlank="1" showInputMessage="1" showErrorMessage="1"'
        if column.is_date and column.correctable:
            error = quoteattr(f"{column.title}须为 1900-01-01 以后的日期")
            prompt = f"promptTitle={quoteattr(column.title)} prompt={quoteattr('日期，格式 yyyy-mm-dd')}"
            limits = f"<formula1>{_serial(EARLIEST_DATE)}</formula1><formula2>{_serial(LATEST_DATE)}</formula2>"
            out.append(f'<dataValidation type="date" {common} error={error} {prompt} {ref}>{limits}</dataValidation>')
        elif column.name in built.choices:
            error = quoteattr(f"{column.title}须从列表中选择")
            values = escape('"' + ",".join(built.choices[column.name]) + '"')
            out.append(f'<dataValidation type="list" {common} error={error} {ref}><formula1>{values}</formula1>'
                       "</dataValidation>")  # fmt: skip
        elif column.correctable:
            error = quoteattr(f"{column.title}须为 1 至 200 个字")
            limits = "<formula1>1</formula1><formula2>200</formula2>"
            out.append(f'<dataValidation type="textLength" {common} error={error} {ref}>{limits}</dataValidation>')
    return out


@dataclass
class Sheet:
    title: str
    headers: list[tuple[str, int, int]]  # (title, width, style)
    rows: str  # the `<row>` elements after the header row
    count: int  # how many rows they are
    validations: list[str] = field(default_factory=list)

    def xml(self, selected: bool) -> str:
        last = get_column_letter(len(self.headers))
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{excel_width(w)}" customWidth="1"/>'
            for i, (_, w, _) in enumerate(self.headers, start=1)
        )
        header = "".join(
            f'<c r="{get_column_letter(i)}1" s="{s}" t="inlineStr"><is><t>{escape(t)}</t></is></c>'
            for i, (t, _, s) in enumerate(self.headers, start=1)
        )
        view = ' tabSelected="1"' if selected else ""
        checks = f'<dataValidations count="{len(self.validations)}">{"".join(self.validations)}</dataValidations>'
        return (
            f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="A1:{last}{self.count + 1}"/>'
            f'<sheetViews><sheetView{view} workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{cols}</cols><sheetData><row r="1">{header}</row>{self.rows}</sheetData>'
            f'<autoFilter ref="{self.filter_ref}"/>{checks if self.validations else ""}'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
        )

    @property
    def filter_ref(self) -> str:
        return f"A1:{get_column_letter(len(self.headers))}{max(self.count, 1) + 1}"


def data_sheet(built: BuiltSheet, rows: str, count: int) -> Sheet:
    headers = [(c.title, column_width(c), CORRECTABLE_STYLE if c.correctable else HEADER_STYLE) for c in built.columns]
    return Sheet(built.spec.title, headers, rows, count, validations(built))


def changes_sheet(rows: str, count: int, previous_version: str | None) -> Sheet:
    headers = [(t, w, HEADER_STYLE) for t, w in zip(CHANGE_HEADERS, CHANGE_WIDTHS, strict=True)]
    if previous_version is None:
        rows, count = f'<row r="2"><c r="A2" t="inlineStr"><is><t>{FIRST_PUBLISH}</t></is></c></row>', 1
    return Sheet(CHANGES_SHEET, headers, rows, count)


def _workbook(sheets: list[Sheet]) -> str:
    listed = "".join(
        f'<sheet name={quoteattr(s.title)} sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, start=1)
    )
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted(s.title))}!{_absolute(s.filter_ref)}</definedName>"
        for i, s in enumerate(sheets)
    )
    return (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
        f"<sheets>{listed}</sheets><definedNames>{names}</definedNames></workbook>"
    )


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    first, last = ref.split(":")
    return ":".join("$" + "".join(ch for ch in r if ch.isalpha()) + "$" + "".join(ch for ch in r if ch.isdigit())
                    for r in (first, last))  # fmt: skip


def _per_sheet(count: int, element: str) -> str:
    """`element` once per worksheet, its {i} the sheet's number (1-based, as in the part's name)."""
    return "".join(element.format(i=i) for i in range(1, count + 1))


def _workbook_rels(count: int) -> str:
    sheets = _per_sheet(
        count, f'<Relationship Id="rId{{i}}" Type="{_REL}/worksheet" Target="worksheets/sheet{{i}}.xml"/>'
    )
    return (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">{sheets}'
        f'<Relationship Id="rId{count + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    )


def _content_types(count: int) -> str:
    sheets = _per_sheet(
        count, f'<Override PartName="/xl/worksheets/sheet{{i}}.xml" ContentType="{_CT}.spreadsheetml.worksheet+xml"/>'
    )
    return (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f"{sheets}</Types>"
    )


def _app(sheets: list[Sheet]) -> str:
    titles = "".join(f"<vt:lpstr>{escape(s.title)}</vt:lpstr>" for s in sheets)
    return (
        f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<Application>zhongtai</Application><HeadingPairs><vt:vector size="2" baseType="variant">'
        f"<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>{len(sheets)}</vt:i4>"
        f'</vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{len(sheets)}" baseType="lpstr">'
        f"{titles}</vt:vector></TitlesOfParts></Properties>"
    )


def _core(created: str) -> str:
    stamp = escape(created[:19]) + "Z"
    return (
        f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    )


def write_workbook(path: Path, sheets: list[Sheet], created: str) -> None:
    """The package at `path`; `created` (ISO 8601) stamps its document properties."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as z:
        z.writestr("[Content_Types].xml", _content_types(len(sheets)))
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("docProps/app.xml", _app(sheets))
        z.writestr("docProps/core.xml", _core(created))
        z.writestr("xl/workbook.xml", _workbook(sheets))
        z.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        z.writestr("xl/styles.xml", STYLES)
        for i, sheet in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheet.xml(selected=i == 1))
