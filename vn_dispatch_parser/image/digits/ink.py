"""Isolate the hand-written ink of a region: the ink mask, rules removed, the components of the written row
selected, and the slant measured and taken out.

Coloured ink (blue, red, violet: chroma against the paper) is taken when there is any, else dark strokes;
thin horizontal rules and leader dots are dropped; the connected components that lie mostly inside the
region are kept, so printed glyphs the region only grazes ("Số:", "/", "tháng") are left out. The row is
then deslanted (:func:`_best_shear`, :func:`_shear`) before it is grouped into digits.
"""

from __future__ import annotations

import cv2
import numpy as np

from vn_dispatch_parser.image.digits.glyphs import _is_bar

Region = tuple[int, int, int, int]


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


def _select_ink(mask: np.ndarray, inner: Region, row: tuple[float, float] | None = None) -> np.ndarray:
    """Keep the components that lie mostly inside ``inner`` (crop coordinates) and look like part of the
    written row; drop specks, dots, full-height rules and pieces of the lines above and below.

    The written row is found from the big components, nearest the middle of ``inner`` (or inside ``row``,
    the y-range of the printed line the blank is on, when given)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return np.zeros_like(mask)
    ix0, iy0, ix1, iy1 = inner
    inside = np.bincount(labels[iy0:iy1, ix0:ix1].ravel(), minlength=n)
    keep = _inside_components(stats, inside, iy1 - iy0, mask.shape[0], row)
    idx = np.nonzero(keep)[0]
    if idx.size == 0:
        return np.zeros_like(mask)
    h_ref, row_y = _written_row(stats, idx, inner, row)
    main = _main_components(stats, idx, keep, h_ref, row_y)
    _drop_printed_slash(labels, stats, keep, main, h_ref)
    _keep_near_main(stats, idx, keep, main, h_ref)
    return keep[labels].astype(np.uint8)


def _inside_components(
    stats: np.ndarray, inside: np.ndarray, rh: int, full_h: int, row: tuple[float, float] | None
) -> np.ndarray:
    """Per component label, whether it lies mostly inside the region (``inside``: its pixels there) and may
    be writing: not on another printed line (outside ``row``), no speck, no vertical rule crossing the whole
    window (``full_h`` high). ``rh`` is the region's height."""
    n = stats.shape[0]
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
        if h >= 0.97 * full_h and w < 0.15 * rh:
            continue  # vertical rule crossing the whole window
        keep[i] = True
    return keep


def _written_row(
    stats: np.ndarray, idx: np.ndarray, inner: Region, row: tuple[float, float] | None
) -> tuple[float, float]:
    """The height of the written glyphs and the y of the row's centre line, from the components ``idx``."""
    iy0, iy1 = inner[1], inner[3]
    rh = iy1 - iy0
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
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
    return h_ref, row_y


def _main_components(
    stats: np.ndarray, idx: np.ndarray, keep: np.ndarray, h_ref: float, row_y: float
) -> list[int]:
    """The main components of the row (tall enough to be a digit or most of one), left in ``keep``; leader
    dots, specks and pieces of the lines above and below are dropped from ``keep``."""
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
    return main


def _drop_printed_slash(labels: np.ndarray, stats: np.ndarray, keep: np.ndarray, main: list[int],
                        h_ref: float) -> None:
    """Drop (from ``keep`` and ``main``) the printed "/" of "Số: ___ /UBND" when the region reaches past it:
    the last glyph, a straight bar, with a glyph outside the region starting right after it (a printed word
    runs on; hand-written digits keep a wider gap from the slash)."""
    if not main:
        return
    last = max(main, key=lambda i: stats[i, 0] + stats[i, 2])
    x, y, w, h = (int(v) for v in stats[last, :4])
    x_end = x + w
    for j in range(1, stats.shape[0]):
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


def _keep_near_main(
    stats: np.ndarray, idx: np.ndarray, keep: np.ndarray, main: list[int], h_ref: float
) -> None:
    """Minor pieces stay in ``keep`` only next to a main one (a detached flag of a 5, a broken stroke)."""
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
