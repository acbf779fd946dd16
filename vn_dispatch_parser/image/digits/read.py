"""Read the digits of a region: isolate the ink, cut it into glyphs, classify each, fuse with the OCR engine's
reading, and turn the per-glyph probabilities into a number.

Each piece is classified averaged over a few small rotations/widths (:func:`_tta_probs`). Optionally the OCR
engine's digit reader (``witness=engine.read_digits``: Tesseract eng, digits whitelist) reads the cleaned ink
as a second, weaker witness: when it reads as many digits, each position's probabilities are reweighted by
its digit (agreement raises the confidence, disagreement lowers it or flips a doubtful digit).

``conf`` is the product of the per-digit probabilities (times penalties), so a reading with one doubtful
digit gets a low confidence.

Coordinates are pixels ``(x0, y0, x1, y1)`` of the image given, like :class:`~vn_dispatch_parser.core.types.BBox`
(which is accepted too). The region should exclude the printed glyphs around the blank: a printed "/" that
lies wholly inside it is read as a 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vn_dispatch_parser.image.digits.glyphs import _classify, _crop_to_ink, _is_bar
from vn_dispatch_parser.image.digits.ink import (
    Region,
    _best_shear,
    _ink_mask,
    _remove_rules,
    _select_ink,
    _shear,
    _to_bgr_or_gray,
)
from vn_dispatch_parser.image.digits.model import REJECT, _Net, load_digit_model
from vn_dispatch_parser.image.digits.segment import _Piece, _segment
from vn_dispatch_parser.image.prep import to_height

_WORK_HEIGHT = 96  # regions are rescaled so that their height is about this many pixels


@dataclass(frozen=True)
class DigitReading:
    """What :func:`read_handwritten_digits` found.

    ``text`` holds digits only and may be ``""``; ``conf`` is 0–1 and meant as the probability that ``text``
    is right (0 when ``text`` is empty); ``per_digit`` gives each digit with its own probability; ``bbox`` is
    the box of the ink read, in the coordinates of the image given (``None`` when nothing was read).
    ``ink`` says which ink was used ("colour", "dark" or "none"), ``source`` what decided the reading
    ("model", "model+tesseract", "tesseract" or "none"), and ``tesseract`` what Tesseract read on the
    cleaned ink (``None`` when it was not run). ``options`` (from :func:`read_handwritten_int`) ranks the
    in-range values the glyphs can spell, with their probabilities, for a caller that knows more (a date
    that must fall between two others).
    """

    text: str
    conf: float
    per_digit: list[tuple[str, float]] = field(default_factory=list)
    bbox: Region | None = None
    ink: str = "none"
    source: str = "none"
    tesseract: str | None = None
    options: tuple[tuple[str, float], ...] = ()


# ------------------------------------------------------------------------------------------ Tesseract


DigitsFn = Callable[[np.ndarray], "tuple[str, float] | None"]
"""An OCR engine's digit reader (``OcrEngine.read_digits``): the digits of a dark-on-white line and their
lowest confidence, or None."""


def _witness_image(mask: np.ndarray) -> np.ndarray:
    """The cleaned ink as the digit witness reads it: cropped to the ink, 48 px high, dark on white, a margin."""
    return 255 - _witness_height(_crop_to_ink(mask) * 255, cv2.INTER_AREA, 0)


DAY_DIGITS = 2
"""Digits a date's day is written with: a day under 10 takes a leading zero ("ngày 05", nd30.md §2.3)."""

WITNESS_HEIGHT = 48
"""Pixels high the digit witness reads a blank at (Tesseract's digits read best at this size)."""
WITNESS_MARGIN = 20
"""Pixels of margin around it."""


def _witness_height(g: np.ndarray, interpolation: int, margin: int) -> np.ndarray:
    """``g`` scaled to the :data:`WITNESS_HEIGHT` the digit witness reads, in a margin of level ``margin``."""
    return to_height(g, WITNESS_HEIGHT, margin=WITNESS_MARGIN, value=margin, interpolation=interpolation)


def _tesseract_digits(mask: np.ndarray, witness: DigitsFn | None) -> tuple[str, float] | None:
    """The OCR engine's digit reader (Tesseract eng, one line, digits whitelist) on the cleaned ink; ``None``
    when there is none or no ink."""
    if witness is None or not mask.any():
        return None
    return witness(_witness_image(mask))


def second_readings(img: np.ndarray, region: Region | Any, row: tuple[int, int], digits: DigitsFn,
                    model: str | Path | None = None) -> tuple[str, ...]:
    """Two readings of a blank by the OCR engine's digit reader, independent of the glyph classifier: the
    printed row's grey band across the blank as it is on the page, and the cleaned ink the classifier saw
    (each 48 px high, on a white margin). For a vote when the printed-text OCR and the classifier disagree;
    empty readings are left out."""
    g = _to_bgr_or_gray(np.asarray(img))
    if g.ndim == 3:
        g = cv2.cvtColor(g, cv2.COLOR_BGR2GRAY)
    x0, _y0, x1, _y1 = _normalise_region(g, region)
    h = max(1, row[1] - row[0])
    band = g[max(0, row[0] - h // 3): row[1] + h // 3, x0:x1]
    images = []
    if band.size and band.shape[1] >= 4:
        images.append(_witness_height(band, cv2.INTER_CUBIC, 255))
    raw = _read_raw(img, region, load_digit_model(model), row)
    if raw is not None and raw.clean.any():
        images.append(_witness_image(raw.clean))
    out = []
    for image in images:
        got = digits(image)
        if got and got[0]:
            out.append(got[0])
    return tuple(out)


# ------------------------------------------------------------------------------------------- reading


@dataclass
class _Raw:
    pieces: list[_Piece]
    ink: str
    to_image: Any  # callable mapping a work-space box to image coordinates
    clean: np.ndarray


def _empty(ink: str = "none", tesseract: str | None = None) -> DigitReading:
    return DigitReading("", 0.0, [], None, ink, "none", tesseract)


def _normalise_region(img: np.ndarray, region: Any) -> Region:
    H, W = img.shape[:2]
    if region is None:
        return (0, 0, W, H)
    if hasattr(region, "x0"):
        region = (region.x0, region.y0, region.x1, region.y1)
    x0, y0, x1, y1 = (int(round(v)) for v in region)
    return (max(0, min(x0, W)), max(0, min(y0, H)), max(0, min(x1, W)), max(0, min(y1, H)))


def _read_raw(img: np.ndarray, region: Any, model: _Net, row: tuple[int, int] | None = None,
              expect: int | None = None) -> _Raw | None:
    img = _to_bgr_or_gray(np.asarray(img))
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    x0, y0, x1, y1 = _normalise_region(img, region)
    rw, rh = x1 - x0, y1 - y0
    if rw < 4 or rh < 6:
        return None
    H, W = img.shape[:2]
    mx, my = int(0.4 * rh), int(0.3 * rh)
    ex0, ey0, ex1, ey1 = max(0, x0 - mx), max(0, y0 - my), min(W, x1 + mx), min(H, y1 + my)
    crop = img[ey0:ey1, ex0:ex1]
    scale = _WORK_HEIGHT / rh
    if not 0.8 <= scale <= 1.25:
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=interp)
    else:
        scale = 1.0
    inner = (
        int(round((x0 - ex0) * scale)),
        int(round((y0 - ey0) * scale)),
        int(round((x1 - ex0) * scale)),
        int(round((y1 - ey0) * scale)),
    )
    # a blank on a printed line (``row`` given) sits between printed glyphs darker than the pen: its levels
    # are taken from the blank itself; a stamp's cleaned crop holds no print and keeps the whole crop's
    mask, ink = _ink_mask(crop, inner if row is not None else None)
    if ink == "none":
        return _Raw([], ink, None, mask)
    ref = int(round(rh * scale))
    mask = _remove_rules(mask, ref)
    row_w = None if row is None else ((row[0] - ey0) * scale, (row[1] - ey0) * scale)
    clean = _select_ink(mask, inner, row_w)
    if not clean.any():
        return _Raw([], ink, None, clean)
    # close hairline gaps (a broken stroke of a thin pen) before grouping
    clean = cv2.morphologyEx(clean, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    s = _best_shear(clean)
    sheared, extra = _shear(clean, s)
    pieces = _segment(model, sheared, expect)
    yc = clean.shape[0] / 2.0

    def to_image(box: tuple[int, int, int, int]) -> Region:
        bx0, by0, bx1, by1 = box
        xs = []
        for bx in (bx0, bx1):
            for by in (by0, by1):
                xs.append(bx - extra - s * (by - yc))
        return (
            int(ex0 + min(xs) / scale),
            int(ey0 + by0 / scale),
            int(np.ceil(ex0 + max(xs) / scale)),
            int(np.ceil(ey0 + by1 / scale)),
        )

    return _Raw(pieces, ink, to_image, sheared)


def _drop_rejects(pieces: list[_Piece]) -> tuple[list[_Piece], float]:
    """Drop candidates the model calls "not a digit" at either end of the row (clutter: a printed letter, a
    mark). One inside the row stays, read as its likeliest digit, whose low probability lowers the
    confidence."""
    kept = list(pieces)
    while kept and kept[0].probs[REJECT] > 0.5:
        kept.pop(0)
    while kept and kept[-1].probs[REJECT] > 0.5:
        kept.pop()
    return kept, 1.0


def _tta_probs(model: _Net, mask: np.ndarray) -> np.ndarray:
    """Class probabilities of one glyph averaged over small rotations and widths (less brittle)."""
    h, w = mask.shape
    pad = max(h, w) // 4 + 2
    m = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    c = (m.shape[1] / 2.0, m.shape[0] / 2.0)
    variants = [mask]
    for angle, sx in ((-6.0, 1.0), (6.0, 1.0), (0.0, 0.88), (0.0, 1.12)):
        a = np.asarray(cv2.getRotationMatrix2D(c, angle, 1.0), np.float64)
        a[0, :] *= sx
        a[0, 2] += (1 - sx) * c[0]
        variants.append(cv2.warpAffine(m, a, (m.shape[1], m.shape[0]), flags=cv2.INTER_NEAREST))
    return _classify(model, variants).mean(axis=0)


_TESS_DIGIT_RELIABILITY = 0.6  # how often Tesseract's digit at a position is right, when the lengths agree


def _fuse(probs: list[np.ndarray], tess: str | None) -> tuple[list[np.ndarray], str]:
    """Per position, the model's class probabilities reweighted by Tesseract's digit there (as an
    independent, fairly unreliable witness) when Tesseract read as many digits; else unchanged."""
    if not tess or len(tess) != len(probs):
        return probs, "model"
    a = _TESS_DIGIT_RELIABILITY
    out = []
    for p, ch in zip(probs, tess, strict=True):
        wgt = np.full(REJECT + 1, (1 - a) / 9.0)
        wgt[int(ch)] = a
        q = p * wgt
        out.append(q / q.sum())
    return out, "model+tesseract"


def _read(
    img: np.ndarray,
    region: Any,
    max_digits: int,
    witness: DigitsFn | None,
    model: str | Path | None,
    row: tuple[int, int] | None = None,
    expect: int | None = None,
) -> tuple[DigitReading, list[np.ndarray], float]:
    """The reading, the per-position class probabilities behind it, and the confidence factor that is not
    per digit (rejected candidates inside the row, too many candidates)."""
    net = load_digit_model(model)
    raw = _read_raw(img, region, net, row, expect)
    if raw is None:
        return _empty(), [], 0.0
    if not raw.pieces:
        return _empty(raw.ink), [], 0.0
    pieces, penalty = _drop_rejects(raw.pieces)
    if not pieces:
        return _empty(raw.ink), [], 0.0
    if len(pieces) > max_digits:
        penalty *= 0.2
        order = sorted(range(len(pieces)), key=lambda i: -pieces[i].p_digit)[:max_digits]
        pieces = [pieces[i] for i in sorted(order)]
    probs = [_tta_probs(net, p.mask) for p in pieces]
    tess = _tesseract_digits(raw.clean, witness)
    ttext = None if tess is None else tess[0]
    probs, source = _fuse(probs, ttext)
    if ttext and source == "model":
        penalty *= 0.8  # Tesseract saw a different number of digits
    digits = [int(np.argmax(p[:REJECT])) for p in probs]
    per_digit = [(str(d), round(float(p[d]), 4)) for d, p in zip(digits, probs, strict=True)]
    conf = float(np.prod([float(p[d]) for d, p in zip(digits, probs, strict=True)])) * penalty
    boxes = [raw.to_image(p.box) for p in pieces]
    bbox = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    text = "".join(d for d, _ in per_digit)
    reading = DigitReading(text, float(np.clip(conf, 0.0, 1.0)), per_digit, bbox, raw.ink, source, ttext)
    return reading, probs, penalty


def read_handwritten_digits(
    img: np.ndarray,
    region: Region | Any | None = None,
    *,
    max_digits: int = 6,
    witness: DigitsFn | None = None,
    model: str | Path | None = None,
    row: tuple[int, int] | None = None,
) -> DigitReading:
    """Read hand-written digits inside ``region`` (x0, y0, x1, y1) of ``img`` (BGR or grey, uint8).

    The region should be the blank the writer filled: between "Số:" and "/", between "ngày" and "tháng", the
    dotted line of a ĐẾN stamp. Glyphs that lie mostly outside it are ignored, so it may graze printed text,
    but it should end before the "/": a printed slash inside it is read as a 1. It may be taller than the
    line; ``row`` (y0, y1), the y-range of the printed line the blank is on (e.g. the "Số:" word box), then
    keeps the lines above and below out.
    ``max_digits`` caps the length read (more candidates than that lowers the confidence). With
    ``witness`` (an OCR engine's ``read_digits``) the engine reads the cleaned ink too and serves as a second witness
    per digit: agreement raises the confidence, disagreement lowers it. Returns ``DigitReading("", 0.0, ...)``
    when nothing is written there.
    """
    return _read(img, region, max_digits, witness, model, row)[0]


@dataclass(frozen=True)
class GlyphGuess:
    """One hand-written glyph of a row: class probabilities (digits 0–9, then "not a digit") and whether it
    is a single straight stroke, which may be a 1 or a slash."""

    probs: np.ndarray
    bar: bool


def read_glyphs(img: np.ndarray, region: Region | Any | None = None, *, model: str | Path | None = None,
                row: tuple[int, int] | None = None) -> list[GlyphGuess]:
    """The glyphs written in ``region``, left to right, each with its class probabilities, for callers that
    parse more than digits (a date "13/12/25", where a slash reads as a 1 or as "not a digit")."""
    net = load_digit_model(model)
    raw = _read_raw(img, region, net, row)
    if raw is None:
        return []
    return [GlyphGuess(_tta_probs(net, p.mask), _is_bar(p.mask)) for p in raw.pieces]


def read_handwritten_int(
    img: np.ndarray,
    region: Region | Any | None = None,
    *,
    lo: int,
    hi: int,
    max_digits: int = 2,
    witness: DigitsFn | None = None,
    model: str | Path | None = None,
    row: tuple[int, int] | None = None,
    expect: int | None = None,
) -> DigitReading:
    """Like :func:`read_handwritten_digits`, for a number that must lie in ``lo..hi`` (a day, a month);
    ``expect``: how many digits the blank should hold (a day's two), when a rule says so.

    When the best reading is out of range, the most probable in-range reading from the per-digit
    probabilities is taken instead (with that probability as confidence); ``""`` when none is likely.
    """
    r, probs, penalty = _read(img, region, max_digits, witness, model, row, expect)
    if not r.text:
        return r
    spelled: dict[str, float] = {}
    for v in range(lo, hi + 1):
        for s in {str(v), f"{v:0{len(probs)}d}"}:
            if len(s) == len(probs):
                spelled[s] = float(np.prod([probs[i][int(ch)] for i, ch in enumerate(s)])) * penalty
    options = tuple(sorted(((s, round(p, 4)) for s, p in spelled.items() if p >= 1e-4), key=lambda o: -o[1]))
    if lo <= int(r.text) <= hi:
        return replace(r, options=options)
    best_text, best_p = max(spelled.items(), key=lambda o: o[1], default=("", 0.0))
    if best_p < 0.02:
        return _empty(r.ink, r.tesseract)
    per_digit = [(ch, round(float(probs[i][int(ch)]), 4)) for i, ch in enumerate(best_text)]
    return DigitReading(best_text, best_p, per_digit, r.bbox, r.ink, r.source, r.tesseract, options)


def read_handwritten_day(img: np.ndarray, region: Region | Any | None = None, **kw: Any) -> DigitReading:
    """The day of a date line ("ngày __"): two digits (nd30.md §2.3: "ngày 05"), 1–31."""
    return read_handwritten_int(img, region, lo=1, hi=31, expect=DAY_DIGITS, **kw)


def read_handwritten_month(img: np.ndarray, region: Region | Any | None = None, **kw: Any) -> DigitReading:
    """The month of a date line ("tháng __"): at most two digits, 1–12."""
    return read_handwritten_int(img, region, lo=1, hi=12, **kw)
