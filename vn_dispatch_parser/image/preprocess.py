"""Page geometry and OCR preparation: orientation, deskew, scanner borders, blank pages, upscaling.

Every step is a pure function on an ndarray. Analysis runs on a 50–100 dpi copy (a few ms to tens of ms
on a 300 dpi A4 page); only the final rotation and upscaling touch full-size pixels. Tesseract OSD (~2 s a
page) runs only when the cheap orientation check is unsure, which no text page of the real scans needed in
any of the four rotations. :func:`prepare_for_ocr` chains the steps. Measured on the real scans: removing
coloured ink and upscaling low-resolution pages to 300 dpi help OCR; binarisation and median denoising
do not (Tesseract binarises better itself), so they are not applied.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.errors import DispatchParserError
from vn_dispatch_parser.image.ink import has_color, mm_to_px, remove_color_ink

__all__ = ["Orientation", "PrepInfo", "deskew", "detect_orientation", "estimate_skew", "flatten_background",
           "guess_dpi", "is_blank", "normalize_contrast", "osd_orientation", "prepare_for_ocr", "print_glyphs",
           "remove_border", "rotate", "rotate_upright", "to_grey", "upscale"]

logger = logging.getLogger(__name__)

#: Skew below this (degrees) is left alone: Tesseract reads 2° as well as 0° (field recall 0.971 vs
#: 0.969 deskewed), while 4° (0.961 → 0.966) and 7° (0.607 → 0.966) need it. Real scans: 0–1.7°.
MIN_SKEW = 2.0
#: The up/down test is trusted when ink above the text core and below it differ by this factor
#: (real text pages: 1.4–3.8).
UPDOWN_SURE = 1.3
#: The line-direction test is trusted when this many more glyphs have their nearest neighbour along one
#: axis than along the other (text pages of ../shared/real and samples/: 4–25; near-blank pages: 1–2).
DIRECTION_SURE = 2.5
#: ... and when at least this many glyphs voted.
DIRECTION_MIN_VOTES = 20
#: The gap test compares at most this many glyphs (a 2,500² matrix of gaps, ~25 MB of int32).
DIRECTION_MAX_GLYPHS = 2500
#: Pages below this resolution are upscaled (bicubic) to :data:`OCR_DPI` before OCR.
UPSCALE_BELOW = 100
OCR_DPI = 300
#: The paper is flattened when its darkest stretch (2nd percentile of the background estimate) is below
#: this share of its brightest (98th): vignetting, a curled page's shadow, an uneven lamp.
FLAT_PAPER_RATIO = 0.8
#: The neighbourhood (Gaussian sigma, mm) whose mean brightness each pixel is divided by in
#: :func:`normalize_contrast`: about two letter heights, so a glyph's strokes are measured against the paper
#: right around them.
LOCAL_MEAN_SIGMA_MM = 2.0


@dataclass(frozen=True)
class Orientation:
    """A page's orientation: rotate it ``degrees`` clockwise (0, 90, 180, 270) to make it upright."""

    degrees: int
    confidence: float  # 0–1
    method: str  # "profile" | "osd" | "default"


@dataclass
class PrepInfo:
    """What :func:`prepare_for_ocr` did. ``color`` is the input turned, straightened and scaled like the
    OCR image (same frame, ``dpi_out``), for mark detection and ink layers; None for pages without colour."""

    dpi_in: int
    dpi_out: int
    scale: float = 1.0
    rotation: int = 0  # clockwise degrees applied
    skew: float = 0.0  # degrees found (counter-clockwise positive); 0.0 when not corrected
    blank: bool = False
    color: np.ndarray | None = None
    steps: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def to_grey(img: np.ndarray) -> np.ndarray:
    """Return a uint8 grey copy of a BGR, BGRA or grey image."""
    if img.ndim == 2:
        return img.copy()
    return cv2.cvtColor(img, cv2.COLOR_BGRA2GRAY if img.shape[2] == 4 else cv2.COLOR_BGR2GRAY)


def guess_dpi(shape: tuple[int, ...]) -> int:
    """Guess the resolution of an image without dpi metadata by assuming an A4 page (210 mm short side)."""
    return max(50, round(min(shape[:2]) / (210 / 25.4)))


def _shrink(grey: np.ndarray, dpi: float, target: float) -> tuple[np.ndarray, float]:
    """Area-average a grey image down to ``target`` dpi; returns it and its dpi."""
    if dpi <= target:
        return grey, dpi
    f = target / dpi
    return cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA), target


def _binary(grey: np.ndarray) -> np.ndarray:
    """0/1 uint8 mask of dark print (Otsu; a fixed 128 on nearly empty pages where Otsu splits noise)."""
    _, out = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return out if out.mean() <= 0.5 else (grey < 128).astype(np.uint8)


def _print_grey(img: np.ndarray) -> np.ndarray:
    return remove_color_ink(img) if img.ndim == 3 else img


def _profiles(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray) -> list[np.ndarray]:
    """Projection profiles (bin counts) of points along each angle (degrees, counter-clockwise)."""
    out = []
    for a in np.radians(angles):
        p = ys * np.cos(a) + xs * np.sin(a)
        out.append(np.bincount((p - p.min()).astype(np.int64)).astype(np.float64))
    return out


def _points(binary: np.ndarray, limit: int = 30000) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(binary)
    step = len(ys) // limit + 1
    return ys[::step].astype(np.float64), xs[::step].astype(np.float64)


def _skew(binary: np.ndarray, max_angle: float) -> float:
    ys, xs = _points(binary)
    if len(ys) < 500:
        return 0.0
    best = 0.0
    for span, step in ((max_angle, 0.5), (0.5, 0.05)):
        angles = np.arange(best - span, best + span + 1e-9, step)
        best = float(angles[int(np.argmax([np.dot(h, h) for h in _profiles(ys, xs, angles)]))])
    return round(best, 2)


def estimate_skew(img: np.ndarray, dpi: float, max_angle: float = 10.0) -> float:
    """Estimate the text-line angle in degrees (counter-clockwise positive, as seen on screen).

    Projection-profile search on a 100 dpi binarised copy: print pixels are projected along candidate
    angles (0.5° steps, then 0.05°) and the angle whose profile is sharpest (sum of squared counts: lines
    and gaps cleanly apart) wins. Coloured ink (seals, signatures) is removed first.

    Returns:
        The skew angle; 0.0 for a page with too little print to tell.
    """
    grey, _ = _shrink(_print_grey(img), dpi, 100)
    return _skew(_binary(grey), max_angle)


def rotate(img: np.ndarray, angle: float) -> np.ndarray:
    """Rotate ``img`` by ``angle`` degrees counter-clockwise, enlarging the canvas; new area is white."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(round(h * sin + w * cos)), int(round(h * cos + w * sin))
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    white = (255,) * (1 if img.ndim == 2 else img.shape[2])
    return cv2.warpAffine(img, m, (nw, nh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=white)


def deskew(img: np.ndarray, dpi: float, min_angle: float = MIN_SKEW) -> tuple[np.ndarray, float]:
    """Straighten a rotated page (up to ±10°); pages within ``min_angle`` degrees are left unchanged.

    Returns:
        ``(image, angle)``: the straightened image and the skew corrected (0.0 when nothing was done).
    """
    angle = estimate_skew(img, dpi)
    if abs(angle) < min_angle:
        return img, 0.0
    return rotate(img, -angle), angle


def _updown_ratio(binary: np.ndarray) -> tuple[float, int]:
    """Ink above the x-height core of text lines over ink below it, measured in four vertical strips.

    Upright Latin script, and Vietnamese more so (capitals, ascenders, tone marks), has more ink above the
    core than below (descenders, dot-below); upside-down text has the reverse.

    Returns:
        ``(ratio, lines_measured)``.
    """
    above = below = 0.0
    lines = 0
    step = max(1, binary.shape[1] // 4)
    for x0 in range(0, binary.shape[1] - step // 2, step):
        prof = binary[:, x0 : x0 + step].sum(axis=1).astype(np.float64)
        edges = np.flatnonzero(np.diff(np.concatenate(([0], (prof > max(1.0, 0.02 * step)).astype(np.int8), [0]))))
        for y0, y1 in zip(edges[::2], edges[1::2], strict=False):
            band = prof[y0:y1]
            if 4 <= len(band) <= 40 and band.max() < 0.9 * step:  # not a scanner edge or a rule
                core = np.flatnonzero(band >= 0.5 * band.max())
                if core[-1] - core[0] + 1 < 0.3 * len(band):  # a seal's rim or a signature, not a line
                    continue
                above += band[: core[0]].sum()
                below += band[core[-1] + 1 :].sum()
                lines += 1
    return (above + 1.0) / (below + 1.0), lines


OrientationFn = Callable[[np.ndarray], tuple[int, float]]
"""An OCR engine's ``orientation(image) -> (clockwise degrees, confidence 0–1)`` (``OcrEngine.orientation``)."""


def osd_orientation(img: np.ndarray, osd: OrientationFn | None) -> Orientation | None:
    """Ask the OCR engine's orientation detector (Tesseract OSD) how to turn the page; None if it can't."""
    if osd is None:
        return None
    try:
        rotate, conf = osd(to_grey(img))
    except DispatchParserError as exc:
        logger.warning("tesseract OSD failed: %s", exc)
        return None
    return Orientation(rotate % 360, conf, "osd") if conf > 0 else None


def _neighbour_votes(binary: np.ndarray) -> tuple[int, int]:
    """How many glyphs have their nearest neighbour beside them, and how many above or below them.

    Within a line, the gap between words (and between letters that do not touch) is narrower than the
    gap between lines, so on an upright page most glyphs' nearest neighbour sits beside them; on a page
    turned 90° it sits above or below. Unlike projection profiles, this holds on a page with only a few
    lines, and diacritics (too small) and rules or seals (too big) are left out of the vote.

    Returns:
        ``(beside, above_or_below)`` counts of glyphs.
    """
    _, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    x, y, w, h = (stats[1:, i].astype(np.int32) for i in range(4))
    size = np.maximum(w, h)
    keep = (np.minimum(w, h) >= 2) & (size <= 60)
    if keep.sum() < DIRECTION_MIN_VOTES:
        return 0, 0
    median = float(np.median(size[keep]))
    keep &= (size >= 0.5 * median) & (size <= 3 * median)
    x, y, w, h = x[keep], y[keep], w[keep], h[keep]
    if len(x) > DIRECTION_MAX_GLYPHS:
        pick = np.random.default_rng(0).choice(len(x), DIRECTION_MAX_GLYPHS, replace=False)
        x, y, w, h = x[pick], y[pick], w[pick], h[pick]
    x1, y1 = x + w, y + h
    gap_x = np.maximum(0, np.maximum(x[None, :] - x1[:, None], x[:, None] - x1[None, :]))
    gap_y = np.maximum(0, np.maximum(y[None, :] - y1[:, None], y[:, None] - y1[None, :]))
    overlap_y = np.minimum(y1[:, None], y1[None, :]) - np.maximum(y[:, None], y[None, :])
    overlap_x = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x[:, None], x[None, :])
    np.fill_diagonal(overlap_y, -1)
    np.fill_diagonal(overlap_x, -1)
    far = np.int32(1 << 30)
    beside = np.where(overlap_y >= 0.5 * np.minimum(h[:, None], h[None, :]), gap_x, far).min(axis=1)
    stacked = np.where(overlap_x >= 0.5 * np.minimum(w[:, None], w[None, :]), gap_y, far).min(axis=1)
    near = 2 * median
    return int(((beside < stacked) & (beside <= near)).sum()), int(((stacked < beside) & (stacked <= near)).sum())


def _orientation(grey100: np.ndarray, img: np.ndarray, use_osd: bool,
                 osd: OrientationFn | None = None) -> tuple[Orientation, float]:
    """Orientation and, when the profile check decided it, the skew of the page once turned upright."""
    base = _binary(grey100)
    horizontal, vertical_votes = _neighbour_votes(base)
    if max(horizontal, vertical_votes) < DIRECTION_MIN_VOTES:
        return Orientation(0, 0.0, "default"), 0.0
    direction = (horizontal + 1) / (vertical_votes + 1)
    sure_dir = max(direction, 1 / direction) >= DIRECTION_SURE
    vertical = sure_dir and direction < 1.0
    binary = cv2.rotate(base, cv2.ROTATE_90_CLOCKWISE) if vertical else base
    skew = _skew(binary, 10.0)  # a 180° turn keeps the skew; straighten before comparing line halves
    scanned = binary
    if abs(skew) >= 0.3:  # the up/down test already suffers from 1–2°
        binary = (rotate(255 - binary * 255, -skew) < 128).astype(np.uint8)
    ratio, lines = _updown_ratio(binary)
    sure_ud = lines >= 5 and max(ratio, 1 / ratio) >= UPDOWN_SURE
    if sure_ud and binary is not scanned:
        # not when the page as scanned is as surely the other way up: a few lines of small print (a last
        # page's Nơi nhận), whose ink shifts between bands when the skew of so little print is straightened
        unturned = _updown_ratio(scanned)[0]
        sure_ud = max(unturned, 1 / unturned) < UPDOWN_SURE or (unturned < 1) == (ratio < 1)
    flip = ratio < 1.0 if (sure_ud or vertical) else False
    degrees = ((90 if vertical else 0) + (180 if flip else 0)) % 360
    if sure_dir and sure_ud:
        return Orientation(degrees, round(min(1.0, 0.5 + abs(float(np.log(ratio))) / 2), 2), "profile"), skew
    if use_osd:
        found = osd_orientation(img, osd)
        if found is not None and found.confidence >= CONF.osd_min:
            return found, skew if found.degrees == degrees else _skew(np.rot90(base, -found.degrees // 90), 10.0)
    return Orientation(degrees, 0.3 if sure_dir or sure_ud else 0.0, "profile"), skew


def detect_orientation(img: np.ndarray, dpi: float, use_osd: bool = True, osd: OrientationFn | None = None) -> Orientation:
    """Detect whether a page is turned by 0, 90, 180 or 270 degrees.

    A cheap check first, on a 50–100 dpi copy: text lines run along the axis whose projection profile
    alternates more (0/180 vs 90/270), and text has more ink above its x-height core than below (0 vs 180).
    Only when a test is unsure, and ``use_osd`` is set, the OCR engine's ``osd`` (Tesseract OSD) decides.

    Returns:
        The :class:`Orientation`; ``degrees`` is the clockwise rotation that makes the page upright.
    """
    grey100, _ = _shrink(_print_grey(img), dpi, 100)
    return _orientation(grey100, img, use_osd, osd)[0]


_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def rotate_upright(img: np.ndarray, dpi: float | None = None, use_osd: bool = True,
                   osd: OrientationFn | None = None) -> tuple[np.ndarray, int]:
    """Turn a page upright; returns the image and the clockwise rotation applied (0, 90, 180 or 270)."""
    found = detect_orientation(img, dpi or guess_dpi(img.shape), use_osd=use_osd, osd=osd)
    return (img, 0) if found.degrees == 0 else (cv2.rotate(img, _ROTATE[found.degrees]), found.degrees)


def remove_border(img: np.ndarray, dpi: float) -> np.ndarray:
    """Paint dark scanner margins white.

    A dark region (grey < 100 on a 50 dpi copy) is scanner border when it touches the image edge, runs
    ≥ 20 mm along it, is ≥ 1.5 mm thick and fills ≥ 40 % of its box (a skewed page's dark triangle does).
    Print, even hand-writing reaching the edge, is thin and sparse and is kept.

    Returns:
        The image itself when there is no border, else a new array of the same shape and type.
    """
    small, sdpi = _shrink(to_grey(img), dpi, 50)
    n, labels, stats, _ = cv2.connectedComponentsWithStats((small < 100).astype(np.uint8), connectivity=8)
    sh, sw = small.shape
    run, thick = mm_to_px(20, sdpi), mm_to_px(1.5, sdpi)
    border = np.zeros(small.shape, np.uint8)
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        along_h = (y == 0 or y + h == sh) and w >= run and h >= thick
        along_v = (x == 0 or x + w == sw) and h >= run and w >= thick
        if (along_h or along_v) and area >= 0.4 * w * h:
            border[labels == i] = 1
    if not border.any():
        return img
    full = cv2.resize(cv2.dilate(border, np.ones((3, 3), np.uint8)), (img.shape[1], img.shape[0]),
                      interpolation=cv2.INTER_NEAREST)  # fmt: skip
    out = img.copy()
    out[full.astype(bool)] = 255
    return out


def _background(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, float]:
    """The paper's brightness under the print, on a 50 dpi copy: a grey closing wider than any glyph
    (8 mm) takes the print away, a blur smooths what is left."""
    small, sdpi = _shrink(grey, dpi, 50)
    k = max(3, int(mm_to_px(8, sdpi)) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return cv2.GaussianBlur(bg, (0, 0), k / 2), sdpi


def flatten_background(img: np.ndarray, dpi: float) -> np.ndarray:
    """Even out uneven paper brightness (vignetting, shadows): the grey page divided by its background.

    A page whose paper is even (the 2nd percentile of the background at least :data:`FLAT_PAPER_RATIO`
    of the 98th) is returned as it is; print on it is not touched. Measured on a heavy scan with dark
    corners, Tesseract lost the header and title lines in the shadow and reads them after flattening.

    Returns:
        ``img`` itself when even, else a new uint8 grey array of the same shape.
    """
    grey = to_grey(img)
    bg, _ = _background(grey, dpi)
    lo, hi = np.percentile(bg, (2, 98))
    if hi <= 0 or lo >= FLAT_PAPER_RATIO * hi:
        return img
    full = cv2.resize(bg, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    return _divided(grey, full, 40.0)


def _divided(grey: np.ndarray, paper: np.ndarray, floor: float) -> np.ndarray:
    """``grey * (255 / max(paper, floor))`` as uint8, worked in place in ``paper`` (float32) and one float copy
    of ``grey``: two page-sized float arrays at a time, not five."""
    np.maximum(paper, np.float32(floor), out=paper)
    np.divide(np.float32(255.0), paper, out=paper)
    out = grey.astype(np.float32, copy=False)
    out *= paper
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


def normalize_contrast(img: np.ndarray, dpi: float) -> np.ndarray:
    """Each pixel divided by the mean brightness around it (:data:`LOCAL_MEAN_SIGMA_MM`): paper to white,
    print dark. For a page Tesseract reads (almost) nothing on: grainy grey paper with little print is
    binarised by its global threshold into speckles, and its layout finds no text block (measured on such
    pages: no line read as they are or after :func:`flatten_background`, the signature block after this)."""
    grey = to_grey(img).astype(np.float32)
    sigma = max(1.0, mm_to_px(LOCAL_MEAN_SIGMA_MM, dpi))
    return _divided(grey, cv2.GaussianBlur(grey, (0, 0), sigma), 1.0)


def _glyphs(grey100: np.ndarray, dpi: float) -> int:
    """Letter-sized dark components (0.7–12 mm high) of a 100 dpi grey copy, 4 % margins left out."""
    h, w = grey100.shape
    my, mx = int(h * 0.04), int(w * 0.04)
    _, _, stats, _ = cv2.connectedComponentsWithStats((grey100[my : h - my, mx : w - mx] < 140).astype(np.uint8))
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    return int(np.count_nonzero((heights >= mm_to_px(0.7, dpi)) & (heights <= mm_to_px(12, dpi))))


def _blank(grey100: np.ndarray, dpi: float) -> bool:
    return _glyphs(grey100, dpi) < 15


def print_glyphs(img: np.ndarray, dpi: float) -> int:
    """How many letter-sized pieces of dark print a grey page holds (as :func:`is_blank` counts them): a
    measure of how much text there is to read, without OCR."""
    grey100, d = _shrink(to_grey(img), dpi, 100)
    return _glyphs(grey100, d)


def is_blank(img: np.ndarray, dpi: float) -> bool:
    """True for a page without print: empty, or only a seal's faint offset or show-through.

    Coloured ink is removed first; then dark print (grey < 140 on a 100 dpi copy, 4 % margins ignored)
    is split into connected components. Fewer than 15 letter-sized ones (0.7–12 mm high) is blank, so a
    page holding only a page number is blank too.
    """
    grey100, d = _shrink(_print_grey(img), dpi, 100)
    return _blank(grey100, d)


def upscale(img: np.ndarray, dpi: float, target: int = OCR_DPI, below: int = UPSCALE_BELOW) -> tuple[np.ndarray, float]:
    """Bicubic upscaling of pages under ``below`` dpi to ``target`` dpi; returns the image and the factor."""
    if dpi >= below:
        return img, 1.0
    f = target / dpi
    return cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC), f


def prepare_for_ocr(
    img: np.ndarray, dpi: float | None = None, *, orient: bool = True, straighten: bool = True,
    use_osd: bool = True, target_dpi: int = OCR_DPI, osd: OrientationFn | None = None,
) -> tuple[np.ndarray, PrepInfo]:  # fmt: skip
    """Turn a page image into the grey image Tesseract should read.

    Steps: coloured ink whitened (:func:`~vn_dispatch_parser.image.ink.remove_color_ink`); blank check (a blank
    page stops here); orientation (:func:`detect_orientation`); deskew when ≥ :data:`MIN_SKEW`; dark
    scanner borders whitened; pages under :data:`UPSCALE_BELOW` dpi upscaled to ``target_dpi``.

    Args:
        img: BGR, BGRA or grey page image.
        dpi: Its resolution; guessed from an A4 page size when unknown.
        orient: Detect and fix 90/180/270° turns.
        straighten: Fix small skew.
        use_osd: Let the OCR engine's orientation detector decide when the cheap check is unsure.
        osd: That detector (``engine.orientation``); None: no OSD.
        target_dpi: Resolution low-resolution pages are upscaled to.

    Returns:
        ``(grey, info)``; ``info.color`` is the colour page in the grey image's frame (None when the page
        has no colour: find marks on ``grey`` then), at ``info.dpi_out``.
    """
    dpi_in = int(dpi or guess_dpi(img.shape))
    info = PrepInfo(dpi_in=dpi_in, dpi_out=dpi_in)
    clock = [time.perf_counter()]

    def tick(step: str) -> None:
        clock.append(time.perf_counter())
        info.timings[step] = round(clock[-1] - clock[-2], 4)

    color = img if img.ndim == 3 and has_color(img) else None
    grey = remove_color_ink(img) if color is not None else to_grey(img)
    grey100, d100 = _shrink(grey, dpi_in, 100)
    info.blank = _blank(grey100, d100)
    tick("ink+blank")
    if info.blank:
        info.color = color
        return grey, info
    angle = None
    if orient:
        found, angle = _orientation(grey100, grey, use_osd, osd)
        if found.degrees:
            grey, grey100 = cv2.rotate(grey, _ROTATE[found.degrees]), cv2.rotate(grey100, _ROTATE[found.degrees])
            color = None if color is None else cv2.rotate(color, _ROTATE[found.degrees])
            info.rotation = found.degrees
            info.steps.append(f"rotate {found.degrees} ({found.method})")
        tick("orientation")
    if straighten:
        angle = _skew(_binary(grey100), 10.0) if angle is None else angle
        if abs(angle) >= MIN_SKEW:
            grey = rotate(grey, -angle)
            color = None if color is None else rotate(color, -angle)
            info.skew = angle
            info.steps.append(f"deskew {angle:+.2f}")
        tick("deskew")
    cleaned = remove_border(grey, dpi_in)
    if cleaned is not grey:
        info.steps.append("border")
    grey, info.scale = upscale(cleaned, dpi_in, target_dpi)
    if info.scale != 1.0:
        color = None if color is None else upscale(color, dpi_in, target_dpi)[0]
        info.dpi_out = target_dpi
        info.steps.append(f"upscale {dpi_in}->{target_dpi}")
    info.color = color
    tick("border+upscale")
    logger.debug("prepare_for_ocr: %s %s", info.steps, info.timings)
    return grey, info
