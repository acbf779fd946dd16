"""Lunar year names (Can Chi) in text: "Tết Nguyên đán Nhâm Dần", "Xuân Ất Tỵ".

A year name is a heavenly stem followed by an earthly branch of the same parity (``data/phrases.yaml``).
OCR confuses the stacked marks of the branch ("Dằn" for "Dần", "Ty" for "Tỵ"); the branch is a closed list,
and the stem's parity leaves one branch for each spelling without marks ("Ất Ty": Tỵ, never Tý).

    >>> restore_year_names("đón Tết Nguyên đán Nhâm Dằn năm 2022"), restore_year_names("Xuân Ất Ty 2025")
    ('đón Tết Nguyên đán Nhâm Dần năm 2022', 'Xuân Ất Tỵ 2025')
    >>> restore_year_names("Canh tác vụ Tân Hợi"), restore_year_names("Tân Phú")
    ('Canh tác vụ Tân Hợi', 'Tân Phú')
"""

from __future__ import annotations

from functools import cache

import regex

from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import load

__all__ = ["restore_year_names"]

_ALIASES = {"meo": "mao", "ti": "ty"}  # old spellings of the branches, folded


@cache
def _cycle() -> tuple[dict[str, int], dict[tuple[str, int], str]]:
    """(folded stem -> index, (folded branch, parity) -> branch)."""
    phrases = load("phrases")
    stems = {fold(c): i for i, c in enumerate(phrases["can"])}
    branches = {(fold(b), i % 2): b for i, b in enumerate(phrases["chi"])}
    return stems, branches


_PAIR = regex.compile(r"(?<=\b(\p{Lu}\p{Ll}*) )(\p{Lu}\p{L}*)\b", regex.V1)  # a branch, after its stem


def restore_year_names(text: str) -> str:
    """``text`` with each stem + branch read with a wrong mark on the branch given its branch's spelling."""
    stems, branches = _cycle()

    def fix(m: regex.Match[str]) -> str:
        stem, word = m.group(1), m.group(2)
        index = stems.get(fold(stem))
        if index is None:
            return word
        key = fold(word)
        return branches.get((_ALIASES.get(key, key), index % 2), word)

    return _PAIR.sub(fix, text)
