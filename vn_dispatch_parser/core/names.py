"""Vietnamese personal names: the common surnames (``data/names.yaml``) and how often each syllable is part
of a given or middle name (``data/name_syllables.tsv``, with its source).

OCR of a signer's name fails in a few ways that the tables undo or expose:

* a surname's marks lost or swapped ("Nguyên Thị Kim Chi" → "Nguyễn Thị Kim Chi"), or the surname cut in
  two ("Nợ Yến Văn Phúc" → "Nguyễn Văn Phúc");
* a word that is no Vietnamese syllable at all, where a seal's rim or a signature ran over a letter
  ("Pkam Xgọc Thưởng" → "Phạm Ngọc Thưởng"): restored to the one common name word a letter or a mark away;
* a rare name read for a common one a mark away ("Hiên" for "Hiền"): both are real names, so the reading is
  kept and only doubted (:func:`doubtful_words`); a second reading decides such words
  (:mod:`vn_dispatch_parser.document.reconcile`).

    >>> correct_name("Pkam Xgọc Thưởng")
    ('Phạm Ngọc Thưởng', True)
"""

from __future__ import annotations

from functools import cache

from vn_dispatch_parser.core.normalize import canonical_tones, fold, one_letter_changed
from vn_dispatch_parser.core.orthography import is_vietnamese_syllable
from vn_dispatch_parser.core.tables import data_rows, load

__all__ = ["capital_misread", "correct_name", "doubtful_words", "is_known_surname", "is_surname", "surname_by_letters",
           "surname_missing_first"]

NAME_DOMINANCE = 3
"""A name word stands for a misread one only when it is at least this many times as common in names as the
next candidate: two candidates of like frequency ("Hòa", "Hoà") leave the reading as it is."""
RARE_IN_NAMES = 1
"""A name word held by at most this many names of the table (or none) is rare; a rare reading one mark away
from a common name word is doubted."""
COMMON_IN_NAMES = 5
"""A name word held by at least this many names of the table is common."""


@cache
def _surnames() -> dict[str, str]:
    return {fold(s): s for s in load("names")["surnames"]}


@cache
def _name_words() -> dict[str, int]:
    return {word: int(n) for word, n in (row.split("\t") for row in data_rows("name_syllables.tsv"))}


def _one_letter_apart(a: str, b: str) -> bool:
    """Whether two words without marks differ by one letter changed, added or dropped."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _restored(word: str, table: dict[str, int]) -> str | None:
    """The table's word a misread ``word`` (no syllable) stands for: one of the same letters but for marks,
    else one letter away; the commonest, when it is :data:`NAME_DOMINANCE` times as common as the next."""
    key = fold(word)
    same = [w for w in table if fold(w) == key]
    near = same or [w for w in table if _one_letter_apart(fold(w), key)]
    if not near:
        return None
    near.sort(key=lambda w: -table[w])
    if len(near) > 1 and table[near[0]] < NAME_DOMINANCE * max(1, table[near[1]]):
        return None
    return near[0]


@cache
def _surname_ranks() -> dict[str, int]:
    """The surnames, each weighted by its place in the list (the list runs from the commonest)."""
    names = list(_surnames().values())
    return {s: len(names) - i for i, s in enumerate(names)}


def _restore_words(parts: list[str]) -> tuple[list[str], bool]:
    """The name's words with each that is no Vietnamese syllable restored (:func:`_restored`): the first from
    the surnames, the others from the name words."""
    out, changed = list(parts), False
    for i, word in enumerate(parts):
        if not word.isalpha() or not word[:1].isupper() or is_vietnamese_syllable(word, name=True):
            continue
        fixed = _restored(word, _surname_ranks() if i == 0 else _name_words())
        if fixed is not None and fixed != word:
            out[i], changed = fixed, True
    return out, changed


def _surname_one_letter_off(word: str) -> str | None:
    """The one common surname that a capitalised ``word`` in the surname's place is with one letter changed
    ("Bài" → Bùi, "Đàn" → Đàm), when exactly one is: a name of three words or more starts with its surname, and
    a seal or a signature over it changes a letter. A rare surname the list lacks ("Ninh") may be turned into a
    common one ("Đinh"): the name stays flagged (its score is :attr:`ConfRules.signer_surname_restored`)."""
    if not word[:1].isupper() or not word.isalpha() or len(word) < 2:
        return None
    key = canonical_tones(word).lower()  # the letter changed, its marks kept ("Bài": Bùi, not Mai)
    near = [s for s in _surnames().values() if one_letter_changed(s.lower(), key)]
    return near[0] if len(near) == 1 else None


def correct_name(name: str) -> tuple[str, bool]:
    """Restore the marks of a common surname ("Nguyên Thị Kim Chi" → "Nguyễn Thị Kim Chi"), rejoin a surname
    OCR cut in two ("Nợ Yến Văn Phúc" → "Nguyễn Văn Phúc"), and restore a word that is no syllable to the
    common name word it stands for ("Xgọc" → "Ngọc"); whether anything changed. A rank before the name is
    kept."""
    for rank in sorted(load("positions")["name_prefixes"], key=len, reverse=True):
        if name.startswith(rank + " "):
            rest, changed = correct_name(name[len(rank) + 1 :])
            return f"{rank} {rest}", changed
    parts = name.split(" ")
    if not parts:
        return name, False
    changed = False
    fixed = _surnames().get(fold(parts[0]))
    if fixed and fixed != parts[0] and parts[0][:1].isupper():
        parts, changed = [fixed, *parts[1:]], True
    elif not fixed and len(parts) >= 4:
        from rapidfuzz import fuzz, process

        joined = fold(parts[0] + parts[1])
        best = process.extractOne(joined, list(_surnames()), scorer=fuzz.ratio, score_cutoff=70)
        if best:
            parts, changed = [_surnames()[best[0]], *parts[2:]], True
    if not fixed and not changed and len(parts) >= 3 and (near := _surname_one_letter_off(parts[0])):
        parts, changed = [near, *parts[1:]], True
    parts, restored = _restore_words(parts)
    return " ".join(parts), changed or restored


def doubtful_words(name: str) -> list[tuple[str, str]]:
    """The given and middle name words that are rare (:data:`RARE_IN_NAMES`) where a common name word
    (:data:`COMMON_IN_NAMES`) has the same letters but for marks, each with that word: "Hiên" for "Hiền". A
    surname's letters are never doubted: surnames are middle names too.

    >>> doubtful_words("Trần Phước Hiên"), doubtful_words("Trần Phước Hiền")
    ([('Hiên', 'Hiền')], [])
    """
    table = _name_words()
    out = []
    words = name.split(" ")
    for i, word in enumerate(words[1:], 1):
        given = i == len(words) - 1
        if table.get(word, 0) > RARE_IN_NAMES or (fold(word) in _surnames() and (not given or word in table)):
            continue  # a surname is a common middle name ("Hà Thị Lê Vân", "Phùng Tô Long") the table lacks
        # a given name that no name of the table ends or goes through is doubted beside any that one does
        # ("Cấn", a surname, for "Cẩn")
        least = COMMON_IN_NAMES if word in table or not given else 1
        common = [w for w in table if fold(w) == fold(word) and w != word and table[w] >= least]
        if common:
            out.append((word, max(common, key=lambda w: table[w])))
    return out


def is_known_surname(name: str) -> bool:
    """True when a name starts with a common Vietnamese surname (after a rank, if any); its letters are
    enough, the marks are :func:`correct_name`'s. Only the first word counts: a middle name is often a
    surname's letters too ("Bài Đình Vũ": Đình is Đinh's).

    >>> is_known_surname("Trung tá Nguyễn Văn An"), is_known_surname("Đại tá, TS. Lê An"), is_known_surname("Bài Đình Vũ")
    (True, True, False)
    """
    ranks = sorted(load("positions")["name_prefixes"], key=len, reverse=True)
    while rank := next((r for r in ranks if name.startswith((r + " ", r + ","))), None):  # "Đại tá, TS. …"
        name = name[len(rank) :].lstrip(" ,")
    parts = name.split()
    return bool(parts) and fold(parts[0]) in _surnames()


def is_surname(word: str) -> bool:
    """Whether ``word`` is one of the common surnames as spelt ("Tạ", not "Ta" or "Tà")."""
    return canonical_tones(word) in _surnames().values()


def surname_by_letters(word: str) -> str | None:
    """The one common surname spelt with the letters of ``word`` whatever its marks and case ("ta" → "Tạ": a
    small line's dot below or tone lost); None when no surname or more than one has them ("La": La, Lã).

    >>> surname_by_letters("ta"), surname_by_letters("Nguyen"), surname_by_letters("và")
    ('Tạ', 'Nguyễn', None)
    """
    key = fold(word)
    found = {s for s in load("names")["surnames"] if fold(s) == key}
    return found.pop() if len(found) == 1 else None


def surname_missing_first(word: str) -> str | None:
    """The one common surname that ``word`` is without its first letter ("hạm" → "Phạm", "guyễn" → "Nguyễn"):
    a name's first letter is where a seal's rim or a signature's tail runs into the line; None when no
    surname or more than one fits."""
    key = fold(word)
    found = [s for k, s in _surnames().items() if len(k) == len(key) + 1 and k[1:] == key and len(key) >= 2]
    return found[0] if len(found) == 1 else None


def capital_misread(word: str) -> str:
    """A name word read in lower case ("xấn"): every word of a name is capitalised, so its first letter was
    misread, the rest read; the name word (of ``data/name_syllables.tsv``) that differs from it only in that
    letter, kept when it is :data:`NAME_DOMINANCE` times as common as any other, else the word capitalised.

    >>> capital_misread("xấn"), capital_misread("hưng"), capital_misread("âu")
    ('Tấn', 'Hưng', 'Âu')
    """
    table = _name_words()
    as_read = word[:1].upper() + word[1:]
    if as_read in table or fold(word) in _surnames():  # a name word as read ("âu": Âu is a surname, a middle name)
        return as_read
    rest = word[1:].lower()
    found = sorted((w for w in table if len(w) == len(word) and w[1:].lower() == rest), key=lambda w: -table[w])
    if found and (len(found) == 1 or table[found[0]] >= NAME_DOMINANCE * table[found[1]]):
        return found[0]
    return as_read
