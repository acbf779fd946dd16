"""The number a file is named by, as a second reading of the document's số (issue 12: evidence that corroborates)."""

from __future__ import annotations

import pytest

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.document.corroborate import apply_to_document, named_number
from vn_dispatch_parser.pipeline import parse_file, parse_text
from vn_dispatch_parser.records import Document

from .conftest import CONG_VAN_TEXT  # Số: 1865/SYT-VP


@pytest.mark.parametrize(("name", "number"), [
    ("574 UB.signed_20250510_124908.pdf", "574"), ("87 QĐ CT.pdf", "87"), ("04CT.signed.pdf", "04"),
    ("660TBUB.pdf", "660"), ("sub/dir/12-UBND.tif", "12"),
    ("3.pdf", None), ("4_1.jpg", None), ("test_2.pdf", None), ("2352 ( 07-CT-UBND).pdf", None),
    ("H14.1999.1180.pdf", None), ("<text>", None),
])
def test_which_names_give_a_number(name: str, number: str | None) -> None:
    assert named_number(name) == number


def test_an_agreeing_name_settles_a_doubtful_reading() -> None:
    doc = Document(number="57", number_symbol="57/UBND", confidence={"number": 0.6, "number_symbol": 0.6},
                   needs_review=["number", "number_symbol", "subject"],
                   review_reasons={"number": "read again after a doubtful first reading (score 0.50)",
                                   "number_symbol": "ký hiệu read but no number", "subject": "not found"})
    apply_to_document(doc, "057")
    assert doc.confidence["number"] == CONF.file_name_number_agrees
    assert doc.needs_review == ["number_symbol", "subject"]  # a doubt the name cannot settle stays
    assert doc.warnings == []


def test_a_disagreeing_name_flags_the_number() -> None:
    doc = Document(number="57", confidence={"number": 0.99})
    apply_to_document(doc, "574")
    assert set(doc.needs_review) == {"number", "number_symbol"}
    assert "named by the number 574" in doc.review_reasons["number"]
    assert doc.warnings == ["number: the page reads 57, the file is named by 574"]
    assert doc.number == "57"  # never changes a value


def test_text_and_bytes_inputs_use_their_name() -> None:
    plain = parse_text(CONG_VAN_TEXT, name="scan_0001.txt").documents[0]
    agrees = parse_text(CONG_VAN_TEXT, name="1865 SYT.txt").documents[0]
    assert agrees.number == plain.number == "1865"
    assert agrees.confidence["number"] >= CONF.file_name_number_agrees and "number" not in agrees.needs_review
    other = parse_file(CONG_VAN_TEXT.encode("utf-8"), name="1866 SYT-VP.txt")
    assert other.file == "1866 SYT-VP.txt"
    doc = other.documents[0]
    assert {"number", "number_symbol"} <= set(doc.needs_review)
    assert "the file is named by 1866" in doc.warnings[-1]


@pytest.mark.parametrize(("read", "named"), [("57", "574"), ("80", "280"), ("099", "299"), ("64", "04")])
def test_a_doubtful_partial_reading_takes_the_named_number(read: str, named: str) -> None:
    doc = Document(number=read, symbol="UBND-KTTH", number_symbol=f"{read}/UBND-KTTH",
                   confidence={"number": 0.99, "number_symbol": 0.99}, needs_review=["number", "number_symbol"],
                   review_reasons={"number": "read again after a doubtful first reading (score 0.40)",
                                   "number_symbol": "read again after a doubtful first reading (score 0.40)"})
    apply_to_document(doc, named)
    assert (doc.number, doc.number_symbol) == (named, f"{named}/UBND-KTTH")
    assert doc.confidence["number"] == CONF.file_name_number_taken < 0.75
    assert {"number", "number_symbol"} <= set(doc.needs_review)  # a person confirms
    assert f"the page read {read}" in doc.review_reasons["number"] and doc.warnings


@pytest.mark.parametrize(("read", "named", "why"), [
    ("15", "05", None),  # read without doubt: a folder's index is not taken for the số
    ("12", "574", "read again after a doubtful first reading (score 0.40)"),  # no digit of the name
    ("5", "57", "read again after a doubtful first reading (score 0.40)"),  # too little read
])
def test_other_readings_are_kept_and_flagged(read: str, named: str, why: str | None) -> None:
    doc = Document(number=read, confidence={"number": 0.99}, review_reasons={"number": why} if why else {})
    apply_to_document(doc, named)
    assert doc.number == read and "number" in doc.needs_review


def test_a_number_the_page_did_not_read_is_taken_from_the_name() -> None:  # class 4: hand-written number unread
    doc = Document(number=None, symbol="CT-UBND", number_symbol=None, confidence={"number": 0.5})
    apply_to_document(doc, "11")
    assert (doc.number, doc.number_symbol) == ("11", "11/CT-UBND")
    assert doc.evidence["number"].rule == "file_name" and {"number", "number_symbol"} <= set(doc.needs_review)
    assert doc.confidence["number"] <= CONF.file_name_number_taken
    no_line = Document(number=None, symbol=None)  # no Số line at all (a letter without one): nothing to fill
    apply_to_document(no_line, "11")
    assert no_line.number is None and "number" in no_line.needs_review
    index = Document(number=None, symbol="CT-UBND")  # "19_draft.txt": a number before a word may be an index
    apply_to_document(index, "19", coded=False)
    assert index.number is None and "number" in index.needs_review
    draft = Document(number=None, symbol="NQ-HĐND", full_text="DỰ THẢO\nHỘI ĐỒNG NHÂN DÂN")
    apply_to_document(draft, "22")
    assert draft.number is None
