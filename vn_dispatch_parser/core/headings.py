"""Line predicates over NĐ 30's closed vocabularies: is a line a type heading ("QUYẾT ĐỊNH"), a signing
title ("PHÓ GIÁM ĐỐC", "KT. CHỦ TỊCH"), or a title a seal garbled? Shared by the page layout (which zone a
line belongs to) and the field parsers (:mod:`~vn_dispatch_parser.fields.doc_type`,
:mod:`~vn_dispatch_parser.fields.signer`); the lists are ``data/doc_types.yaml`` and ``data/positions.yaml``.

    >>> match_heading("QUYẾT  ĐỊNH"), is_title_line("PHÓ GIÁM ĐỐC"), is_title_line("Nguyễn Văn An")
    (('QUYẾT ĐỊNH', ''), True, False)
"""

from __future__ import annotations

from functools import cache

import regex
from rapidfuzz import fuzz

from vn_dispatch_parser.core.lines import is_caps, is_quoc_hieu
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import doc_types, load
from vn_dispatch_parser.core.vocab import SIGNER_PREFIX

__all__ = ["is_caps_title", "is_signer_title", "is_title_line", "match_heading", "position_vocab", "snap_title",
           "starts_with_title", "titles", "without_garbled_prefix"]

_PREFIX = SIGNER_PREFIX


@cache
def position_vocab() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(keywords, titles) of positions.yaml, folded."""
    pos = load("positions")
    return tuple(fold(k) for k in pos["keywords"]), tuple(fold(t) for t in pos["titles"])


def is_signer_title(text: str) -> bool:
    """Strictly a signature line: a signing prefix, or exactly (fuzzily) a known title ("GIÁM ĐỐC")."""
    s = text.strip(" .:;*")
    if _PREFIX.match(s):
        return True
    key = fold(s)
    return any(fuzz.ratio(key, t) >= 92 for t in position_vocab()[1])


def is_caps_title(text: str) -> bool:
    """A known signer's title in capitals, behind whatever specks were read before it ("-_ PHÓ GIÁM ĐỐC"):
    Nơi nhận items are typed in sentence case (nd30.md §2.7), the signature block's titles in capitals (§2.6),
    so a "bullet" before one is a speck.

    >>> is_caps_title("-_ PHÓ GIÁM ĐỐC"), is_caps_title("- Bộ trưởng;"), is_caps_title("- TT HĐND;")
    (True, False, False)
    """
    s = regex.sub(r"^[\W_]+", "", text).strip()
    return is_caps(s) and is_signer_title(s)


def without_garbled_prefix(text: str) -> str:
    """"tt. BỘ TRƯỞNG" → "BỘ TRƯỞNG": a prefix the seal garbled, before a known title; and scraps of the seal's
    or the signature's ink read before a known title, with no capitalised word among them.

    >>> without_garbled_prefix("tt. BỘ TRƯỞNG"), without_garbled_prefix("ca 0x7 >, GIÁM ĐỐC")
    ('BỘ TRƯỞNG', 'GIÁM ĐỐC')
    >>> without_garbled_prefix("PHÓ GIÁM ĐỐC"), without_garbled_prefix("Sở Y tế GIÁM ĐỐC")
    ('PHÓ GIÁM ĐỐC', 'Sở Y tế GIÁM ĐỐC')
    """
    if _PREFIX.match(text):
        return text
    g = regex.match(r"^\S{1,3}[.,]\s+(?P<rest>\p{Lu}.*)$", text, flags=regex.V1)
    if g and fold(g.group("rest").strip(" .:;")) in titles():
        return g.group("rest").strip(" .:;")
    g = regex.match(r"^(?P<head>.*?)\s(?P<rest>\p{Lu}[\p{Lu} ]+)$", text.strip(" .:;"), flags=regex.V1)
    if g and fold(g.group("rest").strip()) in titles() and not regex.search(r"(?<!\S)\p{Lu}", g.group("head"),
                                                                             flags=regex.V1):
        return g.group("rest").strip()  # no capitalised word before it: "ca 0x7 >," is ink read as text
    return text


def is_title_line(text: str) -> bool:
    """A caps line that names a position ("PHÓ GIÁM ĐỐC") or starts with a signing prefix."""
    s = without_garbled_prefix(text.strip(" .:;*"))
    if _PREFIX.match(s):
        return True
    if not is_caps(s, 4) or len(s) > 60 or is_quoc_hieu(s):
        return False
    key = fold(s)
    keywords, titles = position_vocab()
    if any(regex.search(r"\b" + regex.escape(k) + r"\b", key) for k in keywords):
        return True
    return any(fuzz.ratio(key, t) >= 88 for t in titles)


def snap_title(text: str) -> str | None:
    """A known title in a line the seal garbled: a run of capitals that, without spaces, is ≥ 85 % like one
    title and clearly more like it than any other ("⁄....:: CHỦYỊCH" → "CHỦ TỊCH"); None otherwise.

    >>> snap_title("⁄....:: CHỦYỊCH"), snap_title("N2 BỀ- _ L4 t2")
    ('CHỦ TỊCH', None)
    """
    best: tuple[float, str] | None = None
    for run in regex.findall(r"\p{Lu}[\p{Lu} ]{4,}", text, flags=regex.V1):
        key = fold(run).replace(" ", "")
        if len(key) < 6:
            continue
        scores = sorted(((fuzz.ratio(key, t.replace(" ", "")), canon) for t, canon in titles().items()),
                        reverse=True)
        clear = scores and scores[0][0] >= 85 and (len(scores) < 2 or scores[1][0] <= scores[0][0] - 5)
        if clear and (best is None or scores[0][0] > best[0]):
            best = (scores[0][0], scores[0][1])
    return best[1] if best else None


@cache
def titles() -> dict[str, str]:
    """Every known title, folded → as printed."""
    return {fold(t): t for t in load("positions")["titles"]}


def starts_with_title(segment: str) -> bool:
    """Whether a signature segment ("KT. GIÁM ĐỐC", "GIÁM ĐỐC SỞ TÀI CHÍNH") is a known title, or one followed by
    the body it heads; a "TM." segment names the body itself ("TM. ỦY BAN NHÂN DÂN") and is always one.

    >>> starts_with_title("GIÁM ĐỐC SỞ TÀI CHÍNH"), starts_with_title("TM. ỦY BAN NHÂN DÂN")
    (True, True)
    >>> starts_with_title("GIAN ĐỐC SỞ TÀI CHÍNH"), starts_with_title("IỆI É")
    (False, False)
    """
    m = _PREFIX.match(segment.strip())
    if m and regex.match(r"(?i)T\.?/?M", m.group(1)):
        return True
    key = fold(m.group("rest") if m else segment).strip(" .")
    return any(key == t or key.startswith(t + " ") for t in titles())


@cache
def _names() -> list[tuple[str, str]]:
    """(folded name, name), longest first so that "THÔNG TƯ LIÊN TỊCH" wins over "THÔNG TƯ"."""
    return sorted(((fold(t["name"]), t["name"]) for t in doc_types()), key=lambda x: -len(x[0]))


def match_heading(text: str) -> tuple[str, str] | None:
    """If a line is a type heading, return (type name, the rest of the line when a title is merged in).

    >>> match_heading("QUYẾT ĐỊNH CỦA ỦY BAN NHÂN DÂN TỈNH"), match_heading("QUYẾT ĐỊNH VỀ VIỆC GIAO ĐẤT")
    (('QUYẾT ĐỊNH', ''), ('QUYẾT ĐỊNH', 'VỀ VIỆC GIAO ĐẤT'))
    >>> match_heading("CHỈ THỊ CỦA CHỦ TỊCH UBND TỈNH VỀ PHÒNG CHỐNG LỤT BÃO")
    ('CHỈ THỊ', 'VỀ PHÒNG CHỐNG LỤT BÃO')
    """
    s = regex.sub(r"^[\s#*_]+|[\s*_]+$", "", text)
    if not s or s.endswith(":") or not is_caps(s, 4):
        return None
    key = fold(s)
    squeezed = key.replace(" ", "")
    for fname, name in _names():
        if squeezed == fname.replace(" ", ""):
            return name, ""
    for fname, name in _names():
        if key.startswith(fname + " ") and len(fname) >= 7:
            rest = s[len(" ".join(s.split()[: len(fname.split())])) :].strip()
            # "QUYẾT ĐỊNH VỀ VIỆC …" / "BÁO CÁO NGÀY …": a heading with a merged title
            if fold(rest).split()[0] in ("ve", "ngay", "so", "ket", "tong", "tinh", "cong", "thuc", "trien"):
                return name, rest
            if fold(rest).split()[0] == "cua":
                # "QUYẾT ĐỊNH CỦA ỦY BAN NHÂN DÂN TỈNH": the old forms' title names the authority that issues
                # (TT 33/BT 1992, NĐ 110/2004), not the subject; a subject merged after it starts with "về"
                about = regex.search(r"\s(V[ỀÊE]|v[ềêe])\s", rest)
                return name, rest[about.start() + 1 :] if about else ""
    for fname, name in _names():
        if len(key) >= 6 and abs(len(key) - len(fname)) <= 2 and fuzz.ratio(key, fname) >= 88:
            return name, ""
    return None
