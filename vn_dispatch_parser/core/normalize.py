"""Normalisation, run once at the boundary before any field parser.

* Unicode NFC; ``Ð`` (U+00D0, Icelandic eth) → ``Đ``; ``ð`` → ``đ``.
* Tone placement made canonical in the style NĐ 30 itself prints ("HÒA", "Hóa", "ỦY"):
  in an open syllable ``oa``/``oe``/``uy`` the tone sits on the first vowel.
* Dash, colon, slash, quote and space variants → ASCII.
* Markdown emphasis and headings from vision-model transcriptions are removed.

    >>> canonical_tones("CỘNG HOÀ, Thanh Hoá, uỷ ban, hoàng")
    'CỘNG HÒA, Thanh Hóa, ủy ban, hoàng'
    >>> normalize_line("**Số: 1865 /SYT–VP**")
    'Số: 1865 /SYT-VP'
"""

from __future__ import annotations

import unicodedata

import regex

from vn_dispatch_parser.core.types import Line

__all__ = ["canonical_tones", "fold", "initials", "normalize_line", "normalize_text", "one_letter_changed", "split_lines"]

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_CHAR_MAP = str.maketrans(
    {
        "\u00d0": "Đ",  # Ð (eth) looks like Đ
        "\u00f0": "đ",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
        "\uff1a": ":", "\ufe55": ":", "\u2236": ":",
        "\uff0f": "/", "\u2215": "/", "\u2044": "/",
        "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ",
        "\u3000": " ", "\t": " ",
        "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "", "\u00ad": "",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'",
        "\u2026": "...",
    }
)
# an open syllable "oa", "oe", "uy" whose tone sits on the second vowel (not after q: "quý")
_NEW_STYLE = regex.compile(
    r"(?<![qQ])(?<=(?:^|[^\p{L}])\p{L}{0,2})([oOuU])(\p{L})(?!\p{L})", regex.V1
)
_MARKDOWN = regex.compile(r"(\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)|`+)")
_HEADING = regex.compile(r"^\s{0,3}#{1,6}\s+")
_SPACES = regex.compile(r"[ ]{2,}")


def _move_tone(m: regex.Match[str]) -> str:
    first, second = m.group(1), m.group(2)
    decomposed = unicodedata.normalize("NFD", second)
    base = decomposed[0].lower()
    tones = [c for c in decomposed[1:] if c in _TONE_MARKS]
    others = [c for c in decomposed[1:] if c not in _TONE_MARKS]
    pair = first.lower() + base
    if not tones or others or pair not in ("oa", "oe", "uy"):
        return m.group(0)
    new_first = unicodedata.normalize("NFC", first + tones[0])
    new_second = unicodedata.normalize("NFC", decomposed[0])
    return new_first + new_second


def canonical_tones(text: str) -> str:
    """Put the tone of open ``oa``/``oe``/``uy`` syllables on the first vowel (hoà → hòa)."""
    return _NEW_STYLE.sub(_move_tone, text)


def normalize_line(text: str) -> str:
    """Normalise one line: NFC, character variants, tone placement, markdown, spaces."""
    s = unicodedata.normalize("NFC", text).translate(_CHAR_MAP)
    s = _HEADING.sub("", s)
    s = _MARKDOWN.sub("", s)
    s = canonical_tones(s)
    return _SPACES.sub(" ", s).strip()


def normalize_text(text: str) -> str:
    """Normalise a whole text, keeping line breaks and form feeds (page breaks)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(normalize_line(part) if part != "\f" else part for part in _split_keep_ff(text))


def _split_keep_ff(text: str) -> list[str]:
    out: list[str] = []
    for raw in text.split("\n"):
        pieces = raw.split("\f")
        for i, piece in enumerate(pieces):
            if i:
                out.append("\f")
            out.append(piece)
    return out


DOUBLE_SPACED_SHARE = 0.8
"""A text whose lines are this often followed by exactly one blank line is double-spaced (see below)."""
_DOUBLE_SPACED_MIN_LINES = 5


def undouble(parts: list[str]) -> list[str]:
    """Drop the blank line after every line of a double-spaced text.

    Vision models and some OCR exports print a page as one paragraph per line with a blank line between
    each; the blank line then says nothing about the layout, and left in it cuts a subject or a list after
    its first line. When most lines (:data:`DOUBLE_SPACED_SHARE`) are followed by exactly one blank line,
    single blank lines are removed and a run of several becomes one.

    >>> undouble(["V/v a", "", "b", "", "", "", "c", "", "d", "", "e", "", "f"])
    ['V/v a', 'b', '', 'c', 'd', 'e', 'f']
    >>> undouble(["a", "b", "", "c"])
    ['a', 'b', '', 'c']
    """
    text_idx = [i for i, p in enumerate(parts) if p.strip() and p != "\f"]
    if len(text_idx) < _DOUBLE_SPACED_MIN_LINES:
        return parts
    def blank(i: int) -> bool:
        return 0 <= i < len(parts) and parts[i] != "\f" and not parts[i].strip()

    single = sum(1 for i in text_idx[:-1] if blank(i + 1) and not blank(i + 2))
    if single < DOUBLE_SPACED_SHARE * (len(text_idx) - 1):
        return parts
    out: list[str] = []
    run = 0
    for part in parts:
        if part != "\f" and not part.strip():
            run += 1
            continue
        if run > 1 and out:
            out.append("")
        run = 0
        out.append(part)
    return out


def split_lines(text: str) -> list[Line]:
    """Normalise a text and cut it into ``Line`` objects; a form feed starts a new page; a double-spaced text
    loses its blank line after every line (:func:`undouble`)."""
    lines: list[Line] = []
    page = 1
    for part in undouble(_split_keep_ff(text.replace("\r\n", "\n").replace("\r", "\n"))):
        if part == "\f":
            page += 1
            continue
        lines.append(Line(text=normalize_line(part), page=page))
    return lines


def fold(text: str) -> str:
    """Accent- and case-insensitive key for comparisons (đ → d, all marks removed).

    >>> fold("Quyết Định")
    'quyet dinh'
    """
    s = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return regex.sub(r"\s+", " ", s).strip().lower()


def one_letter_changed(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are as long as each other and differ in exactly one place: one letter (or
    digit) misread for another.

    >>> one_letter_changed("bai", "bui"), one_letter_changed("bai", "bai"), one_letter_changed("ba", "bai")
    (True, False, False)
    """
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def initials(name: str) -> str:
    """A body's abbreviation from its name: the first letter of each word but "và", marks dropped except
    Đ's stroke (as ký hiệu are written).

    >>> initials("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"), initials("Sở Giáo dục và Đào tạo"), initials("ỦY BAN NHÂN DÂN")
    ('STNMT', 'SGDĐT', 'UBND')
    """
    out = []
    for word in name.split():
        if fold(word) == "va" or not word[:1].isalpha():
            continue
        c = word[0].upper()
        out.append(c if c == "Đ" else fold(c).upper())
    return "".join(out)
