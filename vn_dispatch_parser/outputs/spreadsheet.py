"""``records.xlsx`` (``--formats xlsx``): one row per document, for people who open records in Excel.

* Số and ký hiệu are **text** cells ("03" stays "03"), dates are **date** cells (dd/mm/yyyy), page
  counts and indexes are numbers;
* the header row is bold and frozen, with an auto-filter, and columns have widths that fit;
* a second sheet, "Lỗi" (errors), lists the inputs that could not be read; a third, "Lưu trữ", holds the
  archival metadata of nd30.md §5.3 with the usual defaults;
* every text cell goes through :func:`vn_dispatch_parser.outputs.export.neutralise_cell` (no formula injection).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from vn_dispatch_parser.outputs.export import (
    ARCHIVAL_COLUMNS,
    CSV_COLUMNS,
    ND30_COLUMNS,
    archival_row,
    flat_row,
    nd30_flat,
    neutralise_cell,
)
from vn_dispatch_parser.records import FileResult

__all__ = ["DATE_COLUMNS", "TEXT_COLUMNS", "records_xlsx", "write_sheet"]

TEXT_COLUMNS = frozenset({"number", "symbol", "number_symbol", "incoming_number", "CodeNumber", "CodeNotation",
                          "Số của văn bản", "Ký hiệu", "Trang số"})
DATE_COLUMNS = frozenset({"issued_date", "incoming_date", "IssuedDate", "ArrivalDate", "Ngày tháng năm", "Ngày đến",
                          "Ngày tháng văn bản"})
_MAX_WIDTH = 60


def _cell_value(column: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if column in DATE_COLUMNS:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return neutralise_cell(str(value))
    if column in TEXT_COLUMNS:
        return neutralise_cell(str(value))
    if isinstance(value, bool | int | float):
        return value
    return neutralise_cell(str(value))


def write_sheet(ws: Any, columns: list[str], rows: Iterable[dict[str, Any]], *, headers: list[str] | None = None,
                freeze: str = "A2", wrap: bool = False, autofilter: bool = True,
                subheader: list[str] | None = None) -> None:
    """Fill an openpyxl worksheet: bold frozen header, typed cells, fitted widths, an auto-filter."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append(headers or columns)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [len(h) for h in (headers or columns)]
    if subheader:
        ws.append(subheader)
    for row in rows:
        values = [_cell_value(c, row.get(c)) for c in columns]
        ws.append(values)
        r = ws.max_row
        for k, (c, v) in enumerate(zip(columns, values, strict=True)):
            cell = ws.cell(row=r, column=k + 1)
            if c in TEXT_COLUMNS and v is not None:
                cell.number_format = "@"
            elif c in DATE_COLUMNS and isinstance(v, dt.date):
                cell.number_format = "DD/MM/YYYY"
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[k] = max(widths[k], len(v.strftime("%d/%m/%Y")) if isinstance(v, dt.date) else len(str(v or "")))
    for k, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(k + 1)].width = min(_MAX_WIDTH, max(8, w + 2))
    if freeze:
        ws.freeze_panes = freeze
    if autofilter and ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions


def records_xlsx(results: list[FileResult], errors: list[dict[str, str]], *, naming: str = "record") -> bytes:
    """The bytes of ``records.xlsx``: "Văn bản" (one row per document), "Lỗi" (errors), "Lưu trữ"."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Văn bản"
    if naming == "nd30":
        columns = ND30_COLUMNS
        rows = [nd30_flat(r, d) for r in results for d in r.documents]
    else:
        columns = CSV_COLUMNS
        rows = [flat_row(r, k, d) for r in results for k, d in enumerate(r.documents)]
    write_sheet(ws, columns, rows)
    write_sheet(wb.create_sheet("Lỗi"), ["path", "code", "message"], errors,
                headers=["Tệp / file", "Mã / code", "Lý do / message"])
    write_sheet(wb.create_sheet("Lưu trữ"), ARCHIVAL_COLUMNS, [archival_row(r, d) for r in results for d in r.documents])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
