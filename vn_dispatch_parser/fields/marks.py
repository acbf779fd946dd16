"""Độ khẩn and độ mật stamps (nd30.md §2.8): a short caps line of its own in the header.

    >>> find_mark([Line("HỎA TỐC")], "urgency").value
    'HỎA TỐC'
    >>> find_mark([Line("đề nghị khẩn trương thực hiện")], "urgency") is None
    True
"""

from __future__ import annotations

import regex
from rapidfuzz import fuzz

from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import load
from vn_dispatch_parser.core.types import Hit, Line

__all__ = ["find_mark"]


def find_mark(lines: list[Line], kind: str, limit: int = 40) -> Hit | None:
    """Find an urgency (``kind="urgency"``) or confidentiality mark among the first lines."""
    vocab: list[str] = load("phrases")[kind]
    for line in lines[:limit]:
        text = regex.sub(r"[^\p{L}\s]", " ", line.text, flags=regex.V1).strip()
        if not text or len(text) > 24 or text != text.upper():
            continue
        key = fold(text)
        for phrase in vocab:  # longest first in the data file
            score = fuzz.ratio(key, fold(phrase))
            if score >= 90 or (score >= 80 and len(key) >= 6):
                return Hit(value=phrase, raw=line.text, rule=f"{kind}_stamp", conf=score / 100,
                           page=line.page, bbox=line.bbox)
    return None
