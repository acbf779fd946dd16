"""Stamps on a page: the ĐẾN stamp, KHẨN / HỎA TỐC / MẬT marks, read from their own ink.

The printed-text OCR reads a page with coloured ink whitened, so stamps in red, blue or violet ink are read
here, each from its own crop: a thin-ink ĐẾN stamp is first assembled from its strokes (``grouped_ink``);
a framed, often slanted mark is levelled and matched to the closed list of urgency and secrecy marks.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
from rapidfuzz import fuzz

from vn_dispatch_parser.config import CONF, LAYOUT
from vn_dispatch_parser.core.normalize import fold, normalize_line
from vn_dispatch_parser.core.tables import load
from vn_dispatch_parser.core.types import BBox, InkMark, Layout, Line, Zone
from vn_dispatch_parser.image import frames, ink
from vn_dispatch_parser.ocr.engine import OcrEngine, recognize_at

__all__ = ["framed_boxes", "grouped_ink", "incoming_stamp_box", "marks_vocabulary", "stamp_lines"]


def _pieces(marks: list[InkMark], height: int) -> list[InkMark]:
    """The small red and blue strokes of the upper half (hand-writing or the letters of a faded stamp)."""
    return [m for m in marks if m.kind in ("handwriting", "signature") and m.color in ("red", "blue")
            and m.bbox.cy < LAYOUT.header_band * height]


def _merged(pieces: list[InkMark], gap: float) -> list[tuple[str, BBox]]:
    """The pieces' boxes merged, colour by colour, until no two are within ``gap`` pixels of each other."""
    groups: list[tuple[str, BBox]] = [(m.color, m.bbox) for m in pieces]
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                (ci, a), (cj, b) = groups[i], groups[j]
                if ci == cj and a.x0 < b.x1 + gap and b.x0 < a.x1 + gap and a.y0 < b.y1 + gap and b.y0 < a.y1 + gap:
                    groups[i] = (ci, a.union(b))
                    del groups[j]
                    merged = True
                    break
            if merged:
                break
    return groups


MARK_MIN_MM = (3.4, 1.7)
"""A coloured mark narrower or lower than this (mm) holds no word to read (40 × 20 pixels at 300 dpi; in
millimetres so that a 100-dpi scan's stamps are read too)."""
WORD_GAP_MM = 3
"""Red strokes closer than this (mm) are the letters of one word: a faded KHẨN / MẬT stamp whose frame the ink
separation lost is found as its letters (a letter gap is under 1 mm, a word gap 2 mm at stamp size)."""
FRAME_FILL_MAX = 0.6
"""A framed box whose inside (the frame left out) is darker than this share is a filled blob, not a frame around
a word: a mark's capitals fill 0.3–0.5 of its inside on a ~100 dpi copy (strokes thicken there), a filled bar
or a smear nearly all of it."""


def red_words(marks: list[InkMark], height: int, dpi: int) -> list[InkMark]:
    """The red strokes of the upper half grouped into words: the letters of a faded KHẨN / MẬT stamp, to be read
    as a mark when the group has a mark's size (:func:`_small_red_box`)."""
    page = marks[0].page if marks else 1
    return [InkMark("handwriting", color, box, page, CONF.grouped_stamp)
            for color, box in _merged([m for m in _pieces(marks, height) if m.color == "red"], WORD_GAP_MM * dpi / 25.4)
            if not any(m.bbox == box for m in marks)]


def grouped_ink(marks: list[InkMark], height: int, dpi: int) -> list[InkMark]:
    """Coloured strokes near each other in the upper half, grouped: a stamp printed in thin ink (violet ĐẾN
    stamps) is found as many small marks; together they make one stamp-sized region to read."""
    mm = dpi / 25.4
    out = []
    for color, box in _merged(_pieces(marks, height), 12 * mm):
        w_mm, h_mm = box.width / mm, box.height / mm
        if 25 <= max(w_mm, h_mm) <= 110 and 12 <= min(w_mm, h_mm) <= 80:
            out.append(InkMark("stamp", color, box, marks[0].page if marks else 1, CONF.grouped_stamp))
    return out


def _worth_reading(mark: InkMark, shape: tuple[int, ...], dpi: int, seals: list[BBox], skip: BBox | None,
                   read: list[Line]) -> bool:
    """Whether a coloured mark may hold a stamp's words: a stamp, or a red box of a mark's size, at least
    :data:`MARK_MIN_MM` and in the page's upper band; not over the ĐẾN stamp ``skip`` (read on its own) nor a
    seal; not read already (a word of red letters inside a mark found whole, among ``read``)."""
    if mark.kind not in ("stamp", "urgency_stamp") and not _small_red_box(mark, shape, dpi):
        return False
    b, mm = mark.bbox, dpi / 25.4
    if skip is not None and b.overlap(skip) > 0.5:
        return False
    if b.width < MARK_MIN_MM[0] * mm or b.height < MARK_MIN_MM[1] * mm or b.cy > LAYOUT.stamp_band * shape[0]:
        return False
    if any(b.overlap(s) > 0.3 for s in seals):
        return False  # the seal itself, not a stamp with text
    return not any(ln.bbox is not None and b.overlap(ln.bbox) > 0.5 for ln in read)


def stamp_lines(img: np.ndarray, marks: list[InkMark], engine: OcrEngine, page_no: int, dpi: int,
                skip: BBox | None = None) -> list[Line]:
    """OCR the coloured stamps (ĐẾN, HỎA TỐC/KHẨN) from their own ink; their lines go first. A mark that
    overlaps ``skip`` (the ĐẾN stamp, read by ``den_stamp``) is left out."""
    out: list[Line] = []
    seals = [m.bbox for m in marks if m.kind == "seal"]
    for mark in marks + grouped_ink(marks, img.shape[0], dpi) + red_words(marks, img.shape[0], dpi):
        if not _worth_reading(mark, img.shape, dpi, seals, skip, out):
            continue
        b = mark.bbox
        if mark.kind != "stamp":
            layer = ink.ink_layer(img, mark.color, b)
            # two marks stacked close (MẬT over HỎA TỐC) are found as one: read band by band
            bands = _bands(layer, dpi) or [(0, layer.shape[0])]
            n = len(out)
            for y0, y1 in bands:
                found = _read_mark(layer[y0:y1], engine, page_no)
                if found:
                    box = BBox(b.x0, b.y0 + y0, b.x1, b.y0 + y1)
                    out.append(Line(text=found[0], page=page_no, bbox=box, conf=found[1], zone=Zone.INCOMING_STAMP))
            if len(out) == n and (found := _read_mark(_page_crop(img, b, dpi), engine, page_no)):
                # a faded mark: its separated ink lost strokes the page's own darkest channel keeps
                out.append(Line(text=found[0], page=page_no, bbox=b, conf=found[1], zone=Zone.INCOMING_STAMP))
            continue
        # a stamp's print in any ink is dark in the darkest channel (violet, red, blue and black alike)
        crop = _page_crop(img, b, dpi, pad_mm=0)
        if out:
            out.append(Line("", page=page_no, zone=Zone.INCOMING_STAMP))
        out += [replace(ln, zone=Zone.INCOMING_STAMP)
                for ln in recognize_at(engine, crop, (b.x0, b.y0), layout=Layout.BLOCK, page_no=page_no) if (ln.conf or 0) >= CONF.stamp_printed_min]
    if not any(ln.text in marks_vocabulary() for ln in out):
        stamps = [m.bbox for m in marks if m.kind == "stamp"] + ([skip] if skip is not None else [])
        for box in framed_boxes(img, dpi):  # a KHẨN / MẬT box in grey or black: a frame, not a colour
            if any(box.overlap(b) > 0.5 for b in stamps):
                continue  # a row of the ĐẾN stamp
            region = img[box.y0 : box.y1, box.x0 : box.x1]
            found = _read_mark(region if region.ndim == 2 else region.min(axis=2), engine, page_no, level=True)
            if found:
                out.append(Line(text=found[0], page=page_no, bbox=box, conf=found[1], zone=Zone.INCOMING_STAMP))
    return out


def framed_boxes(img: np.ndarray, dpi: int) -> list[BBox]:
    """Small hollow rectangles in the header's left part, the size of a KHẨN / MẬT box (12–60 × 5–20 mm):
    on a grey or bitonal scan the red box has lost its colour and only its frame tells it apart. Found as
    near-rectangular outer contours of the dark print on a ~100 dpi copy; at most three, largest first."""
    h, w = img.shape[:2]
    top = img[: int(LAYOUT.header_band * h), : int(LAYOUT.mark_box_left * w)]
    f = min(1.0, 100 / dpi)
    small = cv2.resize(top, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else top
    small = small if small.ndim == 2 else small.min(axis=2)
    paper = float(np.percentile(small, 90))
    dark = (small < paper - frames.STAMP_RULE_CONTRAST).astype(np.uint8)  # as the ĐẾN stamp's rules
    mm = dpi * f / 25.4
    contours, _ = cv2.findContours(dark, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    found: list[tuple[int, BBox]] = []
    for c in contours:
        x, y, bw, bh = cv2.boundingRect(c)
        if not (12 * mm <= bw <= 60 * mm and 5 * mm <= bh <= 20 * mm and 1.8 <= bw / bh <= 8):
            continue
        _, (rw, rh), _ = cv2.minAreaRect(c)  # a skewed scan tilts the box: its own rectangle, not the upright one
        if cv2.contourArea(c) < 0.85 * rw * rh:  # not a rectangle's outline
            continue
        inner = dark[y + 2 : y + bh - 2, x + 2 : x + bw - 2]
        edge = max(2, int(0.8 * mm))
        hollow = dark[y + edge : y + bh - edge, x + edge : x + bw - edge]
        if inner.size == 0 or hollow.size == 0 or hollow.mean() > FRAME_FILL_MAX:
            continue  # a filled blob, not a frame around letters
        box = BBox(int(x / f), int(y / f), int((x + bw) / f), int((y + bh) / f))
        if all(box.overlap(b) < 0.5 for _, b in found):
            found.append((bw * bh, box))
    return [b for _, b in sorted(found, key=lambda t: -t[0])[:3]]


def _bands(layer: np.ndarray, dpi: int) -> list[tuple[int, int]]:
    """Rows of a mark's ink layer split at blank horizontal gaps (≥ 0.5 mm), each band at least 4 mm
    high; one band or none means nothing to split."""
    grey = layer if layer.ndim == 2 else cv2.cvtColor(layer, cv2.COLOR_BGR2GRAY)
    inked = (grey < 128).sum(axis=1) > max(2, 0.01 * grey.shape[1])
    gap, tall = max(2, int(0.5 * dpi / 25.4)), int(4 * dpi / 25.4)
    bands: list[tuple[int, int]] = []
    start, blank = None, 0
    for y, on in enumerate([*inked, False]):
        if on:
            start = y if start is None else start
            blank = 0
        elif start is not None:
            blank += 1
            if blank >= gap or y == len(inked):
                bands.append((start, y - blank + 1))
                start, blank = None, 0
    bands = [(a, z) for a, z in bands if z - a >= tall]
    return bands if len(bands) >= 2 else []


def _page_crop(img: np.ndarray, b: BBox, dpi: int, *, pad_mm: float = 2) -> np.ndarray:
    """The page around ``b`` (``pad_mm`` more on each side), darkest channel, contrast stretched."""
    pad = int(pad_mm * dpi / 25.4)
    region = img[max(0, b.y0 - pad) : b.y1 + pad, max(0, b.x0 - pad) : b.x1 + pad]
    crop = region.min(axis=2) if region.ndim == 3 else region
    return cv2.normalize(crop, None, 0, 255, cv2.NORM_MINMAX)  # type: ignore[call-overload, no-any-return]


def _small_red_box(mark: InkMark, shape: tuple[int, ...], dpi: int) -> bool:
    """A red mark of the size of a KHẨN / MẬT stamp (12–75 × 5–30 mm) in the header's left part, or of its word
    alone (from 2.5 mm tall: a faded stamp's frame is lost to the ink separation before its letters are).
    What is read from it must be a word of the closed list of marks (:func:`_read_mark`)."""
    mm = dpi / 25.4
    b = mark.bbox
    return (mark.color == "red" and b.cy < LAYOUT.mark_box_band * shape[0] and b.cx < LAYOUT.mark_box_left * shape[1]
            and 8 <= b.width / mm <= 75 and 2.5 <= b.height / mm <= 30)


def marks_vocabulary() -> list[str]:
    """The closed list of urgency and secrecy marks (data/phrases.yaml)."""
    phrases = load("phrases")
    return [*phrases["urgency"], *phrases["confidentiality"]]


MARK_READ_HEIGHT = 48
"""A mark's crop lower than this many pixels is enlarged to it before it is read. An 8 mm box at 100–120 dpi
is 30–38 px with its frame and its capitals ~10 px, under the ~20 px x-height Tesseract's line recogniser
reads well: at that size it read a scrap of red ink beside a MẬT box as "KHẨN" (synthetic, seed 4242), which
then stood for the box; enlarged, the scrap reads as nothing and the box itself is read. Crops of 150 dpi pages
(26–46 px) are enlarged too (samples/: the same marks read); from 200 dpi a mark's box is taller than this."""


def _read_mark(crop: np.ndarray, engine: OcrEngine, page_no: int, *, level: bool = False) -> tuple[str, float] | None:
    """Read a KHẨN / THƯỢNG KHẨN / HỎA TỐC / MẬT mark, level or slanted, against that closed list; with
    ``level`` (a box found by its straight frame) one reading without the frame, no slanted attempts.

    Returns the canonical phrase and a confidence (the match ratio), or None when nothing matches.
    """
    if crop.shape[0] < MARK_READ_HEIGHT:  # a low-resolution scan's mark: letters too small for the OCR
        scale = MARK_READ_HEIGHT / crop.shape[0]
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    unframed = _without_frame(crop)
    best: tuple[str, float] | None = None
    attempts: list[tuple[np.ndarray | None, Layout]] = (  # (None: the slanted reading)
        [(unframed, Layout.LINE)] if level
        else [(unframed, Layout.LINE), (unframed, Layout.WORD), (crop, Layout.WORD), (None, Layout.LINE)])
    for image, layout in attempts:
        if image is None:
            text = _read_slanted_stamp(crop, engine, page_no)
            readings = [text] if text else []
        else:
            page = engine.recognize(image, layout=layout, page_no=page_no)
            readings = [ln.text for ln in page.lines if ln.text.strip()]
        for reading in readings:
            key = fold(regex_letters(reading))
            for phrase in marks_vocabulary():
                score = fuzz.ratio(key, fold(phrase)) / 100
                if score >= CONF.mark_match_min and (best is None or score > best[1]):
                    best = (phrase, score)
        if best is not None and best[1] >= CONF.mark_match_sure:
            break
    return (best[0], round(CONF.mark_scale * best[1], 3)) if best else None


def regex_letters(text: str) -> str:
    """Letters and spaces only."""
    return " ".join("".join(c for c in w if c.isalpha()) for w in text.split()).strip()


MARK_INK_MAX = 160
"""A mark's letters are darker than this (grey levels) on white paper..."""
MARK_INK_CONTRAST = 45
"""... and at least this much darker than the paper of their box: on a grey photographed page (paper at
150–170) a fixed cut at 160 took the paper for ink, and the frame and letters became one blot."""


def _letter_mask(crop: np.ndarray) -> np.ndarray:
    """The ink of a stamp without its frame: connected strokes spanning over half the crop are dropped."""
    grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    paper = float(np.percentile(grey, 75))  # most of a mark's box is paper
    ink_mask = (grey < min(MARK_INK_MAX, paper - MARK_INK_CONTRAST)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink_mask, 8)  # type: ignore[call-overload]
    h, w = grey.shape
    keep = np.zeros_like(ink_mask)
    for i in range(1, n):
        if stats[i, 2] <= 0.5 * w and stats[i, 3] <= 0.5 * h and stats[i, 4] >= 4:
            keep[labels == i] = 1
    return keep


def _without_frame(crop: np.ndarray) -> np.ndarray:
    return np.where(_letter_mask(crop) > 0, 0, 255).astype(np.uint8)


def _read_slanted_stamp(crop: np.ndarray, engine: OcrEngine, page_no: int) -> str | None:
    """Read a framed, often slanted stamp ("HỎA TỐC" in an arrow): drop the frame, turn the letters level."""
    keep = _letter_mask(crop)
    if keep.sum() < 50:
        return None
    letters = np.where(keep > 0, 0, 255).astype(np.uint8)
    pts = np.column_stack(np.nonzero(keep)[::-1]).astype(np.float32)
    angle = float(cv2.minAreaRect(pts)[2])
    angle = (angle + 45) % 90 - 45  # the smallest turn that levels the text's box
    best: tuple[float, str] | None = None
    for a in (angle, angle + 90, angle - 90):
        sub = engine.recognize(_rotate(letters, a), layout=Layout.LINE, page_no=page_no)
        for ln in sub.lines:
            if (ln.conf or 0) >= CONF.mark_line_min and (best is None or (ln.conf or 0) > best[0]):
                best = (ln.conf or 0, ln.text)
        if best and best[0] >= CONF.mark_line_sure:
            break
    return normalize_line(best[1]) if best else None


def _rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate a grey image about its centre, growing the canvas, white background."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * s + w * c), int(h * c + w * s)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return cv2.warpAffine(img, m, (nw, nh), borderValue=255)


def incoming_stamp_box(marks: list[InkMark], esign_boxes: list[BBox], height: int, dpi: int) -> BBox | None:
    """A framed stamp of about the ĐẾN stamp's size (35 × 50 mm) in the upper half, not a seal or e-sign stamp."""
    seals = [m.bbox for m in marks if m.kind == "seal"]
    mm = dpi / 25.4
    for m in marks:
        b = m.bbox
        if m.kind != "stamp" or b.cy > LAYOUT.stamp_band * height:
            continue
        if any(b.overlap(s) > 0.3 for s in seals + esign_boxes):
            continue
        long_mm, short_mm = max(b.width, b.height) / mm, min(b.width, b.height) / mm
        if 35 <= long_mm <= 80 and 15 <= short_mm <= 55:
            return b
    return None
