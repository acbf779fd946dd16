"""Repairs of values the OCR garbled in ways the page itself shows: a ký hiệu's lost hyphen, type code or
Đ stroke (checked against the issuer and the heading), words joined across OCR lines (lexicon), and words
no Vietnamese spelling allows (orthography)."""

from __future__ import annotations

import regex

from vn_dispatch_parser.core.canchi import restore_year_names
from vn_dispatch_parser.core.lexicon import correct_by_document, correct_text, document_pairs
from vn_dispatch_parser.core.lines import is_caps
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.orthography import (
    after_codes,
    drop_scraps,
    join_split_numbers,
    non_syllables,
    repair,
    space_part_numbers,
)
from vn_dispatch_parser.core.tables import doc_types
from vn_dispatch_parser.document.accumulator import Acc
from vn_dispatch_parser.document.review import Reasons
from vn_dispatch_parser.fields.issuer import is_known_body
from vn_dispatch_parser.fields.number import misread_type_code, small_letter_lost
from vn_dispatch_parser.fields.place_date import restore_place_marks
from vn_dispatch_parser.records import Document

__all__ = ["confirm_type_code", "correct_joined", "drop_ink_scraps", "restore_code", "restore_small_letter", "restore_stroke", "spelling", "split_glued_symbol"]


def _type_codes() -> list[str]:
    """The type codes a ký hiệu starts with (QĐ, KH, TB…: data/doc_types.yaml)."""
    return [t["code"] for t in doc_types() if t.get("code")]


def split_glued_symbol(acc: Acc, abbreviations: list[str]) -> None:
    """Put back the hyphen the OCR lost in a ký hiệu ("STNMTQLĐĐ" → "STNMT-QLĐĐ"): its last group begins
    with the issuer's abbreviation, a type code or UBND and goes on with two or more letters."""
    symbol = acc.values.get("symbol")
    if not symbol:
        return
    head, slash, group = symbol.rpartition("/")
    if "-" in group or len(group) < 5 or not group.isupper():
        return
    codes = _type_codes()
    for prefix in sorted({*abbreviations, *codes, "UBND"} - {""}, key=len, reverse=True):
        if len(group) - len(prefix) >= 2 and fold(group).startswith(fold(prefix)):
            _replace_symbol(acc, symbol, head + slash + group[: len(prefix)] + "-" + group[len(prefix) :])
            return


def confirm_type_code(acc: Acc, type_name: str) -> None:
    """Restore the type code of the ký hiệu from the heading ("QD" under QUYẾT ĐỊNH → "QĐ")."""
    symbol = acc.values.get("symbol")
    code = next((t["code"] for t in doc_types() if t["name"] == type_name), None)
    if not symbol or not code:
        return
    head, sep, tail = symbol.partition("-")
    if misread_type_code(head, code):  # "QD", "QĐĐ" under QUYẾT ĐỊNH, "TIr" under TỜ TRÌNH
        _replace_symbol(acc, symbol, code + sep + tail)


def restore_small_letter(acc: Acc, abbreviations: list[str]) -> None:
    """Give back the small letter OCR lost in a body's code written with one (``TT`` → ``TTr`` in the ký
    hiệu of a THANH TRA: :func:`~vn_dispatch_parser.core.tables.body_codes`). A ký hiệu's first group is
    only so restored where no year group stands before it (a Thông tư, "05/2014/TT-TTCP", carries its year)."""
    symbol = acc.values.get("symbol")
    codes = [a for a in abbreviations if a != a.upper()]
    if not symbol or not codes or regex.match(r"\d{4}/", symbol):
        return
    groups = regex.split(r"([-/])", symbol)
    fixed = [next((c for c in codes if small_letter_lost(g, c)), g) for g in groups]
    if fixed != groups:
        _replace_symbol(acc, symbol, "".join(fixed))


def restore_stroke(acc: Acc, abbreviations: list[str]) -> None:
    """Give back Đ's stroke that the OCR lost inside a ký hiệu group ("SGDDT" → "SGDĐT"): a group that is
    a known abbreviation (the issuer's or its parent's initials, a type code) but for Đ read as D.
    Abbreviations are written from the bodies' names with Đ kept (nd30.md §2.3), so D for Đ is a misreading."""
    symbol = acc.values.get("symbol")
    if not symbol:
        return
    every = {*abbreviations, *_type_codes()}
    known = {fold(a): a for a in every if "Đ" in a}
    groups = regex.split(r"([-/])", symbol)
    fixed = [known.get(fold(g), g) if "D" in g and "Đ" not in g and g.isupper() and g not in every else g
             for g in groups]  # HD is Hướng dẫn's own code, not HĐ (Hợp đồng) misread
    if fixed != groups:
        _replace_symbol(acc, symbol, "".join(fixed))


NEAR_CODE_MIN = 5
"""A ký hiệu group at least this long that is a body's code (the issuer's or its parent's initials) but for a
few letters is that code misread (:func:`restore_code`); a shorter code has too many neighbours."""


def _near_code(group: str, code: str) -> bool:
    """Whether ``group`` is ``code`` read with at most a third of its letters as other capitals (Đ as D not
    counted), the first one right: "BLDTRXH" for "BLĐTBXH" (B read R on a blotted page)."""
    if len(group) != len(code) or len(code) < NEAR_CODE_MIN or group == code or not group.isupper():
        return False
    differ = sum(a != b for a, b in zip(fold(group), fold(code), strict=True))
    return group[0] == code[0] and 0 < differ <= len(code) // 3  # none differ: Đ alone, restore_stroke's


def restore_code(acc: Acc, abbreviations: list[str]) -> None:
    """Put a body's code in place of a ký hiệu group that is that code misread (:func:`_near_code`): the
    ký hiệu writes the issuing body's abbreviation (nd30.md §2.2), and the header's left column, read apart,
    names the body; two readings agreeing on all but a letter or two of a long code are the same code.
    The group is noted in the warnings."""
    symbol = acc.values.get("symbol")
    if not symbol:
        return
    types = _type_codes()
    groups = regex.split(r"([-/])", symbol)
    fixed = [g if g in types else next((c for c in abbreviations if _near_code(g, c)), g) for g in groups]
    if fixed != groups:
        acc.warnings.append(f"symbol: {symbol} read; a group is the issuer's code {''.join(fixed)} but for a letter or two")
        _replace_symbol(acc, symbol, "".join(fixed))


def _replace_symbol(acc: Acc, symbol: str, fixed: str) -> None:
    """Put a repaired ký hiệu in place of ``symbol``, in the number_symbol too."""
    acc.values["symbol"] = fixed
    if acc.values.get("number_symbol"):
        acc.values["number_symbol"] = acc.values["number_symbol"].replace(symbol, fixed)


_SCRAPPED = ("subject", "issuer", "issuer_parent", "signer_position", "addressees", "recipients")


def drop_ink_scraps(doc: Document) -> None:
    """Take out of the text fields the scraps OCR read from seal, signature and speck ink
    (:func:`~vn_dispatch_parser.core.orthography.drop_scraps`), noting each in the warnings; before the
    lexicon correction, which then sees the words the scraps stood between."""
    for name in _SCRAPPED:
        value = getattr(doc, name)
        items = value if isinstance(value, list) else [value] if value else []
        cleaned = [_without_scraps(name, i) for i in items]
        dropped = [s for _, d in cleaned for s in d]
        if dropped:
            fixed = [c for c, _ in cleaned]
            doc.warnings.append(f"{name}: ink scraps dropped: {' '.join(dropped)}")
            setattr(doc, name, fixed if isinstance(value, list) else fixed[0])


def _without_scraps(name: str, item: str) -> tuple[str, list[str]]:
    """One value of field ``name`` without its ink scraps, and the scraps; an issuer line also without the
    lower-case words at its ends (:func:`_caps_edges`)."""
    text, dropped = drop_scraps(item)
    if name in ("issuer", "issuer_parent"):
        text, edges = _caps_edges(text)
        dropped = dropped + edges
    return text, dropped


def _caps_edges(value: str) -> tuple[str, list[str]]:
    """An issuer line without the mostly lower-case tokens at its ends ("ha... BỘ GIÁO DỤC VÀ ĐÀO TẠO"): the
    issuing body is typed in capitals (nd30.md §2.3), so a lower-case word before or after a run of capitals
    is a speck or a stamp's edge read; kept as read unless two words or more in capitals are left.

    >>> _caps_edges("ha... BỘ GIÁO DỤC VÀ ĐÀO TẠO"), _caps_edges("Sở Y tế")
    (('BỘ GIÁO DỤC VÀ ĐÀO TẠO', ['ha...']), ('Sở Y tế', []))
    """
    def lower(tok: str) -> bool:
        letters = [c for c in tok if c.isalpha()]
        return bool(letters) and sum(c.islower() for c in letters) * 2 > len(letters)

    tokens = value.split()
    a, b = 0, len(tokens)
    while a < b and lower(tokens[a]):
        a += 1
    while b > a and lower(tokens[b - 1]):
        b -= 1
    kept = " ".join(tokens[a:b])
    if (a, b) == (0, len(tokens)) or b - a < 2 or not is_caps(kept):
        return value, []
    return kept, tokens[:a] + tokens[b:]


def correct_joined(doc: Document) -> None:
    """Lexicon correction of values joined from several OCR lines (a word pair across a line break; in list
    items, a word after a code spelled as words after codes are: "UBMTTQVN tính" → "UBMTTQVN tỉnh"), a
    part's number its correction ran into the word spaced ("Như Điệu3" → "Như Điều3" → "Như Điều 3"), and
    the marks of the trích yếu's words as the document's own text spells them beside the same neighbours
    (:func:`~vn_dispatch_parser.core.lexicon.correct_by_document`: "sự có tràn dầu" → "sự cố tràn dầu"), and a
    known place's marks in a list item (:func:`~vn_dispatch_parser.fields.place_date.restore_place_marks`)."""
    if doc.subject:
        doc.subject = join_split_numbers(doc.subject)[0]
        fixed, n = correct_text(doc.subject)
        fixed, by_doc = correct_by_document(fixed, document_pairs(doc.full_text))
        if n or by_doc:
            doc.subject = space_part_numbers(fixed)[0]
        if by_doc:
            doc.warnings.append(f"subject: {by_doc} word(s) spelled as the document spells them elsewhere")
    for name in ("addressees", "recipients"):
        items = [_without_stray_comma(i) for i in getattr(doc, name)]
        setattr(doc, name, [restore_place_marks(space_part_numbers(correct_text(i, after_codes=after_codes())[0])[0])
                            for i in items])


def _without_stray_comma(item: str) -> str:
    """A list item that is a known body's name but for a comma ("Văn phòng, Chính phủ"): a speck read as one."""
    bare = regex.sub(r"\s*,\s*", " ", item)
    return bare if bare != item and is_known_body(bare) else item


_REPAIRED = ("subject", "issuer", "issuer_parent", "place", "signer_position", "addressees")
_SPELT = (*_REPAIRED, "signer_name")


def spelling(doc: Document, review: Reasons) -> None:
    """Repair words that no Vietnamese spelling allows where one repair is possible (two syllables run
    together, one OCR confusion), and flag the fields that still hold such words (orthography.py).
    Names are only flagged: a rare name is not a misspelling. A lunar year name in the subject gets its
    branch's spelling ("Nhâm Dằn" → "Nhâm Dần", core/canchi.py)."""
    if doc.subject:
        doc.subject = restore_year_names(doc.subject)
    for name in _SPELT:
        value = getattr(doc, name)
        items = value if isinstance(value, list) else [value] if value else []
        fixed_items, left = [], []
        for item in items:
            fixed, bad = repair(item) if name in _REPAIRED else (item, non_syllables(item))
            fixed_items.append(fixed)
            left += bad
        if fixed_items != items:
            doc.warnings.append(f"{name}: spelling repaired ({'; '.join(items)} -> {'; '.join(fixed_items)})")
            setattr(doc, name, fixed_items if isinstance(value, list) else fixed_items[0])
        if left:
            review.add(name, "holds words that are not Vietnamese: " + ", ".join(repr(w) for w in left[:5]))
