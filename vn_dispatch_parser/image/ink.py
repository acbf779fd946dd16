"""Coloured ink and seals: separate red and blue/violet marks from the black print, and classify them.

Documents carry marks on the black print (nd30.md §2.8, §4): a red round seal over the signature, red
HỎA TỐC/KHẨN boxes, red, violet or black ĐẾN stamps, blue signatures and hand-written numbers. Colour is
judged by *chroma* (max − min channel), so black text under a red seal, dark and grey, is never taken for
ink. :func:`remove_color_ink` gives the printed-text OCR its grey image, :func:`ink_layer` one ink alone,
:func:`find_ink_marks` and :func:`find_seals` the marks as
:class:`~vn_dispatch_parser.core.types.InkMark` boxes (framed stamps in any ink: :mod:`.frames`) in pixels of the image given. Functions are pure and take
the dpi to turn millimetres into pixels; detection runs on a ≤150 dpi copy, so its cost does not grow with
the dpi.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from vn_dispatch_parser.config import LAYOUT
from vn_dispatch_parser.core.types import BBox, InkMark

__all__ = ["CHROMA_MIN", "color_masks", "find_ink_marks", "find_seals", "has_color", "ink_layer",
           "mm_to_px", "remove_color_ink", "ring_score"]

logger = logging.getLogger(__name__)

#: A pixel whose max − min channel reaches this is "clearly coloured". Paper and the JPEG fringes of black
#: print stay below ~40 on the real scans; seal, stamp and pen ink is 60–200.
CHROMA_MIN = 60
#: Coloured pixels darker than this (max channel) are kept as print: black text under a red seal scans
#: as dark red-brown (max channel ≈ 40–110), seal and pen ink is brighter (≈ 130–255).
DARK_KEEP_V = 110
#: Chroma threshold for seal ink: seal rims are thin and often pale pink (chroma 30–60).
SEAL_CHROMA = 30
#: OpenCV hue (0–179) ranges of the two ink families: pink/magenta counts as red, violet as blue.
_RED_HUES = ((0, 12), (146, 180))
_BLUE_HUES = ((85, 146),)
#: Detection resolution; grouping and Hough circles use half of it.
DETECT_DPI = 150.0
#: Seal diameters accepted, in mm. Agency seals are 32–42 mm; a little slack for the scan scale. Round
#: digital-signature logos at the top of signed PDFs are 12–20 mm and fall outside.
SEAL_DIAMETER_MM = (28.0, 50.0)
#: Minimum :func:`ring_score` for a red seal and for a black one (real seals 0.37–1.0, print ≤ 0.25).
SEAL_SCORE_RED = 0.33
SEAL_SCORE_BLACK = 0.40
#: A seal's rim on a grey or bitonal scan is ink this much darker than the paper (grey levels): a red seal
#: turned grey is light (150–190 on white paper), and a fixed cut at 140 broke its rim into arcs (ring
#: score 0.39 on samples/bundle_013 page 3; 0.95 with the rim whole), while print stays flat.
SEAL_RING_CONTRAST = 45


def mm_to_px(mm: float, dpi: float) -> float:
    """Convert millimetres on the paper to pixels at ``dpi``."""
    return mm * dpi / 25.4


def _as_bgr(img: np.ndarray) -> np.ndarray | None:
    """Return a 3-channel BGR image, or None for a grey one (which has no colour)."""
    if img.ndim == 2:
        return None
    if img.shape[2] in (3, 4):  # BGR or BGRA
        return img if img.shape[2] == 3 else cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    raise ValueError(f"unsupported image shape {img.shape}")


def _at_least(a: np.ndarray, t: int) -> np.ndarray:  # 0/255 uint8 mask of a >= t
    return np.asarray(cv2.threshold(a, t - 1, 255, cv2.THRESH_BINARY)[1])


def _chroma_value(bgr: np.ndarray, strip: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel chroma (max − min channel) and value (max channel), both uint8; ``strip`` rows at a time, so
    a 300 dpi page needs its two results and no page-sized channel planes besides (~17 MB, not ~60)."""
    chroma, value = np.empty(bgr.shape[:2], np.uint8), np.empty(bgr.shape[:2], np.uint8)
    for y in range(0, bgr.shape[0], strip):
        b, g, r = cv2.split(bgr[y : y + strip])
        value[y : y + strip] = mx = cv2.max(cv2.max(b, g), r)
        chroma[y : y + strip] = cv2.subtract(mx, cv2.min(cv2.min(b, g), r))
    return chroma, value


def _hue_in(hue: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:  # 0/255 mask
    out: np.ndarray = np.zeros(hue.shape, np.uint8)
    for lo, hi in ranges:
        out = np.asarray(cv2.bitwise_or(out, cv2.inRange(hue, lo, hi - 1)))
    return out


def _downscale(img: np.ndarray, dpi: float, target: float) -> tuple[np.ndarray, float]:
    """Area-average ``img`` down to ``target`` dpi; returns the copy and the factor back to full size."""
    if dpi <= target * 1.05:
        return img, 1.0
    h, w = img.shape[:2]
    size = (max(1, round(w * target / dpi)), max(1, round(h * target / dpi)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA), w / size[0]


def color_masks(img: np.ndarray, min_chroma: int = CHROMA_MIN) -> dict[str, np.ndarray]:
    """Boolean masks ``{"red", "blue", "any"}`` of pixels with chroma ≥ ``min_chroma``, by hue.

    Red includes pink/magenta, blue includes violet; ``"any"`` also holds other hues (highlighter, green
    pen). A grey image gives empty masks.
    """
    bgr = _as_bgr(img)
    if bgr is None:
        empty = np.zeros(img.shape[:2], bool)
        return {"red": empty, "blue": empty.copy(), "any": empty.copy()}
    chroma, _ = _chroma_value(bgr)
    coloured = cv2.threshold(chroma, min_chroma - 1, 1, cv2.THRESH_BINARY)[1]
    if not cv2.countNonZero(coloured):
        return {k: coloured.view(bool) for k in ("red", "blue", "any")}
    hue = cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)[..., 0]
    return {
        "red": np.asarray(cv2.bitwise_and(coloured, _hue_in(hue, _RED_HUES))).view(bool),
        "blue": np.asarray(cv2.bitwise_and(coloured, _hue_in(hue, _BLUE_HUES))).view(bool),
        "any": coloured.view(bool),
    }


def remove_color_ink(img: np.ndarray, min_chroma: int = CHROMA_MIN, dark_keep: int = DARK_KEEP_V) -> np.ndarray:
    """Grey image for printed-text OCR, with clearly coloured ink painted in the paper's colour.

    Only pixels that are coloured (chroma ≥ ``min_chroma``) *and* not dark (max channel ≥ ``dark_keep``) are
    whitened, so black print under a red seal or a blue signature survives. Lightly tinted pixels (the halo
    of coloured strokes) take the brighter max channel instead of the luminance, so Tesseract's own
    thresholding drops them.

    Args:
        img: BGR, BGRA or grey page image (uint8). A grey image is returned as a copy.
        min_chroma: Chroma threshold for "clearly coloured".
        dark_keep: Coloured pixels whose max channel is below this are kept (print under ink).

    Returns:
        A new uint8 grey image of the same size.
    """
    bgr = _as_bgr(img)
    if bgr is None:
        return img.copy()
    chroma, value = _chroma_value(bgr)
    out = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    tinted = _at_least(chroma, min_chroma // 3)
    if not cv2.countNonZero(tinted):
        return out
    paper = int(np.percentile(out[::9, ::9], 90))
    cv2.copyTo(value, tinted, out)
    del tinted  # the masks below are made in place: fewer page-sized arrays at a time
    cv2.threshold(chroma, min_chroma - 1, 255, cv2.THRESH_BINARY, dst=chroma)
    cv2.threshold(value, dark_keep - 1, 255, cv2.THRESH_BINARY, dst=value)
    cv2.bitwise_and(chroma, value, dst=chroma)
    out[chroma != 0] = paper
    return out


def has_color(img: np.ndarray, min_chroma: int = CHROMA_MIN, min_share: float = 1e-4) -> bool:
    """True when ≥ ``min_share`` of the pixels are clearly coloured (False for bitonal scans in RGB)."""
    bgr = _as_bgr(img)
    if bgr is None:
        return False
    chroma, _ = _chroma_value(bgr[::4, ::4])
    return cv2.countNonZero(_at_least(chroma, min_chroma)) >= min_share * chroma.size


def ink_layer(img: np.ndarray, color: str, bbox: BBox | None = None, min_chroma: int = 40) -> np.ndarray:
    """One ink colour alone, as dark strokes on white, e.g. to read a number hand-written in blue.

    Stroke darkness follows the ink's chroma, so edges stay smooth; black print is white in the result.

    Args:
        img: BGR page image (a grey image gives an all-white result).
        color: ``"red"``, ``"blue"`` (includes violet) or ``"any"``.
        bbox: Optional crop, in pixels of ``img``.
        min_chroma: Pixels below this chroma are white (below :data:`CHROMA_MIN` to keep thin strokes).

    Returns:
        uint8 grey image (of the crop if ``bbox`` is given).
    """
    if color not in ("red", "blue", "any"):
        raise ValueError(f"unknown ink colour {color!r}")
    if bbox is not None:
        img = img[bbox.y0 : bbox.y1, bbox.x0 : bbox.x1]
    bgr = _as_bgr(img)
    if bgr is None:
        return np.full(img.shape[:2], 255, np.uint8)
    chroma, _ = _chroma_value(bgr)
    keep = chroma >= min_chroma
    if color != "any":
        keep &= _hue_in(cv2.cvtColor(bgr, cv2.COLOR_BGR2HSV)[..., 0], _RED_HUES if color == "red" else _BLUE_HUES) > 0
    dark = cv2.subtract(np.full_like(chroma, 255), cv2.add(chroma, chroma))
    return np.where(keep, dark, np.uint8(255))


def _shrink_mask(mask: np.ndarray, factor: int) -> np.ndarray:
    """Max-pool a 0/1 uint8 mask by an integer factor (a small pixel is ink if any source pixel was)."""
    if factor <= 1:
        return mask
    size = (max(1, mask.shape[1] // factor), max(1, mask.shape[0] // factor))
    return (cv2.resize(mask * np.uint8(255), size, interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)


def _frame_score(comp: np.ndarray) -> float:
    """How much a component is a closed frame (stamp border): the share of the area inside its outermost
    outline that is holes (one hole for a plain frame, a cell per row for a ĐẾN stamp's ruled grid), if
    that outline spans ≥ 70 % of the component's width and height; else 0."""
    closed = cv2.morphologyEx(comp, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    contours, hier = cv2.findContours(closed, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    h, w = comp.shape
    holes: dict[int, float] = {}
    for i, c in enumerate(contours):
        parent = hier[0][i][3]
        if parent >= 0:
            holes[parent] = holes.get(parent, 0.0) + cv2.contourArea(c)
    best = 0.0
    for parent, area in holes.items():
        _, _, pw, ph = cv2.boundingRect(contours[parent])
        outer = cv2.contourArea(contours[parent])
        if pw >= 0.7 * w and ph >= 0.7 * h and outer > 0:
            best = max(best, area / outer)
    return best


def _classify(color: str, comp: np.ndarray, box: BBox, page: tuple[int, int], dpi: float) -> tuple[str, float] | None:
    """Guess the kind of one grouped ink component (``comp`` at work scale, ``box`` at full size)."""
    w_mm, h_mm = box.width * 25.4 / dpi, box.height * 25.4 / dpi
    if max(w_mm, h_mm) < 3.0:
        return None  # speck
    (_, _), (rw, rh), _ = cv2.minAreaRect(cv2.findNonZero(comp))
    mm = box.width / max(1, comp.shape[1]) * 25.4 / dpi
    long_mm, short_mm = max(rw, rh) * mm, min(rw, rh) * mm
    frame = _frame_score(comp)
    round_ = long_mm < 1.3 * short_mm and ring_score(comp, comp.shape[1] / 2, comp.shape[0] / 2, min(comp.shape) / 2)[0] > 0.4
    header_left = (box.cx < LAYOUT.mark_box_left * page[1] and LAYOUT.top_margin * page[0] < box.y0
                   and box.cy < LAYOUT.header_band * page[0])
    if round_ and SEAL_DIAMETER_MM[0] <= long_mm <= SEAL_DIAMETER_MM[1]:
        return None  # a seal: reported by find_seals
    if frame >= 0.5 and long_mm >= 12 and short_mm >= 5:
        if color == "red" and header_left and not round_ and long_mm <= 75 and short_mm <= 35:
            return "urgency_stamp", frame
        return "stamp", frame
    if round_ and long_mm >= 10:
        return "stamp", 0.5  # small round stamp, e.g. a digital-signature logo on a signed PDF
    if color == "blue" and w_mm >= 15 and box.cy > LAYOUT.header_band * page[0]:
        return "signature", 0.6
    return "handwriting", 0.5


def find_ink_marks(img: np.ndarray, dpi: float, page: int = 1, exclude: list[BBox] | None = None) -> list[InkMark]:
    """Group red and blue/violet ink into marks and guess their kind.

    Strokes closer than ~3 mm are merged. A framed red mark in the left part of the header is an
    ``"urgency_stamp"`` (HỎA TỐC/KHẨN, nd30.md §2.8); any other framed mark ≥ 20×8 mm is a ``"stamp"``
    (e.g. a red or violet ĐẾN stamp); wide blue ink in the lower half is a ``"signature"``; the rest is
    ``"handwriting"``. Seals come from :func:`find_seals`: a lone seal ring is skipped here, but pass the
    seals' boxes in ``exclude`` so that ink touching them (a red signature, a stamp) is not merged in.

    Args:
        img: BGR page image (a grey image has no marks).
        dpi: Resolution of ``img``.
        page: 1-based page number stored on the marks.
        exclude: Boxes whose ink is ignored, e.g. the seals found.

    Returns:
        Marks in pixels of ``img``, top to bottom.
    """
    if _as_bgr(img) is None:
        return []
    small, f0 = _downscale(img, dpi, DETECT_DPI)
    masks = color_masks(small)
    marks: list[InkMark] = []
    for color in ("red", "blue"):
        mask, factor = _shrink_mask(masks[color].view(np.uint8), 2), f0 * 2
        if not mask.any():
            continue
        for ex in exclude or ():
            pad = mm_to_px(2, dpi)
            mask[max(0, int((ex.y0 - pad) / factor)) : int((ex.y1 + pad) / factor) + 1,
                 max(0, int((ex.x0 - pad) / factor)) : int((ex.x1 + pad) / factor) + 1] = 0  # fmt: skip
        k = max(3, int(mm_to_px(3.0, dpi / factor)) | 1)
        grouped = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        n, labels, stats, _ = cv2.connectedComponentsWithStats(grouped, connectivity=8)
        for i in range(1, n):
            x, y, w, h, _area = (int(v) for v in stats[i])
            comp = ((labels[y : y + h, x : x + w] == i) & (mask[y : y + h, x : x + w] > 0)).astype(np.uint8)
            if int(comp.sum()) < 5:
                continue
            box = BBox(int(x * factor), int(y * factor),
                       min(img.shape[1], int((x + w) * factor)), min(img.shape[0], int((y + h) * factor)))  # fmt: skip
            kind = _classify(color, comp, box, img.shape[:2], dpi)
            if kind is not None:
                marks.append(InkMark(kind=kind[0], color=color, bbox=box, page=page, score=round(kind[1], 3)))
    marks.sort(key=lambda m: (m.bbox.y0, m.bbox.x0))
    return marks


def ring_score(mask: np.ndarray, cx: float, cy: float, r: float) -> tuple[float, float]:
    """How much a 0/1 mask looks like a ring of radius ≈ ``r`` around ``(cx, cy)``.

    Unrolled to polar coordinates, a seal's rim is hit from (nearly) all 360 directions at one radius
    near ``r``, with little ink just outside; printed text gives a flat, low coverage profile.

    Returns:
        ``(score, rim_radius)``: peak coverage in 0.8–1.12 ``r`` minus the mean coverage outside the rim,
        and the radius of the peak in pixels.
    """
    outer = int(r * 1.35) + 2
    # WARP_FILL_OUTLIERS: rays that leave the mask read 0 (no ink); without it OpenCV leaves those cells
    # of the output uninitialised, and a small mark's class changed from run to run
    polar = cv2.warpPolar(mask.astype(np.float32), (outer, 360), (float(cx), float(cy)), outer,
                          cv2.WARP_POLAR_LINEAR | cv2.WARP_FILL_OUTLIERS)
    cov = (polar > 0.3).mean(axis=0)
    i0, i1 = int(0.8 * r), min(outer - 1, int(1.12 * r) + 1)
    if i1 <= i0:
        return 0.0, r
    peak = i0 + int(np.argmax(cov[i0 : i1 + 1]))
    start = int(peak * 1.12) + 1
    outside = float(cov[start:].mean()) if start < outer else 0.0
    return float(cov[peak]) - outside, float(peak)


def _rings(mask: np.ndarray, factor: float, dpi: float, votes: int, min_score: float) -> list[tuple[float, BBox]]:
    """Hough circle candidates of seal size on a small 0/1 mask, kept if their :func:`ring_score` is high."""
    work_dpi = dpi / factor
    r_min = max(4, int(mm_to_px(SEAL_DIAMETER_MM[0] / 2, work_dpi)))
    r_max = int(mm_to_px(SEAL_DIAMETER_MM[1] / 2, work_dpi)) + 1
    blur = cv2.GaussianBlur(mask * 255, (5, 5), 0)
    found = cv2.HoughCircles(blur, cv2.HOUGH_GRADIENT, dp=1, minDist=r_min, param1=100, param2=votes,
                             minRadius=r_min, maxRadius=r_max)  # fmt: skip
    out: list[tuple[float, BBox]] = []
    for cx, cy, r in [] if found is None else found[0][:40]:
        score, rim = ring_score(mask, cx, cy, r)
        if score < min_score:
            continue
        c = (cx * factor, cy * factor, rim * factor)
        box = BBox(max(0, int(c[0] - c[2])), max(0, int(c[1] - c[2])), int(c[0] + c[2]), int(c[1] + c[2]))
        if not any(b.x0 < box.cx < b.x1 and b.y0 < box.cy < b.y1 for _, b in out):  # same seal twice
            out.append((score, box))
    return out


def find_seals(img: np.ndarray, dpi: float, page: int = 1) -> list[InkMark]:
    """Find round seals: red rings on colour scans, black rings (by shape alone) on bitonal or grey scans.

    Candidates come from a Hough circle transform on a ~75 dpi copy with radii from
    :data:`SEAL_DIAMETER_MM`, and are kept when :func:`ring_score` shows a continuous rim. On a colour page
    the red ink is searched first; if it holds no seal, the dark print is searched too (photocopies).
    The faint offset of a seal on a blank back page can be found as well; it is a real mark of the page.

    Returns:
        ``InkMark(kind="seal")`` objects (``page`` stored on them), colour ``"red"`` or ``"black"``, best first.
    """
    small, f0 = _downscale(img, dpi, DETECT_DPI)
    seals: list[InkMark] = []
    grey: np.ndarray | None = small
    if _as_bgr(small) is not None:
        red = _shrink_mask(color_masks(small, SEAL_CHROMA)["red"].view(np.uint8), 2)
        if int(red.sum()) > mm_to_px(20, dpi / f0 / 2) ** 2 * 0.05:
            for score, box in _rings(red, f0 * 2, dpi, votes=15, min_score=SEAL_SCORE_RED):
                seals.append(InkMark("seal", "red", box, page, round(score, 3)))
        grey = None if seals else np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
    if grey is not None:
        paper = float(np.percentile(grey, 75))
        dark = _shrink_mask(cv2.threshold(grey, max(0.0, paper - SEAL_RING_CONTRAST), 1, cv2.THRESH_BINARY_INV)[1], 2)
        for score, box in _rings(dark, f0 * 2, dpi, votes=25, min_score=SEAL_SCORE_BLACK):
            seals.append(InkMark("seal", "black", box, page, round(score, 3)))
    seals.sort(key=lambda m: -m.score)
    logger.debug("page %d: %d seals", page, len(seals))
    return seals
