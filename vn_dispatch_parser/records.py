"""Pydantic records: the public output format.

``Document``'s JSON keys are exactly the truth files' keys (``../shared/real/truth``), plus
``confidence``, ``needs_review``, ``evidence``, ``warnings`` and ``digital_signature``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .fsutil import printable_name, raw_name

__all__ = [
    "DigitalSignature",
    "Document",
    "FieldEvidence",
    "FileResult",
    "IncomingStamp",
    "PageFrame",
    "Reference",
    "PIPELINE_VERSION",
]

PIPELINE_VERSION = "0.3.0"


class IncomingStamp(BaseModel):
    """The "ĐẾN" stamp of the receiving office (NĐ 30 Phụ lục IV §V)."""

    receiver: str | None = None
    number: str | None = None
    date_text: str | None = None
    date: dt.date | None = None


class Reference(BaseModel):
    """A document cited in the body: "<loại> số <số/ký hiệu> ngày <d/m/yyyy>"."""

    type: str | None = None
    number_symbol: str
    date: dt.date | None = None


class FieldEvidence(BaseModel):
    """Where a field's value came from."""

    raw: str
    rule: str
    page: int | None = None
    bbox: list[int] | None = None
    score: float | None = Field(default=None, description="The parser's score for the value, before calibration "
                                "(``confidence`` is the calibrated chance that the value is right)")


class DigitalSignature(BaseModel):
    """A digital-signature stamp printed on a signed PDF ("Ký bởi", "Cơ quan", "Thời gian ký")."""

    signer: str | None = None
    organisation: str | None = None
    signed_at: dt.datetime | None = None
    raw: str = ""


class Document(BaseModel):
    """One administrative document: the fields of NĐ 30/2020 plus review metadata."""

    model_config = ConfigDict(validate_assignment=False)

    issuer_parent: str | None = None
    issuer: str | None = None
    doc_type: str | None = None
    number: str | None = None
    symbol: str | None = None
    number_symbol: str | None = None
    place: str | None = None
    issued_date: dt.date | None = None
    subject: str | None = None
    addressees: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    signer_authority: str | None = None
    signer_position: str | None = None
    signer_name: str | None = None
    signer_title: str | None = Field(default=None, description="Rank or academic title printed before the "
                                     "signer's name (Trung tá, TS.); signer_name is the bare name")
    urgency: str | None = None
    confidentiality: str | None = None
    incoming_stamp: IncomingStamp | None = None
    references: list[Reference] = Field(default_factory=list)
    has_seal: bool | None = None
    page_start: int = 1
    page_end: int = 1
    full_text: str = ""
    confidence: dict[str, float] = Field(default_factory=dict)
    needs_review: list[str] = Field(default_factory=list)
    review_reasons: dict[str, str] = Field(default_factory=dict)
    evidence: dict[str, FieldEvidence] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    digital_signature: DigitalSignature | None = None


class PageFrame(BaseModel):
    """The frame that a page's evidence boxes refer to: the page as loaded (``dpi``), turned by
    ``rotation`` degrees clockwise, straightened by ``skew`` degrees, then ``width`` x ``height`` pixels."""

    page: int
    width: int
    height: int
    dpi: int
    rotation: int = 0
    skew: float = 0.0


class FileResult(BaseModel):
    """The result for one input file: its documents, warnings and errors."""

    file: str
    file_raw: str | None = Field(
        default=None,
        description="The exact bytes of a file name that is not valid UTF-8, percent-encoded (lossless); "
        "`file` then shows those bytes as \\xNN. Absent for ordinary names.",
    )
    sha256: str | None = None
    pages: int = 0
    documents: list[Document] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    frames: list[PageFrame] = Field(default_factory=list)
    pipeline_version: str = PIPELINE_VERSION

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


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``FileResult`` (what ``vn-dispatch schema`` prints)."""
    return FileResult.model_json_schema()
