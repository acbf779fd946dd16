"""Địa danh và thời gian ban hành (nd30.md §2.3, §6.1).

    >>> h = parse_place_date("Bình Dương, ngày 18 tháng 6 năm 2025")
    >>> h.value
    ('Bình Dương', datetime.date(2025, 6, 18), ('18', '6', '2025'))
    >>> parse_place_date("Thanh Hóa, ngày   tháng 6 năm 2023").value[1] is None
    True
    >>> parse_place_date("Hà Nội, ngày 03 tháng10năm 2025").value[1]
    datetime.date(2025, 10, 3)
    >>> parse_place_date("Quảng Ngãi, ngày 2Ô“ tháng 01 năm 2025").value
    ('Quảng Ngãi', None, ('', '01', '2025'))
"""

from __future__ import annotations

from functools import cache

import regex
from rapidfuzz import fuzz, process

from vn_dispatch_parser.core.lines import PLACE_DATE_RE, SO_RE
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import load
from vn_dispatch_parser.core.types import Hit, Line
from vn_dispatch_parser.fields.dates import make_date

__all__ = ["find_place_date", "parse_place_date"]


@cache
def _places() -> dict[str, str]:
    return {fold(p): p for p in load("places")["places"]}


def _clean_place(raw: str) -> tuple[str | None, float]:
    s = raw.strip(" .-_*")
    m = SO_RE.search(s)
    if m:  # "Số: /HC-TH Đà Nẵng" (columns joined): keep what follows the ký hiệu
        s = s[m.end() :].strip()
    s = regex.sub(r"^(?:[\p{Lu}]{2,}[\s-]*){2,}(?=[\p{Lu}][\p{Ll}])", "", s, flags=regex.V1)  # caps run before
    if not s:
        return None, 0.0
    words = s.split()
    places = _places()
    # try the longest tail of words that is a known place
    for n in range(min(5, len(words)), 0, -1):
        tail = " ".join(words[-n:])
        key = fold(tail)
        if key in places:
            canonical = places[key]
            if canonical == tail:
                return tail, 1.0
            # restore lost diacritics only; a reading that has its own marks is kept as read
            return (canonical, 0.85) if tail.isascii() else (tail, 0.8)
        best = process.extractOne(key, list(places), scorer=fuzz.ratio, score_cutoff=88)
        if best and n >= 2:
            return places[best[0]], 0.8
    tail = " ".join(words[-4:]) if len(words) > 4 else s
    return tail, 0.7


_DIGIT_LIKE = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"})


def _digits(part: str) -> str:
    """A day or month as OCR may print it: "I0" → "10", "O3" → "03" (only when the result is digits)."""
    fixed = part.translate(_DIGIT_LIKE)
    return fixed if fixed.isdigit() and any(c.isdigit() for c in part) else part


def parse_place_date(text: str) -> Hit | None:
    """Parse "<place>, ngày D tháng M năm Y"; value = (place, date or None, raw parts)."""
    m = PLACE_DATE_RE.search(text)
    if not m:
        return None
    place, pconf = _clean_place(m.group("place"))
    d, mo, y = (_digits(m.group(k).strip(" ._…")) for k in ("d", "m", "y"))
    d = d if d.isdigit() else ""  # a blank, or hand-writing the printed OCR could not read
    mo = mo if mo.isdigit() else ""
    date = make_date(d, mo, y) if d and mo else None
    conf = pconf if date else pconf * 0.5
    return Hit(value=(place, date, (d, mo, y)), raw=m.group(0), rule="place_date", conf=conf)


def find_place_date(lines: list[Line]) -> tuple[Hit, Line] | None:
    """The first place-and-date line of the header."""
    for line in lines:
        if regex.match(r"^\s*\(?\s*(Kèm theo|Ban hành kèm)", line.text, regex.I):
            continue
        hit = parse_place_date(line.text)
        if hit is not None:
            hit.page, hit.bbox = line.page, line.bbox
            if line.conf is not None:
                hit.conf *= max(0.3, line.conf)
            return hit, line
    return None
