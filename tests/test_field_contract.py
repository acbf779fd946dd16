"""Contract of every field parser in ``vn_dispatch_parser/fields/``: junk in, nothing (or a valid value) out.

Like python-stdnum's ``test_robustness.doctest``: empty and blank text, control characters, emoji and
other scripts, binary-looking bytes, very long strings and runs of the labels the parsers look for go
into every public parser of the ``fields`` package, as text and as OCR lines. A parser returns None,
an empty result or a value of its documented type; it never raises and never takes long (a regex with
catastrophic backtracking shows up here as a slow call). The table lists every name in the modules'
``__all__``; a new parser fails :func:`test_every_parser_is_in_the_table` until it is added.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import random
import time
from collections.abc import Callable
from typing import Any

import pytest
import regex

import vn_dispatch_parser.fields as fields_pkg
from vn_dispatch_parser.core.types import BBox, Hit, Line
from vn_dispatch_parser.fields import (
    dates,
    doc_type,
    issuer,
    lists,
    marks,
    number,
    place_date,
    references,
    signer,
    stamp,
    subject,
)

_rng = random.Random(11)

JUNK: list[str] = [
    "",
    " ",
    "\t\n\r\f\v",
    "\x00",
    "\x00\x01\x02\x1b[31m\x7f",
    "\ufeff\u200b\u200d\u2028\u2029",
    "😴🧾€3²½",
    "Số:",
    "Số: /",
    "ngày tháng năm",
    "V/v",
    "Kính gửi:",
    "Nơi nhận:",
    "TM. KT. TL. TUQ. Q.",
    "ĐẾN Số: Ngày:",
    "9" * 500,
    "Số: " * 2500,  # 10 kB of the label the number parser looks for
    "ngày 99 tháng 99 năm 99999",
    "/" * 3000,
    "a" * 10_000,
    " ".join("Số" for _ in range(3000)),
    "(" * 2000 + ")" * 2000,
    "\u0300\u0301\u0303\u0309\u0323" * 400,  # combining tone marks without a base letter
    "".join(chr(_rng.randrange(0x20, 0x2FFF)) for _ in range(400)),
    "".join(chr(_rng.randrange(0x3000, 0xD7FF)) for _ in range(400)),
    bytes(_rng.randrange(256) for _ in range(600)).decode("latin-1"),
    bytes(range(256)).decode("cp1252", errors="replace"),
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]

SLOW = 5.0  # seconds: a parser over one junk input takes milliseconds; this catches a hang, not a slow CI


def _lines(text: str) -> list[Line]:
    """The junk as OCR lines (with boxes and confidence) and as plain lines (without)."""
    parts = text.splitlines() or [text]
    boxed = [Line(p, page=1, bbox=BBox(10, 20 + 40 * i, 10 + 5 * len(p), 50 + 40 * i), conf=0.5)
             for i, p in enumerate(parts)]
    return boxed + [Line(text), Line(""), Line(text.upper())]


def _hit(r: Any) -> bool:
    return isinstance(r, Hit) and isinstance(r.raw, str) and isinstance(r.rule, str) and 0.0 <= r.conf <= 1.0


def _opt_hit(r: Any) -> bool:
    return r is None or _hit(r)


def _hit_and_line(r: Any) -> bool:
    return r is None or (isinstance(r, tuple) and _hit(r[0]) and isinstance(r[1], Line))


def _ints(r: Any) -> bool:
    return isinstance(r, list) and all(isinstance(i, int) for i in r)


# name -> (call with a junk string, is the result valid)
CALLS: dict[str, tuple[Callable[[str], Any], Callable[[Any], bool]]] = {
    "dates.SHORT_DATE_RE": (lambda s: dates.SHORT_DATE_RE.search(s), lambda r: r is None or isinstance(r.group(0), str)),
    "dates.to_year": (dates.to_year, lambda r: r is None or isinstance(r, int)),
    "dates.make_date": (lambda s: dates.make_date(s, s, s), lambda r: r is None or isinstance(r, dt.date)),
    "dates.short_date": (lambda s: dates.short_date(s, 2025), lambda r: r is None or isinstance(r, dt.date)),
    "doc_type.match_heading": (doc_type.match_heading, lambda r: r is None or all(isinstance(x, str) for x in r)),
    "issuer.is_known_body": (issuer.is_known_body, lambda r: isinstance(r, bool)),
    "issuer.starts_unit": (issuer.starts_unit, lambda r: isinstance(r, bool)),
    "issuer.place_only": (issuer.place_only, lambda r: isinstance(r, bool)),
    "issuer.body_code": (issuer.body_code, lambda r: isinstance(r, str)),
    "issuer.clean_issuer_line": (issuer.clean_issuer_line, lambda r: isinstance(r, str)),
    "issuer.parse_issuer": (lambda s: issuer.parse_issuer([s, s.upper(), s]), _opt_hit),
    "issuer.issuer_units": (lambda s: issuer.issuer_units([s, s.upper(), s]),
                            lambda r: isinstance(r, list) and all(_ints(u) for u in r)),
    "lists.KINH_GUI": (lambda s: lists.KINH_GUI.match(s), lambda r: r is None or isinstance(r.group(0), str)),
    "lists.NOI_NHAN": (lambda s: lists.NOI_NHAN.match(s), lambda r: r is None or isinstance(r.group(0), str)),
    "lists.clean_item": (lists.clean_item, lambda r: isinstance(r, str)),
    "lists.find_label": (lambda s: lists.find_label(_lines(s), lists.NOI_NHAN), lambda r: r is None or isinstance(r, int)),
    # its caller hands it the index of a label line (find_label): junk after a real label, and junk labels
    "lists.items_after_label": (lambda s: [lists.items_after_label(ls, i, p, after_kinh_gui=True)
                                           for p in (lists.NOI_NHAN, lists.KINH_GUI)
                                           for ls in ([Line("Nơi nhận:"), Line("Kính gửi:"), *_lines(s)], _lines(s))
                                           if (i := lists.find_label(ls, p)) is not None],
                                lambda r: all(_hit(x) for x in r)),
    "marks.find_mark": (lambda s: (marks.find_mark(_lines(s), "urgency"), marks.find_mark(_lines(s), "confidentiality")),
                        lambda r: all(_opt_hit(x) for x in r)),
    "number.canonical_symbol": (number.canonical_symbol, lambda r: isinstance(r, str)),
    "number.parse_number_text": (number.parse_number_text, _opt_hit),
    "number.find_number": (lambda s: number.find_number(_lines(s)), _hit_and_line),
    "number.symbol_agrees": (lambda s: number.symbol_agrees(s, s, [s]), lambda r: isinstance(r, bool)),
    "number.well_formed": (number.well_formed, lambda r: isinstance(r, bool)),
    "number.lost_small_letter": (number.lost_small_letter, lambda r: r is None or isinstance(r, str)),
    "number.misread_small_letter_code": (number.misread_small_letter_code, lambda r: r is None or isinstance(r, str)),
    "number.misread_type_code": (lambda s: number.misread_type_code(s, "QĐ"), lambda r: isinstance(r, bool)),
    "number.small_letter_lost": (lambda s: number.small_letter_lost(s, "TTr"), lambda r: isinstance(r, bool)),
    "number.doubled_letter": (lambda s: number.doubled_letter(s, "CĐ"), lambda r: isinstance(r, bool)),
    "place_date.parse_place_date": (place_date.parse_place_date, _opt_hit),
    "place_date.find_place_date": (lambda s: place_date.find_place_date(_lines(s)), _hit_and_line),
    "place_date.restore_place_marks": (place_date.restore_place_marks, lambda r: isinstance(r, str)),
    "place_date.restore_ending_place": (place_date.restore_ending_place, lambda r: isinstance(r, str)),
    "references.find_references": (references.find_references, lambda r: isinstance(r, list) and all(isinstance(x, dict) for x in r)),
    "signer.is_signer_title": (signer.is_signer_title, lambda r: isinstance(r, bool)),
    "signer.is_title_line": (signer.is_title_line, lambda r: isinstance(r, bool)),
    "signer.parse_signature": (lambda s: signer.parse_signature(_lines(s)), _opt_hit),
    "signer.signature_quality": (lambda s: signer.signature_quality(signer.parse_signature(_lines(s))), lambda r: isinstance(r, int)),
    "stamp.find_stamp": (lambda s: stamp.find_stamp(_lines(s), 2025),
                         lambda r: r is None or (_hit(r[0]) and _ints(r[1]))),
    "stamp.stamp_line_indexes": (lambda s: stamp.stamp_line_indexes(_lines(s)), _ints),
    "subject.VV_RE": (lambda s: subject.VV_RE.match(s), lambda r: r is None or isinstance(r.group(0), str)),
    "subject.VV_UNDER_NUMBER": (lambda s: subject.VV_UNDER_NUMBER.match(s),
                                lambda r: r is None or isinstance(r.group("ty"), str)),
    "subject.vv_subject": (lambda s: subject.vv_subject(_lines(s), 0), _opt_hit),
    "subject.typed_subject": (lambda s: subject.typed_subject(_lines(s), 0, s), _opt_hit),
}


def test_every_parser_is_in_the_table() -> None:
    public = set()
    for info in pkgutil.iter_modules(fields_pkg.__path__):
        module = importlib.import_module(f"{fields_pkg.__name__}.{info.name}")
        public |= {f"{info.name}.{name}" for name in getattr(module, "__all__", [])}
    assert public, "no public names found in vn_dispatch_parser.fields"
    assert public == set(CALLS), f"not in the table: {sorted(public - set(CALLS))}; gone: {sorted(set(CALLS) - public)}"


@pytest.mark.parametrize("name", sorted(CALLS))
def test_junk_gives_nothing_or_a_valid_value(name: str) -> None:
    call, valid = CALLS[name]
    for junk in JUNK:
        start = time.perf_counter()
        try:
            result = call(junk)
        except Exception as e:  # noqa: BLE001 - the contract is "never raises"
            pytest.fail(f"{name}({junk[:40]!r}…) raised {type(e).__name__}: {e}")
        took = time.perf_counter() - start
        assert valid(result), f"{name}({junk[:40]!r}…) returned {result!r:.200}"
        assert took < SLOW, f"{name}({junk[:40]!r}…) took {took:.1f} s"


def test_junk_really_reaches_the_parsers() -> None:
    """The table is not vacuous: the same calls find values in real text."""
    assert number.parse_number_text("Số: 1865/SYT-VP") is not None
    assert place_date.parse_place_date("Bình Dương, ngày 18 tháng 6 năm 2025") is not None
    assert regex.search("Số", JUNK[7])
