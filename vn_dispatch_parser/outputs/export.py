"""Output forms: per-file JSON, one-row-per-document flat records (JSONL, CSV, XLSX), the NĐ 30
Phụ lục VI metadata names for systems that import records, and the archival metadata of nd30.md §5.3.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) are neutralised with a leading ``'`` by :func:`neutralise_cell`, in CSV and XLSX alike.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from vn_dispatch_parser.records import PIPELINE_VERSION, SCHEMA_ID, Document, FileResult, describe_all

__all__ = [
    "json_schema",
    "ARCHIVAL_COLUMNS", "CSV_COLUMNS", "FORMULA_PREFIXES", "ND30_COLUMNS", "ND30_NAMES", "archival_row", "csv_text",
    "flat_row", "flat_row_schema", "nd30_flat", "nd30_metadata", "nd30_schema", "neutralise_cell",
]

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
# Vietnamese names of the fields, for notes meant for a văn thư (Description, Ghi chú)
FIELD_VI = {
    "issuer_parent": "cơ quan chủ quản", "issuer": "cơ quan ban hành", "doc_type": "tên loại", "number": "số",
    "symbol": "ký hiệu", "number_symbol": "số, ký hiệu", "place": "địa danh", "issued_date": "ngày ban hành",
    "subject": "trích yếu", "addressees": "kính gửi", "recipients": "nơi nhận", "signer_authority": "thẩm quyền ký",
    "signer_position": "chức vụ người ký", "signer_name": "người ký", "urgency": "độ khẩn", "confidentiality": "độ mật",
    "incoming_stamp": "dấu đến", "references": "văn bản viện dẫn", "has_seal": "dấu",
    "signer_title": "cấp bậc, học hàm người ký",
}


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


def csv_text(rows: list[dict[str, Any]], *, bom: bool = True, columns: list[str] | None = None) -> str:
    """CSV text of flat rows (UTF-8 BOM so that Excel reads Vietnamese correctly); formula-like cells
    are neutralised (:func:`neutralise_cell`)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns or CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else neutralise_cell(v) for k, v in row.items()})
    return ("\ufeff" if bom else "") + buf.getvalue()


def _organ_name(doc: Document) -> str | None:
    """The issuing body with its parent body: "SỞ Y TẾ (UBND TỈNH BÌNH DƯƠNG)"."""
    if doc.issuer and doc.issuer_parent:
        return f"{doc.issuer} ({doc.issuer_parent})"
    return doc.issuer or doc.issuer_parent


def _is_filing(entry: str) -> bool:
    """The "Lưu: VT, …" line of Nơi nhận is the office's own filing copy, not a recipient."""
    return entry.strip().casefold().startswith(("lưu", "luu"))


def review_note(doc: Document) -> str | None:
    """A note in Vietnamese for the văn thư: the fields to check (no English warnings)."""
    if not doc.needs_review:
        return None
    return "Cần kiểm tra: " + ", ".join(FIELD_VI.get(f, f) for f in doc.needs_review)


def nd30_metadata(result: FileResult, doc: Document) -> dict[str, Any]:
    """A document under the NĐ 30 Phụ lục VI names (CodeNumber, CodeNotation, IssuedDate, …).

    ``Priority`` is the urgency code (0 Thường, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ) and
    the urgency and secrecy are both kept in words (``Urgency``, ``Confidentiality``); ``SignerInfo``
    nests ``Position`` and ``FullName``; ``OrganName`` carries the parent body; ``ToPlaces`` leaves out
    the "Lưu:" filing entry; ``ArrivalNumber`` is a number; ``Description`` is Vietnamese.
    """
    stamp = doc.incoming_stamp
    arrival = stamp.number if stamp else None
    return {
        "CodeNumber": doc.number,
        "CodeNotation": doc.symbol,
        "IssuedDate": doc.issued_date.isoformat() if doc.issued_date else None,
        "OrganName": _organ_name(doc),
        "ParentOrganName": doc.issuer_parent,
        "TypeName": doc.doc_type,
        "Subject": doc.subject,
        "ArrivalNumber": int(arrival) if arrival and arrival.isdigit() else None,
        "ArrivalDate": stamp.date.isoformat() if stamp and stamp.date else None,
        "SignerInfo": {"Position": doc.signer_position, "FullName": doc.signer_name},
        "ToPlaces": _join([r for r in doc.recipients if not _is_filing(r)]) or None,
        "PageAmount": doc.page_end - doc.page_start + 1,
        "Priority": _PRIORITY.get(doc.urgency, 0),
        "Urgency": doc.urgency,
        "Confidentiality": doc.confidentiality,
        "Language": "Tiếng Việt",
        "Description": review_note(doc),
    }


ND30_COLUMNS = [
    "File", "CodeNumber", "CodeNotation", "IssuedDate", "OrganName", "ParentOrganName", "TypeName", "Subject",
    "ArrivalNumber", "ArrivalDate", "SignerInfo.Position", "SignerInfo.FullName", "ToPlaces", "PageAmount",
    "Priority", "Urgency", "Confidentiality", "Language", "Description",
]


def nd30_flat(result: FileResult, doc: Document) -> dict[str, Any]:
    """:func:`nd30_metadata` flattened for CSV/XLSX (``SignerInfo.Position``, ``SignerInfo.FullName``)."""
    meta = nd30_metadata(result, doc)
    signer = meta.pop("SignerInfo")
    return {"File": result.file, **meta, "SignerInfo.Position": signer["Position"],
            "SignerInfo.FullName": signer["FullName"]}


# nd30.md §5.3 (TT 02/2019/TT-BNV): archival metadata, with the usual defaults
ARCHIVAL_COLUMNS = [
    "Số của văn bản", "Ký hiệu", "Ngày tháng năm", "Tên cơ quan ban hành", "Tên loại", "Trích yếu", "Người ký",
    "Độ mật", "Trang số", "Số trang", "Chế độ sử dụng", "Từ khóa", "Ghi chú", "Ngôn ngữ", "Bút tích",
    "Ký hiệu thông tin", "Mức độ tin cậy", "Tình trạng vật lý",
]


def archival_row(result: FileResult, doc: Document) -> dict[str, Any]:
    """The archival metadata of nd30.md §5.3 for one document, with the usual defaults ("Thường",
    "Tiếng Việt", "Bản chính"; "Số hóa" as the reliability of a record read from a scan)."""
    return {
        "Số của văn bản": doc.number,
        "Ký hiệu": doc.symbol,
        "Ngày tháng năm": doc.issued_date,
        "Tên cơ quan ban hành": _organ_name(doc),
        "Tên loại": doc.doc_type,
        "Trích yếu": doc.subject,
        "Người ký": doc.signer_name,
        "Độ mật": doc.confidentiality or "Thường",
        "Trang số": f"{doc.page_start}-{doc.page_end}" if doc.page_end > doc.page_start else str(doc.page_start),
        "Số trang": doc.page_end - doc.page_start + 1,
        "Chế độ sử dụng": "Hạn chế" if doc.confidentiality else "Thường",
        "Từ khóa": None,
        "Ghi chú": review_note(doc),
        "Ngôn ngữ": "Tiếng Việt",
        "Bút tích": None,
        "Ký hiệu thông tin": result.file,
        "Mức độ tin cậy": "Bản chính" if not result.signatures else "Bản chính (có chữ ký số)",
        "Tình trạng vật lý": "Bình thường",
    }


def _s(vi: str, en: str, kind: str | list[str] = "string", **extra: Any) -> dict[str, Any]:
    types = [kind, "null"] if isinstance(kind, str) else kind
    return {"type": types, "description": f"{vi} / {en}", **extra}


def flat_row_schema() -> dict[str, Any]:
    """The JSON Schema of one line of ``records.jsonl`` (one document, list fields joined with "; ")."""
    from vn_dispatch_parser.records import CONFIDENTIALITY, URGENCY

    props: dict[str, Any] = {
        "file": _s("Tệp", "Input file (relative path)", "string"),
        "doc_index": _s("Thứ tự văn bản trong tệp (từ 1)", "Document index in the file (1-based)", "integer", minimum=1),
        "page_start": _s("Trang đầu", "First page", "integer", minimum=1),
        "page_end": _s("Trang cuối", "Last page", "integer", minimum=1),
        "issuer_parent": _s("Cơ quan chủ quản", "Parent body"),
        "issuer": _s("Cơ quan ban hành", "Issuing body"),
        "doc_type": _s("Tên loại", "Document type"),
        "number": _s("Số (dạng chữ)", "Number, as text"),
        "symbol": _s("Ký hiệu", "Symbol"),
        "number_symbol": _s("Số, ký hiệu", "Number and symbol"),
        "place": _s("Địa danh", "Place"),
        "issued_date": _s("Ngày ban hành (ISO 8601)", "Date of issue (ISO 8601)", format="date"),
        "subject": _s("Trích yếu", "Subject"),
        "addressees": _s("Kính gửi, nối bằng \"; \"", "Addressees joined with \"; \""),
        "recipients": _s("Nơi nhận, nối bằng \"; \"", "Recipients joined with \"; \""),
        "signer_authority": _s("Thẩm quyền ký", "Signing authority"),
        "signer_position": _s("Chức vụ người ký", "Signer's position"),
        "signer_name": _s("Họ tên người ký", "Signer's name"),
        "urgency": _s("Mức độ khẩn", "Urgency", enum=[*URGENCY, None]),
        "confidentiality": _s("Độ mật", "Confidentiality", enum=[*CONFIDENTIALITY, None]),
        "incoming_receiver": _s("Cơ quan nhận (dấu ĐẾN)", "Receiving body (ĐẾN stamp)"),
        "incoming_number": _s("Số đến", "Arrival number"),
        "incoming_date": _s("Ngày đến (ISO 8601)", "Arrival date (ISO 8601)", format="date"),
        "references": _s("Văn bản viện dẫn", "Cited documents, joined with \"; \""),
        "has_seal": _s("Có dấu", "A seal was seen", "boolean"),
        "needs_review": _s("Trường cần kiểm tra, nối bằng \"; \"", "Fields to check, joined with \"; \"",
                           "string"),
        "warnings": _s("Cảnh báo, nối bằng \"; \"", "Warnings joined with \"; \"", "string"),
    }
    return {"title": "RecordRow", "description": "Một dòng của records.jsonl / one line of records.jsonl",
            "type": "object", "properties": props, "required": ["file", "doc_index"],
            "additionalProperties": False}


def nd30_schema() -> dict[str, Any]:
    """The JSON Schema of one document under the NĐ 30 names (``--naming nd30``)."""
    from vn_dispatch_parser.records import CONFIDENTIALITY, URGENCY

    props: dict[str, Any] = {
        "CodeNumber": _s("Số", "Number", maxLength=11),
        "CodeNotation": _s("Ký hiệu", "Symbol", maxLength=30),
        "IssuedDate": _s("Ngày, tháng, năm văn bản", "Date of issue", format="date"),
        "OrganName": _s("Cơ quan ban hành (kèm cơ quan chủ quản)", "Issuing body (with its parent)", maxLength=200),
        "ParentOrganName": _s("Cơ quan chủ quản", "Parent body"),
        "TypeName": _s("Tên loại", "Document type", maxLength=100),
        "Subject": _s("Trích yếu", "Subject", maxLength=500),
        "ArrivalNumber": _s("Số đến", "Arrival number", "integer", minimum=0),
        "ArrivalDate": _s("Ngày đến", "Arrival date", format="date"),
        "SignerInfo": {"type": "object", "description": "Người ký / Signer", "properties": {
            "Position": _s("Chức vụ", "Position", maxLength=100), "FullName": _s("Họ tên", "Full name", maxLength=50)}},
        "ToPlaces": _s("Đơn vị/người nhận (không gồm \"Lưu\")", "Recipients (without the filing entry)"),
        "PageAmount": _s("Số trang", "Number of pages", "integer", minimum=1),
        "Priority": {"type": "integer", "enum": [0, 1, 2, 3, 4], "description":
                     "Mức độ khẩn: 0 Thường, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ / urgency code"},
        "Urgency": _s("Mức độ khẩn", "Urgency", enum=[*URGENCY, None]),
        "Confidentiality": _s("Độ mật", "Confidentiality", enum=[*CONFIDENTIALITY, None]),
        "Language": _s("Ngôn ngữ", "Language"),
        "Description": _s("Ghi chú (tiếng Việt)", "Note (Vietnamese)", maxLength=500),
    }
    return {"title": "Nd30Document", "description": "Văn bản theo tên trường NĐ 30 Phụ lục VI / a document under "
            "the NĐ 30 Phụ lục VI names", "type": "object", "properties": props, "additionalProperties": False}


def json_schema(kind: str = "file") -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that ``vn-dispatch schema`` prints.

    Args:
        kind: "file" (the per-file ``FileResult`` JSON), "row" (one line of ``records.jsonl``) or
            "nd30" (one document under the NĐ 30 Phụ lục VI names, ``--naming nd30``).
    """
    if kind == "file":
        schema = FileResult.model_json_schema()
        describe_all(schema)
    elif kind in ("row", "nd30"):
        schema = flat_row_schema() if kind == "row" else nd30_schema()
    else:
        raise ValueError(f"unknown schema {kind!r}: choose file, row or nd30")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_ID.format(name=kind, version=PIPELINE_VERSION), **schema}
