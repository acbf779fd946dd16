"""Read a scan (PDF, TIFF, JPEG, PNG, BMP, WebP) into a ``FileResult``.

Per page: load (one page at a time) → the PDF's own text layer when it holds the text, else ink separation
(coloured marks whitened for the printed-text OCR, seals and stamps located) and Tesseract with boxes →
layout zones → hand-written number and day read from the ink → the field parsers of the text path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.esign import SignatureStamp
from vn_dispatch_parser.core.lexicon import correct_text
from vn_dispatch_parser.core.normalize import normalize_line
from vn_dispatch_parser.core.orthography import split_runs
from vn_dispatch_parser.core.types import (
    BBox,
    CropReader,
    HandHints,
    InkMark,
    Layout,
    Line,
    OcrPage,
    PageImage,
    PageText,
    Zone,
)
from vn_dispatch_parser.errors import EmptyDocumentError
from vn_dispatch_parser.image.load import (
    DEFAULT_MAX_PIXELS,
    InputProbe,
    iter_pages,
    probe_input,
)
from vn_dispatch_parser.image.pdftext import TextLayerPage, pdf_text_layer
from vn_dispatch_parser.image.poppler import scan_resolution
from vn_dispatch_parser.image.prep import PreparedPage, prepare_page
from vn_dispatch_parser.image.preprocess import normalize_contrast, print_glyphs
from vn_dispatch_parser.ocr.engine import OcrEngine, recognize_at
from vn_dispatch_parser.records import PageFrame
from vn_dispatch_parser.scan.hints import read_hints
from vn_dispatch_parser.scan.incoming_stamp import read_den_stamp
from vn_dispatch_parser.scan.layout import arrange_page
from vn_dispatch_parser.scan.stamps import incoming_stamp_box, marks_vocabulary, stamp_lines

__all__ = ["PageReading", "ScanOptions", "ScanReadings", "collect", "lines_from_ocr", "read_scan_pages"]

log = logging.getLogger(__name__)


SignatureReconciler = Callable[[list[Line], CropReader], list[Line]]
"""Decides a page's signature block from its lines and second readings of crops."""


@dataclass
class ScanOptions:
    """How to read scans."""

    dpi: int = 300
    max_pixels: int = DEFAULT_MAX_PIXELS
    page_timeout: float = 180.0
    handwriting: bool = True
    engine: OcrEngine | None = None
    fields_only: bool = False
    signature: SignatureReconciler | None = None
    """Decides the signature block from the page's reading and crops (the document stage's
    :func:`~vn_dispatch_parser.document.second_reading.reconcile_page`, passed in by the pipeline, which also
    re-reads the trích yếu and the Nơi nhận list)."""


class PageCrops:
    """Second readings of one page's crops (:class:`~vn_dispatch_parser.core.types.CropReader`)."""

    def __init__(self, engine: OcrEngine, image: np.ndarray, page_no: int) -> None:
        self.engine, self.image, self.page_no = engine, image, page_no
        self.height, self.width = image.shape[:2]
        self._read: dict[tuple[int, int, int, int, Layout], list[Line] | None] = {}

    def read(self, x0: int, y0: int, x1: int, y1: int, *, layout: Layout = Layout.BLOCK) -> list[Line] | None:
        """The crop's lines in the page's frame (a rectangle asked for twice is read once)."""
        key = (x0, y0, x1, y1, layout)
        if key not in self._read:
            crop = self.image[y0:y1, x0:x1]
            self._read[key] = (None if crop.size == 0 else
                               recognize_at(self.engine, crop, (x0, y0), layout=layout, page_no=self.page_no))
        return self._read[key]


@dataclass
class _PageResult:
    lines: list[Line]
    marks: list[InkMark] = field(default_factory=list)
    hints: HandHints = field(default_factory=HandHints)
    blank: bool = False
    stamps: list[SignatureStamp] = field(default_factory=list)
    frame: PageFrame | None = None
    text: PageText | None = None


def _frame(page: PageImage, prep: PreparedPage, text_layer: bool) -> PageFrame:
    """The frame of the page's evidence boxes: the page as loaded (a PDF page rendered at ``page.dpi``, an
    image's own pixels), and the turn and straightening the reading applied to it (the boxes are mapped
    back from that OCR frame by :func:`_boxes_to_pages`)."""
    h, w = page.array.shape[:2]
    if text_layer:
        return PageFrame(page=page.page_no, width=w, height=h, dpi=page.dpi, boxes="page")
    return PageFrame(page=page.page_no, width=w, height=h, dpi=page.dpi, rotation=prep.rotation,
                     skew=round(prep.skew, 3), boxes="page")


UNDER_READ = 0.45
"""A page is read again when its OCR read fewer characters than this share of its letter-sized pieces of print
(:func:`~vn_dispatch_parser.image.preprocess.print_glyphs`). Measured on every page of samples/,
../shared/real and two synthetic sets: 0.59–0.87 on pages read well (a Vietnamese letter with its marks is
one to three pieces), 0–0.30 on the three pages Tesseract lost to paper grain."""


def _under_read(page: OcrPage, prep: PreparedPage, fields_only: bool) -> bool:
    """Whether the OCR read far less than the page holds (fields-only, which leaves the body out: nothing)."""
    if fields_only:
        return not page.lines
    return sum(len(w.text) for w in page.words) < UNDER_READ * print_glyphs(prep.ocr_image, prep.dpi)


SAME_LINE = 0.3
"""A second reading's line is already read when it covers this share of a first-reading line's box."""


def _filled(first: OcrPage, second: OcrPage) -> OcrPage:
    """The first reading with the second's lines where the first read nothing (a second reading fills what
    the first lost; it never replaces what the first read). ``first`` itself when nothing is added."""
    boxes = [ln.bbox for ln in first.lines if ln.bbox is not None]
    new = [ln for ln in second.lines
           if ln.bbox is not None and ln.words and not any(ln.bbox.overlap(b) > SAME_LINE for b in boxes)]
    if not new:
        return first
    return replace(first, words=[*first.words, *(w for ln in new for w in ln.words)], lines=[*first.lines, *new])


def _recognize(engine: OcrEngine, grey: np.ndarray, dpi: int, page_no: int, fields_only: bool) -> OcrPage:
    """The page's OCR: whole, or with ``fields_only`` the bands the fields come from."""
    if fields_only:
        from vn_dispatch_parser.scan.bands import field_bands, recognize_bands

        return recognize_bands(engine, grey, field_bands(grey, dpi), page_no=page_no)
    ocr_page = engine.recognize(grey, layout=Layout.PAGE, page_no=page_no)
    ocr_page.width, ocr_page.height = grey.shape[1], grey.shape[0]
    return ocr_page


def _read_page(page: PageImage, layer: TextLayerPage | None, engine: OcrEngine, opts: ScanOptions) -> _PageResult:
    prep = prepare_page(page, osd=engine.orientation)
    h, w = page.array.shape[:2]
    sw, sh = prep.sheet or (w, h)  # a photographed sheet is straightened first: the rest applies to it
    upright = (sh, sw) if prep.rotation in (90, 270) else (sw, sh)
    text = PageText(page.page_no, prep.ocr_image.shape[1], prep.ocr_image.shape[0], upright, prep.rotation,
                    prep.skew, prep.scale, blank=prep.blank, warp=prep.warp, loaded=(w, h) if prep.warp else None)
    if prep.blank:
        return _PageResult(lines=[], marks=prep.marks, blank=True, stamps=layer.signatures if layer else [],
                           frame=_frame(page, prep, False), text=text)
    if layer is not None and layer.is_text:
        ocr_page = layer.to_ocr_page()
        text = PageText(page.page_no, layer.width, layer.height, (layer.width, layer.height), text_layer=True)
    else:
        ocr_page = _recognize(engine, prep.ocr_image, prep.dpi, page.page_no, opts.fields_only)
        if _under_read(ocr_page, prep, opts.fields_only):
            # far less text read than the page's print holds: grainy paper (normalize_contrast says how)
            ocr_image = normalize_contrast(prep.ocr_image, prep.dpi)
            again = _recognize(engine, ocr_image, prep.dpi, page.page_no, opts.fields_only)
            merged = _filled(ocr_page, again)
            if merged is not ocr_page:
                log.info("page %d: little text read; what was lost read again with the paper's grain evened out",
                         page.page_no)
                if len(merged.lines) > 2 * len(ocr_page.lines):  # most lines from the second reading: crops
                    prep = replace(prep, ocr_image=ocr_image)  # re-read later come from its image too
                ocr_page = merged
    # the e-signature / relay stamps are images on a scanned page: their OCR text is not the document's
    boxes = [s.bbox for s in layer.signatures if s.bbox is not None] if layer is not None and not layer.is_text else []
    den_box = incoming_stamp_box(prep.marks, boxes, prep.image.shape[0], prep.dpi)
    den = read_den_stamp(prep.image, den_box, engine, page.page_no, prep.dpi) if den_box is not None else None
    extra = stamp_lines(prep.image, prep.marks, engine, page.page_no, prep.dpi, skip=den_box)
    if den is not None:
        extra = den.lines + ([Line("", page=page.page_no, zone=Zone.INCOMING_STAMP)] if extra else []) + extra
    lines = lines_from_ocr(ocr_page, extra_top=extra, stamp_boxes=boxes, mark_boxes=mark_boxes(extra))
    if not ocr_page.text_layer and opts.signature is not None:
        lines = opts.signature(lines, PageCrops(engine, prep.ocr_image, page.page_no))
    hints = (read_hints(lines, prep.image, prep.dpi, engine.read_digits)
             if opts.handwriting and not ocr_page.text_layer else HandHints())
    hints.page = page.page_no
    hints.stamp_box = den_box
    if den is not None:
        hints.stamp_receiver, hints.stamp_receiver_conf = den.receiver, den.receiver_conf
        if opts.handwriting:
            hints.stamp_number, hints.stamp_date = den.number, den.date
    text.lines = lines
    return _PageResult(lines=lines, marks=prep.marks, hints=hints, stamps=layer.signatures if layer else [],
                       frame=_frame(page, prep, bool(ocr_page.text_layer)), text=text)


def lines_from_ocr(ocr_page: OcrPage, *, extra_top: list[Line] | None = None,
                   stamp_boxes: list[BBox] | None = None, mark_boxes: list[BBox] | None = None) -> list[Line]:
    """From one page's OCR words to ordered, zoned, normalised lines (no image needed: testable on
    recorded OCR output). Lines over ``stamp_boxes`` are left out, and lines lying mostly inside
    ``mark_boxes`` (a KHẨN / MẬT mark read from its own box: the page's reading of it is a scrap)."""
    ocr_page = _normalized(ocr_page)
    if stamp_boxes or mark_boxes:
        keep = [ln for ln in ocr_page.lines
                if ln.bbox is None or not (any(ln.bbox.overlap(b) > 0.5 for b in stamp_boxes or [])
                                           or any(ln.bbox.share_inside(b) > 0.5 for b in mark_boxes or []))]
        ocr_page = replace(ocr_page, lines=keep)
    lines = arrange_page(ocr_page, extra_top=extra_top)
    if not ocr_page.text_layer:
        lines = [_corrected(ln) for ln in lines]
    return lines


def mark_boxes(extra: list[Line]) -> list[BBox]:
    """The boxes of the KHẨN / MẬT marks among the stamp lines (each read against the closed list of marks)."""
    return [ln.bbox for ln in extra if ln.bbox is not None and ln.text in marks_vocabulary()]


def _normalized(page: OcrPage) -> OcrPage:
    """Normalise every word once, at the boundary (NFC, Ð → Đ, tone placement, dashes)."""
    words = [replace(w, text=t) for w in page.words if (t := normalize_line(w.text))]
    lines = []
    for ln in page.lines:
        ws = tuple(replace(w, text=t) for w in ln.words if (t := normalize_line(w.text)))
        text = " ".join(w.text for w in ws) if ln.words else normalize_line(ln.text)
        if text:
            lines.append(replace(ln, text=text, words=ws))
    return replace(page, words=words, lines=lines)


def _corrected(line: Line) -> Line:
    """Restore OCR-dropped diacritics from the lexicon and split syllables OCR ran together ("SỞGIÁODỤC");
    each change lowers the line's confidence a little."""
    text, n = correct_text(line.text)
    text, runs = split_runs(text)
    n += runs
    if not n:
        return line
    return replace(line, text=text, conf=(line.conf if line.conf is not None else 1.0) * CONF.lexicon_correction**n)


def _render_dpi(probe: InputProbe, dpi: int, layers: list[TextLayerPage] | None) -> dict[int, int]:
    """Render a scanned page at its scan's own resolution when that is lower than ``dpi``.

    Measured on the real scans: OCR of a 150-dpi scan rendered at 150 reads as well as (slightly better
    than) the same scan rendered at 300, for about a third less OCR time; scans under 100 dpi are upscaled
    by the preprocessing anyway. Born-digital pages keep ``dpi``.
    """
    native = scan_resolution(probe.path, probe.pdf_pages, rows=probe.pdf_images)
    out = {}
    for page, ppi in native.items():
        if layers and page <= len(layers) and layers[page - 1].is_text:
            continue
        if 72 <= ppi < dpi:
            out[page] = max(150, int(ppi))  # never below 150: Tesseract needs the x-height
    return out


def _rescaled(layer: TextLayerPage, factor: float) -> TextLayerPage:
    """The text layer's stamp boxes in the frame of a page rendered at another resolution."""
    def scale(b: BBox | None) -> BBox | None:
        return None if b is None else BBox(*(int(v * factor) for v in b.as_list()))

    return replace(layer, signatures=[replace(s, bbox=scale(s.bbox)) for s in layer.signatures])


PageReading = tuple[int, _PageResult]
"""One page's number and readings: what a page task on a cluster returns (picklable)."""


def read_scan_pages(path: str | Path, *, dpi: int = 300, engine: OcrEngine | None = None,
                    max_pixels: int = DEFAULT_MAX_PIXELS, handwriting: bool = True, fields_only: bool = False,
                    only: Collection[int] | None = None, signature: SignatureReconciler | None = None,
                    probe: InputProbe | None = None) -> list[PageReading]:
    """Read the pages of a scan (``only`` these page numbers of a PDF, when given), each on its own: the
    pages of a long PDF can be read by different workers and joined by
    :func:`vn_dispatch_parser.pipeline.join_scan`. ``probe``: the
    file's :class:`~vn_dispatch_parser.image.load.InputProbe` (probed here when None)."""
    p = Path(path)
    probe = probe.check(p) if probe is not None else probe_input(p)
    opts = ScanOptions(dpi=dpi, max_pixels=max_pixels, handwriting=handwriting, fields_only=fields_only,
                       signature=signature)
    if engine is None:
        from vn_dispatch_parser.ocr.capi import default_engine

        engine = default_engine()
    layers = pdf_text_layer(p, dpi=dpi, probe=probe) if probe.is_pdf else None
    render = _render_dpi(probe, dpi, layers) if probe.is_pdf else {}
    readings: list[PageReading] = []
    for page in iter_pages(p, dpi=dpi, max_pixels=max_pixels, page_dpi=render, only=only, probe=probe):
        layer = layers[page.page_no - 1] if layers and page.page_no <= len(layers) else None
        if layer is not None and page.dpi != dpi:
            layer = _rescaled(layer, page.dpi / dpi)
        readings.append((page.page_no, _read_page(page, layer, engine, opts)))
        del page  # the page's pixels go before the next page is rendered, not after
    return readings


@dataclass
class ScanReadings:
    """What the pages of a scan gave, in page order, for the document stage to build records from."""

    lines: list[Line] = field(default_factory=list)
    seal_pages: set[int] = field(default_factory=set)
    hints: dict[int, HandHints] = field(default_factory=dict)
    stamps: list[SignatureStamp] = field(default_factory=list)
    frames: list[PageFrame] = field(default_factory=list)
    texts: dict[int, PageText] = field(default_factory=dict)
    pages: int = 0
    blank: int = 0

    @property
    def signature_text(self) -> str:
        """The text of the e-signature stamp (a relay stamp when there is none) of the first page with one."""
        signed = [s for s in self.stamps if s.kind == "signature"] or self.stamps
        return signed[0].text if signed else ""


def collect(path: str | Path, readings: list[PageReading]) -> ScanReadings:
    """The readings of all pages of a scan (in any order) put together; :class:`EmptyDocumentError`
    when every page is blank."""
    out = ScanReadings()
    for page_no, res in sorted(readings, key=lambda r: r[0]):
        out.pages += 1
        out.blank += res.blank
        if any(m.kind == "seal" for m in res.marks):
            out.seal_pages.add(page_no)
        out.hints[page_no] = res.hints
        out.stamps.extend(res.stamps)
        if res.text is not None:
            out.texts[page_no] = res.text
        if res.frame is not None:
            out.frames.append(res.frame)
        if out.lines and res.lines:
            out.lines.append(Line("", page=page_no))
        out.lines.extend(res.lines)
    if out.pages and out.blank == out.pages:
        raise EmptyDocumentError(f"all {out.pages} page(s) are blank", Path(path))
    return out
