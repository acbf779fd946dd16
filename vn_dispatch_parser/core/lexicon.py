"""Restore diacritics that OCR dropped or swapped, against a closed list of word pairs.

``data/lexicon.tsv`` holds word pairs seen in correctly spelled administrative text. A pair of OCR words
that is not in the list, but whose letters without marks equal those of a listed pair, is replaced by that
pair ("tô chức" → "tổ chức", "TĨNH QUẢNG" → "TỈNH QUẢNG"). Nothing is ever invented: only marks change,
and only where the list knows the answer and the OCR pair is unknown.

    >>> correct_text("Về việc tô chức hội nghị")
    ('Về việc tổ chức hội nghị', 1)
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache

import regex

from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import data_rows, dj_codes

__all__ = ["bound_pair", "correct_by_document", "correct_text", "document_pairs", "first_words", "followers",
           "known_syllable", "pair_count"]

_WORD = regex.compile(r"\p{L}+", regex.V1)
_MIN_COUNT = 1


WORD_COUNT = 3
"""Votes a word of ``data/words.txt`` gives each of its syllables where words read in a row spell it but for
their marks: as many as a phrase written for the corrector, enough alone to restore one of them."""


@cache
def _corpus() -> dict[tuple[str, str], int]:
    """Spelled pair → how often administrative text holds it (``data/lexicon.tsv``)."""
    known: dict[tuple[str, str], int] = {}
    for row in data_rows("lexicon.tsv"):
        pair_text, _, n = row.rpartition("\t")
        words = pair_text.split(" ")
        if len(words) == 2:
            known[(words[0], words[1])] = int(n)
    return known


@cache
def _table() -> tuple[dict[tuple[str, str], list[tuple[tuple[str, str], int]]], dict[tuple[str, str], int]]:
    """(folded pair → its spellings with counts, spelled pair → count)."""
    known = _corpus()
    folded = {w: fold(w) for w in {w for pair in known for w in pair}}  # a few thousand syllables: each folded once
    spellings: dict[tuple[str, str], list[tuple[tuple[str, str], int]]] = {}
    for pair, n in known.items():
        spellings.setdefault((folded[pair[0]], folded[pair[1]]), []).append((pair, n))
    return spellings, known


@cache
def _triples() -> tuple[dict[tuple[str, str, str], list[tuple[str, str, str]]], frozenset[tuple[str, str, str]]]:
    """(folded three syllables → the words of ``data/words.txt`` they spell, those words): the general
    vocabulary's words of three syllables."""
    spelled = frozenset((w[0], w[1], w[2]) for w in (row.split(" ") for row in data_rows("words.txt")) if len(w) == 3)
    folded = {s: fold(s) for s in {s for t in spelled for s in t}}
    out: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for t in spelled:
        out.setdefault((folded[t[0]], folded[t[1]], folded[t[2]]), []).append(t)
    return out, spelled


@cache
def _words2() -> frozenset[tuple[str, str]]:
    """The general vocabulary's words of two syllables (``data/words.txt``)."""
    # the ~6,900 syllables are shared by the ~50,000 pairs: interned, each is held once (15 MB -> 9 MB resident)
    return frozenset((sys.intern(w[0]), sys.intern(w[1]))
                     for w in (row.split(" ") for row in data_rows("words.txt")) if len(w) == 2)


_ABOVE = ("\u0300", "\u0301", "\u0309", "\u0303")
"""The tone marks printed above a vowel, grave, acute, hook and tilde: a few pixels apart at text size (and
above a circumflex, stacked), they are the marks OCR reads one for another or loses ("đổi" as "đối", "phòng"
as "phỏng", "ổ" as "ỗ", "dầu" as "dâu")."""


def _bare_above(syllable: str) -> str:
    """``syllable`` without its tone mark above the vowel (a dot below, a circumflex, breve or horn stay)."""
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", syllable) if c not in _ABOVE))


@cache
def _above_index() -> dict[str, frozenset[str]]:
    """A syllable without its mark above (:func:`_bare_above`) → the syllables of ``data/words.txt``'s
    two-syllable words that read so without it."""
    out: dict[str, set[str]] = {}
    for s in _syllables():
        out.setdefault(_bare_above(s), set()).add(s)
    return {k: frozenset(v) for k, v in out.items()}


@cache
def _syllables() -> frozenset[str]:
    """Every syllable of ``data/words.txt``'s two-syllable words (~6,900): of 8,505 lower-case words with a
    Vietnamese letter in ../shared/real's truth and the seeds' texts, all but three are among them."""
    return frozenset(s for pair in _words2() for s in pair)


def known_syllable(word: str) -> bool:
    """Whether ``word`` (any case) is a syllable of the vocabulary's words (:func:`_syllables`).

    >>> known_syllable("TUỔI"), known_syllable("dâi")
    (True, False)
    """
    return word.lower() in _syllables()


def _vote_syllables(matches: list[regex.Match[str]], words: list[str], votes: list[dict[str, int]]) -> None:
    """Votes for a lower-case word with a Vietnamese letter that is no syllable of the vocabulary and that one
    tone mark above its vowel makes exactly one syllable of it, one the corpus holds ("dưới 5 tuối" →
    "tuổi"): such a word cannot be half of a word cut by a line break, so unlike :func:`_vote_words2` it is
    taken at a line's ends too."""
    known, seen = _syllables(), _unigrams()
    for k, w in enumerate(words):
        read = matches[k].group(0)
        if len(w) < 2 or w.isascii() or not read.islower() or w in known:
            continue
        swaps = _above_swaps(w)
        # the spelling must be one administrative text uses, as in _vote_words2: a name's syllable read in
        # lower case ("Lê xấn Dũng") is not respelled as a rare word ("xẩn")
        if len(swaps) == 1 and seen.get(swaps[0], 0) > 0:
            votes[k][swaps[0]] = votes[k].get(swaps[0], 0) + WORD_COUNT


def _above_swaps(syllable: str) -> list[str]:
    """The listed syllables that differ from ``syllable`` only in the tone mark above the vowel: another
    mark, a mark where none was read, or none where one was."""
    return sorted(_above_index().get(_bare_above(syllable), frozenset()) - {syllable})


@cache
def _unigrams() -> dict[str, int]:
    """How often each word occurs in the corpus's pairs."""
    counts: dict[str, int] = {}
    for (a, b), n in _corpus().items():
        counts[a] = counts.get(a, 0) + n
        counts[b] = counts.get(b, 0) + n
    return counts


BOUND_SHARE = 0.5
"""A syllable is bound to the next when at least this share of the corpus pairs it starts go on with that one."""
BOUND_MIN = 5
"""... counted over at least this many occurrences of the pair (fewer is a chance meeting)."""


@cache
def _followers() -> dict[str, dict[str, int]]:
    """Lower-cased syllable → the syllables that follow it in the corpus, with counts."""
    out: dict[str, dict[str, int]] = {}
    for (a, b), n in _corpus().items():
        nxt = out.setdefault(a.lower(), {})
        nxt[b.lower()] = nxt.get(b.lower(), 0) + n
    return out


def followers(words: Iterable[str]) -> dict[str, int]:
    """How often each syllable follows any of ``words`` (lower case) in the corpus, summed."""
    out: dict[str, int] = {}
    table = _followers()
    for a in words:
        for b, n in table.get(a, {}).items():
            out[b] = out.get(b, 0) + n
    return out


def first_words() -> frozenset[str]:
    """Every word (lower case) that starts a pair of the corpus."""
    return frozenset(_followers())


def _is_code(word: str) -> bool:
    """A code as printed: two or more capitals without a tone mark ("UBMTTQVN", "HĐND", "TT")."""
    return len(word) >= 2 and word.isupper() and not any(
        unicodedata.combining(c) for c in unicodedata.normalize("NFD", word.replace("Đ", "D")))


def pair_count(a: str, b: str) -> int:
    """How often syllable ``a`` is followed by ``b`` in the corpus (any case)."""
    return _followers().get(a.lower(), {}).get(b.lower(), 0)


def bound_pair(a: str, b: str) -> bool:
    """Whether syllable ``a`` is almost always followed by ``b`` in the corpus: the two halves of one word
    ("MÔI" + "TRƯỜNG", "ỦY" + "BAN"), which a line break between them does not part.

    >>> bound_pair("MÔI", "TRƯỜNG"), bound_pair("ủy", "ban"), bound_pair("TỈNH", "BAN"), bound_pair("TẠO", "TRƯỜNG")
    (True, True, False, False)
    """
    nxt = _followers().get(a.lower(), {})
    n = nxt.get(b.lower(), 0)
    return n >= BOUND_MIN and n >= BOUND_SHARE * sum(nxt.values())


def _match_case(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_STRAY = regex.compile(r"(?<=\p{Ll}) (?:[Il|!¦]|[-–]) (?=\p{Ll})", regex.V1)


def correct_text(text: str, *, after_codes: Mapping[str, int] | None = None) -> tuple[str, int]:
    """Correct a line; returns the new text and the number of words changed.

    Stray marks between two lower-case words ("Thông I bão", "Về - việc") go first when the two words
    make a known pair. With ``after_codes`` (how often each word follows a code in the corpus,
    :func:`~vn_dispatch_parser.core.orthography.after_codes`; for a list item or an office's name), a word
    after a code whose pair the corpus does not hold takes the spelling that follows codes ("UBMTTQVN tính" →
    "UBMTTQVN tỉnh", as "UBND tỉnh", "HĐND tỉnh"): in a body's sentence a code may be followed by anything.
    """
    text, strays = _drop_strays(text)
    fixed, n = _correct_pairs(text, after_codes=after_codes)
    fixed, codes = _restore_codes(fixed)
    fixed, digits = _DIGITISH.subn(lambda m: m.group(0).translate(_TO_DIGIT), fixed)
    fixed, esses = _SECTION_S.subn("S", fixed)
    return fixed, n + strays + codes + digits + esses


# "§" touching a capital: an S ("/§GTVT-KHTC"); no administrative text is typed with the section sign
_SECTION_S = regex.compile(r"§(?=\p{Lu})|(?<=\p{Lu})§", regex.V1)


# a number with a letter that looks like a digit ("COVID-I9", "2O25"): letters I, l, O among digits
_DIGITISH = regex.compile(r"\b(?=[\dIlO]*\d)(?=[\dIlO]*[IlO])[\dIlO]{2,}\b")
_TO_DIGIT = str.maketrans({"I": "1", "l": "1", "O": "0"})


_CODE = regex.compile(r"\b[A-Z][A-ZĐ]{1,9}\b", regex.V1)


def _restore_codes(text: str) -> tuple[str, int]:
    """Abbreviations that lost the stroke of their Đ ("GDDT" → "GDĐT"), from the list of known codes."""
    count = 0

    def repl(m: regex.Match[str]) -> str:
        nonlocal count
        code = m.group(0)
        fixed = dj_codes().get(code) if "D" in code and "Đ" not in code else None
        if fixed and fixed != code:
            count += 1
            return fixed
        return code

    return _CODE.sub(repl, text), count


def _drop_strays(text: str) -> tuple[str, int]:
    _, known = _table()
    count = 0

    def repl(m: regex.Match[str]) -> str:
        nonlocal count
        before = _WORD.findall(text[: m.start()])
        after = _WORD.findall(text[m.end() :])
        pair = (before[-1].lower(), after[0].lower()) if before and after else None
        if pair and (pair in known or _near_known(*pair)):
            count += 1
            return " "
        return m.group(0)

    return _STRAY.sub(repl, text), count


def _near_known(a: str, b: str) -> set[tuple[str, str]]:
    """The pair itself if a known pair differs from it only in marks (so it will be corrected next)."""
    spellings, _ = _table()
    return {(a.lower(), b.lower())} if (fold(a), fold(b)) in spellings else set()


def _rewritten(text: str, matches: list[regex.Match[str]], words: list[str]) -> str:
    """``text`` with the word of each match replaced by the word at its place in ``words``."""
    out, last = [], 0
    for m, w in zip(matches, words, strict=True):
        out.append(text[last : m.start()])
        out.append(w)
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _paired(text: str, matches: list[regex.Match[str]], i: int) -> bool:
    """Whether the words of matches ``i`` and ``i + 1`` make a pair: no punctuation between them."""
    return 0 <= i < len(matches) - 1 and not text[matches[i].end() : matches[i + 1].start()].strip()


def _correct_pairs(text: str, *, after_codes: Mapping[str, int] | None = None) -> tuple[str, int]:
    """Each word gets votes for its spellings from the known pairs it forms with its neighbours; a word
    whose pairs are unknown takes the spelling that clearly wins (three times the votes of any other).
    With ``after_codes``, a word after a code (:func:`_is_code`) in an unknown pair is voted for by the words
    that follow codes in the corpus."""
    matches = list(_WORD.finditer(text))
    if len(matches) < 2:
        return text, 0
    spellings, known = _table()
    words = [m.group(0) for m in matches]
    votes: list[dict[str, int]] = [{} for _ in words]
    for i in range(len(words) - 1):
        if not _paired(text, matches, i):  # punctuation between: not a pair
            continue
        pair = (words[i].lower(), words[i + 1].lower())
        if pair in known:  # the words as read make a known pair: votes for keeping them
            for k, w in ((i, pair[0]), (i + 1, pair[1])):
                votes[k][w] = votes[k].get(w, 0) + known[pair] * 3
            continue
        for (a, b), n in spellings.get((fold(pair[0]), fold(pair[1])), []):
            votes[i][a] = votes[i].get(a, 0) + n
            votes[i + 1][b] = votes[i + 1].get(b, 0) + n
        if after_codes and _is_code(words[i]):
            for b, n in after_codes.items():
                if fold(b) == fold(pair[1]):
                    votes[i + 1][b] = votes[i + 1].get(b, 0) + n
    lowered = [w.lower() for w in words]
    _vote_triples(text, matches, lowered, votes)
    _vote_words2(text, matches, lowered, votes)
    _vote_syllables(matches, lowered, votes)
    changed = 0
    for k, ballot in enumerate(votes):
        if not ballot:
            continue
        ranked = sorted(ballot.items(), key=lambda kv: -kv[1])
        winner, top = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        # a word as read that the corpus knows needs stronger evidence to change than an unknown one
        seen = _unigrams().get(words[k].lower(), 0)
        needed = max(_MIN_COUNT, 3, min(seen / 2, 5))
        if winner != words[k].lower() and top >= needed and top >= 3 * runner_up:
            words[k] = _match_case(words[k], winner)
            changed += 1
    return (_rewritten(text, matches, words), changed) if changed else (text, 0)


def _vote_triples(text: str, matches: list[regex.Match[str]], words: list[str], votes: list[dict[str, int]]) -> None:
    """Votes from three words read in a row (no punctuation between) that spell no word of ``data/words.txt``
    but spell one with other marks ("tố dân phố" → "tổ dân phố")."""
    spellings, spelled = _triples()
    for i in range(len(words) - 2):
        run = (words[i], words[i + 1], words[i + 2])
        if run in spelled or not (_paired(text, matches, i) and _paired(text, matches, i + 1)):
            continue
        for t in spellings.get((fold(run[0]), fold(run[1]), fold(run[2])), []):
            for k, w in enumerate(t):
                votes[i + k][w] = votes[i + k].get(w, 0) + WORD_COUNT


def _vote_words2(text: str, matches: list[regex.Match[str]], words: list[str], votes: list[dict[str, int]]) -> None:
    """Votes from two words read in a row that make neither a word of ``data/words.txt`` nor a pair of the
    corpus, but make a word with one tone mark above a vowel read as another ("sửa đồi" → "sửa đổi"): the
    list has no frequencies, so only the marks OCR confuses, and a word the corpus often sees keeps its
    spelling against these votes alone (:func:`_correct_pairs`)."""
    spelled = _words2()
    _, known = _table()
    seen = _unigrams()
    for i in range(len(words) - 1):
        run = (words[i], words[i + 1])
        if run in spelled or run in known or not _paired(text, matches, i) or _proper_name(matches, i):
            continue
        found = [(i, a) for a in _above_swaps(run[0]) if (a, run[1]) in spelled]
        found += [(i + 1, b) for b in _above_swaps(run[1]) if (run[0], b) in spelled]
        found = [(k, w) for k, w in found
                 # a line's first and last words may be halves of words the line break cut ("đồng | bào")
                 if 0 < k < len(words) - 1
                 # the spelling must be one administrative text uses: the list's rare words ("có chửa") are not
                 and seen.get(w, 0) > 0
                 # a syllable that makes a word with its other neighbour as read is that word's ("có chứa chất")
                 and not (_paired(text, matches, j := k - 1 if k == i else k)
                          and ((pair := (words[j], words[j + 1])) in spelled or pair in known))]
        if len(found) == 1:  # one reading of the marks makes a word: two would be a guess
            k, w = found[0]
            votes[k][w] = votes[k].get(w, 0) + WORD_COUNT


def _proper_name(matches: list[regex.Match[str]], i: int) -> bool:
    """Whether words ``i`` and ``i + 1`` are both capitalised and not all capitals: a name ("Tì Tường Mâm"),
    whose syllables the dictionary's common words must not respell."""
    pair = (matches[i].group(0), matches[i + 1].group(0))
    return all(w[:1].isupper() and not w.isupper() for w in pair)


DOC_SUPPORT = 2
"""A spelling the document's own text must hold at least this many times, and three times as often as the
spelling read, to replace it (:func:`correct_by_document`)."""


def document_pairs(text: str) -> dict[tuple[str, str], int]:
    """The word pairs of a document's own text (lower case), with how often each occurs."""
    counts: dict[tuple[str, str], int] = {}
    for line in text.splitlines():
        words = [w.lower() for w in _WORD.findall(line)]
        for pair in zip(words, words[1:], strict=False):
            counts[pair] = counts.get(pair, 0) + 1
    return counts


def correct_by_document(text: str, pairs: dict[tuple[str, str], int]) -> tuple[str, int]:
    """``text`` (a field's value) with each word spelled as the rest of its document spells it beside the same
    neighbour, when only the marks differ: the trích yếu names what the body is about, and the body repeats its
    words ("sự có tràn dầu" in the subject, "sự cố tràn dầu" twenty times in the body). A spelling replaces
    the one read only when the document holds it :data:`DOC_SUPPORT` times and three times as often; letters
    never change.

    >>> body = document_pairs("ứng phó sự cố tràn dầu\\nsự cố tràn dầu xảy ra")
    >>> correct_by_document("Kế hoạch ứng phó sự có tràn dầu", body)
    ('Kế hoạch ứng phó sự cố tràn dầu', 1)
    """
    matches = list(_WORD.finditer(text))
    words = [m.group(0) for m in matches]
    if len(words) < 2 or not pairs:
        return text, 0
    by_fold: dict[tuple[str, str], list[tuple[tuple[str, str], int]]] = {}
    for pair, n in pairs.items():
        by_fold.setdefault((fold(pair[0]), fold(pair[1])), []).append((pair, n))
    changed = 0
    for k, word in enumerate(words):
        support: dict[str, int] = {}  # spellings of the word beside its neighbour as read, in the document
        if _paired(text, matches, k - 1):
            left = words[k - 1].lower()
            for (a, b), n in by_fold.get((fold(left), fold(word)), []):
                if a == left:
                    support[b] = support.get(b, 0) + n
        if _paired(text, matches, k):
            right = words[k + 1].lower()
            for (a, b), n in by_fold.get((fold(word), fold(right)), []):
                if b == right:
                    support[a] = support.get(a, 0) + n
        read = support.get(word.lower(), 0)
        best = max(support.items(), key=lambda kv: kv[1], default=(word.lower(), 0))
        if best[0] != word.lower() and best[1] >= DOC_SUPPORT and best[1] >= 3 * read:
            words[k] = _match_case(word, best[0])
            changed += 1
    return (_rewritten(text, matches, words), changed) if changed else (text, 0)
