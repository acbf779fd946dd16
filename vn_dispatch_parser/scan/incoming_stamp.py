"""Reading a ĐẾN stamp (nd30.md §4.1) from its own crop: the receiving office, số đến and ngày đến.

The stamp is a ruled box, pressed by hand (often 2–5° off) in pale red, violet, blue or grey ink, and its
values are written by hand::

    ┌──────────────────────────────────┐
    │      BỆNH VIỆN ĐA KHOA LẠNG SƠN  │   receiver (printed)
    ├──────┬───────────────────────────┤
    │      │ Số:   5616                │   số đến (hand)
    │ ĐẾN  │ Ngày: 13/12/25            │   ngày đến (hand)
    ├──────┴───────────────────────────┤
    │ Chuyển: …                        │
    │ Số và ký hiệu HS: …              │
    └──────────────────────────────────┘

The crop is levelled on its own rules, the rules are whitened, the printed text is OCR'd (the receiver is
the line above the first inner rule) and the two cells right of "ĐẾN" are read with the digit model. A date
is read as glyphs: a slash looks like a 1 (or like nothing the model knows), so every split of the glyphs
into day / month [/ year] is scored, and the valid dates are ranked; the caller keeps the best one that fits
the document's own date (a letter is received on or after it is issued).
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import combinations

import cv2
import numpy as np
import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.lines import letters
from vn_dispatch_parser.core.types import BBox, HandReading, Layout, Line, Zone
from vn_dispatch_parser.core.vocab import NGAY, SO_CELL
from vn_dispatch_parser.errors import MissingDependencyError
from vn_dispatch_parser.image.digits import REJECT, GlyphGuess, read_glyphs, read_handwritten_digits
from vn_dispatch_parser.image.prep import to_height
from vn_dispatch_parser.image.preprocess import estimate_skew, rotate
from vn_dispatch_parser.ocr.engine import OcrEngine, recognize_at

__all__ = ["StampReading", "date_options", "read_den_stamp"]

log = logging.getLogger(__name__)

#: Tilts below this (degrees) are left alone.
_MIN_TILT = 0.3
#: Where the hand-written values start in their cell when the printed labels are not read: "Số:" ends at
#: ~20 % of the cell right of "ĐẾN", "Ngày:" at ~29 % (measured on the ĐẾN stamps of samples/).
_NUMBER_FROM, _DATE_FROM = 0.2, 0.29
_SO = regex.compile(rf"^{SO_CELL}[:;.]?$", regex.IGNORECASE)
_NGAY = regex.compile(rf"^{NGAY}[:;.]?$", regex.IGNORECASE)
_MAX_GLYPHS = 12


@dataclass
class StampReading:
    """What was read in one ĐẾN stamp; boxes are in the page's frame."""

    lines: list[Line] = field(default_factory=list)
    receiver: str | None = None
    receiver_conf: float = 0.0  # the OCR's confidence in the receiver line
    number: HandReading | None = None
    date: HandReading | None = None


def _runs(values: np.ndarray, gap: int = 3) -> list[int]:
    """Centres of runs of indexes no more than ``gap`` apart."""
    out: list[list[int]] = []
    for v in values.tolist():
        if out and v - out[-1][-1] <= gap:
            out[-1].append(v)
        else:
            out.append([v])
    return [int(np.mean(g)) for g in out]


def _grid(ink: np.ndarray) -> tuple[list[int], list[int], np.ndarray]:
    """Rows (y of horizontal rules ≥ 40 % of the width), columns (x of vertical rules ≥ 30 % of the height)
    and the mask of all rules."""
    h, w = ink.shape
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, max(3, int(0.4 * w))), np.uint8))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(3, int(0.3 * h)), 1), np.uint8))
    ys = _runs(np.flatnonzero(horiz.max(axis=1)))
    xs = _runs(np.flatnonzero(vert.max(axis=0)))
    return ys, xs, cv2.bitwise_or(horiz, vert)


def _text_rows(ink: np.ndarray, dpi: int) -> list[tuple[int, int]]:
    """Bands of rows with ink (y0, y1) at least 2 mm tall, split at gaps of ≥ 0.5 mm."""
    if ink.size == 0:
        return []
    mm = dpi / 25.4
    on = (ink > 128).sum(axis=1) > max(2, 0.01 * ink.shape[1])
    bands: list[list[int]] = []
    for y in np.flatnonzero(on).tolist():
        if bands and y - bands[-1][1] <= max(1, int(0.5 * mm)):
            bands[-1][1] = y
        else:
            bands.append([y, y])
    return [(a, b + 1) for a, b in bands if b - a >= 2 * mm]


def read_den_stamp(img: np.ndarray, box: BBox, engine: OcrEngine, page_no: int, dpi: int) -> StampReading:
    """Read the ĐẾN stamp inside ``box`` of the page image ``img`` (BGR or grey)."""
    pad = int(dpi / 25.4)
    x0, y0 = max(0, box.x0 - pad), max(0, box.y0 - pad)
    x1, y1 = min(img.shape[1], box.x1 + pad), min(img.shape[0], box.y1 + pad)
    region = img[y0:y1, x0:x1]
    grey = region.min(axis=2) if region.ndim == 3 else region  # any ink is dark in its darkest channel
    grey = cv2.normalize(grey, None, 0, 255, cv2.NORM_MINMAX)  # type: ignore[call-overload]
    tilt = estimate_skew(grey, dpi, max_angle=6.0)
    level = rotate(grey, -tilt) if abs(tilt) >= _MIN_TILT else grey
    ink = cv2.threshold(255 - level, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    ys, xs, rules = _grid(ink)
    clean = level.copy()
    clean[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = 255
    h, w = clean.shape

    def to_page(b: BBox) -> BBox:  # the tilt is small: shifting is close enough for evidence
        return BBox(b.x0 + x0, b.y0 + y0, b.x1 + x0, b.y1 + y0)

    printed = [ln for ln in recognize_at(engine, clean, (0, 0), layout=Layout.BLOCK, page_no=page_no) if (ln.conf or 0) >= CONF.stamp_printed_min]
    frame_top = ys[0] if ys and ys[0] < 0.2 * h else 0
    inner = [y for y in ys if frame_top < y < 0.8 * h]
    # rows: [top rule] receiver [rule] Số / Ngày [rule] Chuyển, HS [bottom]; a stamp without a receiver row
    # has one inner rule, under the Số / Ngày block
    if len(inner) >= 2:
        r1, r2 = inner[0], inner[1]
    elif len(inner) == 1 and inner[0] > 0.45 * h:
        r1, r2 = frame_top, inner[0]
    else:
        r1, r2 = int(0.25 * h), int(0.62 * h)
    div = next((x for x in xs if 0.12 * w < x < 0.45 * w), int(0.25 * w))
    right = next((x for x in reversed(xs) if x > 0.8 * w), w)
    mid = (r1 + r2) // 2
    rows = _text_rows(255 - clean[r1:r2, div:right], dpi)
    if len(rows) >= 3:  # "Số", "Ngày" and "Chuyển" share the cell right of "ĐẾN" (no rule under "Ngày")
        (a0, a1), (b0, b1) = rows[0], rows[1]
        r1, mid, r2 = r1 + a0, r1 + (a1 + b0) // 2, r1 + b1
    cell = max(1, right - div)

    out = StampReading(lines=[replace(ln, zone=Zone.INCOMING_STAMP, bbox=to_page(ln.bbox) if ln.bbox else None,
                                      words=tuple(replace(wd, bbox=to_page(wd.bbox)) for wd in ln.words))
                              for ln in printed])
    if r1 > frame_top:
        # the lines between the frame's top and the first inner rule; a frame pressed over its own top row
        # (the rule found runs through the name) still has the name's lower half below it
        left = next((x for x in xs if x < 0.12 * w), 0)
        row = clean[frame_top + 2: r1 - 1, left + 3: right - 3] if r1 > frame_top + 0.1 * h else clean[:0]
        out.receiver, out.receiver_conf = _receiver(
            [ln for ln in printed if ln.bbox is not None and ln.bbox.cy < r1 and ln.bbox.y1 > frame_top + 2],
            lambda: _reread_row(engine, row, page_no))

    def label_end(pattern: regex.Pattern[str], lo: int, hi: int, share: float) -> int:
        for ln in printed:
            for wd in ln.words:
                if pattern.match(wd.text) and lo <= wd.bbox.cy <= hi and wd.bbox.x0 >= div - 5:
                    return wd.bbox.x1 + 2
        return div + int(share * cell)

    number_box = (label_end(_SO, r1, mid, _NUMBER_FROM), r1 + 2, right - 3, mid)
    date_box = (label_end(_NGAY, mid, r2, _DATE_FROM), mid, right - 3, r2 - 2)
    try:
        num = read_handwritten_digits(clean, number_box, max_digits=7, witness=None)
        if num.text:
            # a glyph in the cell the model calls "not a digit" (dropped at an end of the row) is often a
            # digit it could not read: the number may be short
            unknown = any(g.probs[REJECT] > 0.5 for g in read_glyphs(clean, number_box))
            conf = float(num.conf) * (CONF.stamp_digit_unknown if unknown else 1.0)
            out.number = HandReading(num.text, conf, page_no, to_page(BBox(*(num.bbox or number_box))))
        options = date_options(read_glyphs(clean, date_box))
        if options:
            out.date = HandReading(options[0][0], options[0][1], page_no, to_page(BBox(*date_box)),
                                   options=tuple(options))
    except MissingDependencyError:
        raise  # no digit model: an error, never a reading without it
    except Exception as e:  # a reader failure must not lose the page
        log.warning("ĐẾN stamp reader failed: %s", e)
    return out


RECEIVER_LETTERS = 6
"""A receiver row read with fewer letters than this is the stamp's ink noise, not a body's name."""
RECEIVER_CAPS = 0.6
"""The receiver row is printed in capitals (nd30.md §4.1): a reading whose letters are at least this share
capitals is that row with a few small letters misread (c, o, u, v, s, x look alike in both cases)."""
ROW_HEIGHT = 48
"""Pixels the receiver row's ink (capitals and their marks) is scaled to for its own reading: the stamp's
small print is 8–15 px high in a 120–150 dpi scan, under the ~20 px x-height Tesseract reads best."""
MAX_ROW_SCALE = 4.0
"""At most this much larger: a row of 12 px or more reaches ROW_HEIGHT; smaller ink is a speck, not print."""
ROW_MARGIN = 20
"""White pixels around the scaled row: Tesseract finds a line's baseline badly when its ink touches the edge."""


def _receiver(top: list[Line], reread: Callable[[], list[Line]]) -> tuple[str | None, float]:
    """The receiving body's name from the lines read above the stamp's first inner rule (``top``), or, when
    they hold none, from the row read again on its own (``reread``, only then); with its OCR confidence."""
    return (_caps_row(top) or _caps_row([ln for ln in reread() if (ln.conf or 0) >= CONF.stamp_printed_min])
            or (None, 0.0))


def _caps_row(lines: list[Line]) -> tuple[str, float] | None:
    """The lines' text upper-cased, with their lowest confidence, when it reads as the capitals' row."""
    text = regex.sub(r"^[\W_]+|[\W_]+$", "", " ".join(ln.text for ln in lines)).strip()
    ls = letters(text)
    if len(ls) >= RECEIVER_LETTERS and sum(c.isupper() for c in ls) >= RECEIVER_CAPS * len(ls):
        return text.upper(), min(ln.conf or 0.0 for ln in lines)
    return None


def _reread_row(engine: OcrEngine, row: np.ndarray, page_no: int) -> list[Line]:
    """One printed row of the stamp read on its own, its ink scaled to :data:`ROW_HEIGHT`."""
    if row.size == 0:
        return []
    ys = np.flatnonzero((row < 128).any(axis=1))
    if not len(ys):
        return []
    big = to_height(row, ROW_HEIGHT, margin=ROW_MARGIN, measured=int(ys[-1] - ys[0] + 1), lowest=1.0,
                    highest=MAX_ROW_SCALE)
    return recognize_at(engine, big, (0, 0), layout=Layout.LINE, page_no=page_no)


def _group_values(glyphs: list[GlyphGuess], lo: int, hi: int, widths: tuple[int, ...]) -> list[tuple[int, float]]:
    """Values ``lo``–``hi`` the glyphs can spell (with a leading zero where that fits), with probabilities."""
    n = len(glyphs)
    if n not in widths:
        return []
    out = []
    for v in range(lo, hi + 1):
        s = f"{v:0{n}d}"
        if len(s) != n:
            continue
        p = float(np.prod([glyphs[i].probs[int(c)] for i, c in enumerate(s)]))
        if p > 1e-6:
            out.append((v, p))
    return out


def date_options(glyphs: list[GlyphGuess], limit: int = 6) -> list[tuple[str, float]]:
    """Dates "d/m" or "d/m/yy(yy)" that hand-written glyphs can spell, best first, with their share of the
    total probability: each glyph is a digit or a separator (a straight stroke read as 1, or a glyph the
    model calls "not a digit"), and the day, month and year must make a valid date.

    >>> import numpy as np
    >>> def g(d, bar=False):
    ...     p = np.full(11, 0.001); p[d] = 0.99; return GlyphGuess(p, bar)
    >>> date_options([g(1), g(3), g(1, True), g(1), g(0)])[0][0]
    '13/10'
    """
    if not 2 <= len(glyphs) <= _MAX_GLYPHS:
        return []
    sep = [float(max(g.probs[1], g.probs[REJECT])) if g.bar else float(g.probs[REJECT]) for g in glyphs]
    scored: dict[str, float] = {}
    n = len(glyphs)
    for k in (1, 2):
        for cuts in combinations(range(1, n - 1), k):
            if any(b - a < 2 for a, b in zip(cuts, cuts[1:], strict=False)):
                continue
            parts = [glyphs[a:b] for a, b in zip((0, *[c + 1 for c in cuts]), (*cuts, n), strict=True)]
            p_sep = float(np.prod([sep[c] for c in cuts]))
            if p_sep < 1e-4:
                continue
            days = _group_values(parts[0], 1, 31, (1, 2))
            months = _group_values(parts[1], 1, 12, (1, 2))
            years = [(None, 1.0)] if k == 1 else (_group_values(parts[2], 0, 99, (2,))
                                                  + _group_values(parts[2], 1990, 2099, (4,)))
            for d, pd in days:
                for m, pm in months:
                    for y, py in years:
                        full = (2000 + y if y is not None and y < 100 else y) or 2000  # leap year when unknown
                        if d > calendar.monthrange(full, m)[1]:
                            continue
                        width = len(parts[2]) if k == 2 else 0
                        text = f"{d}/{m}" + ("" if y is None else f"/{y:0{width}d}")
                        scored[text] = scored.get(text, 0.0) + p_sep * pd * pm * py
    total = sum(scored.values())
    if total <= 0:
        return []
    ranked = sorted(scored.items(), key=lambda kv: -kv[1])[:limit]
    return [(t, round(p / total, 4)) for t, p in ranked]
