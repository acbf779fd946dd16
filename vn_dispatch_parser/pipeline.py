"""The public entry points: ``parse_text`` (OCR text in) and ``parse_file`` (a file in).

``parse_file`` reads ``.txt``/``.md`` files as OCR text; scans (PDF, TIFF, JPEG, PNG, BMP, WebP) go through
``read_scan``: the page stage (:mod:`vn_dispatch_parser.scan`: load → preprocess → OCR → layout →
readings) and then the same document stage. This module is the one place that joins the two.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from vn_dispatch_parser.config import DEFAULT_MAX_TEXT_BYTES, DPI_RANGE, TEXT_SUFFIXES, PipelineConfig
from vn_dispatch_parser.core.normalize import split_lines
from vn_dispatch_parser.core.types import BBox, Line, PageText
from vn_dispatch_parser.document.build import build_document
from vn_dispatch_parser.document.corroborate import apply_file_name
from vn_dispatch_parser.document.second_reading import reconcile_page
from vn_dispatch_parser.document.segment import segment
from vn_dispatch_parser.errors import (
    InputFileError,
    InputTooLargeError,
    InvalidOptionError,
    UnsupportedFormatError,
)
from vn_dispatch_parser.records import PIPELINE_VERSION, Document, FileResult

if TYPE_CHECKING:  # OpenCV and numpy load only when a scan is read
    from vn_dispatch_parser.core.types import HandHints
    from vn_dispatch_parser.image.load import InputProbe
    from vn_dispatch_parser.ocr.engine import OcrEngine
    from vn_dispatch_parser.scan.page import PageReading

Source = str | os.PathLike | bytes | bytearray | memoryview | IO[bytes]
"""What :func:`parse_file` reads: a path, the file's bytes, or a binary file object."""

__all__ = ["DEFAULT_MAX_TEXT_BYTES", "DPI_RANGE", "TEXT_SUFFIXES", "PipelineConfig", "Source", "documents_from_lines",
           "join_scan", "mark_fields_only", "parse_file", "parse_text", "read_pages", "read_scan"]


def check_dpi(dpi: int) -> int:
    """``dpi`` if it is a usable rendering resolution, else :class:`InvalidOptionError`."""
    lo, hi = DPI_RANGE
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not lo <= dpi <= hi:
        raise InvalidOptionError(f"dpi must be a whole number from {lo} to {hi} (got {dpi!r})")
    return dpi


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

    Never raises on any text: fields that cannot be read are ``None`` with warnings. Lone surrogates
    (text decoded with ``surrogateescape``) become U+FFFD, so the result can always be serialised.
    """
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    lines = split_lines(text)
    docs = documents_from_lines(lines)
    return apply_file_name(FileResult(
        file=name or "<text>",
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        pages=text.count("\f") + 1,
        documents=docs,
    ))


def _read_text_file(path: Path, max_bytes: int, probe: InputProbe | None = None) -> tuple[str, str]:
    """The text of a ``.txt``/``.md`` input (UTF-8 with or without BOM, or UTF-16 with its BOM) and the
    sha256 of its bytes (the probe's when given; else of the bytes read, so the file is read once)."""
    if probe is None:
        from vn_dispatch_parser.image.load import sniff_format

        sniff_format(path)  # missing, empty, FIFO or binary content: the same typed error as in a batch
    size = probe.size if probe is not None else path.stat().st_size
    if size > max_bytes:
        raise InputTooLargeError(f"text file of {size / 1e6:.1f} MB, over the limit of {max_bytes / 1e6:g} MB "
                                 "(raise it with --max-text-mb)", path)
    data = path.read_bytes()
    digest = probe.sha256 if probe is not None else hashlib.sha256(data).hexdigest()
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16"), digest
        return data.decode("utf-8-sig"), digest
    except UnicodeDecodeError as e:
        raise UnsupportedFormatError(f"not UTF-8 text ({e.reason} at byte {e.start})", path) from e


def _sniff_suffix(data: bytes) -> str:
    """A file suffix for bytes without a name, from their first bytes (text when nothing matches)."""
    heads = {b"%PDF": ".pdf", b"II*\x00": ".tif", b"MM\x00*": ".tif", b"\xff\xd8\xff": ".jpg",
             b"\x89PNG": ".png", b"BM": ".bmp"}
    for magic, suffix in heads.items():
        if data[:1024].lstrip()[: len(magic)] == magic or data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return ".txt"


@contextlib.contextmanager
def _as_path(source: Source, name: str | None) -> Iterator[tuple[Path, str | None]]:
    """A path to read ``source`` from: the path itself, or a private temporary copy of bytes/a stream."""
    if isinstance(source, (str, os.PathLike)):
        yield Path(source), None
        return
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            raise TypeError("parse_file needs a binary file object (open(path, 'rb')), not a text one")
        stream_name = getattr(source, "name", None)
        if name is None and isinstance(stream_name, str) and not stream_name.startswith("<"):
            name = stream_name
    else:
        raise TypeError(f"parse_file takes a path, bytes or a binary file object, not {type(source).__name__}")
    if not data:
        raise InputFileError("empty input", name or "<bytes>")
    suffix = Path(name).suffix.lower() if name and Path(name).suffix else _sniff_suffix(data)
    with tempfile.TemporaryDirectory(prefix="vn-dispatch-input-") as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        yield path, Path(name).name if name else f"<bytes>{suffix}"


def parse_file(source: Source | InputProbe, *, config: PipelineConfig | None = None, dpi: int | None = None,
               engine: OcrEngine | None = None, handwriting: bool | None = None, max_pixels: int | None = None,
               pages: set[int] | None = None, name: str | None = None, page_texts: list[PageText] | None = None,
               max_text_bytes: int | None = None, fields_only: bool | None = None) -> FileResult:
    """Parse one file: OCR text (``.txt``, ``.md``) or a scan (PDF, TIFF, JPEG, PNG, BMP, WebP).

    Args:
        source: The file: a path, its bytes, or a binary file object (``open(p, "rb")``, ``sys.stdin.buffer``).
            Bytes are recognised by their content (PDF, TIFF, JPEG, PNG, BMP, WebP, else UTF-8 text). Or
            the file's :class:`~vn_dispatch_parser.image.load.InputProbe` (what a batch passes: the file is not
            probed again).
        config: How to read (:class:`~vn_dispatch_parser.config.PipelineConfig`); default: its defaults. The
            options below, when given, take the place of the config's.
        dpi: Rendering resolution for PDFs; default 300.
        engine: The OCR engine (default: Tesseract ``vie``, one thread; with the config's ``models_dir`` and
            ``ocr_timeout`` when they are set).
        handwriting: Read hand-written numbers and days from the ink; default True.
        max_pixels: Refuse pages larger than this (decompression bombs); default 120 megapixels.
        pages: Read only these 1-based pages (``--pages``; pages of a text are split by form feeds); default: all.
        name: The name to report in ``FileResult.file`` for bytes or a stream (its suffix also tells the format).
        page_texts: Receives what was read on each page of a scan (for :mod:`vn_dispatch_parser.outputs.searchable`).
        max_text_bytes: Refuse text inputs larger than this (``too_large``); default 20 MB.
        fields_only: Scans: OCR only the bands the fields come from (header, title and subject, signature
            and Nơi nhận; stamps and marks as always) and leave ``full_text`` empty. The result's
            ``pipeline_version`` ends in ``+fields-only``.

    Raises:
        DispatchParserError: A subclass naming the file and the reason when it cannot be read.
    """
    cfg = config or PipelineConfig()
    dpi = cfg.dpi if dpi is None else dpi
    max_text_bytes = cfg.max_text_bytes if max_text_bytes is None else max_text_bytes
    pages = set(cfg.pages) if pages is None and cfg.pages is not None else pages
    check_dpi(dpi)
    if max_text_bytes <= 0:
        raise InvalidOptionError(f"max_text_bytes must be positive (got {max_text_bytes})")
    if engine is None and (cfg.models_dir is not None or cfg.ocr_timeout != PipelineConfig.ocr_timeout):
        from vn_dispatch_parser.ocr.capi import default_engine

        engine = default_engine(timeout=cfg.ocr_timeout, tessdata_dir=cfg.models_dir)
    probe = None
    if not isinstance(source, (str, os.PathLike, bytes, bytearray, memoryview)) and not hasattr(source, "read"):
        from vn_dispatch_parser.image.load import (
            InputProbe,  # only here: a path or bytes of text need no numpy or Pillow
        )

        if isinstance(source, InputProbe):
            probe, source = source, source.path
    with _as_path(cast(Source, source), name) as (p, shown):
        result = _parse_path(p, dpi=dpi, engine=engine, handwriting=cfg.handwriting if handwriting is None else handwriting,
                             max_pixels=cfg.max_pixels if max_pixels is None else max_pixels,
                             pages=pages, page_texts=page_texts, max_text_bytes=max_text_bytes,
                             fields_only=cfg.fields_only if fields_only is None else fields_only, probe=probe)
        if shown is not None:  # bytes or a stream: the name given is the file's name
            result.set_file(shown)
            apply_file_name(result)
        return result


def _parse_path(p: Path, *, dpi: int, engine: OcrEngine | None, handwriting: bool, max_pixels: int | None,
                pages: set[int] | None, page_texts: list[PageText] | None, max_text_bytes: int,
                fields_only: bool = False, probe: InputProbe | None = None) -> FileResult:
    if probe is None and not p.exists():
        raise InputFileError("no such file" if not p.is_symlink() else "broken symbolic link", p)
    if probe is None and p.is_dir():
        raise InputFileError("is a directory, not a file", p)
    if p.suffix.lower() in TEXT_SUFFIXES:
        text, digest = _read_text_file(p, max_text_bytes, probe)
        if pages:
            parts = text.split("\f")
            text = "\f".join(parts[i - 1] for i in sorted(pages) if 0 < i <= len(parts))
        result = parse_text(text, name=p.name)
        result.set_file(p.name)
        result.sha256 = digest
        return mark_fields_only(result) if fields_only else result
    try:
        import vn_dispatch_parser.scan.page  # noqa: F401  (OpenCV, numpy: only when a scan is read)
    except ImportError as e:  # pragma: no cover - scans arrive with the OCR stage
        raise UnsupportedFormatError(f"scans are not supported in this build ({e})", p) from e
    extra: dict[str, Any] = {"fields_only": True} if fields_only else {}
    if max_pixels is not None:
        extra["max_pixels"] = max_pixels
    result = read_scan(p, dpi=dpi, engine=engine, handwriting=handwriting, page_texts=page_texts, pages=pages,
                       signature=reconcile_page, probe=probe, **extra)
    return mark_fields_only(result) if fields_only else result


def read_scan(path: str | Path, *, dpi: int = 300, engine: OcrEngine | None = None,
              max_pixels: int | None = None, handwriting: bool = True,
              page_texts: list[PageText] | None = None, pages: set[int] | None = None,
              fields_only: bool = False, signature: Any = reconcile_page,
              probe: InputProbe | None = None) -> FileResult:
    """Read one scan file into a ``FileResult``: its pages (:func:`read_pages`), then the documents.

    ``page_texts``, when given, receives what was read on each page (for the searchable PDF); ``pages``
    limits the reading to those 1-based page numbers; ``fields_only``: OCR only the bands the fields come
    from (:mod:`vn_dispatch_parser.scan.bands`); ``probe``: the file's
    :class:`~vn_dispatch_parser.image.load.InputProbe` when the caller has it (else it is probed here, once).
    """
    from vn_dispatch_parser.image.load import DEFAULT_MAX_PIXELS, probe_input
    from vn_dispatch_parser.ocr.model_files import engine_identity
    from vn_dispatch_parser.scan.page import read_scan_pages

    if engine is None:
        from vn_dispatch_parser.ocr.capi import default_engine

        engine = default_engine()
    probe = probe.check(path) if probe is not None else probe_input(path)  # a bad input is named first
    identity = engine_identity(engine, handwriting=handwriting)  # models checked before any page is read
    readings = read_scan_pages(path, dpi=dpi, engine=engine, handwriting=handwriting, fields_only=fields_only,
                               max_pixels=DEFAULT_MAX_PIXELS if max_pixels is None else max_pixels,
                               only=pages, signature=signature, probe=probe)
    result = join_scan(path, readings, page_texts=page_texts, probe=probe)
    result.engine = identity
    return result


def join_scan(path: str | Path, readings: list[PageReading], *,
              page_texts: list[PageText] | None = None, probe: InputProbe | None = None) -> FileResult:
    """The ``FileResult`` of a scan from the readings of all its pages (in any order): the one place where
    page readings become documents. ``probe``: the file's
    :class:`~vn_dispatch_parser.image.load.InputProbe` (probed here when None)."""
    from vn_dispatch_parser.image.load import probe_input
    from vn_dispatch_parser.scan.page import collect

    p = Path(path)
    probe = probe.check(p) if probe is not None else probe_input(p, warn=False)
    got = collect(p, readings)
    if page_texts is not None:
        page_texts.extend(got.texts[n] for n in sorted(got.texts))
    docs = documents_from_lines(got.lines, seal_pages=got.seal_pages, hints=got.hints,
                                signature_text=got.signature_text)
    _boxes_to_pages(docs, got.texts)
    signatures = []
    if probe.is_pdf:
        from vn_dispatch_parser.image.signatures import apply_to_document, read_signatures

        signatures = read_signatures(p)
        for i, doc in enumerate(docs):
            apply_to_document(doc, signatures, attached=i > 0)
    return apply_file_name(FileResult(file=p.name, sha256=probe.sha256, pages=got.pages, documents=docs,
                                      warnings=[f"{got.blank} blank page(s)"] if got.blank else [],
                                      signatures=signatures, frames=got.frames))


def _boxes_to_pages(docs: list[Document], texts: Mapping[int, PageText]) -> None:
    """Put every evidence box in the frame of its page as loaded (``FileResult.frames``): the readers
    found them on the page turned upright, straightened and upscaled for the OCR."""
    for doc in docs:
        for ev in doc.evidence.values():
            text = texts.get(ev.page) if ev.page is not None else None
            if ev.bbox is not None and text is not None:
                ev.bbox = text.to_page(BBox(*ev.bbox)).as_list()


def read_pages(path: str | Path, **options: Any) -> list[PageReading]:
    """The readings of a scan's pages (:func:`~vn_dispatch_parser.scan.page.read_scan_pages` with the
    document stage deciding each page's signature block): what a cluster's page task runs."""
    from vn_dispatch_parser.scan.page import read_scan_pages

    return read_scan_pages(path, signature=reconcile_page, **options)


def mark_fields_only(result: FileResult) -> FileResult:
    """Mark a fields-only result: no ``full_text``, and a version that never passes for a full read's."""
    for doc in result.documents:
        doc.full_text = ""
    result.pipeline_version = PIPELINE_VERSION + "+fields-only"
    return result
