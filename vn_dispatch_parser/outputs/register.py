"""Sổ đăng ký văn bản đến (NĐ 30/2020 Phụ lục IV §VI; nd30.md §4.2) as ``register.xlsx`` and
``register.pdf`` a văn thư can print (``--formats register``).

The ten columns of the form: (1) Ngày đến (2) Số đến (3) Tác giả (4) Số, ký hiệu văn bản (5) Ngày tháng
văn bản (6) Tên loại và trích yếu nội dung (7) Đơn vị hoặc người nhận (8) Ngày chuyển (9) Ký nhận
(10) Ghi chú. Rows are in order of arrival (số đến, then ngày đến); columns 8 and 9 are left for the
văn thư to fill by hand; Ghi chú says which fields a person should check. The cover line gives Năm,
Từ ngày … đến ngày …, Từ số … đến số ….
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from vn_dispatch_parser.outputs.export import review_note
from vn_dispatch_parser.records import Document, FileResult

__all__ = ["REGISTER_COLUMNS", "register_pdf", "register_rows", "register_xlsx"]

REGISTER_COLUMNS = [
    "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú",
]
_PDF_WIDTHS = [20, 15, 38, 32, 22, 70, 30, 18, 15, 17]  # mm, A4 landscape (277 mm)


def _arrival_key(row: dict[str, Any]) -> tuple:
    number = str(row.get("Số đến") or "")
    date = row.get("Ngày đến")
    return (date.year if isinstance(date, dt.date) else 9999, int(number) if number.isdigit() else 10**9,
            date or dt.date.max, row.get("_file", ""))


def _row(result: FileResult, doc: Document) -> dict[str, Any]:
    stamp = doc.incoming_stamp
    type_subject = " ".join(x for x in (doc.doc_type, doc.subject) if x) or None
    author = doc.issuer if not doc.issuer_parent else f"{doc.issuer} ({doc.issuer_parent})"
    return {
        "Ngày đến": stamp.date if stamp else None,
        "Số đến": stamp.number if stamp else None,
        "Tác giả": author,
        "Số, ký hiệu văn bản": doc.number_symbol,
        "Ngày tháng văn bản": doc.issued_date,
        "Tên loại và trích yếu nội dung": type_subject,
        "Đơn vị hoặc người nhận": None,
        "Ngày chuyển": None,
        "Ký nhận": None,
        "Ghi chú": review_note(doc),
        "_file": result.file,
    }


def register_rows(results: list[FileResult]) -> list[dict[str, Any]]:
    """One register row per document, in order of arrival."""
    return sorted((_row(r, d) for r in results for d in r.documents), key=_arrival_key)


def _cover(rows: list[dict[str, Any]]) -> str:
    dates = [r["Ngày đến"] for r in rows if isinstance(r["Ngày đến"], dt.date)]
    numbers = [int(r["Số đến"]) for r in rows if str(r["Số đến"] or "").isdigit()]
    year = f"Năm {dates[0].year}" if dates and len({d.year for d in dates}) == 1 else "Năm ……"
    span = (f"Từ ngày {min(dates):%d/%m/%Y} đến ngày {max(dates):%d/%m/%Y}" if dates
            else "Từ ngày …… đến ngày ……")
    nums = f"Từ số {min(numbers)} đến số {max(numbers)}" if numbers else "Từ số …… đến số ……"
    return f"{year}  ·  {span}  ·  {nums}"


def register_xlsx(results: list[FileResult]) -> bytes:
    """The bytes of ``register.xlsx``: title, cover line, the ten numbered columns; prints landscape."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from vn_dispatch_parser.outputs.spreadsheet import write_sheet

    rows = register_rows(results)
    wb = Workbook()
    ws = wb.active
    ws.title = "Sổ đăng ký văn bản đến"
    ws.append(["SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_cover(rows)])
    write_sheet(ws, REGISTER_COLUMNS, rows, freeze="A5", wrap=True, autofilter=False,
                subheader=[f"({k + 1})" for k in range(len(REGISTER_COLUMNS))])
    for cell in ws[4]:
        cell.alignment = Alignment(horizontal="center")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "3:4"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _font_paths() -> tuple[Path, Path]:
    """A serif face with full Vietnamese (Liberation Serif, from ``make setup``), else OCRmyPDF's Noto Sans."""
    for regular, bold in (("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
                           "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"),
                          ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
                           "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")):
        if Path(regular).is_file():
            return Path(regular), Path(bold) if Path(bold).is_file() else Path(regular)
    import ocrmypdf.data

    noto = Path(ocrmypdf.data.__file__).parent / "NotoSans-Regular.ttf"
    return noto, noto


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def register_pdf(results: list[FileResult]) -> bytes:
    """The bytes of ``register.pdf``: the register on A4 landscape, header repeated on every page."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    rows = register_rows(results)
    regular, bold = _font_paths()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.set_margins(10, 10, 10)
    pdf.add_font("vn", "", str(regular))
    pdf.add_font("vn", "B", str(bold))
    pdf.set_title("Sổ đăng ký văn bản đến")
    pdf.set_creator("vn-dispatch-parser")
    pdf.add_page()
    pdf.set_font("vn", "B", 14)
    pdf.cell(0, 8, "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("vn", "", 10)
    pdf.cell(0, 6, _cover(rows), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("vn", "", 8)
    with pdf.table(col_widths=_PDF_WIDTHS, headings_style=FontFace(emphasis="BOLD"), line_height=4,
                   repeat_headings=1, text_align="LEFT") as table:
        table.row(REGISTER_COLUMNS)
        table.row([f"({k + 1})" for k in range(len(REGISTER_COLUMNS))])
        for r in rows:
            table.row([_text(r[c]) for c in REGISTER_COLUMNS])
    return bytes(pdf.output())
