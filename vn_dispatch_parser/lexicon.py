"""Restore diacritics that OCR dropped or swapped, against a closed list of word pairs.

``data/lexicon.tsv`` holds word pairs seen in correctly spelled administrative text. A pair of OCR words
that is not in the list, but whose letters without marks equal those of a listed pair, is replaced by that
pair ("tô chức" → "tổ chức", "TĨNH QUẢNG" → "TỈNH QUẢNG"). Nothing is ever invented: only marks change,
and only where the list knows the answer and the OCR pair is unknown.

    >>> correct_text("Về việc tô chức hội nghị")
    ('Về việc tổ chức hội nghị', 1)
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import regex

from .normalize import fold

__all__ = ["correct_name", "correct_text"]

_WORD = regex.compile(r"\p{L}+", regex.V1)
_MIN_COUNT = 1


@cache
def _table() -> tuple[dict[tuple[str, str], tuple[str, str]], frozenset[tuple[str, str]]]:
    """(folded pair → best spelled pair, set of all known spelled pairs)."""
    text = resources.files("vn_dispatch_parser").joinpath("data", "lexicon.tsv").read_text(encoding="utf-8")
    best: dict[tuple[str, str], tuple[tuple[str, str], int]] = {}
    rivals: dict[tuple[str, str], int] = {}  # the count of the second-best spelling of a folded pair
    known: set[tuple[str, str]] = set()
    for row in text.splitlines():
        if not row or row.startswith("#"):
            continue
        pair_text, _, n = row.rpartition("\t")
        words = pair_text.split(" ")
        if len(words) != 2:
            continue
        pair = (words[0], words[1])
        count = int(n)
        known.add(pair)
        key = (fold(pair[0]), fold(pair[1]))
        if key not in best:
            best[key] = (pair, count)
        elif count > best[key][1]:
            rivals[key] = best[key][1]
            best[key] = (pair, count)
        else:
            rivals[key] = max(rivals.get(key, 0), count)
    # a spelling is taken only when it clearly dominates the other spellings of the same letters
    return ({k: p for k, (p, c) in best.items() if c >= _MIN_COUNT and rivals.get(k, 0) * 3 <= c},
            frozenset(known))


def _match_case(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_STRAY = regex.compile(r"(?<=\p{Ll}) (?:[Il|!¦]|[-–]) (?=\p{Ll})", regex.V1)


def correct_text(text: str) -> tuple[str, int]:
    """Correct a line; returns the new text and the number of words changed.

    Stray marks between two lower-case words ("Thông I bão", "Về - việc") go first when the two words
    make a known pair.
    """
    text, strays = _drop_strays(text)
    fixed, n = _correct_pairs(text)
    return fixed, n + strays


def _drop_strays(text: str) -> tuple[str, int]:
    _, known = _table()
    count = 0

    def repl(m: regex.Match[str]) -> str:
        nonlocal count
        before = _WORD.findall(text[: m.start()])
        after = _WORD.findall(text[m.end() :])
        if before and after and (before[-1].lower(), after[0].lower()) in known | _near_known(before[-1], after[0]):
            count += 1
            return " "
        return m.group(0)

    return _STRAY.sub(repl, text), count


def _near_known(a: str, b: str) -> set[tuple[str, str]]:
    """The pair itself if a known pair differs from it only in marks (so it will be corrected next)."""
    best, _ = _table()
    return {(a.lower(), b.lower())} if (fold(a), fold(b)) in best else set()


def _correct_pairs(text: str) -> tuple[str, int]:
    matches = list(_WORD.finditer(text))
    if len(matches) < 2:
        return text, 0
    best, known = _table()
    words = [m.group(0) for m in matches]
    changed = [False] * len(words)
    for i in range(len(words) - 1):
        a, b = matches[i], matches[i + 1]
        if text[a.end() : b.start()].strip():  # punctuation between: not a pair
            continue
        pair = (words[i].lower(), words[i + 1].lower())
        if pair in known:
            continue
        target = best.get((fold(pair[0]), fold(pair[1])))
        if target is None or target == pair:
            continue
        for k, new in ((i, target[0]), (i + 1, target[1])):
            if words[k].lower() != new and not (changed[k] and k == i):
                words[k] = _match_case(words[k], new)
                changed[k] = True
    if not any(changed):
        return text, 0
    out, last = [], 0
    for m, w in zip(matches, words, strict=True):
        out.append(text[last : m.start()])
        out.append(w)
        last = m.end()
    out.append(text[last:])
    return "".join(out), sum(changed)


@cache
def _surnames() -> dict[str, str]:
    from .tables import load

    return {fold(s): s for s in load("names")["surnames"]}


def correct_name(name: str) -> tuple[str, bool]:
    """Restore the marks of a common surname ("Nguyên Thị Kim Chi" → "Nguyễn Thị Kim Chi")."""
    parts = name.split(" ")
    if not parts:
        return name, False
    fixed = _surnames().get(fold(parts[0]))
    if fixed and fixed != parts[0] and parts[0][:1].isupper():
        return " ".join([fixed, *parts[1:]]), True
    return name, False
