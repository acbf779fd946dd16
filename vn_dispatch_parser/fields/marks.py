"""Độ khẩn and độ mật stamps (nd30.md §2.8): a short caps line of its own in the header.

    >>> find_mark([Line("HỎA TỐC")], "urgency").value
    'HỎA TỐC'
    >>> find_mark([Line("đề nghị khẩn trương thực hiện")], "urgency") is None
    True
    >>> find_mark([Line("KUAN,")], "urgency").conf
    0.5
"""

from __future__ import annotations

import regex
from rapidfuzz import fuzz

from vn_dispatch_parser.core.normalize import fold, one_letter_changed
from vn_dispatch_parser.core.tables import load
from vn_dispatch_parser.core.types import Hit, Line

__all__ = ["find_mark"]

ONE_LETTER_OFF = 0.5
"""The score of a mark read with one letter wrong ("KUAN" for KHẨN): below every review threshold, so it is
flagged. A mark is a word of its own on a line of its own in the header's left column (nd30.md §2.8, ô 10a /
10b), where no other text is one caps word; on a grey or bitonal scan its red ink and its box are lost and
the page's OCR reads it as a short caps line."""
MIN_LETTERS = 4  # a shorter word one letter off a mark ("MẤY", "MAI" for MẬT) is too likely another word


def _caps(text: str) -> bool:
    """Whether a short line reads as a mark's capitals: all of it, or all but one word where the other words
    are capitals of two letters or more ("hỏa TỐC": a capital's mark read as a small letter's). A phrase of
    the body ("khẩn trương thực hiện") is in small letters."""
    words = text.split()
    small = [w for w in words if w != w.upper()]
    return not small or (len(small) == 1 and len(words) > 1 and all(len(w) >= 2 for w in words if w not in small))


def _one_letter_off(key: str, vocab: list[str]) -> str | None:
    """The one-word mark of :data:`MIN_LETTERS` letters or more that ``key`` (folded) is with one letter
    changed, if exactly one is."""
    near = [phrase for phrase in vocab
            if " " not in phrase and len(key) >= MIN_LETTERS and one_letter_changed(fold(phrase), key)]
    return near[0] if len(near) == 1 else None


def find_mark(lines: list[Line], kind: str, limit: int = 40) -> Hit | None:
    """Find an urgency (``kind="urgency"``) or confidentiality mark among the first lines."""
    vocab: list[str] = load("phrases")[kind]
    letters = [(line, regex.sub(r"[^\p{L}\s]", " ", line.text, flags=regex.V1).strip()) for line in lines[:limit]]
    for line, text in letters:
        if not text or len(text) > 24 or not _caps(text):
            continue
        key = fold(text)
        for phrase in vocab:  # longest first in the data file
            score = fuzz.ratio(key, fold(phrase))
            if score >= 90 or (score >= 80 and len(key) >= 6):
                return Hit(value=phrase, raw=line.text, rule=f"{kind}_stamp", conf=score / 100,
                           page=line.page, bbox=line.bbox)
    for line, text in letters:
        if " " in text or text != text.upper() or not text:
            continue
        near = _one_letter_off(fold(text), vocab)
        if near is not None:
            return Hit(value=near, raw=line.text, rule=f"{kind}_stamp_one_letter_off", conf=ONE_LETTER_OFF,
                       page=line.page, bbox=line.bbox)
    return None
