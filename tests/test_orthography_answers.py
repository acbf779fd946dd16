"""``is_vietnamese_syllable`` keeps its answers: the answers recorded in ``tests/data/syllables.tsv`` (every word
of ``vn_dispatch_parser/data/lexicon.tsv``, ``tests/cases`` and the ``samples`` records, as spelled and as a
name) and a digest of its answers over ~170,000 variants of them (each tone on each vowel, every onset, every
coda). Refactoring the grammar must leave both unchanged; a deliberate change of the grammar re-records them:
``PYTHONPATH=. python -m tests.test_orthography_answers`` (and says why in the commit)."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import regex

from vn_dispatch_parser.core.orthography import is_vietnamese_syllable

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tests" / "data" / "syllables.tsv"
_WORD = regex.compile(r"[\p{L}\p{M}\d#@$%&*^~`|\\/_+=<>©®°¡¿]+", regex.V1)
_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_VOWELS = "aăâeêioôơuưy"
_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "kr", "pl", "br", "bl", "dr", "gl",
           "hr", "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "f", "w", "")
_CODAS = ("ng", "nh", "ch", "c", "m", "n", "p", "t", "k", "")


def _source_words() -> list[str]:
    """The words the table was recorded from (only the recorder reads the sources; the test reads the table)."""
    texts = [ln.split("\t")[0] for ln in (ROOT / "vn_dispatch_parser/data/lexicon.tsv").read_text("utf-8").splitlines()
             if not ln.startswith("#")]
    texts += [p.read_text("utf-8") for p in sorted((ROOT / "tests/cases").glob("*.txt"))]

    def strings(o: object) -> Iterator[str]:
        if isinstance(o, str):
            yield o
        elif isinstance(o, dict):
            for v in o.values():
                yield from strings(v)
        elif isinstance(o, list):
            for v in o:
                yield from strings(v)

    for p in sorted(ROOT.glob("samples/*.json")) + sorted(ROOT.glob("tests/cases/*.json")):
        texts += strings(json.loads(p.read_text("utf-8")))
    words = {part for t in texts for m in _WORD.finditer(t) for part in regex.split(r"[-–/]", m.group(0)) if part}
    return sorted(words)


def _variants(word: str) -> Iterator[str]:
    """Words one change away from ``word``: its letters with each tone on each vowel, every onset, every coda."""
    bare = unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", word.lower())
                                                if c not in _TONES[1:]))
    for i, c in enumerate(bare):
        if c in _VOWELS:
            for tone in _TONES:
                yield unicodedata.normalize("NFC", bare[:i + 1] + tone + bare[i + 1:])
    m = regex.match(rf"^([^{_VOWELS}]*)(.*?)([^{_VOWELS}]*)$", bare)
    if m:
        onset, vowels, coda = m.groups()
        for o in _ONSETS:
            yield o + vowels + coda
        for c in _CODAS:
            yield onset + vowels + c + "\u0301"  # an acute tone: the one every coda allows


def _answers(word: str) -> str:
    return "".join("1" if is_vietnamese_syllable(word, name=n) else "0" for n in (False, True))


def _digest(words: list[str]) -> tuple[int, str]:
    """(how many variants, sha256 of their answers in order)."""
    h = hashlib.sha256()
    n = 0
    for w in words:
        for v in _variants(w):
            h.update(f"{v}\t{_answers(v)}\n".encode())
            n += 1
    return n, h.hexdigest()


def _read_table() -> tuple[dict[str, str], tuple[int, str]]:
    answers: dict[str, str] = {}
    digest = (0, "")
    for line in TABLE.read_text("utf-8").splitlines():
        if line.startswith("# variants"):
            _, _, n, hexdigest = line.split()
            digest = (int(n), hexdigest)
        elif line and not line.startswith("# "):  # a word may begin with "#"
            word, ans = line.split("\t")
            answers[word] = ans
    return answers, digest


def test_answers_over_the_word_list_are_unchanged() -> None:
    answers, _ = _read_table()
    assert len(answers) > 3000
    changed = {w: (a, _answers(w)) for w, a in answers.items() if _answers(w) != a}
    assert not changed, f"recorded vs now (plain, name): {dict(list(changed.items())[:20])}"


def test_answers_over_the_variants_are_unchanged() -> None:
    answers, digest = _read_table()
    assert _digest(sorted(answers)) == digest


def _record() -> None:
    words = _source_words()
    n, hexdigest = _digest(words)
    lines = ["# is_vietnamese_syllable(word) and (word, name=True) as 0/1, recorded by tests/test_orthography_answers.py",
             f"# variants {n} {hexdigest}"]
    lines += [f"{w}\t{_answers(w)}" for w in words]
    TABLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(words)} words, {n} variants -> {TABLE}")


if __name__ == "__main__":
    _record()
