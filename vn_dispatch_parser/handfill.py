"""Hand-written number and day (issue: most paper dispatches get their number after signing).

The printed line reads "Số:      /UBND-VX" and "Quảng Ngãi, ngày    tháng 01 năm 2025"; the number and the
day are written by hand, often in coloured ink. We take the blank between "Số:" and "/" and between "ngày"
and "tháng" from the OCR word boxes and read the ink there with the digit reader. The readings become hints
that the field parsers use when the printed OCR has no (or a doubtful) value, with the reader's confidence,
so an uncertain reading is flagged for review rather than silently kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import regex

from .types import BBox, Line, OcrWord, Zone

__all__ = ["HandHints", "HandReading", "read_hints"]

log = logging.getLogger(__name__)
_SO_WORD = regex.compile(r"^S[ốoô6ổóò]\s*[:;.]?", regex.IGNORECASE)
_NGAY = regex.compile(r"ng[àa]y", regex.IGNORECASE)
_THANG = regex.compile(r"th[áa]ng", regex.IGNORECASE)


@dataclass(frozen=True)
class HandReading:
    """Digits read from ink, with the reader's confidence and where."""

    text: str
    conf: float
    page: int
    bbox: BBox | None
    printed: str | None = None  # what the printed-text OCR had there, if anything


@dataclass
class HandHints:
    """Hand-written readings of one page."""

    number: HandReading | None = None
    day: HandReading | None = None
    stamp_box: BBox | None = None  # a framed ĐẾN-like stamp seen on the page whose text could not be read
    page: int = 1


def _char_x(word: OcrWord, index: int) -> int:
    """Approximate x of a character inside a word box (proportional to its index)."""
    n = max(1, len(word.text))
    return int(word.bbox.x0 + word.bbox.width * index / n)


def _number_region(line: Line) -> tuple[tuple[int, int, int, int], str | None] | None:
    words = list(line.words)
    for i, w in enumerate(words):
        if not _SO_WORD.match(w.text):
            continue
        m = _SO_WORD.match(w.text)
        assert m is not None
        x0 = _char_x(w, m.end()) if len(w.text) > m.end() else w.bbox.x1
        slash_x = None
        printed = []
        for v in words[i:]:
            k = v.text.find("/")
            if k >= 0:
                slash_x = _char_x(v, k)
                pre = v.text[:k]
                if v is w:
                    pre = pre[m.end():]
                printed.append(pre)
                break
            if v is not w:
                printed.append(v.text)
        if slash_x is None:
            return None
        h = line.bbox.height if line.bbox else w.bbox.height
        region = (x0, max(0, w.bbox.y0 - int(0.9 * h)), max(x0 + 1, slash_x + int(0.15 * h)), w.bbox.y1 + int(0.6 * h))
        text = "".join(printed).strip()
        return region, (text or None)
    return None


def _day_region(line: Line) -> tuple[tuple[int, int, int, int], str | None] | None:
    words = list(line.words)
    for i, w in enumerate(words):
        if not _NGAY.search(w.text):
            continue
        for j in range(i + 1, min(len(words), i + 4)):
            if _THANG.search(words[j].text):
                h = line.bbox.height if line.bbox else w.bbox.height
                x0 = w.bbox.x1 if w.text.lower().endswith(("ngày", "ngay")) else _char_x(w, 4)
                x1 = words[j].bbox.x0
                printed = "".join(x.text for x in words[i + 1 : j]).strip() or None
                if x1 <= x0:
                    return None
                return (x0, max(0, w.bbox.y0 - int(0.9 * h)), x1, w.bbox.y1 + int(0.6 * h)), printed
        break
    return None


def read_hints(lines: list[Line], img: np.ndarray, dpi: int) -> HandHints:
    """Read the hand-written number and day of a page whose header is in ``lines``."""
    from .handwriting import read_handwritten_digits

    hints = HandHints()
    left = [ln for ln in lines if ln.zone in (Zone.HEADER_LEFT,) and ln.words]
    right = [ln for ln in lines if ln.zone in (Zone.HEADER_RIGHT,) and ln.words]
    for ln in left:
        found = _number_region(ln)
        if found is None:
            continue
        region, printed = found
        try:
            r = read_handwritten_digits(img, region, max_digits=6)
        except Exception as e:  # a reader failure must not lose the page
            log.warning("hand-written number reader failed: %s", e)
            break
        if r.text:
            bbox = BBox(*r.bbox) if r.bbox else BBox(*region)
            hints.number = HandReading(r.text, float(r.conf), ln.page, bbox, printed)
        break
    for ln in right:
        found = _day_region(ln)
        if found is None:
            continue
        region, printed = found
        try:
            r = read_handwritten_digits(img, region, max_digits=2)
        except Exception as e:
            log.warning("hand-written day reader failed: %s", e)
            break
        if r.text and 1 <= int(r.text) <= 31:
            bbox = BBox(*r.bbox) if r.bbox else BBox(*region)
            hints.day = HandReading(r.text, float(r.conf), ln.page, bbox, printed)
        break
    return hints
