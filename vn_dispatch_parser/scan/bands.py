"""Fields-only reading: find the bands of a page the catalogue fields come from, and OCR only those (the rest
of the page whitened).

An NĐ 30 page is a header (two columns: issuer, number and V/v subject; Quốc hiệu, place and date), the title
and subject (centred), an optional Kính gửi, the body (full-width justified lines), then the Nơi nhận list and
the signature block side by side. Every catalogue field but the references lies above the body or below it.
Text rows are found from the ink's row profile (no OCR); a row is *body* when its ink covers most of the text
width and crosses the middle of the page (the header's columns, the Nơi nhận list and the signature titles
leave the middle empty, a centred title is short). The top band runs to the end of the body's first five rows
(five body rows in a row: a long centred subject may read as up to four, a Kính gửi item as one), the bottom
band from the last two body rows down to the page's end; a page with no body, or bands that meet, is read
whole. Middle pages of a long document keep only a few lines of each band.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from vn_dispatch_parser.config import LAYOUT
from vn_dispatch_parser.core.types import Layout, OcrPage
from vn_dispatch_parser.ocr.engine import OcrEngine

__all__ = ["Row", "field_bands", "recognize_bands", "text_rows"]

INK = 140  # grey level under which a pixel is ink (the OCR image: white paper, dark print)
BODY_COVER = LAYOUT.body_cover  # share of the text width a body row's ink covers
HEADER_END = LAYOUT.body_header_end  # body rows start below this share of the page height
TOP_BODY_ROWS = 5  # body rows in a row that start the body (a centred subject may run to 4 wide lines)
BOTTOM_BODY_ROWS = 2  # body rows kept above the Nơi nhận and signature block


@dataclass(frozen=True)
class Row:
    """One text row: its vertical extent, its ink's horizontal extent and whether it reads as body text."""

    y0: int
    y1: int
    x0: int
    x1: int
    body: bool


def text_rows(grey: np.ndarray, dpi: int) -> list[Row]:
    """Text rows of a grey page from its ink's row profile (rows closer than ~0.5 mm are one row)."""
    ink: np.ndarray = np.asarray(grey < INK)
    h, w = ink.shape
    per_row = ink.sum(axis=1)
    # a valley between two lines still holds descenders and diacritics: a row is where the ink passes a
    # tenth of a full line's
    on: np.ndarray = per_row > max(3, w // 250, 0.1 * float(np.percentile(per_row, 95)))
    gap = max(2, dpi // 100)
    runs: list[tuple[int, int]] = []
    y = 0
    while y < h:
        if not on[y]:
            y += 1
            continue
        start = y
        while y < h and (on[y] or on[y: y + gap].any()):
            y += 1
        runs.append((start, y))
    if not runs:
        return []
    bin_w = max(4, dpi // 20)
    bins = w // bin_w
    cols: list[np.ndarray] = [np.asarray(ink[a:b, : bins * bin_w].reshape(b - a, bins, bin_w).any(axis=(0, 2))) for a, b in runs]
    used = np.flatnonzero(np.any(cols, axis=0))
    left, right = int(used[0]), int(used[-1]) + 1
    mid = slice(left + int(0.45 * (right - left)), left + int(0.55 * (right - left)) + 1)
    rows = []
    for (a, b), c in zip(runs, cols, strict=True):
        xs = np.flatnonzero(c)
        cover = c[left:right].mean() if right > left else 0.0
        text_high = b - a < dpi // 4  # taller than ~6 mm: a seal, a picture, not a text row
        body = bool(text_high and cover >= BODY_COVER and c[mid].mean() >= 0.5)
        rows.append(Row(a, b, int(xs[0]) * bin_w, (int(xs[-1]) + 1) * bin_w, body))
    heights = [r.y1 - r.y0 for r in rows if r.body]
    if heights:  # small print (a relay stamp's text, footnotes) is not the body's font
        low = 0.7 * float(np.median(heights))
        rows = [replace(r, body=False) if r.body and r.y1 - r.y0 < low else r for r in rows]
    return rows


def field_bands(grey: np.ndarray, dpi: int) -> list[tuple[int, int]]:
    """The vertical bands ``(y0, y1)`` to OCR for the fields; one band ``(0, height)`` for the whole page."""
    h = grey.shape[0]
    rows = text_rows(grey, dpi)
    whole = [(0, h)]
    # the body starts with a paragraph: TOP_BODY_ROWS body rows in a row (a subject, a Kính gửi item or a
    # stamp's text beside the header may read as body rows, not as five in a row; measured: a 4-line subject
    # was cut with three)
    first = next((i for i in range(len(rows) - TOP_BODY_ROWS + 1)
                  if rows[i].y0 > HEADER_END * h and all(r.body for r in rows[i : i + TOP_BODY_ROWS])), None)
    if first is None:
        return whole
    body = [i for i in range(first, len(rows)) if rows[i].body]
    if len(body) < TOP_BODY_ROWS + BOTTOM_BODY_ROWS + 2:
        return whole
    pad = max(4, dpi // 30)

    def cut_below(i: int) -> int:  # halfway between row i and the next one
        nxt = rows[i + 1].y0 if i + 1 < len(rows) else h
        return min(h, (rows[i].y1 + nxt) // 2 + pad // 2)

    def cut_above(i: int) -> int:
        prev = rows[i - 1].y1 if i > 0 else 0
        return max(0, (prev + rows[i].y0) // 2 - pad // 2)

    a, b = cut_below(body[TOP_BODY_ROWS - 1]), cut_above(body[-BOTTOM_BODY_ROWS])
    if b - a < 3 * pad:
        return whole
    return [(0, a), (b, h)]


def recognize_bands(engine: OcrEngine, grey: np.ndarray, bands: list[tuple[int, int]], *, page_no: int) -> OcrPage:
    """OCR the page with everything outside ``bands`` whitened.

    The page keeps its size and the bands their places, so Tesseract's layout analysis sees the same header
    columns and the same Nơi nhận / signature columns as on the whole page and reads them alike; reading each
    band as a crop of its own was cheaper by a little but changed Nơi nhận items on 25 of 52 real files.
    """
    if bands == [(0, grey.shape[0])]:
        page = engine.recognize(grey, layout=Layout.PAGE, page_no=page_no)
    else:
        masked = np.full_like(grey, 255)
        for y0, y1 in bands:
            masked[y0:y1] = grey[y0:y1]
        page = engine.recognize(masked, layout=Layout.PAGE, page_no=page_no)
    page.width, page.height = grey.shape[1], grey.shape[0]
    return page
