"""Diacritic folding and the search query language, shared by both catalogue back ends.

The catalogue stores folded copies of the searchable fields, computed here in Python, so that SQLite
FTS5 and PostgreSQL full-text search index the very same words: lower case, no tone or vowel marks,
``đ`` → ``d``, and only letters and digits (``1865/SYT-VP`` → ``1865 syt vp``).

>>> fold("V/v chấn chỉnh thực thi công vụ")
'v v chan chinh thuc thi cong vu'
>>> fold("ĐƯỜNG ĐI")
'duong di'
>>> parse_query('chan chinh "thực thi" 1865/SYT-VP')
Query(terms=['chan', 'chinh'], phrases=[['thuc', 'thi'], ['1865', 'syt', 'vp']], exact=['thực thi'])
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["Query", "fold", "fold_tokens", "parse_query", "plain"]

_QUOTED = re.compile(r'"([^"]*)"?')


_REPLACE = (("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D"), ("–", " "), ("—", " "), ("…", " "))
# bytes: letters lower-cased, digits kept, every other byte a space
_BYTES = bytes(b + 32 if 65 <= b <= 90 else b if (97 <= b <= 122 or 48 <= b <= 57) else 32 for b in range(256))


def fold_tokens(text: str | None) -> list[str]:
    """The folded words of ``text``: marks dropped, đ → d, lower case, letters and digits only.

    Vietnamese letters decompose (NFD) into an ASCII letter and combining marks, which the ASCII encoding
    drops; this runs at C speed (the catalogue folds every document's full text).
    """
    if not text:
        return []
    if not text.isascii():
        for a, b in _REPLACE:  # str.replace is C speed; str.translate with a dict is not
            text = text.replace(a, b)
        text = unicodedata.normalize("NFD", text)
    return text.encode("ascii", "ignore").translate(_BYTES).decode("ascii").split()


def fold(text: str | None) -> str:
    """``text`` folded to space-separated words (what the catalogue indexes)."""
    return " ".join(fold_tokens(text))


def plain(text: str | None) -> str:
    """``text`` in NFC, lower case, single spaces: what an exact (quoted) phrase must appear in."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


@dataclass
class Query:
    """A parsed query: every term and every phrase must match (folded); ``exact`` are the quoted
    phrases written with diacritics, which must also appear as written (case aside)."""

    terms: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    exact: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)


def parse_query(text: str) -> Query:
    """Parse a search query.

    Bare words match anywhere, in any order, without regard to diacritics or đ/d. A quoted phrase
    matches those words in that order; when it is written with diacritics, the documents must also
    have them as written. A bare word with punctuation inside (``1865/SYT-VP``, ``NĐ-CP``) is a phrase
    of its parts, so a number and ký hiệu finds its document.
    """
    q = Query()
    for m in _QUOTED.finditer(text):
        words = fold_tokens(m.group(1))
        if words:
            q.phrases.append(words)
            written = plain(m.group(1))
            if _has_marks(written):
                q.exact.append(written)
    for chunk in _QUOTED.sub(" ", text).split():
        words = fold_tokens(chunk)
        if len(words) == 1:
            if words[0] not in q.terms:
                q.terms.append(words[0])
        elif words:
            q.phrases.append(words)
    return q


def _has_marks(text: str) -> bool:
    return any(unicodedata.category(ch) == "Mn" for ch in unicodedata.normalize("NFD", text)) or "đ" in text
