"""Số, ký hiệu (nd30.md §2.2, §3.4, §6.3–6.4).

    >>> parse_number_text("Số: 1865 /SYT - VP").value
    ('1865', 'SYT-VP', '/')
    >>> parse_number_text("Số: /KH-UBND").value
    (None, 'KH-UBND', '/')
    >>> parse_number_text("Số: 30/2020/NĐ-CP").value
    ('30', '2020/NĐ-CP', '/')
    >>> parse_number_text("Số 27-KH/ĐU").value
    ('27', 'KH/ĐU', '-')
    >>> parse_number_text("Số: 1/Z/KH-UBND").value  # a hand-written "143" read as "1/Z"
    (None, 'KH-UBND', '/')
"""

from __future__ import annotations

from functools import cache

import regex
from rapidfuzz.distance import Levenshtein

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.lines import SO_RE
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import dj_codes, load, type_by_code
from vn_dispatch_parser.core.types import Hit, Line, Zone
from vn_dispatch_parser.core.vocab import SO, SO_HEADER

__all__ = ["canonical_symbol", "doubled_letter", "find_number", "lost_small_letter", "misread_small_letter_code",
           "misread_type_code", "parse_number_text", "small_letter_lost", "symbol_agrees", "well_formed"]

_STAMP_NUMBER = regex.compile(rf"^\s*(?:Đ[ẾE]N\s*)?{SO}\s*[:.]?\s*\d{{1,6}}\s*$", regex.IGNORECASE)
_ESIGN = regex.compile(r"\d{1,2}/\d{1,2}/\d{4}\s*;?\s*\d{1,2}:\d{2}")


@cache
def _type_codes() -> dict[str, str]:
    """Upper-cased type code → canonical spelling (TTR → TTr, QYĐ → QyĐ)."""
    out: dict[str, str] = {}
    for t in load("doc_types")["types"]:
        for key in ("code", "old_code"):
            if t.get(key):
                out.setdefault(t[key].upper(), t[key])
    return out


def canonical_symbol(symbol: str, *, restore_dj: bool = False) -> str:
    """Clean a ký hiệu: no spaces, canonical type-code case; with ``restore_dj`` (OCR input) a lost
    "Đ" stroke is restored from the table of known codes.

    >>> canonical_symbol("TTR - UBND")
    'TTr-UBND'
    >>> canonical_symbol("QD-BGDDT", restore_dj=True)
    'QĐ-BGDĐT'
    >>> canonical_symbol("968/CD-TTg")
    '968/CD-TTg'
    >>> canonical_symbol("THPTC.CM", restore_dj=True)
    'THPTC-CM'
    """
    s = regex.sub(r"\s*([-/.])\s*", r"\1", symbol.strip()).strip("-./ ")
    s = s.replace("–", "-")
    if restore_dj:  # a ký hiệu's groups are joined by "-" and "/" (NĐ 30): a dot between them is a blurred hyphen
        s = regex.sub(r"(?<=[\p{L}\d])\.(?=\p{Lu})", "-", s)
    groups = regex.split(r"([-/])", s)
    out = []
    codes = _type_codes()
    dj = dj_codes()
    for g in groups:
        if g in ("-", "/"):
            out.append(g)
            continue
        up = g.upper()
        if up in codes and g not in codes.values():
            g = codes[up]
        elif restore_dj and "Đ" not in up and up in dj and up not in codes:
            g = dj[up]
        elif restore_dj:
            g = _one_glyph_once(g)
        out.append(g)
    return "".join(out)


@cache
def _known_codes() -> frozenset[str]:
    """Every code of the tables: the type codes and the known codes with a "Đ"."""
    return frozenset({*_type_codes().values(), *dj_codes().values()})


MAX_CODE = 12  # letters of the longest code group of the tables (HĐTĐKT, SLĐTBXH) with room for repeats


def _one_glyph_once(group: str) -> str:
    """A code group with a letter read three times or more ("HĐĐĐND") as the known code it collapses to:
    OCR repeats a bold or blotted glyph, a code is the initials of its words, listed in the tables, and no
    code repeats one initial three times. A doubled letter is left: codes have them ("CNN", "QLĐĐ").

    >>> _one_glyph_once("HĐĐĐND"), _one_glyph_once("QLĐĐ"), _one_glyph_once("CNN")
    ('HĐND', 'QLĐĐ', 'CNN')
    """
    if len(group) > MAX_CODE or not regex.search(r"(\p{Lu})\1\1", group, regex.V1) or group in _known_codes():
        return group
    runs = [m.group(0) for m in regex.finditer(r"(.)\1*", group)]
    options = {""}
    for run in runs:
        options = {o + run[:n] for o in options for n in range(1, len(run) + 1)}
    hits = sorted(o for o in options if o in _known_codes() and o != group)
    return hits[0] if len(hits) == 1 else group


def parse_number_text(text: str, *, restore_dj: bool = False) -> Hit | None:
    """Parse one "Số: …/…" text; ``Hit.value`` is ``(number or None, symbol)``."""
    m = SO_RE.search(text)
    if not m:
        return None
    so = m.group("so")
    kh = m.group("kh")
    if m.group("sep") == "-":  # party style "Số 27-KH/ĐU"
        symbol = canonical_symbol(kh, restore_dj=restore_dj)
    else:
        symbol = canonical_symbol((m.group("nam") + "/" if m.group("nam") else "") + kh, restore_dj=restore_dj)
    if not regex.search(r"[A-Za-zĐđ]", symbol):
        return None
    number = so.lstrip() if so else None
    conf = 1.0 if m.group("sep") in ("/", "-") else CONF.number_separator_odd
    head, slash, rest = symbol.partition("/")
    if slash and len(head) == 1 and regex.match(r"\p{Lu}{2}", rest):
        # "1/Z/KH-UBND": no ký hiệu group is one letter; it is a hand-written digit read as one, so the
        # number before it is only part of the number
        symbol, number, conf = rest, None, conf * CONF.number_one_letter_group
    sep = "-" if m.group("sep") == "-" else "/"
    return Hit(value=(number, symbol, sep), raw=m.group(0), rule="so_ky_hieu", conf=conf)


def find_number(lines: list[Line]) -> tuple[Hit, Line] | None:
    """The header's Số line: the first "Số…/…" that is not the ĐẾN stamp or an e-signature text."""
    for line in lines:
        t = line.text
        if _STAMP_NUMBER.match(t) or _ESIGN.search(t) or regex.search(r"k[ýy]\s*hi[ệe]u\s*HS", t, regex.I):
            continue
        if regex.match(r"^\s*(?:Kèm theo|\(Kèm)", t, regex.I):
            continue
        hit = parse_number_text(t, restore_dj=line.conf is not None) or _slash_lost(t)
        if hit is not None:
            hit.page = line.page
            hit.bbox = line.bbox
            if line.conf is not None:
                hit.conf *= max(CONF.line_conf_floor, line.conf)
            return hit, line
    return _label_lost(lines)


# the Số line with its "/" lost: the label, the number, then a ký hiệu of two to four hyphenated codes (spaced
# from the number or glued to it), nothing else
_SLASH_LOST = regex.compile(rf"^\s*{SO_HEADER}\s*[:;.]?\s*(?P<so>\d{{1,6}})\s*"
                            r"(?P<kh>[A-ZĐ]{1,6}(?:\s*-\s*[A-ZĐ][A-ZĐa-zđ&]{0,11}){1,3})[\s.;,]*$", regex.V1)


def _slash_lost(text: str) -> Hit | None:
    """A Số line whose "/" OCR lost ("Số: 127 QĐ-UBND.", "Số: 1166UBND-NV"): a Số line holds only the number
    and the ký hiệu, so the digits after the label are the number and the hyphenated capitals the ký hiệu;
    the split is a guess a person checks.

    >>> _slash_lost("Số: 127 QĐ-UBND.").value, _slash_lost("Số: 1166UBND-NV").value
    (('127', 'QĐ-UBND', '/'), ('1166', 'UBND-NV', '/'))
    >>> _slash_lost("Số: 127 ngày 5/3") is None
    True
    """
    m = _SLASH_LOST.match(text)
    if m is None:
        return None
    return Hit(value=(m.group("so"), canonical_symbol(m.group("kh"), restore_dj=True), "/"), raw=m.group(0),
               rule="so_slash_lost", conf=CONF.number_separator_odd)


# the Số line of the header's left column with its label lost: a scrap (the label under hand-writing, a
# number), "/" and a ký hiệu of two to four hyphenated codes, nothing else
_LABEL_LOST = regex.compile(r"^\s*(?P<scrap>\S{0,4}?)\s*/\s*(?P<kh>[A-ZĐ]{1,6}(?:\s*-\s*[A-ZĐ][A-ZĐa-zđ&]{0,11}){1,3})\s*$",
                            regex.V1)


def _label_lost(lines: list[Line]) -> tuple[Hit, Line] | None:
    """The header's Số line read without its "Số:" ("ST /CT-UBND"), known by its column and its shape."""
    for line in lines:
        m = _LABEL_LOST.match(line.text) if line.zone is Zone.HEADER_LEFT else None
        if m is not None:
            symbol = canonical_symbol(m.group("kh"), restore_dj=True)
            number = m.group("scrap") if m.group("scrap").isdigit() else None
            return Hit(value=(number, symbol, "/"), raw=m.group(0), rule="so_label_lost", conf=CONF.number_label_lost,
                       page=line.page, bbox=line.bbox), line
    return None


# a ký hiệu group: capitals, each with at most one small letter after it (TTr, TTg, CTrTT, QyĐ), or a year
_CODE_GROUP = regex.compile(r"^(?:\p{Lu}\p{Ll}?){2,}$|^(?:19|20)\d\d$", regex.V1)


def well_formed(symbol: str) -> bool:
    """Whether every group of a ký hiệu is a code as codes are written (capitals, each with at most one small
    letter after it) or a year: no OCR scraps ("KH-VPĐKbb", "UBND-.CNXD", "Z").

    >>> well_formed("2020/NĐ-CP"), well_formed("SGDĐT-CTrTT"), well_formed("KH-VPĐKbb"), well_formed("Z")
    (True, True, False, False)
    """
    return all(_CODE_GROUP.match(g) for g in regex.split(r"[-/]", symbol))


@cache
def _small_letter_codes() -> tuple[str, ...]:
    """The codes of the tables written with a small letter (TTr, TTg, QyĐ)."""
    org = load("organisations")
    codes = {*_type_codes().values(), *org.get("mixed_case_codes", {}).values(), *org.get("central_codes", [])}
    return tuple(sorted(c for c in codes if any(ch.islower() for ch in c)))


def lost_small_letter(symbol: str) -> str | None:
    """The group of a ký hiệu that is a code written with a small letter but for that letter, read as another
    capital ("CT-TTE" for "CT-TTg"): OCR reads a blurred small letter as a capital; no code of the tables is
    one capital away from one of them in that place. None when there is no such group.

    >>> lost_small_letter("01/CT-TTE"), lost_small_letter("01/CT-TTg"), lost_small_letter("QĐ-UBND")
    ('TTE', None, None)
    """
    for g in regex.split(r"[-/]", symbol):
        for code in _small_letter_codes():
            if len(g) == len(code) and g != code and all(
                    a == b or (b.islower() and a.isupper()) for a, b in zip(g, code, strict=True)):
                return g
    return None


def _outline(ch: str) -> int:
    """A small letter's outline: below the line (g j p q y), above it (b d f h k l t), or neither."""
    return 1 if ch in "gjpqy" else 2 if ch in "bdfhklt" else 0


def misread_small_letter_code(group: str) -> str | None:
    """The code written with a small letter (TTg, TTr, CTr, QyĐ) that ``group``, holding a small letter yet
    none of those codes, is one OCR slip away from: a small letter read as another ("TTq" for "TTg") or a
    stray capital read into it ("TTEg", "CTIr"). Codes are capitals but for these few (nd30.md §4), so a small
    letter in a group says it is one of them; None when no code, or more than one, is one edit away. What was
    read into a code is a capital or a marked letter (a speck read as a mark: "TTạg"), which no code holds; a
    plain small letter more may be another code's.

    >>> [misread_small_letter_code(g) for g in ("TTq", "TTEg", "CTIr", "TTạg")]
    ['TTg', 'TTg', 'CTr', 'TTg']
    >>> misread_small_letter_code("TTg"), misread_small_letter_code("UBND"), misread_small_letter_code("TTrB")
    (None, None, None)
    """
    codes = _small_letter_codes()
    if len(group) < 3 or group in codes or not any(ch.islower() for ch in group):
        return None
    # a code with a unit's letters before or after it is a code of its own ("TTrB", "CTrTT"), not a slip
    near = [c for c in codes if Levenshtein.distance(group, c) == 1 and not (c in group and len(group) > len(c))
            and (len(group) <= len(c) or any((ch.isupper() or not ch.isascii()) and group[:i] + group[i + 1:] == c
                                             for i, ch in enumerate(group)))]
    if len(near) > 1 and len({len(c) for c in near}) == 1 and len(near[0]) == len(group):
        # one letter read as another keeps its outline: a "q" is a misread "g" (both reach below the line), not "r"
        near = [c for c in near if all(_outline(a) == _outline(b) for a, b in zip(group, c, strict=True))]
    return near[0] if len(near) == 1 else None


def symbol_agrees(symbol: str, doc_type: str | None, abbreviations: list[str]) -> bool:
    """Whether a ký hiệu is what the header around it says it must be (nd30.md §2.2): every group a
    well-formed code, its type code the heading's (no type code for a công văn), and one of its groups
    the start of the issuer's or its parent's initials (``abbreviations``).

    >>> symbol_agrees("QĐ-UBND", "QUYẾT ĐỊNH", ["UBNDTQN"]), symbol_agrees("SGDĐT-CTrTT", "CÔNG VĂN", ["SGDĐT"])
    (True, True)
    >>> symbol_agrees("TT-CCTL", "TỜ TRÌNH", ["CCTL"]), symbol_agrees("KH-VPĐKbb", "KẾ HOẠCH", ["VPĐKĐĐ"])
    (False, False)
    >>> symbol_agrees("QĐ-UBND", "CÔNG VĂN", ["UBNDTQN"]), symbol_agrees("UBND-KTTH", "CÔNG VĂN", ["STNMT"])
    (False, False)
    >>> symbol_agrees("TTr-PCTN", "CÔNG VĂN", ["TTT", "TTr"])  # a Thanh tra's công văn
    True
    """
    if not doc_type or not well_formed(symbol):
        return False
    groups = [g for g in regex.split(r"[-/]", symbol) if not g.isdigit()]
    named = type_by_code().get(fold(groups[0]))

    def is_body(g: str) -> bool:
        return any(a.upper().startswith(g.upper()) for a in abbreviations if a)

    if doc_type == "CÔNG VĂN":  # no type code, but a unit's code may spell one (TTr: Thanh tra, nd30.md §1)
        return (named is None or is_body(groups[0])) and any(map(is_body, groups))
    return named == doc_type and any(map(is_body, groups[1:]))


def symbol_type_code(symbol: str | None) -> str | None:
    """The type name a ký hiệu's first group stands for (``"QĐ-UBND"`` → ``"QUYẾT ĐỊNH"``), if any."""
    if not symbol:
        return None
    groups = [g for g in regex.split(r"[-/]", symbol) if g and not g.isdigit()]
    if not groups:
        return None
    return type_by_code().get(fold(groups[0]))


def misread_type_code(head: str, code: str) -> bool:
    """Whether ``head``, the first group of a ký hiệu, is the type code ``code`` of the document's type as OCR
    misreads it: "QD" (the stroke of Đ lost), "QÐ"-like slips of I/L for T ("TI" for "TT"), a letter read
    twice ("QĐĐ", "CĐĐ"), or its small letter lost ("TT" for "TTr")."""
    if head == code:
        return False
    same = fold(head) == fold(code) and "Đ" in code and "Đ" not in head.upper()
    ocr_slip = (len(head) == len(code) >= 2 and head.upper() != code.upper() and head[0].upper() == code[0].upper()
                and head.upper().replace("I", "T").replace("L", "T") == code.upper().replace("I", "T").replace("L", "T"))
    return same or ocr_slip or doubled_letter(head, code) or small_letter_lost(head, code)


def doubled_letter(group: str, code: str) -> bool:
    """Whether ``group`` is ``code`` with one letter read twice ("QĐĐ" for "QĐ", "CĐĐ" for "CĐ")."""
    return group != code and any(group[:i] + group[i + 1:] == code for i in range(1, len(group))
                                 if group[i] == group[i - 1])


def small_letter_lost(group: str, code: str) -> bool:
    """Whether ``group`` is ``code`` without its small letter ("TT" for "TTr", "CT" for "CTr", "QĐ" for
    "QyĐ"): the thin small letter between capitals is the glyph OCR loses."""
    return any(code[i].islower() and code[:i] + code[i + 1:] == group for i in range(1, len(code)))
