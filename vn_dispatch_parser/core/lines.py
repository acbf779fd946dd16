"""Line-level helpers shared by the field parsers: caps and name tests, fixed phrases, splitting
lines where Tesseract printed the two header columns (or Nơi nhận and the signature) side by side.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import regex
from rapidfuzz import fuzz

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import load
from vn_dispatch_parser.core.types import BBox, Line
from vn_dispatch_parser.core.vocab import NAM, NGAY, SIGNER_TAIL, SO_HEADER, THANG, YEAR_GAP

__all__ = [
    "line_conf",
    "lines_box",
    "PLACE_DATE_RE",
    "SO_RE",
    "is_caps",
    "is_name",
    "is_quoc_hieu",
    "is_syllable",
    "is_rule",
    "is_tieu_ngu",
    "letters",
    "modern_prefix",
    "split_columns",
    "split_name_title",
]

_SPECK = r"(?:[.,;:!'`^*~]{1,2}\s*)"  # a speck read before the ký hiệu ("/.UBND-VHTT", "/!BXD-KHTC")
# "Số: 1865/SYT-VP", "Số 27-KH/ĐU", "S6: /KH-UBND", "Số:2750/QĐ-BGDĐT", "Số2624 /QĐ-BGDĐT"
SO_RE = regex.compile(
    rf"(?<![\p{{L}}]){SO_HEADER}\s*[:;.]?\s*"
    r"(?:(?P<so>\d{1,6}[a-z]?)|(?P<junk>(?!\s*/)(?:(?!/(?:19|20)\d{2}/)[^\n]){1,9}?(?=\s*/+\s*" + _SPECK + r"?[A-ZĐa-zđ])))?\s*"
    r"(?P<sep>/+|[|lI1]|-(?=\s*[A-ZĐa-zđ]{1,5}\s*/))\s*"
    r"(?:" + _SPECK + r"(?=[A-ZĐ]{2}))?"  # a speck only before a code of capitals
    r"(?:(?P<nam>(?:19|20)\d{2})\s*/\s*)?"
    r"(?P<kh>[A-ZĐa-zđ][A-ZĐa-zđ0-9&]*(?:\s*[-–.]\s*[A-ZĐa-zđ0-9&]+){0,3}(?:\s*/\s*[A-ZĐa-zđ0-9&]+(?:-[A-ZĐa-zđ0-9&]+)*)?)"
    r"(?!\p{L})",  # a ký hiệu ends at a word's end: "_/ZÏZ /UBND-KTTH" is hand-writing, then the printed "/UBND…"
    regex.V1,
)
# "<place>, ngày 18 tháng 6 năm 2025"; day/month may be blank (drafts) or glued ("tháng10năm")
# "ngày" with its y garbled by the hand-written day over it ("ngàW†"): the tháng … năm YYYY after it still
# make the line a date line, and the place before it is kept
PLACE_DATE_RE = regex.compile(
    r"(?P<place>[\p{Lu}][^\n,;:]{0,45}?)\s*[,.]\s*(?:" + NGAY + r"|ng\S{1,3}?)\s*(?P<d>\d{1,2}(?![\d])|[^\n]{0,8}?)[\s_.,]*"
    + THANG + r"\s*(?P<m>\d{1,2}(?![\d])|[^\n]{0,6}?)[\s_.,]*" + NAM + YEAR_GAP + r"(?P<y>(?:19|20)\d{2})",
    regex.V1 | regex.IGNORECASE,
)
DATE_ONLY_RE = regex.compile(
    NGAY + r"\s*(?P<d>\d{1,2}|[ ._…]*)\s*" + THANG + r"\s*(?P<m>\d{1,2}|[ ._…]*)\s*" + NAM + YEAR_GAP + r"(?P<y>(?:19|20)\d{2})",
    regex.V1 | regex.IGNORECASE,
)
_RULE_CHARS = r"[_\-–—─━=~¯.*…]"
_RULE_RE = regex.compile(rf"^(?:\s|{_RULE_CHARS}){{3,}}$")
_NOISY_RULE_RE = regex.compile(rf"^\s*{_RULE_CHARS}(?:\s*{_RULE_CHARS})+\s*\w{{1,3}}\s*(?:{_RULE_CHARS}\s*)*$", regex.V1)
_WORD_RE = regex.compile(r"[\p{L}]+", regex.V1)
_NAME_WORD = regex.compile(r"^[\p{Lu}](?:[\p{Ll}]+|'[\p{Lu}]?[\p{Ll}]+)?$", regex.V1)


def lines_box(lines: list[Line]) -> tuple[int | None, BBox | None]:
    """Where some lines were read: the page of the first line with a box and the box around the lines on
    that page (a field read over a page break keeps its first page's part); ``(page, None)`` for lines
    without boxes (plain text).

    >>> lines_box([Line("a", page=2, bbox=BBox(10, 5, 50, 20)), Line("b", page=2, bbox=BBox(8, 25, 40, 40)),
    ...            Line("c", page=3, bbox=BBox(0, 0, 9, 9))])
    (2, BBox(x0=8, y0=5, x1=50, y1=40))
    >>> lines_box([Line("a", page=4)])
    (4, None)
    """
    boxed = [ln for ln in lines if ln.bbox is not None]
    if not boxed:
        return (lines[0].page if lines else None), None
    page = boxed[0].page
    box = boxed[0].bbox
    assert box is not None
    for ln in boxed[1:]:
        if ln.page == page and ln.bbox is not None:
            box = box.union(ln.bbox)
    return page, box


def line_conf(lines: list[Line]) -> float:
    """OCR confidence of some lines: the lowest per line of (mean word confidence, weakest word + 0.2).

    One misread word drags a field's value wrong, so the weakest word counts; lines without OCR
    confidences (plain text) count as 1.0.
    """
    out = 1.0
    for ln in lines:
        if ln.conf is None:
            continue
        c = ln.conf
        if ln.words:
            c = min(c, min(w.conf for w in ln.words) + CONF.weak_word_margin)
        out = min(out, c)
    return out


_SYLLABLE = regex.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?$")


def is_syllable(text: str) -> bool:
    """True when a word, its marks removed, has the shape of a Vietnamese syllable ("Nguyễn": yes, "Pkam": no)."""
    return bool(_SYLLABLE.match(fold(text)))


def letters(text: str) -> str:
    """Only the letters of a text."""
    return "".join(_WORD_RE.findall(text))


def is_caps(text: str, min_letters: int = 3) -> bool:
    """True when the line's letters are (almost) all capitals: a header, title or heading line."""
    ls = letters(text)
    if len(ls) < min_letters:
        return False
    upper = sum(1 for c in ls if c.isupper())
    return upper / len(ls) >= 0.85


def is_rule(text: str) -> bool:
    """A horizontal rule as OCR prints it: ``____``, ``───``, ``-----``, or with one short scrap of noise read
    as letters beside it (``-- ni``, ``——— TÀI``): no line of a document starts with two dashes and holds one
    word of at most three letters.

    >>> [is_rule(t) for t in ("-----", "-- ni", "——— TÀI", "- Lưu: VT", "-- Như trên", "- VP")]
    [True, True, True, False, False, False]
    """
    return bool(_RULE_RE.match(text) or _NOISY_RULE_RE.match(text))


@cache
def _name_prefixes() -> tuple[str, ...]:
    return tuple(sorted(load("positions")["name_prefixes"], key=len, reverse=True))


def split_name_title(name: str) -> tuple[str | None, str]:
    """(rank or academic title, bare name): "Trung tá Nguyễn Văn An" → ("Trung tá", "Nguyễn Văn An").

    A signer's name is recorded bare (nd30.md §2: ranks and titles are not part of it); the title is kept
    apart. Matching ignores case and marks, and a title may be followed by a comma ("Đại tá, TS.").

    >>> split_name_title("Trung tá Nguyễn Văn An")
    ('Trung tá', 'Nguyễn Văn An')
    >>> split_name_title("PGS.TS Lê Thị Hoa")
    ('PGS.TS.', 'Lê Thị Hoa')
    >>> split_name_title("Đại tá, TS. Trần Văn Bình")
    ('Đại tá TS.', 'Trần Văn Bình')
    >>> split_name_title("Trần Văn Bình")
    (None, 'Trần Văn Bình')
    """
    found: list[str] = []
    rest = name.strip()
    for _ in range(3):
        key = fold(rest)
        for p in _name_prefixes():
            fp = fold(p).rstrip(".")
            m = regex.match(rf"^{regex.escape(fp)}\.?[\s,]+", key)
            if m and len(rest.split()) > len(p.split()) + 1:
                found.append(p)
                # the same number of characters in the original (fold keeps one character per letter)
                rest = rest[len(m.group(0)):].lstrip(" ,")
                break
        else:
            break
    return (" ".join(found) if found else None), rest


def is_name(text: str) -> bool:
    """A Vietnamese personal name line: 2–6 capitalised words, optionally after a rank ("Trung tá")."""
    s = text.strip().strip(".,;:")
    for p in _name_prefixes():
        if s.startswith(p + " "):
            s = s[len(p) + 1 :]
            break
    words = s.split()
    if not 2 <= len(words) <= 6 or sum(len(w) > 1 for w in words) < 2:
        return False
    return all(_NAME_WORD.match(w) for w in words)


def _fuzzy_is(text: str, phrase: str, threshold: float) -> bool:
    a, b = fold(text), fold(phrase)
    if not a:
        return False
    return fuzz.ratio(a, b) >= threshold or (len(a) >= len(b) - 2 and fuzz.partial_ratio(b, a) >= threshold + 3)


def is_quoc_hieu(text: str) -> bool:
    """The Quốc hiệu "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (or the party header), fuzzily."""
    ph = load("phrases")
    return _fuzzy_is(text, ph["quoc_hieu"], 85) or _fuzzy_is(text, ph["party_header"], 88)


def is_tieu_ngu(text: str) -> bool:
    """The Tiêu ngữ "Độc lập - Tự do - Hạnh phúc", fuzzily."""
    return _fuzzy_is(text, load("phrases")["tieu_ngu"], 80)


_RIGHT_ANCHORS = regex.compile(
    r"\s+(?=(?:C[ỘOÔ]NG\s*H(?:[ÒOÓ]A|OÀ)\s+X[ÃA]\s*H[ỘOÔ]I)|(?:Đ[ỘO]C\s*L[ẬA]P\s*-)|(?:Độc\s*lập)|(?:ĐẢNG\s+CỘNG\s+SẢN))",
    regex.V1 | regex.IGNORECASE,
)
_OLD_PREFIX = regex.compile(r"^(\s*)(T\s*/\s*M|K\s*/\s*T|T\s*/\s*L|T\s*/\s*U\s*/?\s*Q)\s*[.,]?\s*(?=\p{Lu})",
                            regex.V1)


_DOTLESS_PREFIX = regex.compile(r"^(\s*)(TM|KT|TL|TUQ)\s+(?=\p{Lu}{2})", regex.V1)
"""A signing prefix whose dot the OCR lost ("TM UBND TỈNH"): the dot is the block's smallest mark, and no
title or body name opens with these capitals, so a line of capitals that does begins the signature block."""


def modern_prefix(line: Line) -> Line:
    """A signing prefix in its old slashed form ("T/M", "K/T", "T/L", "T/U/Q", typewritten documents before
    2004) written as today's ("TM.", "KT.", "TL.", "TUQ.") at the start of a line, so that every signature
    rule reads both.

    >>> modern_prefix(Line("K/T CHỦ TỊCH")).text, modern_prefix(Line("T/M UBND")).text
    ('KT. CHỦ TỊCH', 'TM. UBND')
    >>> modern_prefix(Line("T/m các đơn vị")).text
    'T/m các đơn vị'
    >>> modern_prefix(Line("TM UBND TỈNH")).text, modern_prefix(Line("KT CHỦ TỊCH")).text
    ('TM. UBND TỈNH', 'KT. CHỦ TỊCH')
    >>> modern_prefix(Line("KT CHẤT LƯỢNG và hiệu quả")).text  # no line of capitals: no prefix
    'KT CHẤT LƯỢNG và hiệu quả'
    """
    m = _OLD_PREFIX.match(line.text)
    if not m:
        m = _DOTLESS_PREFIX.match(line.text)
        if not m or not is_caps(line.text):
            return line
    key = regex.sub(r"[\s/]", "", m.group(2))
    return replace(line, text=f"{m.group(1)}{key}. {line.text[m.end():]}")




def split_columns(lines: list[Line]) -> list[Line]:
    """Split lines in which OCR joined the left and right header columns, or Nơi nhận and signature.

    ``"UBND TỈNH X CỘNG HÒA XÃ HỘI…"`` → two lines; ``"Số: 12/UBND-VX Bình Dương, ngày …"`` → two
    lines; ``"- Như trên; PHÓ GIÁM ĐỐC"`` → two lines. Lines with boxes are left alone (the layout
    step already separated the columns).
    """
    out: list[Line] = []
    for line in lines:
        if line.bbox is not None:
            out.append(line)
            continue
        out.extend(_split_one(line))
    return out


def _split_one(line: Line) -> list[Line]:
    text = line.text
    if len(text) > 300:
        return [line]
    low = text.lower()
    parts = [text]
    if "cộng" in low or "độc" in low or "đảng" in low or "cong" in low or "doc" in low:
        parts = [p for p in _RIGHT_ANCHORS.split(text) if p.strip()]
    if len(parts) == 1 and "năm" in low and ("tháng" in low or "thang" in low):
        parts = _split_number_date(text)
    if len(parts) == 1:
        parts = _split_signature_tail(text)
    if len(parts) == 1:
        return [line]
    return [replace(line, text=p.strip()) for p in parts]


def _split_number_date(text: str) -> list[str]:
    m = SO_RE.search(text)
    d = PLACE_DATE_RE.search(text)
    if m and d and m.end() <= d.start() + len(d.group("place")):
        # the place starts after the ký hiệu: cut right after the symbol
        cut = m.end()
        return [text[:cut], text[cut:]]
    if d and d.start() > 0:
        head = text[: d.start()].strip()
        if head and regex.match(r"^(V\s*[/l|]\s*v|Về việc)", head, regex.IGNORECASE):
            return [head, text[d.start() :]]
    return [text]


def _split_signature_tail(text: str) -> list[str]:
    s = text.strip()
    if not s.startswith(("-", "+", "•", "Nơi nhận", "Noi nhan")):
        return [text]
    m = SIGNER_TAIL.search(s)
    if m:
        return [s[: m.start()], s[m.end() :]]
    # a trailing run of caps words (a title) after an item: "- Như trên; PHÓ GIÁM ĐỐC"
    m2 = regex.search(r"(?<=[;.:])\s*((?:[\p{Lu}]{2,}\s*){2,})$", s, regex.V1)
    if m2 and is_caps(m2.group(1), 5):
        return [s[: m2.start()], m2.group(1)]
    return [text]
