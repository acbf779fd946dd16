"""Tên cơ quan ban hành and cơ quan chủ quản (nd30.md §2.1).

Caps lines of the header's left column before "Số" are grouped into units: a line that starts with an
organisation word (SỞ, BỘ, UBND, PHÒNG…) starts a unit, any other caps line continues the one above
("ỦY BAN NHÂN DÂN" / "TỈNH TÂY NINH"). The last unit is the issuer, the one before it the chủ quản.

    >>> parse_issuer(["UBND TỈNH BÌNH DƯƠNG", "SỞ Y TẾ"]).value
    ('UBND TỈNH BÌNH DƯƠNG', 'SỞ Y TẾ')
    >>> parse_issuer(["ỦY BAN NHÂN DÂN", "TỈNH TÂY NINH"]).value
    (None, 'ỦY BAN NHÂN DÂN TỈNH TÂY NINH')
    >>> parse_issuer(["BỘ GIÁO DỤC VÀ ĐÀO TẠO"]).value
    (None, 'BỘ GIÁO DỤC VÀ ĐÀO TẠO')
"""

from __future__ import annotations

from functools import cache

import regex
from rapidfuzz import fuzz, process

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.lexicon import bound_pair
from vn_dispatch_parser.core.normalize import canonical_tones, fold, initials
from vn_dispatch_parser.core.tables import districts, load, place_names
from vn_dispatch_parser.core.types import Hit

__all__ = ["body_code", "clean_issuer_line", "is_known_body", "issuer_units", "parse_issuer", "place_only",
           "starts_unit"]


@cache
def _starts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    org = load("organisations")
    units = tuple(sorted({fold(w) for w in org["unit_starts"]}, key=len, reverse=True))
    geo = tuple(sorted({fold(w) for w in org["geo_words"]}, key=len, reverse=True))
    return units, geo


def _prefix_len(key: str, words: tuple[str, ...]) -> int:
    """Length of the longest word of ``words`` that ``key`` starts with (0 if none)."""
    return max((len(w) for w in words if key == w or key.startswith(w + " ") or key.startswith(w + ".")), default=0)


def body_code(name: str) -> str:
    """The code a ký hiệu writes for a body: the initials of its name before the place it is of (nd30.md
    §2.2: "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI" signs "UBND", "SỞ Y TẾ TỈNH NAM ĐỊNH" "SYT").

    >>> body_code("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"), body_code("BỘ GIÁO DỤC VÀ ĐÀO TẠO"), body_code("SỞ Y TẾ")
    ('UBND', 'BGDĐT', 'SYT')
    """
    words = name.split()
    _, geo = _starts()
    cut = next((i for i in range(1, len(words)) if _prefix_len(fold(" ".join(words[i:])), geo)), len(words))
    return initials(" ".join(words[:cut]))


def clean_issuer_line(text: str) -> str:
    """Strip rules, stars and stray punctuation around a header caps line."""
    s = regex.sub(r"[_*─━—–=~¯]+", " ", text)
    s = " ".join(t for t in (w.strip("\"'“”‘’`") for w in s.split()) if regex.fullmatch(r"[\p{L}\d&.,'()-]+", t, flags=regex.V1)
                 and (regex.search(r"[\p{L}\d]", t, flags=regex.V1) or t in ("-", "&")))  # noise ("-%€") out
    s = regex.sub(r"\s+", " ", s).strip(" .,:;-|")
    if not regex.search(r"\p{L}{2,}", s, regex.V1):
        return ""
    return s


@cache
def _known_bodies() -> dict[str, str | None]:
    """Folded name → name of the issuing bodies of data/issuers.yaml (templates expanded with the places and
    with the districts of data/districts.txt); None for the few names two bodies share but for their marks
    ("HUYỆN PHÚ MỸ", "HUYỆN PHÙ MỸ"): the marks read decide between them."""
    data = load("issuers")
    places = [p.upper() for p in load("places")["places"] if not p.startswith(("Quận", "TP."))]
    names = list(data["bodies"])
    for template in data["templates"]:
        names += [template.format(place=p) for p in places]
    for template in data["district_templates"]:
        names += [template.format(district=d.upper()) for d in districts()]
    out: dict[str, str | None] = {}
    for n in map(canonical_tones, names):
        key = fold(n)
        out[key] = n if out.get(key, n) == n else None
    return out


@cache
def _place_keys() -> tuple[str, ...]:
    """Folded place and district names, longest first."""
    return tuple(sorted({fold(p) for p in place_names()}, key=len, reverse=True))


def _ending_place(key: str) -> str | None:
    """The longest known place (folded) a folded name is or ends with, if any."""
    return next((p for p in _place_keys() if key == p or key.endswith(" " + p)), None)


def is_known_body(name: str) -> bool:
    """Whether ``name`` (any case, any marks) is the name of a known body ("Văn phòng Chính phủ").

    >>> is_known_body("Văn phòng Chính phủ"), is_known_body("Văn phòng, Chính phủ")
    (True, False)
    """
    return fold(name) in _known_bodies()


_NAME_WORD = regex.compile(r"[\p{L}&,.-]+|\d+|\(\p{L}+\)", regex.V1)
"""A word of a body's name: letters (with "&", a comma or a dash), a number ("BAN CHỈ ĐẠO 138"), a bracketed
word; a digit glued to a bracket or a letter ("2)") is ink read as text, not the name's."""


def snap_body(name: str) -> tuple[str, bool]:
    """A body's name as OCR garbled it, replaced by the known name it is ≥ 90 % alike (folded); ink read as
    text after the name (a word no name holds, and what follows it) is left out when the rest is a known name.

    >>> snap_body("BỘ VĂN HÓA, THỂ THAO VÀ ĐU LỊCH 2) VÀ ĐU"), snap_body("BAN CHỈ ĐẠO 138")
    (('BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH', True), ('BAN CHỈ ĐẠO 138', False))

    A reading that ends with a known place keeps that place: only names of bodies of that place are
    candidates ("TỈNH KHÔNG THANH HÓA", a blurred word doubled, is not snapped to "TỈNH KHÁNH HÒA", which is
    closer letter by letter).
    """
    key = fold(name)
    bodies = _known_bodies()
    if key in bodies:
        known = bodies[key]
        return (name, False) if known is None else (known, known != name)
    words = name.split()
    cut = next((i for i, w in enumerate(words) if not _NAME_WORD.fullmatch(w)), None)
    if cut is not None and cut >= 2:  # scraps after the name ("… DU LỊCH 2) VÀ ĐU"): the name is what precedes
        head, snapped = snap_body(" ".join(words[:cut]))
        if snapped or fold(head) in bodies:
            return head, True
    candidates = list(bodies)
    place = _ending_place(key)
    if place is not None:
        candidates = [b for b in candidates if b.endswith(" " + place)]
    best = process.extractOne(key, candidates, scorer=fuzz.ratio, score_cutoff=90)
    if best is None or not _same_proper_name(key, best[0]) or bodies[best[0]] is None:
        return name, False
    return bodies[best[0]], True  # type: ignore[return-value]


def _same_proper_name(a: str, b: str) -> bool:
    """Whether two folded body names that share their generic words ("uy ban nhan dan thanh pho ...") also
    name the same place or office: what follows their common leading words must be alike too, so that
    "... dong ha" is not snapped to "... dong thap" (a real city to another).

    >>> _same_proper_name("uy ban nhan dan tinh bac nlnh", "uy ban nhan dan tinh bac ninh")
    True
    >>> _same_proper_name("uy ban nhan dan thanh pho dong ha", "uy ban nhan dan thanh pho dong thap")
    False
    >>> _same_proper_name("bo giao duc va dao lo tao", "bo giao duc va dao tao")  # a speck read as a word
    True
    """
    wa, wb = a.split(), b.split()
    k = 0
    while k < min(len(wa), len(wb)) and wa[k] == wb[k]:
        k += 1
    ra, rb = " ".join(wa[k:]), " ".join(wb[k:])
    la, lb = _level(ra), _level(rb)
    if la and lb and la != lb:
        return False  # a thị xã's body is not the tỉnh's, whatever their places' names share (one read
        # without its level word lost it to the OCR)
    return not ra or not rb or max(fuzz.ratio(ra, rb), fuzz.token_set_ratio(ra, rb)) >= 70


def _level(folded: str) -> str | None:
    """The administrative level word a folded name's rest starts with (tinh, thi xa, huyen…), if any.

    >>> _level("thi xa cao bang"), _level("tinh cao bang"), _level("cao bang"), _level('"tinh bac ninh')
    ('thi xa', 'tinh', None, 'tinh')
    """
    folded = " ".join(regex.sub(r"[^\p{L}\d ]", " ", folded, flags=regex.V1).split())  # '"tinh' is "tinh"
    return next((g for g in _starts()[1] if folded == g or folded.startswith(g + " ")), None)


def starts_unit(text: str) -> bool:
    """Whether a header line starts a body's name (SỞ, BAN, BỆNH VIỆN…, not a place word such as "HUYỆN X").

    >>> starts_unit("BAN CHỈ ĐẠO 138"), starts_unit("TỈNH QUẢNG NGÃI"), starts_unit("Số: 12/QĐ")
    (True, False, False)
    """
    units_words, geo = _starts()
    key = fold(clean_issuer_line(text))
    unit_len = _prefix_len(key, units_words)
    return unit_len > 0 and unit_len >= _prefix_len(key, geo)


def place_only(name: str) -> bool:
    """Whether an issuer read is only a place ("TỈNH QUẢNG NGÃI"): a body's name has its kind before the place
    (nd30.md §2.1), so the first line was lost or read elsewhere.

    >>> place_only("TỈNH QUẢNG NGÃI"), place_only("ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"), place_only("SỞ Y TẾ")
    (True, False, False)
    """
    return not starts_unit(name) and _level(fold(clean_issuer_line(name))) is not None


def _after_place(unit: str, line: str) -> bool:
    """Whether ``line``, the header's last caps line, goes on a body's name that already ended with its place
    and is no place itself: a body's name ends with the place it is of (nd30.md §2.1), so the line is the
    rule under the name or seal ink read as letters ("THÀNH PHỐ HỒ CHÍ MINH" / "THỌ HQ CH"); "TỈNH BÀ RỊA" /
    "- VŨNG TÀU" still ends with a place and stays."""
    return _ending_place(fold(unit)) is not None and _ending_place(fold(f"{unit} {line}")) is None


def issuer_units(caps_lines: list[str]) -> list[list[int]]:
    """The header's caps lines grouped into units (a body's name wrapped over lines is one unit), as
    indexes into ``caps_lines``; lines too short once cleaned are left out.

    >>> issuer_units(["UBND TỈNH BẮC NINH", "SỞ Y TẾ", "TỈNH BẮC NINH"])
    [[0], [1, 2]]
    >>> issuer_units(["SỞ TÀI NGUYÊN VÀ MÔI", "TRƯỜNG TỈNH QUẢNG NINH", "VĂN PHÒNG ĐĂNG KÝ ĐẤT ĐAI"])
    [[0, 1], [2]]
    >>> issuer_units(["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH", "THỌ HQ CH"])  # ink after the place: left out
    [[0, 1]]
    """
    units_words, geo = _starts()
    units: list[list[int]] = []
    for i, raw in enumerate(caps_lines):
        t = clean_issuer_line(raw)
        if len(t) < 2:
            continue
        key = fold(t)
        unit_len, geo_len = _prefix_len(key, units_words), _prefix_len(key, geo)
        new_unit = unit_len > 0 and unit_len >= geo_len  # "HUYỆN ỦY …" is a unit, "HUYỆN X" continues
        if new_unit and units and (prev := clean_issuer_line(caps_lines[units[-1][-1]]).split()):
            new_unit = not bound_pair(prev[-1], t.split()[0])  # "… VÀ MÔI" / "TRƯỜNG …": one word wrapped
        if units and not new_unit and i == len(caps_lines) - 1 and _after_place(
                " ".join(clean_issuer_line(caps_lines[j]) for j in units[-1]), t):
            continue
        if units and not new_unit:
            units[-1].append(i)
        else:
            units.append([i])
    return units


def parse_issuer(caps_lines: list[str]) -> Hit | None:
    """Group the header's caps lines into units; value = (issuer_parent or None, issuer)."""
    groups = issuer_units(caps_lines)
    if not groups:
        return None
    units = [" ".join(clean_issuer_line(caps_lines[i]) for i in g) for g in groups]
    issuer, fixed_issuer = snap_body(units[-1])
    parent, fixed_parent = snap_body(units[-2]) if len(units) >= 2 else (None, False)
    conf = ((CONF.issuer_units if len(units) <= 2 else CONF.issuer_many_units)
            * (CONF.issuer_snapped if fixed_issuer or fixed_parent else 1.0))
    return Hit(value=(parent, issuer), raw=" / ".join(caps_lines), rule="issuer_units", conf=conf)
