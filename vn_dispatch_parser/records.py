"""Pydantic records: the public output format.

``Document``'s JSON keys are exactly the truth files' keys (``../shared/real/truth``), plus
``confidence``, ``needs_review``, ``evidence``, ``warnings`` and ``digital_signature``. Every field has a
description in Vietnamese and English (``vn-dispatch schema``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vn_dispatch_parser.core.fsutil import printable_name, raw_name

__all__ = [
    "CONFIDENTIALITY",
    "DigitalSignature",
    "Document",
    "EngineIdentity",
    "FieldEvidence",
    "FileResult",
    "IncomingStamp",
    "PdfSignature",
    "PageFrame",
    "Reference",
    "PIPELINE_VERSION",
    "REVIEW_FIELDS",
    "SCHEMA_ID",
    "URGENCY",
    "describe_all",
]

PIPELINE_VERSION = "0.7.1"  # 0.7.1: loanwords, year names, the signer's other office, positions ending with a prefix flagged; 0.7.0: stacked lines of tilted pages kept apart, the syllable inventory, a full header at a page top opens a document, known bodies keep the place and level read, faded urgency marks, hand-written fragments flagged; 0.6.8: a Lưu item holding a drafter's code is flagged; 0.6.7: the signer's name line read again alone; 0.6.6: a doubtful number partly read takes the file name's number; 0.6.5: header lines of bodies named by a number are issuer lines; 0.6.4: a Nơi nhận list without its Lưu item is flagged; 0.6.3: measured review thresholds of raw scores per field (data/review.yaml); 0.6.2: the number a file is named by corroborates or flags the number; 0.6.1: an uncalibrated low score is reported as such in review_reasons; 0.6.0: evidence boxes in the page as loaded (frames[].boxes), the engine identity (FileResult.engine)
SCHEMA_ID = "https://vn-dispatch-parser.invalid/schema/{name}-{version}.json"
URGENCY = ("KHẨN", "THƯỢNG KHẨN", "HỎA TỐC", "HỎA TỐC HẸN GIỜ")
CONFIDENTIALITY = ("MẬT", "TỐI MẬT", "TUYỆT MẬT")
REVIEW_FIELDS = (
    "issuer_parent", "issuer", "doc_type", "number", "symbol", "number_symbol", "place", "issued_date",
    "subject", "addressees", "recipients", "signer_authority", "signer_position", "signer_name", "signer_title",
    "urgency", "confidentiality", "incoming_stamp", "references", "has_seal",
)
_CONF: Any = {"type": "number", "minimum": 0, "maximum": 1}


def _d(vi: str, en: str) -> str:
    return f"{vi} / {en}"


def _enum_or_null(values: tuple[str, ...]) -> dict[str, Any]:
    return {"anyOf": [{"type": "string", "enum": list(values)}, {"type": "null"}]}


class IncomingStamp(BaseModel):
    """Dấu "ĐẾN" của cơ quan nhận / the "ĐẾN" stamp of the receiving office (NĐ 30 Phụ lục IV §V)."""

    receiver: str | None = Field(default=None, description=_d("Tên cơ quan nhận trên dấu", "Receiving body named on the stamp"))
    number: str | None = Field(default=None, description=_d("Số đến (chỉ chữ số)", "Arrival number (digits only)"))
    date_text: str | None = Field(default=None, description=_d("Ngày đến như đã đọc", "Arrival date as read"))
    date: dt.date | None = Field(default=None, description=_d("Ngày đến", "Arrival date (ISO 8601)"))


class Reference(BaseModel):
    """Văn bản được viện dẫn / a document cited in the body: "<loại> số <số/ký hiệu> ngày <d/m/yyyy>"."""

    type: str | None = Field(default=None, description=_d("Tên loại văn bản được dẫn", "Type of the cited document"))
    number_symbol: str = Field(description=_d("Số, ký hiệu văn bản được dẫn", "Number and symbol of the cited document"))
    date: dt.date | None = Field(default=None, description=_d("Ngày của văn bản được dẫn", "Date of the cited document"))


class FieldEvidence(BaseModel):
    """Nguồn gốc giá trị / where a field's value came from."""

    raw: str = Field(description=_d("Văn bản gốc đã đọc", "The raw text read"))
    rule: str = Field(description=_d("Quy tắc đã khớp", "The rule that matched"))
    page: int | None = Field(default=None, ge=1, description=_d("Trang (từ 1)", "Page (1-based)"))
    bbox: list[int] | None = Field(default=None, description=_d(
        "Khung [x0, y0, x1, y1] (điểm ảnh của trang, xem frames)", "Box [x0, y0, x1, y1] in pixels of the page "
        "as loaded (the `frames` entry of `page` gives its size, dpi and rotation)"))
    score: float | None = Field(default=None, description=_d(
        "Điểm của bộ đọc trước hiệu chỉnh", "The parser's score for the value, before calibration (``confidence`` "
        "is the calibrated chance that the value is right)"))


class DigitalSignature(BaseModel):
    """Dấu chữ ký số in trên trang / a digital-signature stamp printed on a signed PDF ("Ký bởi", "Cơ quan", "Thời gian ký")."""

    signer: str | None = Field(default=None, description=_d("Ký bởi", "Signed by"))
    organisation: str | None = Field(default=None, description=_d("Cơ quan", "Organisation"))
    signed_at: dt.datetime | None = Field(default=None, description=_d("Thời gian ký", "Signing time"))
    raw: str = Field(default="", description=_d("Văn bản của dấu", "The stamp's text"))


class PdfSignature(BaseModel):
    """Một chữ ký số trong tệp PDF / one signature dictionary of a signed PDF (read with pyHanko)."""

    field: str | None = Field(default=None, description=_d("Tên trường chữ ký", "Signature field name"))
    signer: str | None = Field(default=None, description=_d("Tên người/cơ quan ký (CN của chứng thư)", "Certificate common name"))
    organisation: str | None = Field(default=None, description=_d("Tổ chức (O của chứng thư)", "Certificate organisation"))
    unit: str | None = Field(default=None, description=_d("Đơn vị (OU của chứng thư)", "Certificate organisational unit"))
    email: str | None = Field(default=None, description=_d("Thư điện tử của chứng thư", "Certificate e-mail address"))
    is_organisation: bool = Field(default=False, description=_d("Chứng thư của cơ quan, tổ chức (không phải cá nhân)",
                                                       "An organisational certificate (not a person's)"))
    signed_at: dt.datetime | None = Field(default=None, description=_d("Thời gian ký, giờ Việt Nam (UTC+7)",
                                                               "Signing time in Vietnam time (UTC+7)"))
    intact: bool | None = Field(default=None, description=_d("Dữ liệu đã ký còn nguyên vẹn (không đánh giá độ tin cậy của chứng thư)",
                                                     "Signed bytes intact (certificate trust is not judged)"))
    changed_after_signing: bool | None = Field(default=None, description=_d("Tệp có thay đổi (phiên bản sau) sau khi ký",
                                                                    "The file has later revisions than this signature"))
    modification: str | None = Field(default=None, description=_d("Mức thay đổi sau khi ký", "How far later revisions go "
                                                          "(none, lta_updates, form_filling, annotations, other)"))
    problem: str | None = Field(default=None, description=_d("Vấn đề khi kiểm tra", "Why the check failed, if it did"))


class Document(BaseModel):
    """Một văn bản hành chính / one administrative document: the fields of NĐ 30/2020 plus review metadata."""

    model_config = ConfigDict(validate_assignment=False)

    issuer_parent: str | None = Field(default=None, description=_d("Tên cơ quan chủ quản", "Parent body of the issuer"))
    issuer: str | None = Field(default=None, description=_d("Tên cơ quan ban hành", "Issuing body"))
    doc_type: str | None = Field(default=None, description=_d("Tên loại văn bản", "Document type (CÔNG VĂN, QUYẾT ĐỊNH, …)"))
    number: str | None = Field(default=None, description=_d("Số văn bản (giữ nguyên dạng chữ, ví dụ \"03\")",
                                                    "Number, as text (\"03\" stays \"03\")"))
    symbol: str | None = Field(default=None, description=_d("Ký hiệu văn bản", "Symbol (ký hiệu), e.g. SYT-VP"))
    number_symbol: str | None = Field(default=None, description=_d("Số, ký hiệu", "Number and symbol, e.g. 1865/SYT-VP"))
    place: str | None = Field(default=None, description=_d("Địa danh", "Place name of the date line"))
    issued_date: dt.date | None = Field(default=None, description=_d("Ngày ban hành", "Date of issue"))
    subject: str | None = Field(default=None, description=_d("Trích yếu nội dung", "Subject (trích yếu)"))
    addressees: list[str] = Field(default_factory=list, description=_d("Kính gửi", "Addressees (Kính gửi)"))
    recipients: list[str] = Field(default_factory=list, description=_d("Nơi nhận", "Recipients (Nơi nhận)"))
    signer_authority: str | None = Field(default=None, description=_d("Thẩm quyền ký (TM., KT., TL., TUQ.)",
                                                              "Signing authority (TM., KT., TL., TUQ.)"))
    signer_position: str | None = Field(default=None, description=_d("Chức vụ người ký", "Signer's position"))
    signer_name: str | None = Field(default=None, description=_d("Họ tên người ký", "Signer's full name"))
    signer_title: str | None = Field(default=None, description=_d(
        "Cấp bậc, học hàm, học vị trước tên người ký (Trung tá, TS.)",
        "Rank or academic title printed before the signer's name (Trung tá, TS.); signer_name is the bare name"))
    urgency: str | None = Field(default=None, description=_d("Mức độ khẩn", "Urgency"),
                                json_schema_extra=_enum_or_null(URGENCY))  # type: ignore[arg-type]
    confidentiality: str | None = Field(default=None, description=_d("Độ mật", "Confidentiality"),
                                        json_schema_extra=_enum_or_null(CONFIDENTIALITY))  # type: ignore[arg-type]
    incoming_stamp: IncomingStamp | None = Field(default=None, description=_d("Dấu ĐẾN", "The ĐẾN (arrival) stamp"))
    references: list[Reference] = Field(default_factory=list, description=_d("Văn bản được viện dẫn",
                                                                             "Documents cited in the body"))
    has_seal: bool | None = Field(default=None, description=_d("Có dấu cơ quan (null: không rõ)", "A seal was seen (null: unknown)"))
    page_start: int = Field(default=1, ge=1, description=_d("Trang đầu trong tệp", "First page in the file"))
    page_end: int = Field(default=1, ge=1, description=_d("Trang cuối trong tệp", "Last page in the file"))
    full_text: str = Field(default="", description=_d("Toàn văn đã đọc", "Full text read"))
    confidence: dict[str, float] = Field(
        default_factory=dict, description=_d("Độ tin cậy theo trường (0–1)", "Confidence per field, 0 to 1"),
        json_schema_extra={"additionalProperties": _CONF, "propertyNames": {"enum": list(REVIEW_FIELDS)}})
    needs_review: list[str] = Field(
        default_factory=list, description=_d("Các trường cần người kiểm tra", "Fields a person should check"),
        json_schema_extra={"items": {"type": "string", "enum": list(REVIEW_FIELDS)}})
    review_reasons: dict[str, str] = Field(default_factory=dict, description=_d(
        "Lý do cần kiểm tra theo trường", "Why each field of needs_review is flagged"),
        json_schema_extra={"propertyNames": {"enum": list(REVIEW_FIELDS)}})
    evidence: dict[str, FieldEvidence] = Field(default_factory=dict, description=_d("Nguồn gốc theo trường",
                                                                                    "Provenance per field"))
    warnings: list[str] = Field(default_factory=list, description=_d("Cảnh báo (tiếng Anh)", "Warnings (English)"))
    digital_signature: DigitalSignature | None = Field(default=None, description=_d("Dấu chữ ký số in trên trang",
                                                                           "Digital-signature stamp printed on the page"))


class PageFrame(BaseModel):
    """Khung của các hộp bằng chứng trên một trang / the frame a page's evidence boxes refer to.

    When ``boxes`` is ``"page"``, every ``evidence.*.bbox`` of the page is in pixels of the page as loaded,
    ``width`` x ``height`` at ``dpi``: a PDF page rendered by poppler at ``dpi`` (``pdftoppm -r <dpi>``, the
    page's /Rotate applied), an image file's own pixels (a one-page image's EXIF orientation applied;
    ``dpi`` from its metadata, or estimated from an A4 page). Drawn on that rendering of the original file,
    a box covers the words its field was read from. ``rotation`` and ``skew`` say how the reader turned
    and straightened the page to read it; the boxes are already mapped back.

    Older results (``boxes`` ``"ocr"``, the default when the key is absent) put the boxes in the OCR
    image: the page turned ``rotation`` degrees clockwise, straightened by ``skew`` degrees on an enlarged
    canvas and resized to ``width`` x ``height``.
    """

    page: int = Field(ge=1, description=_d("Trang (từ 1)", "Page (1-based)"))
    width: int = Field(ge=0, description=_d("Chiều rộng trang đã nạp (điểm ảnh)", "Width of the page as loaded, pixels"))
    height: int = Field(ge=0, description=_d("Chiều cao trang đã nạp (điểm ảnh)", "Height of the page as loaded, pixels"))
    dpi: int = Field(description=_d("Độ phân giải khi nạp trang", "Resolution the page was loaded (a PDF rendered) at"))
    rotation: int = Field(default=0, description=_d("Góc đã xoay để đọc, theo chiều kim đồng hồ (độ)",
                                                    "Clockwise turn applied to read the page, degrees (0, 90, 180, 270)"))
    skew: float = Field(default=0.0, description=_d("Góc đã chỉnh nghiêng để đọc (độ)",
                                                    "Skew straightened to read the page, degrees counter-clockwise"))
    boxes: Literal["page", "ocr"] = Field(default="ocr", description=_d(
        "Khung của các hộp bằng chứng", 'Frame of the evidence boxes: "page" (the page as loaded, width x height '
        'at dpi) or "ocr" (older results: the page turned, straightened and resized for the OCR)'))


class EngineIdentity(BaseModel):
    """Bộ OCR và mô hình đã đọc tệp / the OCR engine and models a scan was read with (part of the batch's
    resume key: a result made with other models is redone)."""

    model_config = ConfigDict(frozen=True)

    tesseract: str | None = Field(default=None, description=_d("Phiên bản Tesseract", "Tesseract version, e.g. 5.3.0"))
    traineddata_sha256: str | None = Field(default=None, description=_d(
        "SHA-256 của dữ liệu ngôn ngữ (.traineddata)", "SHA-256 of the .traineddata used ('+'-joined per language)"))
    digits_sha256: str | None = Field(default=None, description=_d(
        "SHA-256 của mô hình chữ số viết tay", "SHA-256 of the hand-written digit model (None: hand-writing not read)"))


class FileResult(BaseModel):
    """Kết quả của một tệp / the result for one input file: its documents, warnings and errors."""

    file: str = Field(description=_d("Tệp (đường dẫn tương đối trong lô)", "The file (relative path in a batch)"))
    file_raw: str | None = Field(default=None, description=_d(
        "Tên tệp gốc không phải UTF-8, mã hóa phần trăm", "The exact bytes of a file name that is not valid UTF-8, "
        "percent-encoded (lossless); `file` then shows those bytes as \\xNN. Absent for ordinary names."))
    sha256: str | None = Field(default=None, description=_d("SHA-256 của tệp", "SHA-256 of the file's bytes"))
    pages: int = Field(default=0, ge=0, description=_d("Số trang", "Number of pages"))
    documents: list[Document] = Field(default_factory=list, description=_d("Các văn bản trong tệp", "Documents found"))
    signatures: list[PdfSignature] = Field(default_factory=list, description=_d(
        "Các chữ ký số trong tệp PDF", "Digital signatures of the PDF (pyHanko)"))
    warnings: list[str] = Field(default_factory=list, description=_d("Cảnh báo", "Warnings"))
    errors: list[str] = Field(default_factory=list, description=_d("Lỗi", "Errors"))
    frames: list[PageFrame] = Field(default_factory=list, description=_d(
        "Khung các trang đã đọc (kích thước, dpi, góc xoay)", "Each page as loaded: size and dpi of the frame the "
        "evidence boxes are in, and the rotation and skew applied to read it"))
    pipeline_version: str = Field(default=PIPELINE_VERSION, description=_d("Phiên bản bộ đọc", "Pipeline version"))
    engine: EngineIdentity | None = Field(default=None, description=_d(
        "Bộ OCR và mô hình đã dùng (tệp quét)", "OCR engine and models used (scans; None for text inputs)"))

    @model_validator(mode="after")
    def _printable_file(self) -> FileResult:
        """A name with bytes that are not UTF-8 (surrogate escapes) is kept in ``file_raw``."""
        self.set_file(self.file)
        return self

    def set_file(self, name: str) -> None:
        """Name the input: ``file`` always serialisable, ``file_raw`` the exact bytes when it is not UTF-8."""
        raw = raw_name(name)
        if raw is not None:
            self.file, self.file_raw = printable_name(name), raw
        else:
            self.file = name

    def to_json(self) -> str:
        """The per-file output: pretty JSON, UTF-8 text (not ASCII-escaped)."""
        return self.model_dump_json(indent=2, exclude_none=False, exclude=None if self.file_raw else {"file_raw"})


def describe_all(schema: dict[str, Any]) -> None:
    """Give every property without one the description of its referenced definition."""
    defs = schema.get("$defs", {})
    for node in [schema, *defs.values()]:
        for prop in node.get("properties", {}).values():
            if "description" not in prop:
                ref = prop.get("$ref") or next((a.get("$ref") for a in prop.get("anyOf", []) if "$ref" in a), None)
                if ref:
                    prop["description"] = defs.get(ref.rsplit("/", 1)[-1], {}).get("description", "")
            if "anyOf" in prop and "enum" in prop and "type" not in prop:
                prop.pop("enum", None)
