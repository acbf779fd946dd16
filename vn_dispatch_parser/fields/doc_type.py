"""Tên loại văn bản: the centred caps heading (nd30.md §2.4), else "CÔNG VĂN" from a V/v line.

    >>> match_heading("QUYẾT  ĐỊNH")
    ('QUYẾT ĐỊNH', '')
    >>> match_heading("QUYET DINH")
    ('QUYẾT ĐỊNH', '')
    >>> match_heading("QUYẾT ĐỊNH:") is None
    True
    >>> match_heading("BÁO CÁO NGÀY 11 THÁNG 9 NĂM 2025 VỀ TÌNH HÌNH")
    ('BÁO CÁO', 'NGÀY 11 THÁNG 9 NĂM 2025 VỀ TÌNH HÌNH')
"""

from __future__ import annotations

from functools import cache

import regex
from rapidfuzz import fuzz

from vn_dispatch_parser.core.lines import is_caps
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import doc_types

__all__ = ["match_heading"]


@cache
def _names() -> list[tuple[str, str]]:
    """(folded name, name), longest first so that "THÔNG TƯ LIÊN TỊCH" wins over "THÔNG TƯ"."""
    return sorted(((fold(t["name"]), t["name"]) for t in doc_types()), key=lambda x: -len(x[0]))


def match_heading(text: str) -> tuple[str, str] | None:
    """If a line is a type heading, return (type name, the rest of the line when a title is merged in)."""
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
    for fname, name in _names():
        if len(key) >= 6 and abs(len(key) - len(fname)) <= 2 and fuzz.ratio(key, fname) >= 88:
            return name, ""
    return None
