"""The public entry points: ``parse_text`` (OCR text in) and ``parse_file`` (a file in).

``parse_file`` reads ``.txt``/``.md`` files as OCR text; scans (PDF, TIFF, JPEG, PNG, BMP, WebP) go through
``scan.read_scan`` (load → preprocess → OCR → layout) and then the same field parsers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import InputFileError, UnsupportedFormatError
from .extract import build_document
from .handfill import HandHints
from .normalize import split_lines
from .ocr import OcrEngine
from .records import PIPELINE_VERSION, Document, FileResult
from .segment import segment
from .types import Line

__all__ = ["TEXT_SUFFIXES", "documents_from_lines", "mark_fields_only", "parse_file", "parse_text"]

TEXT_SUFFIXES = {".txt", ".md"}


def documents_from_lines(lines: list[Line], seal_pages: set[int] | None = None, *,
                         hints: Mapping[int, HandHints] | None = None, signature_text: str = "") -> list[Document]:
    """Segment lines into documents and parse each one.

    Args:
        lines: All lines of a file, in order, with page numbers.
        seal_pages: Pages where a seal was seen (scans); None for plain text (unknown).
        hints: Hand-written readings per page (scans).
        signature_text: Digital-signature stamp text of a signed PDF.
    """
    docs = []
    for part in segment(lines):
        if not any(ln.text.strip() for ln in part):
            continue
        pages = sorted({ln.page for ln in part})
        has_seal = bool(set(pages) & seal_pages) if seal_pages is not None else None
        hint = hints.get(pages[0]) if hints and pages else None
        docs.append(build_document(part, has_seal=has_seal, hints=hint, signature_text=signature_text))
    return docs


def parse_text(text: str, *, name: str | None = None) -> FileResult:
    """Parse OCR text of one file (pages separated by form feeds) into a ``FileResult``.

    Never raises on any text: fields that cannot be read are ``None`` with warnings.
    """
    lines = split_lines(text)
    docs = documents_from_lines(lines)
    return FileResult(
        file=name or "<text>",
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        pages=text.count("\f") + 1,
        documents=docs,
    )


def _read_text_file(path: Path) -> str:
    data = path.read_bytes()
    if not data:
        raise InputFileError("empty file", path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputFileError(f"not UTF-8 text ({e.reason} at byte {e.start})", path) from e


def parse_file(path: str | Path, *, dpi: int = 300, engine: OcrEngine | None = None, handwriting: bool = True,
               max_pixels: int | None = None, fields_only: bool = False) -> FileResult:
    """Parse one file: OCR text (``.txt``, ``.md``) or a scan (PDF, TIFF, JPEG, PNG, BMP, WebP).

    Args:
        path: The file.
        dpi: Rendering resolution for PDFs.
        engine: The OCR engine (default: Tesseract ``vie``, one thread).
        handwriting: Read hand-written numbers and days from the ink.
        max_pixels: Refuse pages larger than this (decompression bombs); default 120 megapixels.
        fields_only: Scans: OCR only the bands the fields come from (header, title and subject, signature
            and Nơi nhận; stamps and marks as always) and leave ``full_text`` empty. The result's
            ``pipeline_version`` ends in ``+fields-only``.

    Raises:
        DispatchParserError: A subclass naming the file and the reason when it cannot be read.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError("no such file", p)
    if not p.is_file():
        raise InputFileError("not a regular file", p)
    if p.suffix.lower() in TEXT_SUFFIXES:
        text = _read_text_file(p)
        result = parse_text(text, name=p.name)
        result.sha256 = hashlib.sha256(p.read_bytes()).hexdigest()
        return mark_fields_only(result) if fields_only else result
    try:
        from .scan import read_scan
    except ImportError as e:  # pragma: no cover - scans arrive with the OCR stage
        raise UnsupportedFormatError(f"scans are not supported in this build ({e})", p) from e
    extra: dict[str, Any] = {"fields_only": True} if fields_only else {}
    if max_pixels is not None:
        extra["max_pixels"] = max_pixels
    result = read_scan(p, dpi=dpi, engine=engine, handwriting=handwriting, **extra)
    return mark_fields_only(result) if fields_only else result


def mark_fields_only(result: FileResult) -> FileResult:
    """Mark a fields-only result: no ``full_text``, and a version that never passes for a full read's."""
    for doc in result.documents:
        doc.full_text = ""
    result.pipeline_version = PIPELINE_VERSION + "+fields-only"
    return result
