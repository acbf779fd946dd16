"""Framed stamps on a page, found by their rules: the ĐẾN stamp (nd30.md §4.1) in any ink, on colour, grey and
bitonal scans, whole or worn into dashes (:func:`find_stamp_boxes`). The coloured marks, seals and the ink
layers are :mod:`vn_dispatch_parser.image.ink`'s."""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np

from vn_dispatch_parser.core.types import BBox, InkMark
from vn_dispatch_parser.image.ink import DETECT_DPI, _at_least, _downscale, mm_to_px

__all__ = ["PAPER_AROUND_MM", "STAMP_MAX_MM", "STAMP_RULE_CONTRAST", "STAMP_RULE_FAINT", "find_stamp_boxes"]


#: A stamp's rules are this much darker than the paper (grey levels, in the darkest channel): pale pink,
#: violet and grey stamp frames are 50–90 below the paper, which a fixed threshold at 150 missed.
STAMP_RULE_CONTRAST = 45
#: Where no frame is found so, rules are looked for again as ink this much darker than the paper around
#: them (the lightest grey within PAPER_AROUND_MM): on a dim, blurred photo of a page in shadow a violet
#: stamp's rules are 30-40 below the paper beside them and the paper itself is darker than the page's.
STAMP_RULE_FAINT = 28
PAPER_AROUND_MM = 4.0
#: The largest frame taken for a stamp, in mm (long side, short side): the ĐẾN stamp is about 50 × 35 mm
#: (nd30.md §2.11), a pressed stamp a little larger. A rule longer than this is no side of a stamp: a page
#: edge darkened by the scanner's lid, a table or column rule.
STAMP_MAX_MM = (95.0, 60.0)
#: Tilts (degrees) at which stamp rules are looked for.
STAMP_TILTS = (-4.0, -2.0, 0.0, 2.0, 4.0)


def _rules(dark: np.ndarray, h_len: int, v_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical rules (0/255 masks) at least ``h_len`` / ``v_len`` long, found at each tilt of
    :data:`STAMP_TILTS`: a stamp pressed by hand sits 1–4° off, and a 2 px rule tilted 3° leaves a straight
    12 mm opening within 70 px."""
    horiz, vert = np.zeros_like(dark), np.zeros_like(dark)
    h, w = dark.shape
    for tilt in STAMP_TILTS:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), tilt, 1.0)
        turned = dark if tilt == 0 else cv2.warpAffine(dark, m, (w, h), flags=cv2.INTER_NEAREST)
        found = [cv2.morphologyEx(turned, cv2.MORPH_OPEN, np.ones(k, np.uint8)) for k in ((1, h_len), (v_len, 1))]
        if tilt:
            back = cv2.invertAffineTransform(m)
            found = [cv2.warpAffine(f, back, (w, h), flags=cv2.INTER_NEAREST) for f in found]
        horiz, vert = cv2.bitwise_or(horiz, found[0]), cv2.bitwise_or(vert, found[1])
    return horiz, vert


def find_stamp_boxes(img: np.ndarray, dpi: float, page: int = 1) -> list[InkMark]:
    """Find framed stamps (the ĐẾN stamp, in any ink, on colour, grey or bitonal scans) in the upper half of
    a page.

    Rules are ink :data:`STAMP_RULE_CONTRAST` darker than the paper in the darkest channel (horizontal
    ≥ 12 mm, vertical ≥ 6 mm, by morphological opening at each tilt of :data:`STAMP_TILTS`); they are
    grouped when closer than 4 mm (10 mm sideways). A group 25–95 × 10–60 mm with rules along three of its
    four sides (45 % of each), one vertical, is a stamp: real stamps are broken (receiver line struck
    through, dotted bottom line). When no group is one, a frame whose top and bottom wore into dashes is
    looked for between two facing vertical rules (:func:`_paired_sides`). Body text has no vertical rules;
    more than three boxes on a page are a table and give none.

    Returns:
        ``InkMark(kind="stamp", color="black")`` objects (the colour is not told apart here); the score is
        the share of sides found.
    """
    small, factor = _downscale(img, dpi, DETECT_DPI)
    top = small[: small.shape[0] // 2]
    grey = top if top.ndim == 2 else top.min(axis=2)  # any ink is dark in its darkest channel
    wd = dpi / factor
    paper = float(np.percentile(grey, 75))
    dark = cv2.threshold(grey, max(0.0, paper - STAMP_RULE_CONTRAST), 255, cv2.THRESH_BINARY_INV)[1]
    boxes, flanks = _framed(dark, wd, factor, page)
    if not boxes and flanks:  # two flanks face each other but no frame joins them: a stamp pressed askew?
        boxes = _turned_frames(dark, wd, factor, page)
    if not boxes:  # a dim or blurred page: rules faint against the paper around them
        around = cv2.dilate(grey, np.ones((int(mm_to_px(PAPER_AROUND_MM, wd)),) * 2, np.uint8))
        faint = _at_least(cv2.subtract(around, grey), STAMP_RULE_FAINT)
        boxes = _framed(faint, wd, factor, page, worn=False)[0]
    return [] if len(boxes) > 3 else boxes


STAMP_TURNS = (6.0, -6.0, 9.0, -9.0)
"""Turns (degrees) of the page at which a frame is looked for again when none was found but two flanks face
each other: a stamp pressed by hand sits up to ~10° off, and past :data:`STAMP_TILTS`' 4° the rules of its
top and bottom are no longer found (a synthetic page's stamp at 6.8°: flanks found, no frame)."""


def _on_page(x0: float, y0: float, x1: float, y1: float, factor: float) -> BBox:
    """A box found on the detection copy, in full-page pixels."""
    return BBox(int(x0 * factor), int(y0 * factor), int(x1 * factor), int(y1 * factor))


def _turned_frames(dark: np.ndarray, wd: float, factor: float, page: int) -> list[InkMark]:
    """The frames found in ``dark`` turned by the first of :data:`STAMP_TURNS` that gives any, as the boxes
    around them on the page as it is, in full-page pixels."""
    h, w = dark.shape
    for angle in STAMP_TURNS:
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        found = _framed(cv2.warpAffine(dark, turn, (w, h), flags=cv2.INTER_NEAREST), wd, 1.0, page)[0]
        if not found:
            continue
        back = cv2.invertAffineTransform(turn)
        out = []
        for mark in found:
            b = mark.bbox
            corners = np.array([[[b.x0, b.y0], [b.x1, b.y0], [b.x0, b.y1], [b.x1, b.y1]]], np.float32)
            pts = cv2.transform(corners, back)[0].clip(0, [w - 1, h - 1])
            (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
            out.append(InkMark("stamp", "black", _on_page(x0, y0, x1, y1, factor), page, mark.score))
        return out
    return []


def _framed(dark: np.ndarray, wd: float, factor: float, page: int, *, worn: bool = True) -> tuple[list[InkMark], bool]:
    """The stamp frames of a mask of dark ink at ``wd`` dpi (:func:`find_stamp_boxes`), in full-page pixels,
    and whether two vertical rules face each other as a stamp's flanks do (:func:`_facing`); ``worn``: a worn
    frame's top and bottom are looked for beyond its flanks (:data:`DASH_REACH_MM`), which a mask of faint
    ink, where paper grain joins the strokes of text lines into short rules, cannot afford."""
    horiz, vert = _rules(dark, int(mm_to_px(12, wd)), int(mm_to_px(6, wd)))
    # a long rule beside a stamp (the page's dark edge) would join its group and make it too big to be one
    horiz = _shorter_than(horiz, mm_to_px(STAMP_MAX_MM[0], wd), axis=1)
    vert = _shorter_than(vert, mm_to_px(STAMP_MAX_MM[1], wd), axis=0)
    if not cv2.countNonZero(vert):
        return [], False
    rules, band = cv2.bitwise_or(horiz, vert), max(2, int(mm_to_px(4, wd)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(rules, np.ones((band, int(mm_to_px(10, wd))), np.uint8)))
    boxes: list[InkMark] = []
    for i in range(1, n):
        gx, gy, gw, gh, _ = stats[i]
        pts = cv2.findNonZero(rules[gy : gy + gh, gx : gx + gw] & (labels[gy : gy + gh, gx : gx + gw] == i).astype(np.uint8))
        if pts is None:
            continue
        x, y, w, h = cv2.boundingRect(pts)
        x, y = x + gx, y + gy
        if not (mm_to_px(25, wd) <= w <= mm_to_px(STAMP_MAX_MM[0], wd) and mm_to_px(10, wd) <= h <= mm_to_px(STAMP_MAX_MM[1], wd)):
            continue
        sides = [
            horiz[y : y + band, x : x + w].max(0), horiz[y + h - band : y + h, x : x + w].max(0),
            vert[y : y + h, x : x + band].max(1), vert[y : y + h, x + w - band : x + w].max(1),
        ]  # fmt: skip
        found = [float(sd.mean()) / 255 >= 0.45 for sd in sides]
        if sum(found) >= 3 and (found[2] or found[3]) and _mostly_paper(dark, x, y, w, h, band):
            boxes.append(InkMark("stamp", "black", _on_page(x, y, x + w, y + h, factor), page, round(sum(found) / 4, 2)))
    if boxes:
        return boxes, False
    lines = _vertical_lines(vert, wd)
    boxes = [InkMark("stamp", "black", _on_page(b.x0, b.y0, b.x1, b.y1, factor), page, 0.5)
             for b in _paired_sides(lines, dark, wd, worn)
             if _mostly_paper(dark, b.x0, b.y0, b.width, b.height, band)]
    return boxes, _facing(lines, wd)


Flank = tuple[int, int, int]  # a vertical rule as (x, y0, y1)


def _flank_pairs(lines: list[Flank], wd: float) -> Iterator[tuple[Flank, Flank]]:
    """The pairs of vertical rules as far apart as a stamp's two flanks (25–95 mm), left one first."""
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if mm_to_px(25, wd) <= abs(a[0] - b[0]) <= mm_to_px(STAMP_MAX_MM[0], wd):
                yield (a, b) if a[0] <= b[0] else (b, a)


def _facing(lines: list[Flank], wd: float) -> bool:
    """Whether two vertical rules of at least 10 mm stand 25–95 mm apart over half the shorter one's height."""
    tall = [ln for ln in lines if ln[2] - ln[1] >= mm_to_px(10, wd)]
    return any(min(a1, b1) - max(a0, b0) >= 0.5 * min(a1 - a0, b1 - b0)
               for (_, a0, a1), (_, b0, b1) in _flank_pairs(tall, wd))


STAMP_INSIDE_INK = 0.5
"""The most of a frame's inside that may be ink: a stamp frames printed labels and a few hand-written figures on
paper. Measured on every frame found on samples/ and two heavy synthetic pages: 0.05–0.37; inside the dark band
that a deskewed scan's page edge leaves in its corner, where noise makes rules: 0.82."""


def _mostly_paper(dark: np.ndarray, x: int, y: int, w: int, h: int, band: int) -> bool:
    """Whether the inside of the box (``band`` in from its sides) is mostly paper in the ink mask ``dark``."""
    inside = dark[y + band : y + h - band, x + band : x + w - band]
    return not inside.size or float(inside.mean()) / 255 <= STAMP_INSIDE_INK


def _shorter_than(rules: np.ndarray, limit: float, axis: int) -> np.ndarray:
    """``rules`` without the pieces longer than ``limit`` px along ``axis`` (0: vertical, 1: horizontal)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(rules)
    size = stats[:, cv2.CC_STAT_HEIGHT if axis == 0 else cv2.CC_STAT_WIDTH]
    long = [i for i in range(1, n) if size[i] > limit]
    if not long:
        return rules
    out = rules.copy()
    out[np.isin(labels, long)] = 0
    return out


def _vertical_lines(vert: np.ndarray, wd: float) -> list[Flank]:
    """The vertical rules of a mask as lines ``(x, y0, y1)``: pieces in one column (within 2 mm) with less
    than 15 mm between them are one broken line."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(vert)
    pieces = [(int(stats[i][0] + stats[i][2] // 2), int(stats[i][1]), int(stats[i][1] + stats[i][3])) for i in range(1, n)]
    lines: list[list[int]] = []
    for x, y0, y1 in sorted(pieces, key=lambda p: p[1]):
        line = next((ln for ln in lines if abs(ln[0] - x) <= mm_to_px(2, wd) and y0 - ln[2] <= mm_to_px(15, wd)), None)
        if line is None:
            lines.append([x, y0, y1])
        else:
            line[2] = max(line[2], y1)
    return [(x, y0, y1) for x, y0, y1 in lines]


DASH_SIDE_COVER = 0.6
"""Share of a worn frame's top and of its bottom covered by pieces of rule. Measured on samples/: 0.71–0.91
on two worn ĐẾN frames of bitonal scans, 0.21–0.39 between the flanks of a seal ring with a signature over it."""
DASH_MM = 1.5  # the shortest piece of a worn rule kept: letters' strokes across a text line are mostly shorter


def _paired_sides(lines: list[Flank], dark: np.ndarray, wd: float, worn: bool = True) -> list[BBox]:
    """Frames whose top and bottom rules broke into dashes (a worn stamp, a bitonal scan eats thin lines):
    two vertical rules of ``lines`` 25–95 mm apart that face each other over most of their height, 10–60 mm
    tall, joined along the top and along the bottom by horizontal pieces of ink (:data:`DASH_MM` long at
    least) for :data:`DASH_SIDE_COVER` of the width. A seal's ring has vertical flanks but nothing straight
    joins them across; a table has more than two such sides and is refused by the caller's count."""
    band, reach = max(2, int(mm_to_px(2, wd))), int(mm_to_px(DASH_REACH_MM, wd)) if worn else 0
    dashes = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, max(3, int(mm_to_px(DASH_MM, wd)))), np.uint8))
    out: list[BBox] = []
    for (left, a0, a1), (right, b0, b1) in _flank_pairs(lines, wd):
        y0, y1 = min(a0, b0), max(a1, b1)
        shared = min(a1, b1) - max(a0, b0)
        if not mm_to_px(10, wd) <= y1 - y0 <= mm_to_px(STAMP_MAX_MM[1], wd):
            continue
        if shared < 0.6 * min(a1 - a0, b1 - b0) or min(a1 - a0, b1 - b0) < 0.5 * (y1 - y0):
            continue
        top, bottom = (_dashed_side(dashes, y, r, band, left, right) for y, r in ((y0, -reach), (y1, reach)))
        if top is not None and bottom is not None and bottom - top <= mm_to_px(STAMP_MAX_MM[1], wd):
            out.append(BBox(left, top, right, bottom))
    return out


DASH_REACH_MM = 8.0
"""How far beyond a worn frame's vertical rules its top and bottom are looked for: a bitonal scan eats the
thin rules' ends at the corners too (a 300 dpi page: the flanks stopped 5–6 mm short of the bottom rule)."""


def _dashed_side(dashes: np.ndarray, y: int, reach: int, band: int, left: int, right: int) -> int | None:
    """The row near ``y`` (from ``band`` inside the flanks to ``reach`` beyond them: ``reach`` < 0 looks up)
    whose dashes cover the most of ``left``–``right``, when they cover :data:`DASH_SIDE_COVER`; else None."""
    lo, hi = sorted((y - band * (1 if reach > 0 else -1), y + reach)) if reach else (y, y)
    best, at = 0.0, None
    for row in range(max(0, lo), min(dashes.shape[0], hi + 1)):
        cover = float(dashes[max(0, row - band): row + band, left:right].max(0).mean()) / 255
        if cover > best + 1e-9:
            best, at = cover, row
    return at if best >= DASH_SIDE_COVER else None
