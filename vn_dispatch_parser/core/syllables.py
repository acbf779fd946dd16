"""The inventory of Vietnamese syllables: which spellings are real words, beyond what the spelling grammar
(:mod:`vn_dispatch_parser.core.orthography`) allows.

The grammar accepts every syllable Quốc ngữ *could* spell; OCR's worst slips are grammatical ones that no
writer uses: "Chuân" for "Chuẩn", "tuối" for "tuổi", "địp" for "dịp", "phé" for "phê". The inventory is the
syllable list of the Vietnamese Hunspell dictionary that Linux distributions package (Debian/Ubuntu
``hunspell-vi``, from LibreOffice's dictionaries: ~6,600 syllables, GPL-2; version 1:7.5.0-1 measured,
``vi_VN.dic`` sha256 21d59c83…). It is read from the system at run time, not shipped in this package (its
licence is not the package's); ``make setup`` installs it. Without it, :func:`known` answers None and
callers keep to the grammar alone.

Measured over the truth values of ../shared/real, samples/, two synthetic sets and the seeds (subject,
issuer, place, positions, names, addressees, recipients): two words that are right but not listed ("Sỹ",
the old spelling of the name syllable "Sĩ", now accepted as a y/i variant; "tực" in one truth file); every
unlisted word in the pipeline's values was in a wrong value.

    >>> from vn_dispatch_parser.core.syllables import known
    >>> known("chuẩn") in (True, None), known("Chuân") in (False, None)
    (True, True)
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from vn_dispatch_parser.core.normalize import fold, normalize_line
from vn_dispatch_parser.core.tables import load

__all__ = ["DICTIONARY_ENV", "is_loanword", "known", "same_letters"]

DICTIONARY_ENV = "VN_DISPATCH_VI_DIC"
"""Path of a Hunspell ``vi_VN.dic`` to use instead of the system's (empty: none, the grammar alone)."""
_SYSTEM_PATHS = ("/usr/share/hunspell/vi_VN.dic", "/usr/share/myspell/vi_VN.dic", "/usr/share/myspell/dicts/vi_VN.dic")
_Y_I = str.maketrans("yỳýỷỹỵiìíỉĩị", "iìíỉĩịyỳýỷỹỵ")  # names keep the old y for i ("Sỹ", "Mỹ")


def _path() -> Path | None:
    if DICTIONARY_ENV in os.environ:
        value = os.environ[DICTIONARY_ENV]
        return Path(value) if value else None
    return next((Path(p) for p in _SYSTEM_PATHS if Path(p).is_file()), None)


@cache
def _inventory() -> frozenset[str] | None:
    """Lower-cased syllables of the dictionary (affix flags and the count line dropped), or None."""
    path = _path()
    if path is None:
        return None
    try:
        rows = path.read_text(encoding="utf-8").splitlines()[1:]
    except (OSError, UnicodeDecodeError):
        return None
    words = {normalize_line(r.split("/", 1)[0].strip()).lower() for r in rows}
    # the syllables of the place names and surnames in this package's tables (Krông Pắc, Ea Súp) are words
    tables = [*load("places")["places"], *load("names")["surnames"]]
    words |= {normalize_line(w).lower() for name in tables for w in name.split()}
    return frozenset(w for w in words if w and " " not in w) or None


def known(word: str) -> bool | None:
    """Whether ``word`` (one syllable, any case) is a listed Vietnamese syllable; None without the list."""
    inventory = _inventory()
    if inventory is None:
        return None
    w = normalize_line(word).lower()
    return w in inventory or w.translate(_Y_I) in inventory


@cache
def _by_letters() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for w in _inventory() or ():
        out.setdefault(fold(w), []).append(w)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def same_letters(word: str) -> list[str]:
    """The listed syllables spelt with ``word``'s letters and other marks (lower case; none without the
    inventory).

    >>> same_letters("Chuân") in (["chuẩn"], [])
    True
    """
    return [w for w in _by_letters().get(fold(word), ()) if w != normalize_line(word).lower()]


@cache
def _loanwords() -> frozenset[str]:
    return frozenset(w.lower() for w in load("phrases")["loanwords"])


def is_loanword(word: str) -> bool:
    """A foreign word administrative texts print as it is (``data/phrases.yaml``: "Website", "Email").

    >>> is_loanword("Website"), is_loanword("website"), is_loanword("Vebsite")
    (True, True, False)
    """
    return word.lower() in _loanwords()
