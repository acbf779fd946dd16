"""One glyph mask as the classifier sees it: normalised to the 28×28 input (stroke width, deskew, centring),
classified, and a few shape measures of glyph masks (stroke width, a straight bar).

Training (``tools/train_digits.py``) and reading both go through :func:`glyph_to_input`.
"""

from __future__ import annotations

import cv2
import numpy as np

from vn_dispatch_parser.image.digits.model import GLYPH, REJECT, _Net

_FIT = 20  # the glyph's longer side is scaled to this many pixels inside the GLYPH box (as in MNIST)
_NORM_SIDE = 80  # intermediate scale at which stroke width is normalised
_TARGET_STROKE = 9.0  # stroke width (px) at _NORM_SIDE, i.e. ~2.25 px in the 20-px box

_EMPTY_PROBS = np.zeros((0, REJECT + 1), np.float32)


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


def _is_bar(mask: np.ndarray) -> bool:
    """True when the ink is one straight thin stroke (a slash, a plain 1)."""
    ys, xs = np.nonzero(mask)
    if ys.size < 10:
        return False
    ev = np.linalg.eigvalsh(np.cov(np.stack([xs, ys]).astype(np.float64)))
    return bool(ev[0] < 0.03 * ev[1])


def _classify(model: _Net, masks: list[np.ndarray]) -> np.ndarray:
    """The classifier's probabilities (n, 11) for glyph masks, one row per mask."""
    if not masks:
        return _EMPTY_PROBS
    x = np.stack([glyph_to_input(m) for m in masks])
    return model.predict_proba(x)
