"""Typed errors, each with the exit code the CLI returns for it.

The library raises these; ``cli.py`` translates them to messages and exit codes in one place.
A field that cannot be read is never an error: it is ``None`` plus a warning on the record.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

__all__ = [
    "DecompressionBombError",
    "DispatchParserError",
    "EmptyDocumentError",
    "EncryptedPdfError",
    "ExitCode",
    "InputFileError",
    "InputTooLargeError",
    "InvalidOptionError",
    "MissingDependencyError",
    "OcrEngineError",
    "OcrTimeoutError",
    "OutputError",
    "SignedPdfError",
    "UnsupportedFormatError",
]


class ExitCode(IntEnum):
    """Process exit codes of the ``vn-dispatch`` command (documented in the README)."""

    ok = 0
    some_failed = 1
    usage = 2
    input_file = 3
    unsupported_format = 4
    encrypted_pdf = 5
    too_large = 6
    missing_dependency = 7
    ocr_engine = 8
    ocr_timeout = 9
    empty_document = 10
    output = 11
    signed_pdf = 12
    interrupted = 130


class DispatchParserError(Exception):
    """Base class: carries the file it is about, a reason and an exit code."""

    exit_code: ExitCode = ExitCode.input_file
    code: str = "error"

    def __init__(self, reason: str, path: str | Path | None = None) -> None:
        self.reason = reason
        self.path = str(path) if path is not None else None
        super().__init__(f"{self.path}: {reason}" if self.path else reason)


class InputFileError(DispatchParserError):
    """The file is missing, empty, truncated or corrupt."""

    exit_code = ExitCode.input_file
    code = "input_file"


class UnsupportedFormatError(InputFileError):
    """The file is not one of the supported formats (or its content does not match its name)."""

    exit_code = ExitCode.unsupported_format
    code = "unsupported_format"


class EncryptedPdfError(InputFileError):
    """A password-protected PDF; decrypt it first (e.g. ``qpdf --decrypt in.pdf out.pdf``)."""

    exit_code = ExitCode.encrypted_pdf
    code = "encrypted_pdf"


class InvalidOptionError(DispatchParserError, ValueError):
    """An option out of its range (``dpi=0``, a negative size limit): the caller's mistake, not the file's."""

    exit_code = ExitCode.usage
    code = "usage"


class OutputError(DispatchParserError):
    """An output cannot be written (disk full, no permission): nothing half-written is left; rerun to resume."""

    exit_code = ExitCode.output
    code = "output"


class InputTooLargeError(InputFileError):
    """An input over a size limit: an image over the pixel limit, a text file over the text limit."""

    exit_code = ExitCode.too_large
    code = "too_large"


class DecompressionBombError(InputTooLargeError):
    """An image larger than the pixel limit (a decompression bomb or a mis-sized scan)."""

    exit_code = ExitCode.too_large
    code = "too_large"


class SignedPdfError(InputFileError):
    """A digitally signed PDF that an output would alter (a searchable PDF invalidates its signatures)."""

    exit_code = ExitCode.signed_pdf
    code = "signed_pdf"


class EmptyDocumentError(InputFileError):
    """Every page is blank: nothing to read."""

    exit_code = ExitCode.empty_document
    code = "empty_document"


class MissingDependencyError(DispatchParserError):
    """Tesseract or poppler is not installed, or a model file (``vie.traineddata``, the digit model) is missing
    or does not match its sha256 in the MANIFEST: the message names the file and what to do."""

    exit_code = ExitCode.missing_dependency
    code = "missing_dependency"


class OcrEngineError(DispatchParserError):
    """The OCR engine failed on a page."""

    exit_code = ExitCode.ocr_engine
    code = "ocr_engine"


class OcrTimeoutError(OcrEngineError):
    """A page took longer than the time limit."""

    exit_code = ExitCode.ocr_timeout
    code = "ocr_timeout"
