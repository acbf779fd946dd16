"""Split a file's lines into documents (nd30.md §6.7).

A new document starts where a Quốc hiệu (or party header) is followed closely by a "Số" line or a
place-and-date line, after the previous document has had a body. The issuer lines just above that
Quốc hiệu belong to the new document. Appendices ("Phụ lục", "Kèm theo …") and documents issued
with a QĐ that have no "Số" stay with the document before them.
"""

from __future__ import annotations

import regex

from vn_dispatch_parser.core.headings import is_title_line
from vn_dispatch_parser.core.lines import is_caps, is_name, is_quoc_hieu, is_tieu_ngu
from vn_dispatch_parser.core.types import Line, Zone
from vn_dispatch_parser.fields.issuer import starts_unit
from vn_dispatch_parser.fields.lists import NOI_NHAN
from vn_dispatch_parser.fields.number import parse_number_text
from vn_dispatch_parser.fields.place_date import parse_place_date

__all__ = ["segment"]

_WINDOW = 14


def _has_number_near(lines: list[Line], i: int) -> bool:
    for ln in lines[max(0, i - 8) : i + _WINDOW]:
        hit = parse_number_text(ln.text)
        if hit is not None and not regex.match(r"^\s*\(?\s*Kèm theo", ln.text, regex.I):
            return True
    return False


def _has_date_near(lines: list[Line], i: int) -> bool:
    return any(parse_place_date(ln.text) for ln in lines[max(0, i - 4) : i + _WINDOW])


def _page_opens_document(lines: list[Line], i: int) -> bool:
    """True when the page starting at ``i`` opens with a header: a "Số …/…" line among its first lines."""
    page = lines[i].page
    top = [ln for ln in lines[i : i + 14] if ln.page == page and ln.text.strip()][:8]
    for ln in top:
        hit = parse_number_text(ln.text)
        if hit is not None and hit.value[1] and not regex.match(r"^\s*\(?\s*Kèm theo", ln.text, regex.I):
            return True
    return False


def _start_above(lines: list[Line], i: int, floor: int) -> int:
    """Walk up from the Quốc hiệu over the new document's issuer lines (caps, not a title)."""
    start = i
    taken = 0
    j = i - 1
    while j > floor and taken < 5:
        t = lines[j].text
        if not t:
            j -= 1
            continue
        if is_caps(t) and not is_title_line(t) and not is_name(t) and not is_tieu_ngu(t):
            start = j
            taken += 1
            j -= 1
            continue
        break
    return start


_TOP_LINES = 3
"""Lines of a page (a stamp's, a speck's reading) allowed above a header that opens it."""


def _full_header_opens_page(lines: list[Line], i: int, start: int) -> bool:
    """The Quốc hiệu at ``i`` has its Tiêu ngữ under it and a body's name above it (from ``start``), at the
    top of a page: a new document's header, whatever became of its number and date (a pre-printed form's
    blanks filled by hand, a typewritten date the OCR garbles). An appendix or an attached application
    repeats at most the Quốc hiệu, never the issuer's name above it."""
    page = lines[i].page
    if lines[start].page != page or not any(starts_unit(ln.text) for ln in lines[start:i]):
        return False
    if not any(is_tieu_ngu(ln.text) for ln in lines[i + 1 : i + 4] if ln.page == page):
        return False
    above = [ln for ln in lines[:start] if ln.page == page and ln.text.strip()]
    return len(above) <= _TOP_LINES


def segment(lines: list[Line]) -> list[list[Line]]:
    """Cut ``lines`` into one list per document (at least one, possibly empty)."""
    starts = [0]
    body_seen = signed = False
    for i, line in enumerate(lines):
        t = line.text
        if NOI_NHAN.match(t) or t.rstrip().endswith("./."):
            body_seen = True
        signed = signed or (line.zone is Zone.SIGNATURE and bool(t.strip()))  # the layout's signature block
        if i and body_seen and line.page != lines[i - 1].page and _page_opens_document(lines, i):
            starts.append(i)  # a page whose top carries its own Số line (the Quốc hiệu may be unread)
            body_seen = signed = False
            continue
        if i == 0 or not (body_seen or signed) or not is_quoc_hieu(t):
            continue
        start = _start_above(lines, i, starts[-1])
        near = body_seen and (_has_number_near(lines, i) or _has_date_near(lines, i))
        if not (near or _full_header_opens_page(lines, i, start)):
            continue
        if start <= starts[-1]:
            continue
        starts.append(start)
        body_seen = signed = False
    starts.append(len(lines))
    return [lines[a:b] for a, b in zip(starts, starts[1:], strict=False) if b > a] or [lines]
