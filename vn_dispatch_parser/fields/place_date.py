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
    >>> parse_place_date("Cao Bằng, ngày 22 tháng 2 năm: 1999,").value[:2]  # a typewriter's colon after "năm"
    ('Cao Bằng', datetime.date(1999, 2, 22))
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import regex
from rapidfuzz import fuzz, process

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.lines import PLACE_DATE_RE, SO_RE
from vn_dispatch_parser.core.normalize import canonical_tones, fold
from vn_dispatch_parser.core.tables import load, place_names
from vn_dispatch_parser.core.types import Hit, Line
from vn_dispatch_parser.core.vocab import NAM, NGAY, THANG, YEAR_GAP
from vn_dispatch_parser.fields.dates import make_date

__all__ = ["find_place_date", "parse_place_date", "restore_ending_place", "restore_place_marks"]


@cache
def _places() -> dict[str, list[str]]:
    """Letters without marks → the known places so spelt: the provinces and cities of ``data/places.yaml`` and
    the district-level units of ``data/districts.txt`` (a few share their letters: "Phú Mỹ", "Phù Mỹ")."""
    names = place_names()
    out: dict[str, list[str]] = {}
    for name in names:
        spelt = canonical_tones(name)
        if spelt not in out.setdefault(fold(spelt), []):
            out[fold(spelt)].append(spelt)
    return out


_TITLED_RUN = regex.compile(r"\b\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*){1,3}\b", regex.V1)


def restore_place_marks(text: str) -> str:
    """``text`` with each run of two to four capitalised words that is a known place but for its marks
    spelt as the place ("Báo Cáo Bằng" → "Báo Cao Bằng": the lexicon's "báo cáo" took the province's "Cao");
    a run whose letters two places share ("Phú Mỹ", "Phù Mỹ") is left as read.

    >>> restore_place_marks("Báo Cáo Bằng"), restore_place_marks("UBND tỉnh Quảng Ngải"), restore_place_marks("Báo cáo")
    ('Báo Cao Bằng', 'UBND tỉnh Quảng Ngãi', 'Báo cáo')
    """
    places = _places()

    def repl(m: regex.Match[str]) -> str:
        words = m.group(0).split()
        for n in range(len(words), 1, -1):  # the longest place that ends the run ("Báo Cáo Bằng")
            tail = " ".join(words[-n:])
            spelt = places.get(fold(tail), [])
            if len(spelt) == 1 and spelt[0] != tail:
                return " ".join([*words[:-n], spelt[0]])
        return m.group(0)

    return _TITLED_RUN.sub(repl, text)


_PLACE_ABBREVIATION = regex.compile(r"^(?:H|Q|TP|TX|T),?$")
"""Huyện, quận, thành phố, thị xã, tỉnh shortened before a place's name; printed with a full stop ("H.")."""


def restore_ending_place(name: str) -> str:
    """A body's name (a stamp's receiver) whose last two to four words are a known place but for a letter or a
    mark ("H DƯƠNG MANH CHÁU") with that place spelt as listed, in the name's case, and a shortened
    level word before it with its full stop ("H. DƯƠNG MINH CHÂU"): a body's name ends with its place
    (nd30.md §2.1). Letters two places share, or a near place that two places are equally near, leave the name
    as read.

    >>> restore_ending_place("TRUNG TÂM Y TẾ H DƯƠNG MANH CHÁU")
    'TRUNG TÂM Y TẾ H. DƯƠNG MINH CHÂU'
    >>> restore_ending_place("CHI CỤC THUẾ KHU VỰC III"), restore_ending_place("SỞ Y TẾ")
    ('CHI CỤC THUẾ KHU VỰC III', 'SỞ Y TẾ')
    >>> restore_ending_place("TRUNG TÂM Y TẾ TP, THUẬN AN"), restore_ending_place("ĐẢNG ỦY CÁC CƠ QUAN TÍNH")
    ('TRUNG TÂM Y TẾ TP. THUẬN AN', 'ĐẢNG ỦY CÁC CƠ QUAN TỈNH')
    """
    words, places = name.split(), _places()
    for n in range(min(4, len(words) - 1), 1, -1):
        tail = " ".join(words[-n:])
        key = fold(tail)
        spelt = places.get(key, [])
        if not spelt and len(key) >= 8:  # a place as many words long, a letter or a mark away
            near = process.extract(key, [p for p in places if p.count(" ") == n - 1], scorer=fuzz.ratio,
                                   score_cutoff=88, limit=2)
            spelt = places[near[0][0]] if len(near) == 1 or (near and near[0][1] > near[1][1]) else []
        if len(spelt) == 1:
            place = spelt[0].upper() if tail.isupper() else spelt[0]
            head = words[:-n]
            if head and _PLACE_ABBREVIATION.match(head[-1]):
                head[-1] = head[-1].rstrip(",") + "."  # "TP, THUẬN AN": the stop read as a comma
            return " ".join([*head, place])
    if len(words) >= 3 and fold(words[-1]) == "tinh" and words[-1].isupper():
        return " ".join([*words[:-1], "TỈNH"])  # "… CÁC CƠ QUAN TÍNH": a name ends with its level, never a verb
    return name


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
            spellings = places[key]
            if canonical_tones(tail) in spellings:
                return tail, CONF.place_exact
            if len(spellings) > 1:  # two places share these letters: the marks read decide, a person checks
                return tail, CONF.place_marks_ambiguous
            # lost diacritics restored; other marks than the one place so spelt are a misreading of it
            return spellings[0], CONF.place_marks_restored if tail.isascii() else CONF.place_marks_differ
        best = process.extractOne(key, list(places), scorer=fuzz.ratio, score_cutoff=88)
        if best and n >= 2 and len(places[best[0]]) == 1:
            return places[best[0]][0], CONF.place_fuzzy
    tail = " ".join(words[-4:]) if len(words) > 4 else s
    return tail, CONF.place_unknown


_DIGIT_LIKE = str.maketrans({"I": "1", "l": "1", "|": "1", "O": "0", "o": "0"})


def _digits(part: str) -> str:
    """A day or month as OCR may print it: "I0" → "10", "O3" → "03" (only when the result is digits)."""
    fixed = part.translate(_DIGIT_LIKE)
    return fixed if fixed.isdigit() and any(c.isdigit() for c in part) else part


_NO_COMMA = regex.compile(
    r"^\s*(?P<place>(?:TP\.\s*)?\p{Lu}\p{Ll}*(?:\s+\p{Lu}\p{Ll}*){0,3})\s+(?i:" + NGAY + r")\s*"
    r"(?P<d>\d{1,2}(?!\d)|[^\n]{0,8}?)[\s_.,]*(?i:" + THANG + r")\s*(?P<m>\d{1,2}(?!\d)|[^\n]{0,6}?)[\s_.,]*"
    r"(?i:" + NAM + r")" + YEAR_GAP + r"(?P<y>(?:19|20)\d{2})",
    regex.V1,
)
"""A date line whose comma after the place OCR lost ("Quảng Ngãi ngày tháng năm 2025"): the line opens with
the place, at most four capitalised words, as no sentence does ("Căn cứ Luật … ngày …" is in lower case)."""


@cache
def _type_words() -> frozenset[str]:
    """The first words of the document types' names ("luat", "nghi", "quyet"), without marks."""
    return frozenset(fold(t["name"].split()[0]) for t in load("doc_types")["types"]) | {"luat"}


def _bare_place_date(text: str) -> regex.Match[str] | None:
    """A comma-less date line (:data:`_NO_COMMA`) whose place is not a cited text's name ("Luật Biển Việt Nam")."""
    m = _NO_COMMA.match(text)
    return m if m is not None and fold(m.group("place").split()[0]) not in _type_words() else None


def parse_place_date(text: str) -> Hit | None:
    """Parse "<place>, ngày D tháng M năm Y"; value = (place, date or None, raw parts).

    >>> parse_place_date("Quảng Ngãi ngày 12 tháng 3 năm 2025").value[:2]
    ('Quảng Ngãi', datetime.date(2025, 3, 12))
    >>> parse_place_date("Căn cứ Luật Ngân sách nhà nước ngày 25 tháng 6 năm 2015") is None
    True
    """
    m = PLACE_DATE_RE.search(text) or _bare_place_date(text)
    if not m:
        return None
    place, pconf = _clean_place(m.group("place"))
    d, mo, y = (_digits(m.group(k).strip(" ._…")) for k in ("d", "m", "y"))
    d = d if d.isdigit() else ""  # a blank, or hand-writing the printed OCR could not read
    mo = mo if mo.isdigit() else ""
    date = make_date(d, mo, y) if d and mo else None
    conf = pconf if date else pconf * CONF.date_missing
    return Hit(value=(place, date, (d, mo, y)), raw=m.group(0), rule="place_date", conf=conf)


_YEAR_LOST = regex.compile(
    r"^\s*(?P<place>\p{Lu}[\p{L}.]*(?:\s+[\p{L}.]+){0,3})\s*,\s*(?i:" + NGAY + r")\b[^\n]{0,14}?(?i:" + THANG + r")",
    regex.V1,
)
"""A header's date line whose year the OCR garbled ("Thị xã, ngay ZÉi....thang ŒZ/..rar:: 19u Ø": a form's
blanks filled by hand): the line still opens with the place, a comma and "ngày … tháng", as nd30.md §2.3 sets
it, and the place is kept; the date is not read."""


def _year_lost(text: str) -> Hit | None:
    """The place of a header's date line read without its year (:data:`_YEAR_LOST`); the date left out."""
    m = _YEAR_LOST.match(text)
    if m is None or fold(m.group("place").split()[0]) in _type_words():
        return None
    place, pconf = _clean_place(m.group("place"))
    return Hit(value=(place, None, ("", "", "")), raw=m.group(0), rule="place_date_year_lost",
               conf=pconf * CONF.date_missing)


def find_place_date(lines: list[Line], parse: Callable[[str], Hit | None] = parse_place_date) -> tuple[Hit, Line] | None:
    """The first place-and-date line of the header."""
    for line in lines:
        if regex.match(r"^\s*\(?\s*(Kèm theo|Ban hành kèm)", line.text, regex.I):
            continue
        hit = parse(line.text)
        if hit is not None:
            hit.page, hit.bbox = line.page, line.bbox
            if line.conf is not None:
                hit.conf *= max(CONF.line_conf_floor, line.conf)
            return hit, line
    return None


def find_place_only(lines: list[Line]) -> tuple[Hit, Line] | None:
    """The first header date line whose year was lost (:data:`_YEAR_LOST`), for its place: the last resort
    when no line gives the place and the date.

    >>> from vn_dispatch_parser.core.types import Line
    >>> find_place_only([Line("Thị xã, ngay ZÉi....thang ŒZ/..rar:: 19u Ø")])[0].value
    ('Thị xã', None, ('', '', ''))
    """
    return find_place_date(lines, _year_lost)
