"""Vietnamese spelling: is a word a possible Vietnamese syllable? Used to catch OCR errors in text fields.

A Vietnamese syllable is (onset) + (medial) nucleus + (coda) + one tone, and the language's spelling allows
few of the combinations a letter-by-letter OCR can produce. The grammar here is the standard description
of Quốc ngữ spelling (e.g. Đoàn Thiện Thuật, *Ngữ âm tiếng Việt*; the rhyme table of Wikipedia's
"Vietnamese alphabet"), written as rules rather than a word list:

* letters: a–z without f, j, w, z, plus đ; vowels carry at most one tone mark (grave, acute, tilde, hook,
  dot below) and only their own modifiers (breve on a; circumflex on a, e, o; horn on o, u);
* onsets: b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x, or none;
* the vowel cluster is one of the nuclei below, and a closed syllable ends in c ch m n ng nh p t;
* a syllable ending in a stop (c, ch, p, t) takes only the acute or the dot-below tone.

What it finds are words no Vietnamese writer produces: "klfen" (for "khen"), "caó́" (two tones), "bàt"
(a grave tone on a stop), "Vềviệc" (two syllables run together), "tra#u". Abbreviations and codes in capitals
(UBND, QLĐĐ), numbers and words with digits are not syllables and are left alone.

>>> is_vietnamese_syllable("nguyễn"), is_vietnamese_syllable("khuyến"), is_vietnamese_syllable("quốc")
(True, True, True)
>>> is_vietnamese_syllable("klfen"), is_vietnamese_syllable("bàt"), is_vietnamese_syllable("Vềviệc")
(False, False, False)
>>> non_syllables("Về việc tăng cường klfen thưởng, UBND tỉnh 2024")
['klfen']
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

from vn_dispatch_parser.core.lexicon import first_words, followers, pair_count
from vn_dispatch_parser.core.syllables import is_loanword, known, same_letters

__all__ = ["after_codes", "drop_scraps", "is_vietnamese_syllable", "join_split_numbers", "non_syllables", "repair",
           "space_part_numbers", "split_run", "split_runs"]

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền, sắc, ngã, hỏi, nặng
_STOP_TONES = {"\u0301", "\u0323"}  # the only tones a syllable closed by c, ch, p, t can carry
_MODIFIERS = {"\u0302": "aeo", "\u0306": "a", "\u031b": "ou"}  # circumflex, breve, horn: which vowels take them

_NAME_ONSETS = ("kr", "pl", "br", "bl", "dr", "gl", "hr")  # Tây Nguyên place and person names: Krông, Pleiku
_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
           "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "")
_CODAS = ("ng", "nh", "ch", "c", "m", "n", "p", "t", "")
# vowel clusters (medial + nucleus + glide) of Vietnamese, without tone
_OPEN_ONLY = {"ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "ưa", "ưi",
              "ưu", "iêu", "yêu", "oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu", "uya", "uyu", "ya", "ueo"}
_CLOSABLE = {"a", "ă", "â", "e", "ê", "i", "y", "o", "ô", "ơ", "u", "ư", "iê", "yê", "uô", "ươ", "oa", "oă",
             "oe", "uâ", "uê", "uy", "uyê", "oo", "uơ"}
_NEEDS_CODA = {"ă", "â", "iê", "yê", "uô", "ươ", "oă", "uâ", "uyê", "oo"}
_WORD = regex.compile(r"[\p{L}\p{M}\d#@$%&*^~`|\\/_+=<>©®°¡¿]+", regex.V1)


def _split(word: str) -> tuple[str, str, str | None] | None:
    """(base letters without tone, in NFC; the tone mark or ''; None) or None when marks are misplaced."""
    d = unicodedata.normalize("NFD", word.lower())
    tones = [c for c in d if c in _TONES]
    if len(tones) > 1:
        return None
    out: list[str] = []
    for c in d:
        if c in _TONES:
            continue
        if c in _MODIFIERS:
            if not out or out[-1] not in _MODIFIERS[c]:
                return None
        elif unicodedata.combining(c):
            return None  # any other mark is no Vietnamese letter
        out.append(c)
    return unicodedata.normalize("NFC", "".join(out)), (tones[0] if tones else ""), None


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(word: str, *, name: bool = False) -> bool:
    """True when ``word`` (one word, any case) is spelt as a Vietnamese syllable could be.

    ``name``: also accept the spellings of Tây Nguyên languages found in place and person names (a k coda,
    consonant clusters, an open iê: Đắk Lắk, Krông, Niê).

    >>> is_vietnamese_syllable("Lắk"), is_vietnamese_syllable("Lắk", name=True)
    (False, True)
    """
    parts = _split(word)
    if parts is None:
        return False
    base, tone, _ = parts
    if not base or any(c in "fjwz" for c in base) or not all("a" <= c <= "z" or c in "đăâêôơư" for c in base):
        return False
    onsets = _NAME_ONSETS + _ONSETS if name else _ONSETS
    codas = ("k", *_CODAS) if name else _CODAS
    return any(_fits(onset, _after_onset(onset, base[len(onset):]), tone, codas, name=name)
               for onset in onsets if base.startswith(onset))


def _after_onset(onset: str, rest: str) -> str:
    """The letters after ``onset``, with the i of "gi" and the u of "qu" given back where they are vowels."""
    if onset == "gi" and (rest == "" or rest[0] not in "aăâeêoôơuư"):
        return "i" + rest  # "gì", "gìn": the i of gi is the vowel
    if onset == "qu" and rest[:1] == "y":
        return "u" + rest  # "quy", "quyết": u is the medial
    return rest


def _fits(onset: str, rest: str, tone: str, codas: tuple[str, ...], *, name: bool) -> bool:
    """True when ``rest`` (after ``onset``) splits into a vowel cluster and one of ``codas`` that go together."""
    for coda in codas:
        if coda and not rest.endswith(coda):
            continue
        vowels = rest[: len(rest) - len(coda)] if coda else rest
        if vowels and _rhyme_ok(vowels, coda, tone, name=name) and (
                onset not in ("k", "gh", "ngh") or vowels[0] in "eêiy"):
            return True
    return False


def _rhyme_ok(vowels: str, coda: str, tone: str, *, name: bool) -> bool:
    """True when the vowel cluster ``vowels`` may stand before ``coda`` ('' for none) with ``tone``."""
    if not coda:
        return vowels in _CLOSABLE | _OPEN_ONLY and (vowels not in _NEEDS_CODA or (name and vowels == "iê"))
    if vowels not in _CLOSABLE:
        return False
    if coda in ("c", "ch", "p", "t", "k") and tone not in _STOP_TONES:
        return False
    return coda not in ("ch", "nh") or vowels in ("a", "ê", "i", "y", "oa", "uê", "uy")


def _skip(token: str) -> bool:
    """Numbers, single letters, codes and abbreviations (UBND, TTg, VNeID, GD&ĐT) need no check: a code
    has capitals after its first letter, or a digit or an ampersand, and no tone mark."""
    letters = [c for c in token if c.isalpha()]
    if len(letters) <= 1 or any(c.isdigit() for c in token) or "&" in token or is_loanword(token):
        return True
    toned = any(ch in _TONES for ch in unicodedata.normalize("NFD", token))
    return not toned and any(c.isupper() for c in letters[1:]) and len(letters) <= 8


def non_syllables(text: str) -> list[str]:
    """The words of ``text`` that no Vietnamese spelling allows (codes, numbers and capital abbreviations
    left alone)."""
    out = []
    for m in _WORD.finditer(text):
        token = m.group(0)
        for part in regex.split(r"[-–/]", token):
            if part and not _skip(part) and not _real_word(part):
                out.append(part)
    return out


def _real_word(word: str) -> bool:
    """Spelt as a syllable can be, and, where the syllable inventory is installed, listed there (a word
    spelt with the clusters of Tây Nguyên names is only checked by the grammar)."""
    if not is_vietnamese_syllable(word, name=word[:1].isupper()):
        return False
    return not is_vietnamese_syllable(word) or known(word) is not False


# characters OCR puts in place of Vietnamese letters or adds from ink specks, and what they may stand for
_CONFUSIONS = {"ø": ("g", "o", ""), "|": ("l", "i", ""), "ˆ": ("",), "#": ("",), "¡": ("i",), "©": ("",),
               "°": ("",), "`": ("",), "~": ("",), "^": ("",), "*": ("",), "_": ("",)}

# letters, and letter pairs, that Tesseract reads for another of a like shape on a worn or faint print: the
# hook of a "c" closed into an "e", the two strokes of an "h" or "m" parted ("klfen" for "khen", "rn" for
# "m"), a "d" opened ("cl"); tried only on a word that is no syllable, and kept only when they make one
_LOOKALIKES = (("e", "c"), ("c", "e"), ("rn", "m"), ("cl", "d"), ("cl", "đ"), ("li", "h"), ("lf", "h"))

MAX_RUN = 4
"""At most this many syllables run together are split again (a run of five is a line read without spaces)."""


def split_run(word: str) -> str | None:
    """Syllables that OCR ran together, split where every piece is a real syllable ("SỞGIÁODỤC" → "SỞ GIÁO
    DỤC", "Vềviệc" → "Về việc"): the split into the fewest pieces (of those, the one whose pieces the corpus
    pairs most); None when there is none or no one best, or the word has one syllable's shape."""
    if is_vietnamese_syllable(word, name=word[:1].isupper()) or len(word) > 8 * MAX_RUN:
        return None  # one syllable's shape ("Chuân", "tuối"): a mark misread, not two syllables ("Chu ân")
    best: list[list[str]] = []

    def walk(rest: str, pieces: list[str]) -> None:
        nonlocal best
        if not rest:
            if len(pieces) > 1 and (not best or len(pieces) < len(best[0])):
                best = [pieces]
            elif best and len(pieces) == len(best[0]):  # each split is walked once: no repeats
                best.append(pieces)
            return
        if len(pieces) >= MAX_RUN or (best and len(pieces) >= len(best[0])):
            return
        for i in range(2, min(len(rest), 8) + 1):  # a syllable has 2-7 letters, each piece two at least
            if _real_word(rest[:i]):
                walk(rest[i:], [*pieces, rest[:i]])

    walk(word, [])
    if len(best) > 1:  # as few pieces either way: the split whose pieces the corpus pairs ("thực hiện", not "thự chiện")
        support = sorted(((sum(pair_count(a, b) for a, b in zip(p, p[1:], strict=False)), p) for p in best),
                         key=lambda sp: -sp[0])
        best = [support[0][1]] if support[0][0] > support[1][0] else best
    return " ".join(best[0]) if len(best) == 1 else None


_MARKED_WORD = regex.compile(r"\p{L}*[^\p{ASCII}]\p{L}*", regex.V1)
_NUMBERED = regex.compile(r"\b(Điều|Khoản|Điểm|Mục|Chương|Phần)(\d)", regex.V1 | regex.IGNORECASE)
"""A word that numbers a part of a text run into its number ("Như Điều3"): print always spaces them (NĐ 30,
"Điều 1."), OCR loses the space."""


def space_part_numbers(text: str) -> tuple[str, int]:
    """``text`` with a part's number run into its word spaced ("Như Điều3" → "Như Điều 3"), and how many."""
    return _NUMBERED.subn(r"\1 \2", text)


_SPLIT_SYMBOL = regex.compile(r"(?<=\b\d+/(?:\d{4}/)?\p{Lu}{0,3})\s+(?=\p{Lu}[\p{Lu}\d]*-\p{Lu})", regex.V1)
"""A space OCR put after a slash or inside the first code of a số, ký hiệu ("40/2022/ QĐ-UBND", "81/N Q-CP"): a
ký hiệu is printed without spaces (nd30.md §2.3)."""
_SPLIT_YEAR = regex.compile(r"\b(năm|Năm|NĂM)\s+(19|20)\s+(\d{2})\b", regex.V1)
"""A year after "năm" split in two by a space ("năm 20 18"): a year is printed as four digits."""


def join_split_numbers(text: str) -> tuple[str, int]:
    """``text`` with a ký hiệu's and a year's digits rejoined where the OCR split them by a space, and how many.

    >>> join_split_numbers("thực hiện Quyết định số 40/2022/ QĐ-UBND; mùa mưa năm 20 18")
    ('thực hiện Quyết định số 40/2022/QĐ-UBND; mùa mưa năm 2018', 2)
    >>> join_split_numbers("Nghị quyết số 81/N Q-CP ngày 5/2/2022")[0]
    'Nghị quyết số 81/NQ-CP ngày 5/2/2022'
    """
    text, a = _SPLIT_SYMBOL.subn("", text)
    text, b = _SPLIT_YEAR.subn(r"\1 \2\3", text)
    return text, a + b


def split_runs(text: str) -> tuple[str, int]:
    """``text`` with the words that are syllables run together split (:func:`split_run`), and how many: only
    words with a Vietnamese letter or mark (a plain-letter word may be a loanword or a name), never a code;
    and a part's number run into its word ("Điều3") spaced."""
    text, count = space_part_numbers(text)

    def fix(m: regex.Match[str]) -> str:
        nonlocal count
        word = m.group(0)
        split = None if len(word) < 4 or _skip(word) else split_run(word)
        if split is None:
            return word
        count += 1
        return split

    return _MARKED_WORD.sub(fix, text), count


def _candidates(word: str) -> set[str]:
    """Readings of ``word`` one repair away: syllables run together split, or one OCR confusion undone."""
    out = set()
    if (split := split_run(word)) is not None:  # "Vềviệc" -> "Về việc"
        out.add(split)
    for i, ch in enumerate(word):
        for sub in _CONFUSIONS.get(ch, ()):  # the likeliest reading first: the first that spells a syllable
            cand = word[:i] + sub + word[i + 1:]
            if cand and is_vietnamese_syllable(cand, name=cand[:1].isupper()):
                out.add(cand)
                break
    low = word.lower()
    for seen, meant in _LOOKALIKES:
        at = low.find(seen)
        while at >= 0:
            cand = word[:at] + (meant.upper() if word[at].isupper() else meant) + word[at + len(seen):]
            if _real_word(cand):
                out.add(cand)
            at = low.find(seen, at + 1)
    return out


def _remarked(word: str, before: str, after: str) -> str:
    """A listed syllable with ``word``'s letters and other marks (the OCR's likeliest slip on a real syllable):
    the only one, or the only one the corpus pairs with a neighbour ("Chuân" → "Chuẩn"; "tuối" stays
    when nothing around it tells "tuổi" from "tưới"); else ``word`` as read."""
    options = same_letters(word)
    if len(options) > 1:
        options = [o for o in options if pair_count(before, o) or pair_count(o, after)]
    if len(options) != 1:
        return word
    o = options[0]
    return o.upper() if word.isupper() else o[:1].upper() + o[1:] if word[:1].isupper() else o


def repair(text: str) -> tuple[str, list[str]]:
    """``text`` with each word that is no syllable replaced by its one possible repair, and the words left
    unrepaired (none possible, or several the corpus does not tell apart: a person must choose). Nothing is
    invented: a repair splits two syllables that OCR ran together or undoes one character confusion listed
    above (a sign for a letter, or a letter for one of like shape).

    >>> repair("Vềviệc tăng cường øiao thông")
    ('Về việc tăng cường giao thông', [])
    >>> repair("Quảng Nøãi, klfen, xqz")
    ('Quảng Ngãi, khen, xqz', ['xqz'])
    """
    left: list[str] = []
    words = [m.group(0) for m in _WORD.finditer(text)]
    at = iter(range(len(words)))

    def fix(m: regex.Match[str]) -> str:
        token = m.group(0)
        k = next(at)
        if _skip(token):
            return token
        if is_vietnamese_syllable(token, name=token[:1].isupper()):
            if not _real_word(token):
                left.append(token)  # a real syllable's shape, no real syllable: a mark misread; flagged
                return _remarked(token, words[k - 1] if k else "", words[k + 1] if k + 1 < len(words) else "")
            return token
        cands = _candidates(token)
        if len(cands) > 1:  # the one the corpus pairs with a neighbour, if only one is
            before, after = words[k - 1] if k else "", words[k + 1] if k + 1 < len(words) else ""
            cands = {c for c in cands if pair_count(before, c) or pair_count(c, after)}
        if len(cands) == 1:
            return cands.pop()
        if any(not _skip(p) and not is_vietnamese_syllable(p, name=p[:1].isupper())
               for p in regex.split(r"[-–/]", token) if p):
            left.append(token)
        return token

    return _WORD.sub(fix, text), left


# signs no Vietnamese administrative text is typed with (NĐ 30 prose uses letters, digits and . , ; : ( ) / - – "
# % &): OCR reads them from seal rims, signature strokes and paper specks
_SCRAP_SIGNS = frozenset("ˆ^‹›¬¡¿©®~`#|*_=«»\\{}[]@$€£¥§¶•°<>")
_MARKED_CAPITAL = regex.compile(r"^[ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ]$")


def drop_scraps(text: str) -> tuple[str, list[str]]:
    """``text`` without the scraps OCR reads from ink that is not print, and the scraps dropped:

    * a token holding a sign no administrative text is typed with and at most one letter (".ˆ^A", "r‹",
      "--_=-.%.Ố"): a word that lost a letter to a speck keeps two letters or more and is left to
      :func:`repair`;
    * a lone capital carrying a Vietnamese mark between two lower-case words ("xếp Ẩ lương"): a one-letter
      word inside a sentence is lower case, and the letters that label items (A, B, C) carry no marks.

    >>> drop_scraps("Về việc .ˆ^A bỗ r‹ nhiệm vào ngạch và xếp Ẩ lương")
    ('Về việc bỗ nhiệm vào ngạch và xếp lương', ['.ˆ^A', 'r‹', 'Ẩ'])
    >>> drop_scraps("Phụ lục A; giảm 10% chi phí; GD&ĐT - Tôn giáo")
    ('Phụ lục A; giảm 10% chi phí; GD&ĐT - Tôn giáo', [])
    """
    tokens = text.split()
    keep, dropped = [], []
    for i, tok in enumerate(tokens):
        letters = sum(c.isalpha() and c not in _SCRAP_SIGNS for c in tok)  # ˆ is a modifier letter
        if letters <= 1 and any(c in _SCRAP_SIGNS for c in tok):
            dropped.append(tok)
            continue
        if (_MARKED_CAPITAL.match(tok) and 0 < i < len(tokens) - 1
                and tokens[i - 1][:1].islower() and tokens[i + 1][:1].islower()):
            dropped.append(tok)
            continue
        keep.append(tok)
    if not dropped:
        return text, []
    return " ".join(keep), dropped


@lru_cache(maxsize=1)
def after_codes() -> dict[str, int]:
    """How often each syllable follows a code in the corpus ("UBND tỉnh", "HĐND tỉnh", "TT Tỉnh ủy"): a code is
    a word no Vietnamese syllable spells, and codes are followed by the same few words
    (:func:`~vn_dispatch_parser.core.lexicon.correct_text`)."""
    return followers(a for a in first_words() if len(a) >= 2 and not is_vietnamese_syllable(a))

