"""Hand-written number and day (issue: most paper dispatches get their number after signing).

The printed line reads "Số:      /UBND-VX" and "Quảng Ngãi, ngày    tháng 01 năm 2025"; the number and the
day are written by hand, often in coloured ink. We take the blank between "Số:" and "/" and between "ngày"
and "tháng" from the OCR word boxes and read the ink there with the digit reader. The readings become hints
that the field parsers use when the printed OCR has no (or a doubtful) value, with the reader's confidence,
so an uncertain reading is flagged for review rather than silently kept.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.types import BBox, HandHints, HandReading, Line, OcrWord, Zone
from vn_dispatch_parser.core.vocab import NAM, NGAY, SO, SO_GLYPH, THANG
from vn_dispatch_parser.errors import MissingDependencyError

if TYPE_CHECKING:
    import numpy as np

    from vn_dispatch_parser.image.digits.read import DigitReading, DigitsFn

__all__ = ["read_hints"]

log = logging.getLogger(__name__)
_SO_WORD = regex.compile(rf"^{SO_GLYPH}(?!\p{{L}})\s*[:;.]?", regex.IGNORECASE)  # not "SÓC", "SỞ"
_NGAY = regex.compile(NGAY, regex.IGNORECASE)
HAND_MIN_HEIGHT = 0.5
"""Hand-written figures are at least half as tall as the printed row whose blank they fill
(:attr:`~vn_dispatch_parser.config.ConfRules.hand_fragment_cap`)."""
_THANG = regex.compile(THANG, regex.IGNORECASE)
_NAM = regex.compile(NAM + r"\b", regex.IGNORECASE)


def _char_x(word: OcrWord, index: int) -> int:
    """Approximate x of a character inside a word box (proportional to its index)."""
    n = max(1, len(word.text))
    return int(word.bbox.x0 + word.bbox.width * index / n)


def _number_region(line: Line) -> tuple[tuple[int, int, int, int], str | None] | None:
    """The blank between "Số:" and the "/" that starts the ký hiệu, and what the OCR read in it.

    The "/" is the one followed by the ký hiệu's letters or a year ("…/2024/QĐ-UBND"), the last such that
    starts a word when one does: a hand-written 1 slants like a slash and the OCR often reads it as one
    ("Số: '/..'//STNMT"), so the first "/" may lie inside the hand-writing.
    """
    found = next(((i, w) for i, w in enumerate(line.words) if _SO_WORD.match(w.text)), None)
    if found is None:
        return None
    i, so = found
    text, xs = _char_positions(line)
    label = _SO_WORD.match(so.text)
    assert label is not None
    end = sum(len(w.text) + 1 for w in line.words[:i]) + label.end()  # words are joined by one space
    slashes = [k for k in range(end, len(text)) if text[k] == "/"]
    if not slashes:
        return None
    before = [k for k in slashes if _SYMBOL_START.match(text, k + 1)]
    # a "/" that starts a word is the printed one, after the blank's gap: hand-writing before it read as
    # "/" and capitals ("_/ZÏZ /UBND-KTTH" for 816) is not the ký hiệu
    starts = [k for k in before if text[k - 1] == " "]
    cut = starts[-1] if starts else before[0] if before else slashes[0]
    x0 = _char_x(so, label.end()) if len(so.text) > label.end() else so.bbox.x1
    slash_x = xs[cut]
    h = line.bbox.height if line.bbox else so.bbox.height
    # up to just before the printed "/" (a slash inside the region reads as a "1")
    region = (x0, max(0, so.bbox.y0 - int(0.9 * h)), max(x0 + 1, slash_x - int(0.25 * h)), so.bbox.y1 + int(0.6 * h))
    printed = text[end:cut].strip()
    return region, (printed or None)


COLON_DOT = 0.2
"""A colon's dot is at most this share of its word box's height wide and tall (:func:`_colon_end`)."""


def _components(img: np.ndarray, box: BBox) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
    """The ink of a word box (Otsu's cut of its darkest channel) as connected components: count, labels,
    stats and centres (``cv2.connectedComponentsWithStats``); None for an empty box."""
    import cv2

    crop = img[box.y0 : box.y1, box.x0 : box.x1]
    if crop.size == 0:
        return None
    grey = crop if crop.ndim == 2 else crop.min(axis=2)
    ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    n, labels, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return int(n), labels, stats, centres


def _colon_end(img: np.ndarray, box: BBox) -> int | None:
    """The x just right of the colon in a "Số:" word box, from the ink: two dots one above the other, the
    lower one in the box's lower half (the marks over "ố" are both high). None when no such pair is seen."""
    found = _components(img, box)
    if found is None:
        return None
    n, _, stats, centres = found
    h = box.height
    dots = [i for i in range(1, n) if stats[i][2] <= COLON_DOT * h and stats[i][3] <= COLON_DOT * h
            and stats[i][4] >= 2]
    pairs = [(a, b) for a in dots for b in dots
             if centres[b][1] - centres[a][1] >= 0.15 * h and centres[b][1] >= 0.5 * h
             and abs(centres[a][0] - centres[b][0]) <= 0.12 * h
             and max(stats[a][4], stats[b][4]) <= 3 * min(stats[a][4], stats[b][4])]
    if not pairs:
        return None
    a, b = min(pairs, key=lambda p: centres[p[0]][0])
    return box.x0 + int(max(stats[a][0] + stats[a][2], stats[b][0] + stats[b][2])) + 1


def _slash_start(img: np.ndarray, box: BBox, guess: int) -> int | None:
    """The left edge of the printed "/" in a word box, from the ink: a stroke about half the box's height tall,
    at most half as wide, leaning right (its top right of its bottom), the one nearest ``guess``; None when
    none is seen within a line height of it (a hand-written 1 leans so too, a digit's width further left)."""
    import numpy as np

    components = _components(img, box)
    if components is None:
        return None
    n, labels, stats, _ = components
    h = box.height
    found = []
    for i in range(1, n):
        x, y, w, hh = (int(v) for v in stats[i][:4])
        if hh < 0.45 * h or w > 0.5 * hh:  # the box is as tall as the hand-written digit in it
            continue
        cols = np.nonzero(labels[y : y + hh, x : x + w] == i)
        top, bottom = cols[1][cols[0] < hh / 3], cols[1][cols[0] >= 2 * hh / 3]
        if len(top) and len(bottom) and top.mean() > bottom.mean() + 0.1 * w:
            found.append(box.x0 + x)
    near = [x for x in found if abs(x - guess) <= h]
    return min(near, key=lambda x: abs(x - guess)) if near else None


def _glued(img: np.ndarray, line: Line, found: tuple[tuple[int, int, int, int], str | None]
           ) -> tuple[tuple[int, int, int, int], str | None]:
    """The number's blank widened to the label's colon and to the ký hiệu's "/" found in the ink, when the OCR
    glued a hand-written digit to "Số:" ("số:È") or to the "/" ("5/UBND-KGVX"): the label's end and the
    slash, placed in proportion to the characters of such a word, fall inside the wide hand-written digit,
    which was then lost ('2845' read '284'). The blank only ever grows."""
    (x0, y0, x1, y1), printed = found
    so = next((w for w in line.words if _SO_WORD.match(w.text)), None)
    label = _SO_WORD.match(so.text) if so is not None else None
    if so is not None and label is not None and len(so.text) > label.end():
        colon = _colon_end(img, so.bbox)
        x0 = colon if colon is not None and so.bbox.x0 < colon < x0 else x0
    slash = next((w for w in line.words if "/" in w.text[1:] and w.bbox.x1 > x1), None)
    if slash is not None and slash is not so:
        h = line.bbox.height if line.bbox else slash.bbox.height
        start = _slash_start(img, slash.bbox, x1 + int(0.25 * h))
        x1 = start if start is not None and x1 < start < slash.bbox.x1 else _through(img, slash.bbox, x1)
    return (x0, y0, x1, y1), printed


HAND_TALLER = 1.2
"""A glyph at least this many times as tall as the print after it is hand-writing: the pen's digits stand
taller than the printed capitals of the ký hiệu (on the glued words of the heavy dev sets: 1.3–1.5 times;
a printed number glued to its ký hiệu is as tall as it)."""


def _through(img: np.ndarray, box: BBox, x1: int) -> int:
    """The blank's right end moved to the end of a hand-written glyph it cuts through, in a word the OCR glued
    to the ký hiệu ("4'3/.UBND-VHTT" for 436): the end placed in proportion to the word's characters falls
    inside the wide hand-writing (the printed "/", blurred into the letters after it, is not found alone)."""
    components = _components(img, box)
    if components is None:
        return x1
    n, _, stats, _ = components
    glyphs = [(box.x0 + int(s[0]), int(s[2]), int(s[3])) for s in stats[1:]]
    after = sorted(hh for x, _, hh in glyphs if x >= x1)
    if not after:
        return x1
    print_height = after[len(after) // 2]
    for x, w, hh in glyphs:
        if x < x1 < x + w and hh >= HAND_TALLER * print_height and w <= 2 * box.height:
            return x + w + 1
    return x1


_SYMBOL_START = regex.compile(r"\s*(?:\p{Lu}{2}|(?:19|20)\d\d\s*/)")  # no ký hiệu group is one letter


def _char_positions(line: Line) -> tuple[str, list[int]]:
    """The line's text (words joined by spaces) and an x for every character, proportional inside words
    (a space between words gets the x of the word it follows ends at: the blank after a printed word
    starts where its ink ends, not where the OCR's next word begins)."""
    text, xs = "", []
    for k, w in enumerate(line.words):
        if text:
            text += " "
            xs.append(line.words[k - 1].bbox.x1)
        for k in range(len(w.text)):
            xs.append(_char_x(w, k))
        text += w.text
    return text, xs


def _printed_end(line: Line, index: int) -> int:
    """Where the printed word holding character ``index - 1`` of the line's text should end, from the
    width per character of the line's other, surely read words: a hand digit written against the word
    ("ngày31") widens its OCR box over the digit, which must stay in the blank."""
    pos = 0
    for w in line.words:
        if pos <= index - 1 < pos + len(w.text):
            widths = [o.bbox.width / len(o.text) for o in line.words
                      if o is not w and len(o.text) >= 3 and (o.conf or 0) >= CONF.anchor_word_min]
            if len(widths) < 2:
                return w.bbox.x1
            per = sorted(widths)[len(widths) // 2]
            return min(w.bbox.x1, int(w.bbox.x0 + 1.1 * per * (index - pos)))
        pos += len(w.text) + 1
    return line.bbox.x1 if line.bbox else 0


BACK_INTO_WORD = 0.2
"""A blank's region starts this share of the row's height back into the printed word before it (:func:`_between`)."""


def _between(line: Line, start: regex.Pattern[str], stop: regex.Pattern[str]) -> tuple[tuple[int, int, int, int],
                                                                                          str | None] | None:
    """The blank between two printed words of a line ("ngày" … "tháng"), as a region and what OCR read there;
    the words may be glued to what was written between them ("ngày2Ôtháng")."""
    text, xs = _char_positions(line)
    a = start.search(text)
    b = stop.search(text, a.end()) if a else None
    if not a or not b or not line.bbox:
        return None
    x0 = xs[a.end()] if a.end() < len(xs) else line.bbox.x1
    x1 = xs[b.start()] if b.start() < len(xs) else line.bbox.x1
    x0 = min(x0, _printed_end(line, a.end()))
    if x1 - x0 < 0.3 * line.bbox.height:
        return None
    h = line.bbox.height
    printed = text[a.end() : b.start()].strip() or None
    # a fifth of a line height back into the printed word: hand digits often touch or cross its last
    # letter, and the OCR then puts part of them into the word's box (measured on the day blanks of
    # samples/ and ../shared/real: 33 → 37 of 39 read right, none wrongly with confidence ≥ 0.5)
    x0 = max(0, x0 - int(BACK_INTO_WORD * h))
    return (x0, max(0, line.bbox.y0 - int(0.9 * h)), x1, line.bbox.y1 + int(0.6 * h)), printed


ROW_MARGIN = 0.3
"""A blank read again is cut to its printed row and this share of the row's height above and below."""


def _row_blank(region: tuple[int, int, int, int], row: BBox) -> tuple[int, int, int, int]:
    """A blank that read nothing cut to its printed row: the region first read reaches most of a line above
    and below and a little into the printed word before (hand-writing strays there), and the reader scales a
    region to a fixed height, so on a tall row small or faint figures shrink to specks and the word's last
    letter counts as a figure ("y 16" of "ngày 16"); measured: a faint "16" read as nothing, then as 16."""
    x0, _, x1, _ = region
    margin = int(ROW_MARGIN * row.height)
    return (min(x1, x0 + int(BACK_INTO_WORD * row.height)), max(0, row.y0 - margin), x1, row.y1 + margin)


def _read(img: np.ndarray, found: tuple[tuple[int, int, int, int], str | None], line: Line, max_digits: int,
          low: int, high: int, digits: DigitsFn | None = None, expect: int | None = None) -> HandReading | None:
    """Read digits in a blank; a reading outside ``low``–``high`` is dropped. With ``digits`` (the OCR
    engine's digit reader), a blank whose printed OCR read other digits than the ink reader is read twice more
    (:func:`~vn_dispatch_parser.image.digits.second_readings`), for the vote in ``document.hints``.
    ``expect``: how many digits the blank should hold (a day's :data:`~vn_dispatch_parser.image.digits.DAY_DIGITS`).
    """
    from vn_dispatch_parser.image.digits import read_handwritten_digits, read_handwritten_int, second_readings

    region, printed = found
    # the printed line's own band: the region is taller (hand-writing strays up), but glyphs of the lines
    # above and below are not the value
    row = (line.bbox.y0, line.bbox.y1) if line.bbox else None
    # the reader's optional Tesseract vote is off: measured on ../shared/real and samples/ it changed no
    # field, and it costs a Tesseract call (~0.13 s) per blank
    def reading(box: tuple[int, int, int, int]) -> DigitReading:
        if high <= 31:
            return read_handwritten_int(img, box, lo=low, hi=high, max_digits=max_digits, row=row, witness=None,
                                        expect=expect)
        return read_handwritten_digits(img, box, max_digits=max_digits, row=row, witness=None)

    try:
        r = reading(region)
        if high <= 31 and not (r.text and low <= int(r.text) <= high) and line.bbox is not None:
            r = reading(_row_blank(region, line.bbox))  # a day or month blank (:func:`_between`) read again
    except MissingDependencyError:
        raise  # no digit model: an error, never a reading without it
    except Exception as e:  # a reader failure must not lose the page
        log.warning("hand-writing reader failed: %s", e)
        return None
    if not r.text or not low <= int(r.text) <= high:
        return None
    bbox = BBox(*r.bbox) if r.bbox else BBox(*region)
    conf = float(r.conf)
    if line.bbox is not None and bbox.height < HAND_MIN_HEIGHT * line.bbox.height:
        conf = min(conf, CONF.hand_fragment_cap)
    if high <= 31 and r.text == "1":  # a day read as one straight stroke
        conf = min(conf, CONF.hand_lone_stroke_cap)
    witnesses: tuple[str, ...] = ()
    if digits is not None and row is not None and printed and printed.isdigit() and printed != r.text:
        witnesses = second_readings(img, region, row, digits)  # the engine's reader returns None on failure
    return HandReading(r.text, conf, line.page, bbox, printed, r.options, witnesses)


_STAMP_SO = regex.compile(rf"^\s*(?:Đ\S*N\s*)?{SO}\s*[:.]", regex.IGNORECASE)
_STAMP_NGAY = regex.compile(rf"^\s*{NGAY}\s*[:.]", regex.IGNORECASE)


def _after(line: Line, label: regex.Pattern[str], width: int) -> tuple[tuple[int, int, int, int], str | None] | None:
    """The space after a stamp's printed label ("Số:", "Ngày:") where the value is written by hand."""
    text, xs = _char_positions(line)
    m = label.search(text)
    if not m or not line.bbox:
        return None
    h = line.bbox.height
    x0 = xs[m.end()] if m.end() < len(xs) else line.bbox.x1
    x1 = min(width, max(line.bbox.x1, x0 + 9 * h))
    printed = text[m.end() :].strip() or None
    return (x0, max(0, line.bbox.y0 - int(0.9 * h)), x1, line.bbox.y1 + int(0.6 * h)), printed


def read_hints(lines: list[Line], img: np.ndarray, dpi: int, digits: DigitsFn | None = None) -> HandHints:
    """Read the hand-written number, day and month of a page whose header is in ``lines``; ``digits`` (the
    OCR engine's digit reader) gives the second readings of a number the two readers disagree on."""
    from vn_dispatch_parser.image.digits import DAY_DIGITS

    hints = HandHints()
    left = [ln for ln in lines if ln.zone in (Zone.HEADER_LEFT,) and ln.words]
    right = [ln for ln in lines if ln.zone in (Zone.HEADER_RIGHT,) and ln.words]
    for ln in left:
        found = _number_region(ln)
        if found is None:
            continue
        hints.number = _read(img, _glued(img, ln, found), ln, 6, 0, 999_999, digits)
        break
    stamp = [ln for ln in lines if ln.zone is Zone.INCOMING_STAMP and ln.words]
    for ln in stamp:
        if hints.stamp_number is None and (found := _after(ln, _STAMP_SO, img.shape[1])):
            hints.stamp_number = _read(img, found, ln, 6, 1, 999_999)
        elif hints.stamp_date is None and (found := _after(ln, _STAMP_NGAY, img.shape[1])):
            hints.stamp_date = _read(img, found, ln, 6, 1, 999_999)
    for ln in right:
        day = _between(ln, _NGAY, _THANG)
        if day is None:
            continue
        hints.day = _read(img, day, ln, 2, 1, 31, expect=DAY_DIGITS)  # a month has one digit or two
        month = _between(ln, _THANG, _NAM)
        if month is not None and not (month[1] or "").isdigit():
            hints.month = _read(img, month, ln, 2, 1, 12)
        break
    return hints
