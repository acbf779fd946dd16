"""Referenced documents: every "<loại> số <số/ký hiệu> ngày <d/m/yyyy>" in the body, deduplicated. The date's
words are matched as on the date line, with a misread mark on their "a" ("ngày 01 thẳng 7 năm 2018").

    >>> [ (r["type"], r["number_symbol"], str(r["date"])) for r in find_references(
    ...   "theo Công văn số Công văn số 3328/UBND-NC ngày 23/10/2023 và Chương trình hành động "
    ...   "số 68-CTr/TU ngày 15/10/2021; Nghị định số 73/2023/NĐ-CP ngày 29 tháng 9 năm 2023")]
    [('Công văn', '3328/UBND-NC', '2023-10-23'), ('Chương trình hành động', '68-CTr/TU', '2021-10-15'), ('Nghị định', '73/2023/NĐ-CP', '2023-09-29')]
"""

from __future__ import annotations

from functools import cache
from typing import Any

import regex

from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.orthography import join_split_numbers
from vn_dispatch_parser.core.tables import doc_types, load
from vn_dispatch_parser.core.vocab import NAM, NGAY, THANG, YEAR_GAP
from vn_dispatch_parser.fields.dates import make_date
from vn_dispatch_parser.fields.number import canonical_symbol, doubled_letter, misread_small_letter_code

__all__ = ["find_references"]


@cache
def _pattern() -> regex.Pattern[str]:
    data = load("doc_types")
    names = {t["name"].capitalize() for t in data["types"]} | set(data["reference_types"])
    names_re = "|".join(regex.escape(n) for n in sorted(names, key=len, reverse=True))
    quals = "|".join(regex.escape(q) for q in data["reference_qualifiers"])
    ns = (r"(?P<ns>\d{1,6}(?:\s*-\s*[\p{L}]{1,6})?\s*/\s*(?:(?:19|20)\d{2}\s*/\s*)?"
          r"[\p{L}0-9&]+(?:\s*[-.]\s*[\p{L}0-9&]+){0,4})(?![\p{L}0-9&])")
    date = (r"(?:(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>(?:19|20)\d{2})"
            rf"|(?P<d2>{_DIGITS12})\s*(?i:{THANG})\s*(?P<m2>{_DIGITS12})\s*(?i:{NAM}){YEAR_GAP}(?P<y2>(?:19|20)\d{{2}}))")
    # "ngày" so garbled that no spelling of it matches ("Ti Rày"): one or two short words, not a word that
    # joins or names (và, của…), and then only a date written d/m/yyyy, which nothing else cited is
    garbled = (rf"(?<!\S)(?!(?i:{'|'.join(_NOT_NGAY)})\b)\p{{L}}{{1,4}}(?:\s\p{{L}}{{1,4}})?\s*"
               r"(?P<d3>\d{1,2})\s*[/.-]\s*(?P<m3>\d{1,2})\s*[/.-]\s*(?P<y3>(?:19|20)\d{2})\b")
    return regex.compile(
        rf"(?P<type>(?i:{names_re}))(?:\s+(?P<q>{quals}))?\s+số\s*:?\s*{ns}\s*[,.]?\s*"
        rf"(?:(?:của\s+[^,;]{{0,60}}?\s+)?(?i:{NGAY})\s*{date}|{garbled})",
        regex.V1,
    )


# a day or month of one or two digits, with a 1 read as a letter of one stroke ("tháng li năm": November)
_DIGITS12 = r"[\dlI|][\dlIi|]?"
_ONE = str.maketrans({"l": "1", "I": "1", "i": "1", "|": "1"})
# words that stand between a ký hiệu and a date without being its "ngày" ("số 12/QĐ-UBND và 15/3/2024…")
_NOT_NGAY = ("và", "của", "theo", "tại", "từ", "đến", "năm", "tháng", "hoặc", "với")


def _with_type_code(ns: str, typ: str) -> str:
    """A cited ký hiệu with its type code's letter read twice undone ("771/CĐĐ-TTg" of a Công điện →
    "771/CĐ-TTg"): the code group after the number (and year) names the type (nd30.md §2.2), and no code of a
    type doubles a letter; and a group that is a small-letter code misread set right ("904/CĐ-TTq" →
    "904/CĐ-TTg", :func:`~vn_dispatch_parser.fields.number.misread_small_letter_code`). Other differences are
    kept as printed: a cited "90/QD-TTg" is how the citing text typed it (the seeds' and the house cases'
    convention), unlike the document's own ký hiệu (:func:`~vn_dispatch_parser.fields.number.misread_type_code`).
    """
    ns = regex.sub(r"[^-/]+", lambda g: misread_small_letter_code(g.group(0)) or g.group(0), ns)
    code = next((t["code"] for t in doc_types() if fold(t["name"]) == fold(typ)), None)
    m = regex.match(r"^(\d+/(?:\d{4}/)?)([^-/]+)(-.*)$", ns)
    if code is None or m is None or not doubled_letter(m.group(2), code):
        return ns
    return m.group(1) + code + m.group(3)


def find_references(text: str, exclude: set[str] | None = None) -> list[dict[str, Any]]:
    """All citations in ``text`` as dicts (type, number_symbol, date), first occurrence order."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    flat = join_split_numbers(regex.sub(r"\s+", " ", text))[0]  # "81/N Q-CP": a ký hiệu has no spaces
    for m in _pattern().finditer(flat):
        ns = canonical_symbol(m.group("ns"))
        if "/" not in ns:
            continue
        d, mo, y = next((m.group("d" + k), m.group("m" + k), m.group("y" + k)) for k in ("", "2", "3")
                        if m.group("d" + k))
        date = make_date(d.translate(_ONE), mo.translate(_ONE), y)
        if date is None:
            continue
        key = (ns.casefold(), str(date))
        if key in seen or (exclude and ns.casefold() in exclude):
            continue
        seen.add(key)
        typ = m.group("type")
        typ = typ[0].upper() + typ[1:].lower()
        if m.group("q"):
            typ += " " + m.group("q")
        out.append({"type": typ, "number_symbol": _with_type_code(ns, typ), "date": date})
    return out
