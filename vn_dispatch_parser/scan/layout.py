"""Layout zones from OCR boxes (nd30.md §1, §6.1): put a page's lines in the order the field parsers
expect, and tag each with its zone.

Page 1 of a document has a two-column header: the left column (issuer, Số, V/v, mật/khẩn) and the right
one (Quốc hiệu, Tiêu ngữ, place and date). Their lines are emitted column by column, so they never
interleave. The bottom of the last page has Nơi nhận on the left and the signature block on the right,
level with each other: emitted column by column too. Everything else is body, in reading order.
A blank line is inserted where the vertical gap between lines is large (a paragraph break), as in
plain text.
"""

from __future__ import annotations

import statistics
from dataclasses import replace

from vn_dispatch_parser.config import LAYOUT
from vn_dispatch_parser.core.headings import is_title_line, match_heading
from vn_dispatch_parser.core.lines import _split_one, is_quoc_hieu, is_tieu_ngu
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.types import BBox, Line, OcrPage, OcrWord, Zone
from vn_dispatch_parser.core.vocab import KINH_GUI, NOI_NHAN, SIGNER_PREFIX

__all__ = ["arrange_page", "split_line_at"]

_PREFIX = SIGNER_PREFIX


def _line_from_words(words: list[OcrWord], page: int, zone: Zone) -> Line:
    box = words[0].bbox
    for w in words[1:]:
        box = box.union(w.bbox)
    return Line(text=" ".join(w.text for w in words), page=page, bbox=box,
                conf=sum(w.conf for w in words) / len(words), zone=zone, words=tuple(words))


def split_line_at(line: Line, x: float) -> tuple[Line | None, Line | None]:
    """Cut a line's words at ``x`` (by word centre) into a left and a right part."""
    if not line.words:
        return (line, None) if line.bbox is None or line.bbox.cx < x else (None, line)
    left = [w for w in line.words if w.bbox.cx < x]
    right = [w for w in line.words if w.bbox.cx >= x]
    return (
        _line_from_words(left, line.page, line.zone) if left else None,
        _line_from_words(right, line.page, line.zone) if right else None,
    )


def _anchor_index(words: list[OcrWord]) -> int | None:
    """Index of the word where the right header column starts: "CỘNG HÒA", "Độc lập", "ĐẢNG CỘNG SẢN"."""
    keys = [fold(w.text).strip(".,:;") for w in words]
    for k in range(1, len(keys) - 1):
        a, b = keys[k], keys[k + 1]
        if (a == "cong" and b.startswith("ho")) or (a == "doc" and b.startswith("la")) or (
                a == "dang" and b == "cong"):
            return k
    return None


def _split_header_line(line: Line, split: float, width: int) -> tuple[Line | None, Line | None]:
    """Cut a header line where the right column's text starts ("CỘNG HÒA", "Độc lập", the place after the
    ký hiệu), else at its widest word gap near the column boundary, else at ``split``."""
    words = sorted(line.words, key=lambda w: w.bbox.x0)
    cut = _anchor_index(words)
    if cut is None:
        parts = _split_one(Line(" ".join(w.text for w in words)))
        cut = len(parts[0].text.split()) if len(parts) == 2 else None
    if cut is not None and 0 < cut < len(words) and 0.2 * width < words[cut].bbox.x0 < 0.75 * width:
        return (_line_from_words(words[:cut], line.page, line.zone),
                _line_from_words(words[cut:], line.page, line.zone))
    h = line.bbox.height if line.bbox else 20
    best = _widest_gap(words, 0.25 * width, 0.7 * width, 3 * h)
    if best is not None:
        return split_line_at(line, best)
    # one unbroken run of words belongs to one column: the one its centre is in
    if line.bbox is not None:
        return (line, None) if line.bbox.cx < split else (None, line)
    return split_line_at(line, split)


def _widest_gap(words: list[OcrWord], lo: float, hi: float, min_gap: float) -> float | None:
    """x of the middle of the widest gap between consecutive words (sorted by x) that is wider than
    ``min_gap`` and centred between ``lo`` and ``hi``; None when there is none. A gap starts where all the
    words before it end: a speck read inside a word's box ("Đặng" with an "ì" under it) opens none."""
    best, best_gap = None, min_gap
    end = None
    for a, b in zip(words, words[1:], strict=False):
        end = a.bbox.x1 if end is None else max(end, a.bbox.x1)
        gap = b.bbox.x0 - end
        centre = (end + b.bbox.x0) / 2
        if lo < centre < hi and gap > best_gap:
            best, best_gap = centre, gap
    return best


def _split_bottom_line(line: Line, mid: float, width: int) -> tuple[Line | None, Line | None]:
    """Cut a Nơi nhận / signature row at a wide gap near the middle; a long recipient item that runs past
    the middle without such a gap stays whole, on the side where it starts."""
    words = sorted(line.words, key=lambda w: w.bbox.x0)
    h = line.bbox.height if line.bbox else 20
    best = _widest_gap(words, 0.3 * width, 0.75 * width, 1.5 * h)
    if best is not None:
        return split_line_at(line, best)
    if line.bbox is not None:
        return (line, None) if line.bbox.x0 < LAYOUT.left_column_end * width else (None, line)
    return split_line_at(line, mid)


def _with_gaps(lines: list[Line], typical: float) -> list[Line]:
    """Insert a blank line where the gap to the previous line exceeds ~0.9 line height."""
    out: list[Line] = []
    prev: BBox | None = None
    for ln in lines:
        if prev is not None and ln.bbox is not None and ln.bbox.y0 - prev.y1 > 0.9 * typical:
            out.append(Line("", page=ln.page, zone=ln.zone))
        out.append(ln)
        prev = ln.bbox
    return out


SLIVER = 0.5
"""An OCR line less tall than this share of the page's typical line is a sliver of noise (a rule, a scrap of
seal or signature ink), not a row of text."""


def _same_row(a: BBox, b: BBox, typical: float) -> bool:
    """Two OCR lines are fragments of one printed row: they share most of their height and stand side by
    side. Lines of text that overlap across (by more than a line height) are stacked rows, whatever their
    boxes' vertical overlap: on a tilted or bent page a long line's box is taller than its text and takes in
    a short neighbour above or below it (measured: a 1° tilt at 100 dpi interleaved every body paragraph).
    A sliver (:data:`SLIVER`) inside a row's height still joins it."""
    height = min(a.height, b.height)
    v_overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    h_overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    return v_overlap > 0.5 * height and (h_overlap <= height or height < SLIVER * typical)


def _merge_rows(lines: list[Line], typical: float) -> list[Line]:
    """Join fragments of one printed row inside a column (OCR cut "Hà Nội, ngày 24" | "tháng 9 năm 2025")."""
    out: list[Line] = []
    for ln in _by_y(lines):
        prev = out[-1] if out else None
        if (prev is not None and prev.bbox is not None and ln.bbox is not None
                and _same_row(prev.bbox, ln.bbox, typical)):
            words = sorted(prev.words + ln.words, key=lambda w: w.bbox.x0)
            if words:
                out[-1] = replace(_line_from_words(list(words), ln.page, ln.zone))
                continue
        out.append(ln)
    return out


def _join_touching(lines: list[Line], typical: float) -> list[Line]:
    """Join line fragments on the same row that touch or nearly touch (gap under one line height)."""
    out: list[Line] = []
    for ln in lines:
        b = ln.bbox
        assert b is not None
        for k in range(len(out) - 1, max(-1, len(out) - 4), -1):
            pb = out[k].bbox
            assert pb is not None
            gap = max(b.x0 - pb.x1, pb.x0 - b.x1)
            if _same_row(pb, b, typical) and gap < 1.0 * min(pb.height, b.height):
                words = sorted(out[k].words + ln.words, key=lambda w: w.bbox.x0)
                out[k] = _line_from_words(list(words), ln.page, ln.zone)
                break
        else:
            out.append(ln)
    return out


def _by_y(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda ln: (ln.bbox.y0 if ln.bbox else 0, ln.bbox.x0 if ln.bbox else 0))


def _column_split(lines: list[Line], width: int) -> float:
    """x where the right header column starts: left of the Quốc hiệu / Tiêu ngữ, else 45 % of the width."""
    xs = [ln.bbox.x0 for ln in lines if ln.bbox and (is_quoc_hieu(ln.text) or is_tieu_ngu(ln.text))]
    lo, hi = LAYOUT.column_gap_range
    xs = [x for x in xs if lo * width < x < hi * width]
    return min(xs) - 0.01 * width if xs else LAYOUT.column_split_fallback * width


def arrange_page(page: OcrPage, *, extra_top: list[Line] | None = None) -> list[Line]:
    """Order and tag the lines of one OCR page (see the module docstring)."""
    lines = [ln for ln in page.lines if ln.text.strip() and ln.bbox is not None]
    if not lines:
        return list(extra_top or [])
    w, h = page.width or max(ln.bbox.x1 for ln in lines if ln.bbox), page.height or 1
    typical = statistics.median(ln.bbox.height for ln in lines if ln.bbox) or 20.0
    lines = _join_touching(_by_y(lines), typical)
    qh_y = _quoc_hieu_y(lines, h, typical)
    split = _column_split(lines, w)
    header_end = _header_end(lines, qh_y, split, w, h, typical)
    bottom = _bottom_start(lines, header_end, qh_y, w, h, typical)
    groups = _zones(lines, header_end, bottom, split, LAYOUT.column_split * w, w, typical)
    out: list[Line] = list(extra_top or [])
    for group, is_body in groups:
        if group:
            if out:
                out.append(Line("", page=page.page_no))
            rows = _by_y(group) if is_body else _merge_rows(group, typical)
            out.extend(_with_gaps(rows, typical))
    return out


def _quoc_hieu_y(lines: list[Line], h: float, typical: float) -> float | None:
    """The top of the Quốc hiệu in the header band, else a line height above the Tiêu ngữ (the Quốc hiệu
    lost under a stamp), else None (no NĐ 30 header on this page)."""
    band = LAYOUT.header_band * h
    y: float | None = next((ln.bbox.y0 for ln in lines if ln.bbox and ln.bbox.y0 < band and is_quoc_hieu(ln.text)),
                           None)
    if y is None:
        y = next((ln.bbox.y0 - typical * 1.5 for ln in lines
                  if ln.bbox and ln.bbox.y0 < band and is_tieu_ngu(ln.text)), None)
    return y


def _header_end(lines: list[Line], qh_y: float | None, split: float, w: float, h: float, typical: float) -> float:
    """Where the header ends: at the first centred or full-width element (type heading, Kính gửi, a wide
    line) below the Quốc hiệu; 0 when the page has no header."""
    if qh_y is None:
        return 0.0
    for ln in lines:
        b = ln.bbox
        assert b is not None
        if b.y0 <= qh_y + typical * 2:
            continue
        wide = b.x0 < split - LAYOUT.wide_margin * w and b.x1 > split + LAYOUT.wide_margin * w
        if match_heading(ln.text) or KINH_GUI.match(ln.text) or (wide and b.width > LAYOUT.wide_line * w):
            return b.y0 - 1
    return LAYOUT.header_band * h


def _bottom_start(lines: list[Line], header_end: float, qh_y: float | None, w: float, h: float,
                  typical: float) -> float | None:
    """Where Nơi nhận (left) and the signature block (right) begin: the Nơi nhận label, else (the label
    lost under a seal or stamp) the signature block's first title line; None when neither is seen."""
    for ln in lines:
        b = ln.bbox
        assert b is not None
        if b.y0 <= header_end or (qh_y is not None and b.y0 < LAYOUT.quoc_hieu_band * h):
            continue
        if NOI_NHAN.match(ln.text) and b.x0 < LAYOUT.noi_nhan_start * w:
            return b.y0 - typical * 3  # the title line may sit a little above the label
    for ln in lines:
        b = ln.bbox
        assert b is not None
        if b.y0 > max(header_end, LAYOUT.quoc_hieu_band * h) and b.x0 > LAYOUT.left_column_end * w and (
                _PREFIX.match(ln.text) or (is_title_line(ln.text) and b.width < LAYOUT.title_width_max * w)):
            return b.y0 - typical * 1.5
    return None


def _zones(lines: list[Line], header_end: float, bottom: float | None, split: float, mid: float, w: int,
           typical: float) -> list[tuple[list[Line], bool]]:
    """The page's lines tagged and grouped in reading order: header left, header right, body, Nơi nhận,
    signature (``True`` marks the body, kept in line order rather than merged into rows)."""
    header_left: list[Line] = []
    header_right: list[Line] = []
    body: list[Line] = []
    left_bottom: list[Line] = []
    right_bottom: list[Line] = []
    for ln in lines:
        b = ln.bbox
        assert b is not None
        if b.y1 <= header_end + typical * 0.5:
            lp, rp = _split_header_line(ln, split, w)
            if lp:
                header_left.append(replace(lp, zone=Zone.HEADER_LEFT))
            if rp:
                header_right.append(replace(rp, zone=Zone.HEADER_RIGHT))
        elif bottom is not None and b.y0 >= bottom and (b.x0 >= mid or b.y0 >= bottom + typical * 2.5
                                                         or _PREFIX.match(ln.text) or is_title_line(ln.text)):
            lp, rp = _split_bottom_line(ln, mid, w)
            if lp:
                left_bottom.append(replace(lp, zone=Zone.RECIPIENTS))
            if rp:
                right_bottom.append(replace(rp, zone=Zone.SIGNATURE))
        else:
            body.append(replace(ln, zone=Zone.BODY))
    return [(header_left, False), (header_right, False), (body, True), (left_bottom, False),
            (right_bottom, False)]
