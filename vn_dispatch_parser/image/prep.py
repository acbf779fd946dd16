"""Per-page preparation for OCR: orientation, deskew, borders, upscaling (``preprocess``), coloured-ink
separation, seals and stamps (``ink``), in one frame: every box found refers to the OCR image; and a line
cut from the page, scaled for reading on its own (:func:`to_height`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from vn_dispatch_parser.core.types import InkMark, PageImage
from vn_dispatch_parser.image import frames, ink
from vn_dispatch_parser.image.perspective import straighten_sheet
from vn_dispatch_parser.image.preprocess import OrientationFn, flatten_background, guess_dpi, prepare_for_ocr

__all__ = ["PreparedPage", "prepare_page", "to_height"]


@dataclass
class PreparedPage:
    """A page ready for OCR.

    ``image`` is the page (colour when it has colour) turned, straightened and scaled like ``ocr_image``, the
    grey image with coloured ink whitened that the printed-text OCR reads; ``dpi`` is their resolution.
    """

    image: np.ndarray
    ocr_image: np.ndarray
    dpi: int
    marks: list[InkMark] = field(default_factory=list)
    blank: bool = False
    steps: list[str] = field(default_factory=list)
    rotation: int = 0  # clockwise degrees applied to turn the page upright
    skew: float = 0.0  # degrees straightened (counter-clockwise positive)
    scale: float = 1.0  # upscaling factor
    warp: tuple[float, ...] | None = None  # homography (row-major 3 x 3) from a photo to its straightened sheet
    sheet: tuple[int, int] | None = None  # (width, height) of that sheet, the page the rest applies to


def prepare_page(page: PageImage, *, osd: OrientationFn | None = None) -> PreparedPage:
    """Prepare one page; marks (seals, stamps, hand-writing) are located on the prepared frame. ``osd`` (the
    OCR engine's ``orientation``) decides a page's orientation when the image checks are unsure. A phone
    photo of a sheet on a desk is first cut to the sheet and seen square on (:mod:`.perspective`); the sheet
    is the page (A4, NĐ 30), so its size gives its resolution."""
    sheet = straighten_sheet(page.array)
    array, dpi = (page.array, page.dpi) if sheet is None else (sheet.image, guess_dpi(sheet.image.shape))
    grey, info = prepare_for_ocr(array, dpi, osd=osd)
    if sheet is not None:
        info.steps.insert(0, f"sheet ({sheet.area:.0%} of the photo) straightened")
    image = info.color if info.color is not None else grey
    marks: list[InkMark] = []
    if not info.blank:
        seals = ink.find_seals(image, info.dpi_out, page.page_no)
        marks += seals
        if info.color is not None:  # seal fragments are not hand-writing: keep them out
            marks += ink.find_ink_marks(info.color, info.dpi_out, page.page_no, exclude=[s.bbox for s in seals])
        marks += frames.find_stamp_boxes(image, info.dpi_out, page.page_no)
    # uneven paper is evened out for the OCR only: the marks' detectors and readers work on the page as
    # scanned (a grey seal's rim keeps its darkness there)
    ocr_image = grey if info.blank else flatten_background(grey, info.dpi_out)
    if ocr_image is not grey:
        info.steps.append("flatten")
    return PreparedPage(image=image, ocr_image=ocr_image, dpi=info.dpi_out, marks=marks, blank=info.blank,
                        steps=info.steps, rotation=info.rotation, skew=info.skew, scale=info.scale,
                        warp=None if sheet is None else tuple(float(v) for v in sheet.warp.ravel()),
                        sheet=None if sheet is None else (sheet.image.shape[1], sheet.image.shape[0]))


def to_height(img: np.ndarray, height: int, *, margin: int, value: int = 255, measured: int | None = None,
              lowest: float = 0.0, highest: float = float("inf"), interpolation: int = cv2.INTER_CUBIC) -> np.ndarray:
    """``img`` (one line of print or of digits, read on its own) scaled so that its height, or the ``measured``
    height of its ink, becomes ``height`` px, the factor kept within ``lowest``–``highest``, in a border of
    ``margin`` px of level ``value``: Tesseract reads small print best at a fixed size, and finds a line's
    baseline badly when its ink touches the edge."""
    s = min(highest, max(lowest, height / max(measured if measured is not None else img.shape[0], 1)))
    if s != 1.0:
        img = cv2.resize(img, None, fx=s, fy=s, interpolation=interpolation)
    return cv2.copyMakeBorder(img, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=value)
