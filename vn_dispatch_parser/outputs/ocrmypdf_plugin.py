"""An OCRmyPDF plugin whose OCR engine hands back what this program already read (no second OCR pass).

OCRmyPDF loads this module by name (``plugins=["vn_dispatch_parser.outputs.ocrmypdf_plugin"]``). Before a run,
:func:`vn_dispatch_parser.outputs.searchable.write_searchable_pdf` registers the pages read by the pipeline
(:class:`~vn_dispatch_parser.core.types.PageText`) under the input's path; the engine then answers OCRmyPDF's
questions from them:

* ``get_orientation``: the rotation the pipeline applied to the page, so OCRmyPDF sets ``/Rotate``;
* ``generate_ocr``: the page's lines and words, with the lexicon-corrected text, their boxes mapped from
  the pipeline's OCR frame (turned, straightened, upscaled) to the image OCRmyPDF rendered.

OCRmyPDF must run in this process (``use_threads=True``), which is how ``write_searchable_pdf`` calls it.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocrmypdf import hookimpl
from ocrmypdf.hocrtransform import BoundingBox, OcrClass, OcrElement
from ocrmypdf.pluginspec import OcrEngine, OrientationConfidence
from PIL import Image

from vn_dispatch_parser.core.types import BBox, PageText
from vn_dispatch_parser.records import PIPELINE_VERSION

if TYPE_CHECKING:
    from ocrmypdf._options import OcrOptions

__all__ = ["RecordOcrEngine", "clear_pages", "register_pages", "to_image_frame"]

_LOCK = threading.Lock()
_PAGES: dict[str, dict[int, PageText]] = {}


def _key(path: Any) -> str:
    return str(Path(str(path)).resolve())


def register_pages(input_file: str | Path, pages: list[PageText]) -> None:
    """Make ``pages`` (read from ``input_file``) what the engine answers for that input."""
    with _LOCK:
        _PAGES[_key(input_file)] = {p.page_no: p for p in pages}


def clear_pages(input_file: str | Path) -> None:
    """Forget the pages of ``input_file``."""
    with _LOCK:
        _PAGES.pop(_key(input_file), None)


def _page(options: OcrOptions, page_no: int) -> PageText | None:
    with _LOCK:
        return _PAGES.get(_key(options.input_file), {}).get(page_no)


def to_image_frame(page: PageText, box: BBox, size: tuple[int, int]) -> tuple[float, float, float, float]:
    """Map a box from the pipeline's OCR frame to an upright image of ``size`` (OCRmyPDF's page image).

    The box is taken back to the upright page (:meth:`~vn_dispatch_parser.types.PageText.to_upright`) and
    scaled to ``size``.

    >>> p = PageText(1, 200, 100, (100, 50), scale=2.0)
    >>> to_image_frame(p, BBox(20, 10, 60, 30), (300, 150))
    (30.0, 15.0, 90.0, 45.0)
    """
    if page.warp is not None and page.loaded is not None:  # a straightened photo: OCRmyPDF shows the photo
        (uw, uh), (x0u, y0u, x1u, y1u) = _photo_upright(page, page.to_page(box))
    else:
        uw, uh = page.upright
        x0u, y0u, x1u, y1u = page.to_upright(box)
    fx, fy = size[0] / uw, size[1] / uh
    x0, x1 = max(0.0, x0u * fx), min(size[0], x1u * fx)
    y0, y1 = max(0.0, y0u * fy), min(size[1], y1u * fy)
    return (round(x0, 2), round(y0, 2), round(max(x0, x1), 2), round(max(y0, y1), 2))


def _photo_upright(page: PageText, b: BBox) -> tuple[tuple[int, int], tuple[float, float, float, float]]:
    """A box of a photo as loaded in the photo turned upright by ``page.rotation`` (clockwise), and that size."""
    w, h = page.loaded or page.page_size
    if page.rotation == 90:
        return (h, w), (h - b.y1, b.x0, h - b.y0, b.x1)
    if page.rotation == 180:
        return (w, h), (w - b.x1, h - b.y1, w - b.x0, h - b.y0)
    if page.rotation == 270:
        return (h, w), (b.y0, w - b.x1, b.y1, w - b.x0)
    return (w, h), (b.x0, b.y0, b.x1, b.y1)


def _words(line: Any) -> list[tuple[str, BBox]]:
    """A line's words with boxes: the corrected line text on the OCR word boxes when the counts agree,
    else the words as OCR'd, else the line's text spread over its box in proportion to word lengths."""
    tokens = line.text.split()
    boxes = [w.bbox for w in line.words]
    if boxes and len(boxes) == len(tokens):
        return list(zip(tokens, boxes, strict=True))
    if boxes:
        return [(w.text, w.bbox) for w in line.words if w.text.strip()]
    if line.bbox is None or not tokens:
        return []
    total = sum(len(t) + 1 for t in tokens)
    out, x = [], float(line.bbox.x0)
    for t in tokens:
        w = line.bbox.width * len(t) / total
        out.append((t, BBox(int(x), line.bbox.y0, int(x + w), line.bbox.y1)))
        x += line.bbox.width * (len(t) + 1) / total
    return out


def page_element(page: PageText | None, size: tuple[int, int], dpi: float, page_number: int) -> tuple[OcrElement, str]:
    """The OcrElement tree (page → lines → words) of a page, in an image of ``size``, and its text."""
    root = OcrElement(ocr_class=OcrClass.PAGE, bbox=BoundingBox(left=0, top=0, right=size[0], bottom=size[1]),
                      dpi=dpi, page_number=page_number)
    texts: list[str] = []
    for line in page.lines if page is not None else []:
        words = []
        for text, box in _words(line):
            x0, y0, x1, y1 = to_image_frame(page, box, size)  # type: ignore[arg-type]
            if x1 <= x0 or y1 <= y0:
                continue
            words.append(OcrElement(ocr_class=OcrClass.WORD, text=text,
                                    bbox=BoundingBox(left=x0, top=y0, right=x1, bottom=y1)))
        if not words:
            continue
        boxes = [w.bbox for w in words if w.bbox is not None]
        lb = BoundingBox(left=min(b.left for b in boxes), top=min(b.top for b in boxes),
                         right=max(b.right for b in boxes), bottom=max(b.bottom for b in boxes))
        root.children.append(OcrElement(ocr_class=OcrClass.LINE, bbox=lb, children=words))
        texts.append(" ".join(w.text or "" for w in words))
    return root, "\n".join(texts) + ("\n" if texts else "")


class RecordOcrEngine(OcrEngine):
    """OCRmyPDF engine that returns the pipeline's own reading of each page."""

    @staticmethod
    def version() -> str:
        return PIPELINE_VERSION

    @staticmethod
    def creator_tag(options: OcrOptions) -> str:
        return f"vn-dispatch-parser {PIPELINE_VERSION} (Tesseract vie)"

    def __str__(self) -> str:
        return f"vn-dispatch-parser {PIPELINE_VERSION}"

    @staticmethod
    def languages(options: OcrOptions) -> set[str]:
        return {"vie", "eng"}

    @staticmethod
    def get_orientation(input_file: Path, options: OcrOptions) -> OrientationConfidence:
        # OCRmyPDF names a page's intermediates "000001_…" (1-based page number)
        m = re.match(r"(\d{6})_", Path(input_file).name)
        page = _page(options, int(m[1])) if m else None
        if page is None or not page.rotation:
            return OrientationConfidence(angle=0, confidence=0.0)
        # the pipeline turned the page ``rotation`` degrees clockwise; OCRmyPDF wants the page's own turn
        return OrientationConfidence(angle=(360 - page.rotation) % 360, confidence=15.0)

    @staticmethod
    def get_deskew(input_file: Path, options: OcrOptions) -> float:
        return 0.0

    @staticmethod
    def supports_generate_ocr() -> bool:
        return True

    @staticmethod
    def generate_ocr(input_file: Path, options: OcrOptions, page_number: int = 0) -> tuple[OcrElement, str]:
        with Image.open(input_file) as img:
            size = img.size
            dpi = img.info.get("dpi", (300, 300))
        return page_element(_page(options, page_number + 1), size, float(dpi[0] if isinstance(dpi, tuple) else dpi),
                            page_number)

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: OcrOptions) -> None:
        raise NotImplementedError("vn-dispatch-parser's engine gives OcrElement trees (generate_ocr)")

    @staticmethod
    def generate_pdf(input_file: Path, output_pdf: Path, output_text: Path, options: OcrOptions) -> None:
        raise NotImplementedError("vn-dispatch-parser's engine gives OcrElement trees (generate_ocr)")


@hookimpl
def get_ocr_engine(options: Any) -> OcrEngine:
    """Always this engine: the plugin is only loaded by ``write_searchable_pdf``."""
    return RecordOcrEngine()
