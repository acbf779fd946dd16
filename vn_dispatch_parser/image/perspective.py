"""Phone photos: find the sheet of paper in a photo and straighten it.

A photographed page lies on a desk or a hand, darker than the paper, and is seen at an angle: its edges form a
quadrilateral whose text lines converge, and Tesseract then mixes the words of neighbouring lines. The paper
is found as the largest bright region of the photo (Otsu's threshold on a small grey copy, text holes
closed); when its outline is a convex four-cornered shape well inside the photo, the page is warped to the
rectangle its edges span (the document-scanner method). A scan, where paper fills the frame, or a photo cut
to the page, has no such outline and is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vn_dispatch_parser.image.preprocess import to_grey

__all__ = ["PageQuad", "Sheet", "find_page", "rectify", "straighten_sheet"]

WORK_SIDE = 800
"""The photo is searched on a copy whose longer side is this many pixels (the outline needs no more)."""
PAGE_MIN = 0.2
"""The paper covers at least this share of the photo (less: a small bright object, not the page)."""
PAGE_MAX = 0.92
"""... and at most this share: a page that fills more is a scan or a photo cut to the page (a scanner's dark
edge leaves 3–8 % of the frame; a photo of a page on a desk, 15–60 %)."""
MARGIN = 0.005
"""Every corner lies this share of the photo's size inside its edges (a page cut by the frame has a side
along the frame, not a corner inside it)."""
SOLIDITY = 0.9
"""The paper region fills this share of its four-cornered outline (a sheet is convex; a hand or a shadow
across it, or a bright desk joined to it, is not)."""
CORNER_ANGLES = (55.0, 125.0)
"""The corners of a sheet seen at an angle stay within these angles (degrees)."""


@dataclass(frozen=True)
class PageQuad:
    """The sheet's corners in the photo (top-left, top-right, bottom-right, bottom-left) and its share of it."""

    corners: np.ndarray  # 4 x 2 float32
    area: float


def _ordered(pts: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], np.float32)


def _angles(q: np.ndarray) -> list[float]:
    out = []
    for i in range(4):
        a, b, c = q[i - 1], q[i], q[(i + 1) % 4]
        u, v = a - b, c - b
        cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
        out.append(float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))))
    return out


def find_page(img: np.ndarray) -> PageQuad | None:
    """The sheet of paper of a photo, or None when there is no sheet standing out from a background."""
    grey = to_grey(img)
    h, w = grey.shape
    f = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else grey
    small = cv2.GaussianBlur(small, (5, 5), 0)
    _, paper = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    k = max(3, round(0.02 * max(small.shape)))  # close the text's holes in the paper
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    sh, sw = small.shape
    paper_px = cv2.contourArea(c)
    area = paper_px / float(sh * sw)
    if not PAGE_MIN <= area <= PAGE_MAX:
        return None
    hull = cv2.convexHull(c)
    if paper_px < SOLIDITY * cv2.contourArea(hull):
        return None
    peri = cv2.arcLength(hull, True)
    quad = None
    for eps in (0.02, 0.03, 0.04, 0.05):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            quad = _ordered(approx.reshape(4, 2).astype(np.float32))
            break
    if quad is None or paper_px < SOLIDITY * cv2.contourArea(quad):
        return None
    mx, my = MARGIN * sw, MARGIN * sh
    if not all(mx <= x <= sw - 1 - mx and my <= y <= sh - 1 - my for x, y in quad):
        return None
    lo, hi = CORNER_ANGLES
    if not all(lo <= a <= hi for a in _angles(quad)):
        return None
    return PageQuad(quad / f, area)


def rectify(img: np.ndarray, quad: PageQuad) -> tuple[np.ndarray, np.ndarray]:
    """The sheet warped to the rectangle its edges span (the longer of each pair of opposite edges, so the
    print keeps at least its resolution), and the 3 × 3 homography from the photo to it."""
    tl, tr, br, bl = quad.corners
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    dst = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    m = cv2.getPerspectiveTransform(quad.corners.astype(np.float32), dst)
    out = cv2.warpPerspective(img, m, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return out, m


@dataclass(frozen=True)
class Sheet:
    """A photographed sheet seen square on: the image, the homography from the photo to it, its share of the
    photo."""

    image: np.ndarray
    warp: np.ndarray
    area: float


def straighten_sheet(img: np.ndarray) -> Sheet | None:
    """The sheet of a photo straightened (:func:`find_page`, :func:`rectify`); None for a scan."""
    quad = find_page(img)
    if quad is None:
        return None
    image, warp = rectify(img, quad)
    return Sheet(image, warp, quad.area)
