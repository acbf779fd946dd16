"""vn-dispatch-parser: read Vietnamese administrative documents (NĐ 30/2020) into records.

    >>> from vn_dispatch_parser import parse_text
    >>> result = parse_text("UBND TỈNH BÌNH DƯƠNG\\nSỞ Y TẾ\\nSố: 1865/SYT-VP")
    >>> result.documents[0].number_symbol
    '1865/SYT-VP'

Nothing is loaded at import time; data tables load lazily on first use and are cached.
"""

from __future__ import annotations

from .errors import (
    DecompressionBombError,
    DispatchParserError,
    EmptyDocumentError,
    EncryptedPdfError,
    ExitCode,
    InputFileError,
    MissingDependencyError,
    OcrEngineError,
    OcrTimeoutError,
    UnsupportedFormatError,
)
from .pipeline import parse_file, parse_text
from .records import PIPELINE_VERSION, Document, FileResult, IncomingStamp, Reference

__all__ = [
    "PIPELINE_VERSION",
    "DecompressionBombError",
    "DispatchParserError",
    "Document",
    "EmptyDocumentError",
    "EncryptedPdfError",
    "ExitCode",
    "FileResult",
    "IncomingStamp",
    "InputFileError",
    "MissingDependencyError",
    "OcrEngineError",
    "OcrTimeoutError",
    "Reference",
    "UnsupportedFormatError",
    "parse_file",
    "parse_text",
]
__version__ = PIPELINE_VERSION
