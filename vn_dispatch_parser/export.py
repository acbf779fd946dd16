"""Output forms: per-file JSON, one-row-per-document flat records (JSONL, CSV), and the NĐ 30
Phụ lục VI metadata names for systems that import records.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .records import Document, FileResult

__all__ = ["CSV_COLUMNS", "FORMULA_PREFIXES", "ND30_NAMES", "csv_text", "flat_row", "nd30_metadata", "neutralise_cell"]

CSV_COLUMNS = [
    "file", "doc_index", "page_start", "page_end", "issuer_parent", "issuer", "doc_type", "number", "symbol",
    "number_symbol", "place", "issued_date", "subject", "addressees", "recipients", "signer_authority",
    "signer_position", "signer_name", "urgency", "confidentiality", "incoming_receiver", "incoming_number",
    "incoming_date", "references", "has_seal", "needs_review", "warnings",
]

# NĐ 30/2020 Phụ lục VI metadata tag → record field
ND30_NAMES = {
    "CodeNumber": "number",
    "CodeNotation": "symbol",
    "IssuedDate": "issued_date",
    "OrganName": "issuer",
    "TypeName": "doc_type",
    "Subject": "subject",
    "ArrivalNumber": "incoming_stamp.number",
    "ArrivalDate": "incoming_stamp.date",
    "FullName": "signer_name",
    "Position": "signer_position",
    "ToPlaces": "recipients",
    "PageAmount": "pages",
    "Priority": "urgency",
}
_PRIORITY = {None: 0, "KHẨN": 1, "THƯỢNG KHẨN": 2, "HỎA TỐC": 3, "HỎA TỐC HẸN GIỜ": 4}


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Google Sheets evaluate a cell (OWASP, CSV injection)."""


def neutralise_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would evaluate, prefixed with a single quote (OWASP's rule).

    >>> print(neutralise_cell('=HYPERLINK("http://x","y")'))
    '=HYPERLINK("http://x","y")
    >>> neutralise_cell("Sở Y tế"), neutralise_cell(3)
    ('Sở Y tế', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _join(items: list[str]) -> str:
    return "; ".join(items)


def flat_row(result: FileResult, index: int, doc: Document) -> dict[str, Any]:
    """One flat row (CSV/JSONL) for a document; list fields joined with "; "."""
    stamp = doc.incoming_stamp
    return {
        "file": result.file,
        "doc_index": index + 1,
        "page_start": doc.page_start,
        "page_end": doc.page_end,
        "issuer_parent": doc.issuer_parent,
        "issuer": doc.issuer,
        "doc_type": doc.doc_type,
        "number": doc.number,
        "symbol": doc.symbol,
        "number_symbol": doc.number_symbol,
        "place": doc.place,
        "issued_date": doc.issued_date.isoformat() if doc.issued_date else None,
        "subject": doc.subject,
        "addressees": _join(doc.addressees),
        "recipients": _join(doc.recipients),
        "signer_authority": doc.signer_authority,
        "signer_position": doc.signer_position,
        "signer_name": doc.signer_name,
        "urgency": doc.urgency,
        "confidentiality": doc.confidentiality,
        "incoming_receiver": stamp.receiver if stamp else None,
        "incoming_number": stamp.number if stamp else None,
        "incoming_date": stamp.date.isoformat() if stamp and stamp.date else None,
        "references": _join([f"{r.number_symbol} ({r.date.isoformat() if r.date else '?'})" for r in doc.references]),
        "has_seal": doc.has_seal,
        "needs_review": _join(doc.needs_review),
        "warnings": _join(doc.warnings),
    }


def csv_text(rows: list[dict[str, Any]], *, bom: bool = True) -> str:
    """CSV text of flat rows (UTF-8 BOM so that Excel reads Vietnamese correctly)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else neutralise_cell(v) for k, v in row.items()})
    return ("\ufeff" if bom else "") + buf.getvalue()


def nd30_metadata(result: FileResult, doc: Document) -> dict[str, Any]:
    """A document under the NĐ 30 Phụ lục VI names (CodeNumber, CodeNotation, IssuedDate, …)."""
    data = json.loads(doc.model_dump_json())
    out: dict[str, Any] = {}
    for tag, path in ND30_NAMES.items():
        if path == "pages":
            out[tag] = doc.page_end - doc.page_start + 1
            continue
        value: Any = data
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if tag == "Priority":
            value = _PRIORITY.get(value, 0)
        if tag == "ToPlaces":
            value = _join(value or [])
        out[tag] = value
    out["Language"] = "Tiếng Việt"
    out["Description"] = "; ".join(doc.warnings) or None
    return out
