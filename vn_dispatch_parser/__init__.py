"""vn-dispatch-parser: read Vietnamese administrative documents (NĐ 30/2020) into records.

    >>> from vn_dispatch_parser import parse_text
    >>> result = parse_text("UBND TỈNH BÌNH DƯƠNG\\nSỞ Y TẾ\\nSố: 1865/SYT-VP")
    >>> result.documents[0].number_symbol
    '1865/SYT-VP'

Nothing is loaded at import time (no OpenCV, no numpy: they load when a scan is read); data tables load
lazily on first use and are cached. ``parse_file`` takes a path, bytes or a binary file object.
"""

from __future__ import annotations

from vn_dispatch_parser.errors import (
    DecompressionBombError,
    DispatchParserError,
    EmptyDocumentError,
    EncryptedPdfError,
    ExitCode,
    InputFileError,
    MissingDependencyError,
    OcrEngineError,
    OcrTimeoutError,
    SignedPdfError,
    UnsupportedFormatError,
)
from vn_dispatch_parser.outputs.export import json_schema
from vn_dispatch_parser.pipeline import parse_file, parse_text
from vn_dispatch_parser.records import (
    PIPELINE_VERSION,
    DigitalSignature,
    Document,
    FieldEvidence,
    FileResult,
    IncomingStamp,
    PdfSignature,
    Reference,
)

__all__ = [
    "PIPELINE_VERSION",
    "DecompressionBombError",
    "DigitalSignature",
    "DispatchParserError",
    "Document",
    "EmptyDocumentError",
    "EncryptedPdfError",
    "ExitCode",
    "FieldEvidence",
    "FileResult",
    "IncomingStamp",
    "InputFileError",
    "MissingDependencyError",
    "OcrEngineError",
    "OcrTimeoutError",
    "PdfSignature",
    "Reference",
    "SignedPdfError",
    "UnsupportedFormatError",
    "json_schema",
    "parse_file",
    "parse_text",
]
__version__ = PIPELINE_VERSION
