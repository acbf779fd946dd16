"""Read hand-written digits in a region of a page image.

On paper dispatches the number after "Số:" and the day in the date line are usually written by hand after
signing (the number is given when the document is issued), and so are the values of the ĐẾN stamp.
Printed-text Tesseract misreads them or reads nothing. This module reads them:

1. isolate the ink in the region: coloured ink (blue, red, violet: chroma against the paper) when there is
   any, else dark strokes; drop thin horizontal rules and leader dots; keep the connected components that lie
   mostly inside the region, so printed glyphs the region only grazes ("Số:", "/", "tháng") are left out;
2. deslant the row and group the components into digit candidates: tall parts overlapping in x are one
   digit, small parts (the bar of a 5) join the nearest digit;
3. split candidates wider than a digit along least-ink seams, choosing the cuts by dynamic programming over
   what a small classifier reads in the pieces (minus a cost per stroke cut through);
4. classify each piece with a small CNN in numpy (digits 0–9 plus a reject class for letters, specks and
   two digits touching), averaged over a few small rotations/widths. It is trained by
   ``tools/train_digits.py`` and shipped as ``models/hw_digits.npz``: numpy + OpenCV only at run time;
5. optionally let the OCR engine's digit reader (``witness=engine.read_digits``: Tesseract eng, digits
   whitelist) read the cleaned ink as a second, weaker witness: when
   it reads as many digits, each position's probabilities are reweighted by its digit (agreement raises the
   confidence, disagreement lowers it or flips a doubtful digit).

``conf`` is the product of the per-digit probabilities (times penalties), so a reading with one doubtful
digit gets a low confidence.

    >>> import numpy as np
    >>> read_handwritten_digits(np.full((60, 200), 255, np.uint8)).text
    ''

Coordinates are pixels ``(x0, y0, x1, y1)`` of the image given, like :class:`~vn_dispatch_parser.core.types.BBox`
(which is accepted too). The region should exclude the printed glyphs around the blank: a printed "/" that
lies wholly inside it is read as a 1.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

__all__ = [
    "MODEL_FILE",
    "DigitReading",
    "GlyphGuess",
    "glyph_to_input",
    "load_digit_model",
    "model_path",
    "read_handwritten_day",
    "read_handwritten_digits",
    "read_handwritten_int",
    "read_glyphs",
    "read_handwritten_month",
]

MODEL_FILE = "hw_digits.npz"
GLYPH = 28  # classifier input is GLYPH×GLYPH
REJECT = 10  # class index of "not a digit"
_FIT = 20  # the glyph's longer side is scaled to this many pixels inside the GLYPH box (as in MNIST)
_NORM_SIDE = 80  # intermediate scale at which stroke width is normalised
_TARGET_STROKE = 9.0  # stroke width (px) at _NORM_SIDE, i.e. ~2.25 px in the 20-px box
_WORK_HEIGHT = 96  # regions are rescaled so that their height is about this many pixels

Region = tuple[int, int, int, int]


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


_EMPTY_PROBS = np.zeros((0, REJECT + 1), np.float32)


@dataclass
class _Piece:
    """One digit candidate: its mask, its box in work (deslanted) coordinates, the classifier's probabilities."""

    mask: np.ndarray
    box: tuple[int, int, int, int]
    probs: np.ndarray

    @property
    def digit(self) -> int:
        return int(np.argmax(self.probs[:REJECT]))

    @property
    def p_digit(self) -> float:
        return float(np.max(self.probs[:REJECT]))


# --------------------------------------------------------------------------------------------- model


def model_path() -> Path:
    """Where the digit model is looked for: ``$VN_DISPATCH_HW_MODEL``, else ``models/hw_digits.npz``."""
    env = os.environ.get("VN_DISPATCH_HW_MODEL")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "models" / MODEL_FILE


def _conv3x3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """'Same' 3×3 convolution of NHWC ``x`` with HWCF ``w`` (im2col + one matmul)."""
    n, h, wd, c = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cols = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(1, 2))  # n,h,w,c,3,3
    cols = cols.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * wd, 9 * c)
    return (cols @ w.reshape(9 * c, -1) + b).reshape(n, h, wd, -1)


def _pool2(x: np.ndarray) -> np.ndarray:
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


@dataclass(frozen=True)
class _Net:
    """The digit classifier: a small CNN (conv3×3, pool, conv3×3, pool, fc, fc-11; widths from the file) in
    numpy."""

    params: dict[str, np.ndarray]
    temperature: float
    version: str
    sha256: str

    def logits(self, x: np.ndarray) -> np.ndarray:
        p = self.params
        h = x.astype(np.float32, copy=False).reshape(-1, GLYPH, GLYPH, 1)
        h = _pool2(np.maximum(_conv3x3(h, p["c1w"], p["c1b"]), 0.0))
        h = _pool2(np.maximum(_conv3x3(h, p["c2w"], p["c2b"]), 0.0))
        flat = np.maximum(h.reshape(h.shape[0], -1) @ p["f1w"] + p["f1b"], 0.0)
        return np.asarray(flat @ p["f2w"] + p["f2b"])

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities (n, 11) for inputs (n, 784) in [0, 1]."""
        z = self.logits(x) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


_PARAM_NAMES = ("c1w", "c1b", "c2w", "c2b", "f1w", "f1b", "f2w", "f2b")


def load_digit_model(path: str | Path | None = None) -> _Net:
    """Load the classifier saved by ``tools/train_digits.py`` (cached per path)."""
    return _load_model(str(path or model_path()))


@functools.lru_cache(maxsize=4)
def _load_model(path: str) -> _Net:
    raw = Path(path).read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        params = {k: z[k].astype(np.float32) for k in _PARAM_NAMES}
        temperature = float(z["temperature"])
        version = str(z["version"])
    return _Net(params, temperature, version, hashlib.sha256(raw).hexdigest())


# ----------------------------------------------------------------------------------- glyph normalising


def _stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary mask: area / half the contour length."""
    area = float(np.count_nonzero(mask))
    if area == 0:
        return 0.0
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return area / max(perimeter / 2.0, 1.0)


def _crop_to_ink(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return mask[:0, :0]
    return mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def glyph_to_input(mask: np.ndarray) -> np.ndarray:
    """Normalise one glyph mask (non-zero = ink) to the classifier's input, a float32 vector of 784 in [0, 1].

    MNIST-style: crop to the ink, scale the longer side to 80 px, bring the stroke width to a fixed value,
    deskew by moments, scale the longer side to 20 px and centre the mass in a 28×28 box. Training and
    reading both go through this function.
    """
    g = _crop_to_ink(mask)
    out = np.zeros((GLYPH, GLYPH), np.float32)
    if g.size == 0:
        return out.ravel()
    h, w = g.shape
    s = _NORM_SIDE / max(h, w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    g = cv2.resize((g > 0).astype(np.float32), (nw, nh), interpolation=cv2.INTER_AREA)
    pad = 12
    g = cv2.copyMakeBorder(
        ((g >= 0.5) * 255).astype(np.uint8), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0
    )
    if not g.any():
        return out.ravel()
    sw = _stroke_width(g)
    if sw > 0:
        r = int(round((_TARGET_STROKE - sw) / 2.0))
        if r > 0:
            g = cv2.dilate(g, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
        elif r < 0:
            k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * -r + 1, 2 * -r + 1))
            eroded = cv2.erode(g, k)
            if np.count_nonzero(eroded) > 0.3 * np.count_nonzero(g):
                g = eroded
    # deskew by moments
    m = cv2.moments(g, binaryImage=True)
    if m["mu02"] > 1e-2:
        skew = float(np.clip(m["mu11"] / m["mu02"], -0.7, 0.7))
        hh, ww = g.shape
        extra = int(abs(skew) * hh) + 2
        g = cv2.copyMakeBorder(g, 0, 0, extra, extra, cv2.BORDER_CONSTANT, value=0)
        cy = m["m01"] / m["m00"]
        affine = np.array([[1.0, -skew, skew * cy], [0.0, 1.0, 0.0]], np.float32)
        g = cv2.warpAffine(g, affine, (g.shape[1], hh), flags=cv2.INTER_NEAREST)
    g = _crop_to_ink(g)
    if g.size == 0:
        return out.ravel()
    h, w = g.shape
    s = _FIT / max(h, w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    small = cv2.resize(g.astype(np.float32) / 255.0, (nw, nh), interpolation=cv2.INTER_AREA)
    mass = small.sum()
    if mass <= 0:
        return out.ravel()
    cy = float((small.sum(axis=1) * np.arange(nh)).sum() / mass)
    cx = float((small.sum(axis=0) * np.arange(nw)).sum() / mass)
    oy = int(round(GLYPH / 2 - 0.5 - cy))
    ox = int(round(GLYPH / 2 - 0.5 - cx))
    oy = min(max(oy, 0), GLYPH - nh)
    ox = min(max(ox, 0), GLYPH - nw)
    out[oy : oy + nh, ox : ox + nw] = small
    return out.ravel()


# ----------------------------------------------------------------------------------------- ink masks


def _to_bgr_or_gray(img: np.ndarray) -> np.ndarray:
    if img.ndim == 3 and img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim == 3 and img.shape[2] == 1:
        return img[:, :, 0]
    return img


def _ink_mask(crop: np.ndarray, inner: Region | None = None) -> tuple[np.ndarray, str]:
    """Binary ink mask (uint8 0/1) of a crop and which ink it holds: "colour", "dark" or "none".

    The paper and ink levels come from ``inner`` (the blank itself, crop coordinates) when given: the
    margins around it hold printed glyphs much darker than a thin pen stroke, which would set the
    threshold below the stroke."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    ref = gray
    if inner is not None:
        ix0, iy0, ix1, iy1 = inner
        if (ix1 - ix0) * (iy1 - iy0) >= 64:
            ref = gray[iy0:iy1, ix0:ix1]
    bg = float(np.percentile(ref, 90))
    lo = float(np.percentile(ref, 0.5))
    contrast = bg - lo
    if contrast < 40:
        return np.zeros(gray.shape, np.uint8), "none"
    otsu, _ = cv2.threshold(ref, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    thr = float(np.clip(otsu, lo + 0.25 * contrast, lo + 0.7 * contrast))
    dark = (gray < thr).astype(np.uint8)
    if crop.ndim == 3:
        lab = cv2.cvtColor(crop, cv2.COLOR_BGR2Lab)
        a = lab[:, :, 1].astype(np.float32) - 128.0
        b = lab[:, :, 2].astype(np.float32) - 128.0
        paper = gray >= thr
        if paper.any():
            a -= float(np.median(a[paper]))
            b -= float(np.median(b[paper]))
        chroma = np.hypot(a, b)
        strong = (chroma > 28) & (gray < bg - 0.2 * contrast)
        if np.count_nonzero(strong) >= max(25, 0.0015 * gray.size):
            weak = ((chroma > 14) & (gray < bg - 0.1 * contrast)).astype(np.uint8)
            n, labels = cv2.connectedComponents(weak, connectivity=8)
            keep = np.zeros(n, bool)
            keep[np.unique(labels[strong])] = True
            keep[0] = False
            colour = keep[labels].astype(np.uint8)
            # whole strokes: a dark component that is mostly tinted is coloured ink, even where its thin
            # or faint parts (anti-aliasing, JPEG chroma blur) fall below the chroma thresholds
            n, labels = cv2.connectedComponents(dark, connectivity=8)
            tinted = np.bincount(labels[(chroma > 10) & (dark > 0)], minlength=n)
            total = np.bincount(labels.ravel(), minlength=n)
            whole = tinted >= 0.4 * total
            whole[0] = False
            colour |= whole[labels].astype(np.uint8)
            ys = np.nonzero(colour.any(axis=1))[0]
            if ys.size and (ys[-1] - ys[0] + 1) >= 0.2 * gray.shape[0]:
                return colour, "colour"
    return dark, "dark"


def _remove_rules(mask: np.ndarray, ref: int) -> np.ndarray:
    """Drop horizontal rules (underlines, stamp frames): thin straight runs longer than the region is high,
    or longer than 0.6 of it where they run out of the crop (the end of a header's underline that a
    hand-written digit touches; a digit's own stroke that long stays inside).

    Leader dots are specks and go with the other specks in :func:`_select_ink`.
    """
    length = max(15, int(ref * 0.6))
    runs = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    if not runs.any():
        return mask
    n, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    x, w = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_WIDTH]
    long = (w >= ref) | (x <= 1) | (x + w >= mask.shape[1] - 1)
    thin = np.zeros(n, bool)
    thin[1:] = (stats[1:, cv2.CC_STAT_HEIGHT] <= max(3, int(0.12 * ref))) & long[1:]
    rules = thin[labels].astype(np.uint8)
    if not rules.any():
        return mask
    rules = cv2.dilate(rules, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    return mask & (1 - rules)


# --------------------------------------------------------------------------------------- segmentation


def _best_shear(mask: np.ndarray) -> float:
    """The x-shear (dx per dy) that makes strokes most upright: maximal column-projection energy."""
    ys, xs = np.nonzero(mask)
    if ys.size < 10:
        return 0.0
    yc = ys.mean()
    best, best_s = -1.0, 0.0
    for s in np.arange(-0.6, 0.61, 0.1):
        xn = np.round(xs + s * (ys - yc)).astype(np.int64)
        xn -= xn.min()
        e = float((np.bincount(xn).astype(np.float64) ** 2).sum())
        if e > best * 1.001:
            best, best_s = e, float(s)
    return best_s


def _shear(mask: np.ndarray, s: float) -> tuple[np.ndarray, float]:
    """Shear a mask by ``x' = x + s*(y - yc)``; returns the new mask and the x offset added."""
    if abs(s) < 1e-6:
        return mask, 0.0
    h, w = mask.shape
    yc = h / 2.0
    extra = int(np.ceil(abs(s) * yc)) + 1
    affine = np.array([[1.0, s, extra - s * yc], [0.0, 1.0, 0.0]], np.float32)
    return cv2.warpAffine(mask, affine, (w + 2 * extra, h), flags=cv2.INTER_NEAREST), float(extra)


def _is_bar(mask: np.ndarray) -> bool:
    """True when the ink is one straight thin stroke (a slash, a plain 1)."""
    ys, xs = np.nonzero(mask)
    if ys.size < 10:
        return False
    ev = np.linalg.eigvalsh(np.cov(np.stack([xs, ys]).astype(np.float64)))
    return bool(ev[0] < 0.03 * ev[1])


def _select_ink(mask: np.ndarray, inner: Region, row: tuple[float, float] | None = None) -> np.ndarray:
    """Keep the components that lie mostly inside ``inner`` (crop coordinates) and look like part of the
    written row; drop specks, dots, full-height rules and pieces of the lines above and below.

    The written row is found from the big components, nearest the middle of ``inner`` (or inside ``row``,
    the y-range of the printed line the blank is on, when given)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return np.zeros_like(mask)
    ix0, iy0, ix1, iy1 = inner
    rh = iy1 - iy0
    inside = np.bincount(labels[iy0:iy1, ix0:ix1].ravel(), minlength=n)
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    keep = np.zeros(n, bool)
    for i in range(1, n):
        x, y, w, h, a = stats[i, :5]
        if inside[i] < 0.5 * a:
            continue
        if row is not None:
            pad = 0.3 * (row[1] - row[0])
            if y + h < row[0] - pad or y > row[1] + pad:
                continue  # another printed line
        if max(w, h) < 0.06 * rh or a < 6:
            continue  # speck
        if h >= 0.97 * mask.shape[0] and w < 0.15 * rh:
            continue  # vertical rule crossing the whole window
        keep[i] = True
    idx = np.nonzero(keep)[0]
    if idx.size == 0:
        return np.zeros_like(mask)
    # the written row: centre line of the big components, weighted by area and by nearness to the middle
    # of the region (or of ``row``): a tall region may hold parts of the printed lines above and below
    mid = (iy0 + iy1) / 2.0 if row is None else (row[0] + row[1]) / 2.0
    sigma = 0.3 * rh if row is None else 0.6 * (row[1] - row[0])
    cys_all = stats[idx, cv2.CC_STAT_TOP] + stats[idx, cv2.CC_STAT_HEIGHT] / 2.0
    weight = area[idx] * np.exp(-0.5 * ((cys_all - mid) / max(sigma, 1.0)) ** 2)
    big = idx[weight >= 0.2 * weight.max()]
    h_ref = float(stats[big, cv2.CC_STAT_HEIGHT].max())
    cys = stats[big, cv2.CC_STAT_TOP] + stats[big, cv2.CC_STAT_HEIGHT] / 2.0
    row_y = float(np.average(cys, weights=weight[weight >= 0.2 * weight.max()]))
    main = []
    for i in map(int, idx):
        w, h = stats[i, 2], stats[i, 3]
        if max(w, h) < 0.12 * h_ref:
            keep[i] = False  # leader dot, speck
        elif max(w, h) >= 0.3 * h_ref:
            cy = stats[i, 1] + h / 2.0
            if abs(cy - row_y) > 0.75 * h_ref and h < 0.8 * h_ref:
                keep[i] = False  # a piece of the line above or below
            else:
                main.append(i)
    # the printed "/" of "Số: ___ /UBND" when the region reaches past it: the last glyph, a straight bar,
    # with a glyph outside the region starting right after it (a printed word runs on; hand-written digits
    # keep a wider gap from the slash)
    if main:
        last = max(main, key=lambda i: stats[i, 0] + stats[i, 2])
        x, y, w, h = (int(v) for v in stats[last, :4])
        x_end = x + w
        for j in range(1, n):
            if keep[j] or j == last:
                continue
            xj, yj, wj, hj = (int(v) for v in stats[j, :4])
            overlap_y = min(y + h, yj + hj) - max(y, yj)
            if (
                0 <= xj - x_end <= 0.08 * h_ref
                and hj >= 0.5 * h_ref
                and overlap_y >= 0.5 * hj
                and _is_bar(labels == last)
            ):
                keep[last] = False
                main.remove(last)
                break
    # minor pieces are kept only next to a main one (a detached flag of a 5, a broken stroke)
    for i in map(int, idx):
        if i in main or not keep[i]:
            continue
        x, y, w, h = stats[i, :4]
        near = False
        for j in main:
            xj, yj, wj, hj = stats[j, :4]
            gap_x = max(xj - (x + w), x - (xj + wj), 0)
            gap_y = max(yj - (y + h), y - (yj + hj), 0)
            if gap_x <= 0.15 * h_ref and gap_y <= 0.25 * h_ref:
                near = True
                break
        keep[i] = near
    return keep[labels].astype(np.uint8)


def _group(mask: np.ndarray) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """Group components into digit candidates, left to right: (mask of the group, box x0, y0, x1, y1).

    Tall components start groups; tall ones that overlap in x over most of the narrower one's width are one
    digit written in two strokes (a 4); short ones (the bar of a 5, a broken stroke) join the group whose ink
    is nearest, or are dropped when none is near.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return []
    h_ref = float(stats[1:, cv2.CC_STAT_HEIGHT].max())
    main = [i for i in range(1, n) if stats[i, cv2.CC_STAT_HEIGHT] >= 0.45 * h_ref]
    minor = [i for i in range(1, n) if i not in main]
    groups: list[list[int]] = [[i] for i in sorted(main, key=lambda i: stats[i, 0])]

    def span(g: list[int]) -> tuple[int, int]:
        return min(stats[i, 0] for i in g), max(stats[i, 0] + stats[i, 2] for i in g)

    merged = True
    while merged:
        merged = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                (a0, a1), (b0, b1) = span(groups[a]), span(groups[b])
                ov = min(a1, b1) - max(a0, b0)
                if ov > 0.6 * min(a1 - a0, b1 - b0):
                    groups[a] += groups.pop(b)
                    merged = True
                    break
            if merged:
                break
    if minor and groups:
        dists = []
        for g in groups:
            outside = np.isin(labels, g, invert=True).astype(np.uint8)
            dists.append(cv2.distanceTransform(outside, cv2.DIST_L2, 3))
        for i in minor:
            ys, xs = np.nonzero(labels == i)
            d = [float(dt[ys, xs].min()) for dt in dists]
            k = int(np.argmin(d))
            if d[k] <= 0.35 * h_ref:
                groups[k].append(i)
            elif stats[i, cv2.CC_STAT_HEIGHT] >= 0.3 * h_ref:
                groups.append([i])
    out = []
    for g in groups:
        gm = np.isin(labels, g).astype(np.uint8)
        ys, xs = np.nonzero(gm)
        x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
        out.append((gm[y0:y1, x0:x1], (x0, y0, x1, y1)))
    out.sort(key=lambda t: t[1][0])
    return out


def _classify(model: _Net, masks: list[np.ndarray]) -> np.ndarray:
    if not masks:
        return _EMPTY_PROBS
    x = np.stack([glyph_to_input(m) for m in masks])
    return model.predict_proba(x)


def _cut_candidates(proj: np.ndarray, h_ref: float) -> tuple[list[int], list[int]]:
    """Columns worth cutting at: the deepest local minima of the ink projection, and a regular grid."""
    w = proj.size
    lo, hi = int(0.15 * h_ref), w - int(0.15 * h_ref)
    if hi <= lo:
        return [], []
    sm = np.convolve(proj.astype(np.float64), np.ones(3) / 3, mode="same")
    rad = max(1, int(0.06 * h_ref))
    cands = []
    for x in range(lo, hi):
        a, b = max(0, x - rad), min(w, x + rad + 1)
        if sm[x] <= sm[a:b].min() + 1e-9:
            cands.append(x)
    thinned: list[int] = []  # one per plateau
    for x in cands:
        if thinned and x - thinned[-1] <= 2:
            if sm[x] < sm[thinned[-1]]:
                thinned[-1] = x
            continue
        thinned.append(x)
    thinned.sort(key=lambda x: sm[x])
    step = max(2, int(0.15 * h_ref))
    return sorted(thinned[:8]), list(range(lo, hi, step))


def _seam(gmask: np.ndarray, x: int, band: int) -> tuple[np.ndarray, float]:
    """The top-to-bottom path near column ``x`` that crosses the least ink (one step left/right per row at
    most): per row the x of the cut, and how many ink pixels it goes through."""
    h, w = gmask.shape
    lo, hi = max(1, x - band), min(w - 1, x + band)
    cols = np.arange(lo, hi + 1)
    ink = gmask[:, lo : hi + 1].astype(np.float64)
    pull = 0.02 * np.abs(cols - x)
    cost = ink[0] + pull
    back = np.zeros((h, cols.size), np.int8)
    inf = np.full(1, np.inf)
    for y in range(1, h):
        cand = np.vstack(
            [np.concatenate([inf, cost[:-1]]) + 0.05, cost, np.concatenate([cost[1:], inf]) + 0.05]
        )
        k = np.argmin(cand, axis=0)
        cost = cand[k, np.arange(cols.size)] + ink[y] + pull
        back[y] = k - 1
    c = int(np.argmin(cost))
    path = np.empty(h, np.int64)
    through = 0.0
    for y in range(h - 1, -1, -1):
        path[y] = c
        through += ink[y, c]
        c += int(back[y, c])
    return cols[path], through


_CUT_COST = 0.6  # log-probability cost of cutting through one stroke
_PIECE_COST = float(np.log(0.85))  # and of every extra piece


def _split_group(
    model: _Net, gmask: np.ndarray, h_ref: float, exp_w: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Read one group as one or more digits: dynamic programming over cuts (least-ink seams), scored by the
    model (best digit log-probability of each piece), minus a cost per stroke cut through and per extra
    piece. Returns (piece mask in group coordinates, probs) per piece."""
    h, w = gmask.shape
    whole_p = _classify(model, [gmask])[0]
    # a group no wider than one digit is still tried when it reads as no digit: two touching digits with
    # a thin one among them ("15", "17") are hardly wider than one
    touching = whole_p[REJECT] > 0.5 and w >= 0.5 * h_ref
    if not touching and (w < 1.2 * exp_w or w < 0.7 * h_ref):
        return [(gmask, whole_p)]
    minima, grid = _cut_candidates(gmask.sum(axis=0), h_ref)
    if not minima and not grid:
        return [(gmask, whole_p)]
    sw = max(_stroke_width(gmask), 1.0)
    band = max(2, int(0.25 * h_ref))
    seams: list[np.ndarray] = [np.zeros(h, np.int64)]
    costs = [0.0]
    seen = set()
    for x in sorted(set(minima) | set(grid)):
        options = [_seam(gmask, x, band)]
        if x in minima:  # a straight cut too: the seam may wander off where it should not
            options.append((np.full(h, x, np.int64), float(gmask[:, x].sum())))
        for path, through in options:
            key = path.tobytes()
            if key in seen:
                continue
            seen.add(key)
            seams.append(path)
            costs.append(_CUT_COST * through / sw)
    order = [0, *sorted(range(1, len(seams)), key=lambda i: float(seams[i].mean()))]
    seams = [seams[i] for i in order] + [np.full(h, w, np.int64)]
    costs = [costs[i] for i in order] + [0.0]
    n = len(seams)
    xs = np.arange(w)[None, :]
    spans: list[tuple[int, int]] = []
    masks: list[np.ndarray] = []
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) == (0, n - 1):
                continue
            width = float((seams[j] - seams[i]).mean())
            if width < 0.12 * h_ref or width > 1.1 * h_ref or np.any(seams[j] < seams[i]):
                continue
            m = gmask * ((xs >= seams[i][:, None]) & (xs < seams[j][:, None]))
            if np.count_nonzero(m) < 0.02 * h_ref * h_ref:
                continue
            spans.append((i, j))
            masks.append(m.astype(np.uint8))
    probs = _classify(model, masks)
    score_of = {}
    for k, ((i, j), p) in enumerate(zip(spans, probs, strict=True)):
        score_of[(i, j)] = (float(np.log(max(p[:REJECT].max(), 1e-6))), k)
    best = [-np.inf] * n
    back = [-1] * n
    best[0] = 0.0
    for j in range(1, n):
        for i in range(j):
            if (i, j) in score_of and best[i] > -np.inf:
                sc = best[i] + score_of[(i, j)][0] + _PIECE_COST - costs[j]
                if sc > best[j]:
                    best[j], back[j] = sc, i
    whole_score = float(np.log(max(whole_p[:REJECT].max(), 1e-6))) + _PIECE_COST
    if touching and h >= 0.8 * h_ref:
        # a full-height group that reads as no digit is not kept whole when it splits into digits at all
        # ("10" of a ĐẾN stamp, the 1 touching the 0: whole it is a doubtful 0)
        whole_score = -np.inf
    if back[n - 1] < 0 or best[n - 1] <= whole_score:
        return [(gmask, whole_p)]
    pieces = []
    j = n - 1
    while j > 0:
        i = back[j]
        k = score_of[(i, j)][1]
        pieces.append((masks[k], probs[k]))
        j = i
    return pieces[::-1]


def _merge_broken(model: _Net, mask: np.ndarray, pieces: list[_Piece], h_ref: float) -> list[_Piece]:
    """Join neighbours that are one digit broken apart (a 9's loop and stem on a bitonal scan, a 0 whose
    thin top and bottom faded): both doubtful, close together, no wider than a digit when joined, and
    the join reads as a digit more surely than either half."""
    out = list(pieces)
    k = 0
    while k + 1 < len(out):
        a, b = out[k], out[k + 1]
        x0, y0 = min(a.box[0], b.box[0]), min(a.box[1], b.box[1])
        x1, y1 = max(a.box[2], b.box[2]), max(a.box[3], b.box[3])
        gap = b.box[0] - a.box[2]
        doubtful = min(a.p_digit, b.p_digit) < 0.6
        if doubtful and gap <= 0.12 * h_ref and x1 - x0 <= 0.8 * h_ref:
            joined = mask[y0:y1, x0:x1].copy()
            probs = _classify(model, [joined])[0]
            if float(probs[:REJECT].max()) > max(0.6, a.p_digit, b.p_digit):
                out[k : k + 2] = [_Piece(joined, (x0, y0, x1, y1), probs)]
                continue
        k += 1
    return out


def _segment(model: _Net, mask: np.ndarray) -> list[_Piece]:
    """All digit candidates of a (deslanted) ink mask, left to right, boxes in the mask's coordinates."""
    groups = _group(mask)
    if not groups:
        return []
    h_ref = float(max(b[3] - b[1] for _, b in groups))
    widths = [b[2] - b[0] for _, b in groups if 0.3 <= (b[2] - b[0]) / max(b[3] - b[1], 1) <= 0.9]
    exp_w = float(np.median(widths)) if widths else 0.65 * h_ref
    exp_w = float(np.clip(exp_w, 0.45 * h_ref, 0.8 * h_ref))
    pieces: list[_Piece] = []
    for gmask, (x0, y0, _, _) in groups:
        for pm, probs in _split_group(model, gmask, h_ref, exp_w):
            ys, xs = np.nonzero(pm)
            if ys.size == 0:
                continue
            a, b, c, d = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
            pieces.append(_Piece(pm[b:d, a:c], (x0 + a, y0 + b, x0 + c, y0 + d), probs))
    pieces = _merge_broken(model, mask, pieces, h_ref)
    # a short piece at either end is clutter (a comma, the tail of a printed letter), not a digit
    while pieces and (pieces[0].box[3] - pieces[0].box[1]) < 0.5 * h_ref:
        pieces.pop(0)
    while pieces and (pieces[-1].box[3] - pieces[-1].box[1]) < 0.5 * h_ref:
        pieces.pop()
    return pieces


# ------------------------------------------------------------------------------------------ Tesseract


DigitsFn = Callable[[np.ndarray], "tuple[str, float] | None"]
"""An OCR engine's digit reader (``OcrEngine.read_digits``): the digits of a dark-on-white line and their
lowest confidence, or None."""


def _witness_image(mask: np.ndarray) -> np.ndarray:
    """The cleaned ink as the digit witness reads it: cropped to the ink, 48 px high, dark on white, a margin."""
    g = _crop_to_ink(mask)
    s = 48.0 / max(g.shape[0], 1)
    g = cv2.resize(g * 255, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    return 255 - cv2.copyMakeBorder(g, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=0)


def _tesseract_digits(mask: np.ndarray, witness: DigitsFn | None) -> tuple[str, float] | None:
    """The OCR engine's digit reader (Tesseract eng, one line, digits whitelist) on the cleaned ink; ``None``
    when there is none or no ink."""
    if witness is None or not mask.any():
        return None
    return witness(_witness_image(mask))


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


def _read_raw(img: np.ndarray, region: Any, model: _Net, row: tuple[int, int] | None = None) -> _Raw | None:
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
    pieces = _segment(model, sheared)
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
) -> tuple[DigitReading, list[np.ndarray], float]:
    """The reading, the per-position class probabilities behind it, and the confidence factor that is not
    per digit (rejected candidates inside the row, too many candidates)."""
    net = load_digit_model(model)
    raw = _read_raw(img, region, net, row)
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
) -> DigitReading:
    """Like :func:`read_handwritten_digits`, for a number that must lie in ``lo..hi`` (a day, a month).

    When the best reading is out of range, the most probable in-range reading from the per-digit
    probabilities is taken instead (with that probability as confidence); ``""`` when none is likely.
    """
    r, probs, penalty = _read(img, region, max_digits, witness, model, row)
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
    """The day of a date line ("ngày __"): at most two digits, 1–31."""
    return read_handwritten_int(img, region, lo=1, hi=31, **kw)


def read_handwritten_month(img: np.ndarray, region: Region | Any | None = None, **kw: Any) -> DigitReading:
    """The month of a date line ("tháng __"): at most two digits, 1–12."""
    return read_handwritten_int(img, region, lo=1, hi=12, **kw)
