"""Per-page preprocessing for OCR: blank check, coloured-ink separation, seals and stamps."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from . import ink
from .types import InkMark, PageImage

__all__ = ["PreparedPage", "prepare_page"]


@dataclass
class PreparedPage:
    """A page ready for OCR: the colour image, the grey image for printed text, and its marks."""

    image: np.ndarray
    ocr_image: np.ndarray
    marks: list[InkMark] = field(default_factory=list)
    blank: bool = False


def _is_blank(grey: np.ndarray) -> bool:
    small = cv2.resize(grey, (max(1, grey.shape[1] // 4), max(1, grey.shape[0] // 4)), interpolation=cv2.INTER_AREA)
    dark = small < 128
    return float(dark.mean()) < 0.002


def prepare_page(page: PageImage) -> PreparedPage:
    """Separate coloured ink from print, find seals and stamps, and say whether the page is blank."""
    img = page.array
    grey = ink.remove_color_ink(img)
    marks = ink.find_ink_marks(img, page.dpi, page.page_no) + ink.find_seals(img, page.dpi, page.page_no)
    marks += ink.find_stamp_boxes(img, page.dpi, page.page_no)
    return PreparedPage(image=img, ocr_image=grey, marks=marks, blank=_is_blank(grey))
