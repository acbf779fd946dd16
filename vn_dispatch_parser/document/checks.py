"""Consistency checks that become warnings and ``needs_review`` entries (they never change a value)."""

from __future__ import annotations

from functools import cache

import regex

from vn_dispatch_parser.core.headings import starts_with_title
from vn_dispatch_parser.core.lexicon import known_syllable
from vn_dispatch_parser.core.lines import is_syllable
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.tables import load, place_names, type_by_code
from vn_dispatch_parser.document.review import Reasons
from vn_dispatch_parser.fields.issuer import is_known_body
from vn_dispatch_parser.fields.number import lost_small_letter, symbol_type_code, well_formed
from vn_dispatch_parser.records import Document

__all__ = ["run"]

_CORE = ("issuer", "doc_type", "number", "issued_date", "subject", "signer_name")
# every NĐ 30 document prints these in its header (nd30.md §2.2-2.3); missing where the header was seen, they
# were lost to the OCR, not absent (on ../shared/real all such cells were silent errors)
_HEADER = ("place", "symbol", "number_symbol")
_LUU = "luu"  # "Lưu: VT, …" (folded): the last item of every Nơi nhận list (nd30.md §3.8; on the visible sets
# every true list has it, and every list read without it was cut by the seal, the signature or the page)
_NHU = "nhu"  # "Như trên" / "Như Điều 3" (folded): the first item of a Nơi nhận after a Kính gửi (nd30.md §3.8; 108
# of the 109 documents of the visible sets with both lists)
# the drafter's initials and copy count after the unit in "Lưu: VT, KTTHh5" / "NC(long172)" (nd30.md §3.8):
# letters and digits run together, no dictionary word; on ../shared/real 20 of 36 lists holding one were read
# wrong (a letter confused, a space put in), 5 of them silently
_DRAFTER_CODE = regex.compile(r"\p{L}\d|\d\p{L}|\(\p{L}+\d*\)")
_MIDDLE_NAMES = ("van", "thi")  # Văn, Thị (folded): the commonest middle names: a two-word name starting with one lost its surname


def _unit_starts() -> tuple[str, ...]:
    return tuple(fold(u) for u in load("organisations")["unit_starts"])


# TM., KT., TL., TUQ. (and the old slashed forms) sign for someone: the signer's own title follows on the
# next line (nd30.md §3.7); a position that ends with one lost its last line (Q. "quyền" is the title itself)
_FOR_SOMEONE = regex.compile(r"^(?:T\.?M|K\.?T|T\.?L|TUQ|T/M|K/T|T/L)\.?\s", regex.IGNORECASE)


def _list_checks(doc: Document, review: Reasons) -> None:
    """The Nơi nhận list and the cited documents against how NĐ 30 writes them."""
    luu = [item for item in doc.recipients if fold(item).startswith(_LUU)]
    if doc.recipients and not luu:
        review.add("recipients", "no 'Lưu:' item: NĐ 30 ends Nơi nhận with it, the list may be cut")
    elif luu and _DRAFTER_CODE.search(luu[-1].split(":", 1)[-1]):
        review.add("recipients", "the 'Lưu:' item holds a drafter's code: OCR often splits or confuses it")
    # a cited ký hiệu is written as codes are (nd30.md §2.2): all 180 cited in the visible sets' truth are; one
    # with a letter no code has ("CĐ-TTạg") was misread
    if any(not well_formed(r.number_symbol.partition("/")[2]) for r in doc.references):
        review.add("references", "a cited ký hiệu is not written as codes are: misread")
    elif odd := next(filter(None, (lost_small_letter(r.number_symbol) for r in doc.references)), None):
        review.add("references", f"a cited ký hiệu's {odd!r} is a code with a small letter (TTg, TTr) read as a capital")
    if doc.addressees and doc.recipients and not fold(doc.recipients[0]).startswith(_NHU):
        review.add("recipients", "no 'Như trên' first: after a Kính gửi NĐ 30 starts Nơi nhận with it, it may be lost")


@cache
def _place_syllables() -> frozenset[str]:
    """The syllables of the provinces' and districts' names (lower case): "Nẵng", "Kon", "Phan"."""
    return frozenset(w.lower() for p in place_names() for w in regex.findall(r"\p{L}+", p))


def _not_name_words(name: str) -> list[str]:
    """The words of a body's name that are syllables by their shape but in no word of the vocabulary and in no
    place's name ("CỤC DÂI" for "CHI CỤC DÂN SỐ"); abbreviations (UBND, THPT) are no syllables and pass. Of the
    392 issuer and parent names of the visible sets' truth, none has one."""
    return [w for w in regex.findall(r"\p{L}+", name)
            if is_syllable(w) and not known_syllable(w) and w.lower() not in _place_syllables()]


_NOT_VIETNAMESE = regex.compile(r"[^a-z]|[fjwz]")  # of a word's letters folded: "Sð", "jWHÀ" are misread
_INNER_D = regex.compile(r"(?<=\p{L})[đĐ]")  # đ only starts a syllable: "Sđ" (normalised "Sð") is misread
_ROMAN = regex.compile(r"[IVXLC]+")  # bodies numbered in Roman numerals: "CHI CỤC THUẾ KHU VỰC III", "KV XIV"


def _misread_words(name: str) -> list[str]:
    """:func:`_not_name_words`, and the words with a letter Vietnamese does not write (f, j, w, z, ð…) or a đ
    inside; a Roman numeral is neither."""
    kept = " ".join(w for w in name.split() if not _ROMAN.fullmatch(w))
    foreign = [w for w in regex.findall(r"\p{L}+", kept) if _NOT_VIETNAMESE.search(fold(w)) or _INNER_D.search(w)]
    return foreign + _not_name_words(kept)


_STAMP_WORD = regex.compile(r"^\W*(\p{L}{3,4})\W+\d{1,2}\s*/", regex.V1)
STAMP_SCRAP_LINES = 15
"""The header's lines: a ĐẾN stamp is stamped beside the header, above the Kính gửi (nd30.md §2.8)."""


def _stamp_scrap(full_text: str) -> str | None:
    """A short header line that opens with a word one or two letters off "ĐẾN" and a day and "/" ("ĐĐEM 28/u"):
    the page OCR's reading of a ĐẾN stamp whose frame the stamp finder did not find (broken rules on a bitonal
    scan). No other header line is a word of three or four letters and a date."""
    from rapidfuzz.distance import Levenshtein

    for line in full_text.splitlines()[:STAMP_SCRAP_LINES]:
        m = _STAMP_WORD.match(line)
        if m and len(line) <= 24 and Levenshtein.distance(fold(m.group(1)), "den") <= 2 and m.group(1)[:1] in "ĐDđd":
            return line.strip()
    return None


_LEVEL_END = regex.compile(r"\b(?:TỈNH|THÀNH PHỐ|TP\.?|HUYỆN|QUẬN|THỊ XÃ|TX\.?)\s+(\p{L}+(?:\s+\p{L}+)*)$",
                        regex.V1 | regex.IGNORECASE)


@cache
def _place_keys() -> tuple[frozenset[str], frozenset[str]]:
    """Every known place's name folded, and every run of its first words short of the whole ("thuan" of
    "Thuận An")."""
    names = {fold(p) for p in place_names()}
    starts = {" ".join(n.split()[:k]) for n in names for k in range(1, len(n.split()))}
    return frozenset(names), frozenset(starts)


def _cut_place(value: str) -> str | None:
    """The words after a body's name's last level ("TP. THUẬN") when they are no place but the first words of
    one: a place's name cut at a line's or a stamp's edge. None otherwise."""
    m = _LEVEL_END.search(value)
    if m is None:
        return None
    names, starts = _place_keys()
    words = fold(m.group(1))
    return m.group(1) if words not in names and words in starts else None


def _body_checks(doc: Document, review: Reasons) -> None:
    """Flags for values that cannot be whole: an issuer that does not start with a body's name (a header
    line lost: "TỈNH QUẢNG NGÃI" for "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"), an issuer or a ĐẾN stamp's receiver
    with a word no name holds (none of the 22 receivers of the visible sets' truth has one), a signer's name
    of two words that starts with a middle name ("Văn Minh" for "Đặng Văn Minh"), a list item in lower case."""
    if doc.issuer and not fold(doc.issuer).startswith(_unit_starts()):
        review.add("issuer", "does not start with the name of a body (ỦY BAN, SỞ, BỘ…): a header line may be lost")
    elif doc.issuer and not is_known_body(doc.issuer) and (odd := _not_name_words(doc.issuer)):
        review.add("issuer", f"{odd[0]!r} is in no word of the language nor in a place's name: misread")
    if doc.incoming_stamp is None and (scrap := _stamp_scrap(doc.full_text)):
        review.add("incoming_stamp", f"{scrap!r} in the header reads like a ĐẾN stamp's word and date: a stamp may "
                                     "be there, not found")
    receiver = doc.incoming_stamp.receiver if doc.incoming_stamp else None
    for name, value in (("issuer", doc.issuer), ("incoming_stamp", receiver)):
        if value and (cut := _cut_place(value)):
            review.add(name, f"ends with {cut!r}, the start of a place's name: the rest may be lost")
    if receiver and not is_known_body(receiver) and (odd := _misread_words(receiver)):
        review.add("incoming_stamp", f"the receiver's {odd[0]!r} is no word of a body's name: misread")
    if doc.signer_position and _FOR_SOMEONE.match(doc.signer_position.split(" / ")[-1]):
        review.add("signer_position", "ends with TM./KT./TL./TUQ.: the signer's own title under it may be lost")
    if doc.signer_position and doc.signer_authority is None and (line := _stop_before_title(doc)):
        review.flag(("signer_authority", "signer_position"),
                    f"{line!r}: a stop before the title is what is left of a prefix (Q., KT.)")
    unknown = [s for s in (doc.signer_position or "").split(" / ") if s and not starts_with_title(s)]
    if unknown:  # on the visible sets, every such segment was misread ("GIAN ĐỐC SỞ TÀI CHÍNH", "IỆI É")
        review.add("signer_position", f"{unknown[0]!r} starts with no known title")
    words = (doc.signer_name or "").split()
    if len(words) == 2 and fold(words[0]) in _MIDDLE_NAMES:
        review.add("signer_name", "starts with a middle name: the surname may be lost")
    for name in ("addressees", "recipients"):  # every item starts with a capital (none of ~1,400 true items
        # of the visible sets does not); one in lower case lost its first words ("trưởng các cơ quan")
        if any(item[:1].islower() for item in getattr(doc, name)):
            review.add(name, "an item starts in lower case: its first words may be lost")
        if any(item.count("(") != item.count(")") for item in getattr(doc, name)):  # "Bộ trưởng (để"
            review.add(name, "an item opens a bracket it does not close: its end may be lost or misread")


_STOP_FIRST = regex.compile(r"^\s*[.,:;·]+\s*(\p{Lu}\p{L}*(?:\s+\p{Lu}\p{L}*)?)", regex.V1)


def _stop_before_title(doc: Document) -> str | None:
    """The line of the full text that holds the signer's first title after a lone stop (". GIÁM ĐỐC"): an
    authority prefix (TM., KT., TL., TUQ., Q.) ends with a stop, and a title line starts with its first
    letter (nd30.md §2.6), so a stop there is what the OCR kept of a prefix. None when there is no such line."""
    first = fold(" ".join((doc.signer_position or "").split(" / ")[0].split()[:2]))
    for line in doc.full_text.splitlines():
        m = _STOP_FIRST.match(line)
        if m and fold(m.group(1)) == first:
            return line.strip()
    return None


def run(doc: Document, review: Reasons, *, has_header: bool) -> None:
    """Check ``doc`` in place: add warnings, and the fields a person must check to ``review`` with why."""
    stamp = doc.incoming_stamp
    if doc.issued_date and stamp and stamp.date and doc.issued_date > stamp.date:
        doc.warnings.append(f"issued_date {doc.issued_date} is later than the ĐẾN stamp date {stamp.date}")
        review.flag(("issued_date", "incoming_stamp"), "issued after the ĐẾN stamp's date")
    signed = doc.digital_signature.signed_at if doc.digital_signature else None
    if doc.issued_date and signed and doc.issued_date > signed.date():
        doc.warnings.append(f"issued_date {doc.issued_date} is later than the digital signature of {signed.date()}")
        review.add("issued_date", "later than the digital signature")
    if doc.issued_date:
        later = [r for r in doc.references if r.date and r.date > doc.issued_date]
        if later:
            doc.warnings.append(
                f"issued_date {doc.issued_date} is earlier than the cited {later[0].number_symbol} of {later[0].date}")
            review.add("issued_date", "earlier than a document it cites")
    code_type = symbol_type_code(doc.symbol)
    if doc.doc_type and code_type and doc.doc_type not in ("CÔNG VĂN", code_type):
        doc.warnings.append(f"ký hiệu {doc.symbol} suggests {code_type} but the heading reads {doc.doc_type}")
        review.flag(("doc_type", "symbol"), "the ký hiệu's type code and the heading disagree")
    elif doc.symbol and code_type is None and doc.doc_type in type_by_code().values():
        # a type with a code prints it first in its ký hiệu (nd30.md §2.2): 116 of the visible sets' 117 true
        # ký hiệu of a type other than công văn do (the other, a 1999 form, is of a type with no code)
        review.flag(("symbol", "number_symbol"), "the heading names a type but the ký hiệu holds no type code")
    if doc.symbol and (odd := lost_small_letter(doc.symbol)):
        review.flag(("symbol", "number_symbol"), f"{odd!r} is a code with a small letter (TTg, TTr) read as a capital")
    if doc.symbol and not doc.number:
        review.flag(("number", "number_symbol"), "ký hiệu read but no number")
    _list_checks(doc, review)
    if has_header:
        for name in ("recipients", "signer_position"):
            if not getattr(doc, name):
                review.add(name, "not found")
        if not doc.signer_position and not doc.signer_authority:  # no block read: no prefix is not "signed as head"
            review.add("signer_authority", "the signature block's titles were not read")
        for name in (*_CORE, *_HEADER):
            if getattr(doc, name) in (None, "", []):
                review.add(name, "not found")
                doc.confidence.setdefault(name, 0.0)
    _body_checks(doc, review)
