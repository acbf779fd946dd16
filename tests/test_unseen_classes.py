"""Classes of errors seen on unseen real scans (issue 12), each with a text-level test: the rule behind
each fix is a fact about Vietnamese documents, not about one file."""

from __future__ import annotations

import pytest

from vn_dispatch_parser import parse_text

from .conftest import CONG_VAN_TEXT


def _with_signature(block: str) -> str:
    return CONG_VAN_TEXT.replace("GIÁM ĐỐC\nNguyễn Hồng Chương", block)


@pytest.mark.parametrize(("block", "authority", "position"), [
    ("T/M ỦY BAN NHÂN DÂN\nK/T CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn An", "TM.",
     "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"),
    ("T/L GIÁM ĐỐC\nTRƯỞNG PHÒNG\nNguyễn Văn An", "TL.", "TL. GIÁM ĐỐC / TRƯỞNG PHÒNG"),
])
def test_old_slashed_signing_prefixes(block: str, authority: str, position: str) -> None:  # class 5
    doc = parse_text(_with_signature(block)).documents[0]
    assert (doc.signer_authority, doc.signer_position, doc.signer_name) == (authority, position, "Nguyễn Văn An")


@pytest.mark.parametrize(("printed", "title", "name"), [
    ("Trung tá Nguyễn Văn An", "Trung tá", "Nguyễn Văn An"),
    ("TS. Lê Thị Hoa", "TS.", "Lê Thị Hoa"),
    ("Thượng tướng Trần Quốc Tỏ", "Thượng tướng", "Trần Quốc Tỏ"),
])
def test_ranks_and_titles_leave_the_name(printed: str, title: str, name: str) -> None:  # class 2
    doc = parse_text(_with_signature(f"KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n{printed}")).documents[0]
    assert (doc.signer_title, doc.signer_name) == (title, name)


def test_type_code_read_with_a_doubled_letter() -> None:  # class 3
    text = CONG_VAN_TEXT.replace("Số: 1865 /SYT-VP\nV/v chấn chỉnh thực thi công vụ", "Số: 12/QĐĐ-SYT").replace(
        "Kính gửi", "QUYẾT ĐỊNH\nVề việc ban hành quy chế\nKính gửi")
    doc = parse_text(text).documents[0]
    assert (doc.doc_type, doc.number_symbol) == ("QUYẾT ĐỊNH", "12/QĐ-SYT")


def test_d_for_dd_inside_the_issuers_abbreviation() -> None:  # class 3
    text = CONG_VAN_TEXT.replace("SỞ Y TẾ", "SỞ GIÁO DỤC VÀ ĐÀO TẠO").replace("1865 /SYT-VP", "1865 /SGDDT-VP")
    assert parse_text(text).documents[0].number_symbol == "1865/SGDĐT-VP"


def test_double_spaced_text_keeps_a_two_line_subject() -> None:  # class 7
    text = CONG_VAN_TEXT.replace("V/v chấn chỉnh thực thi công vụ", "V/v chấn chỉnh thực thi công vụ\ntrong các cơ quan")
    doubled = "\n\n".join(text.splitlines())
    assert parse_text(doubled).documents[0].subject == "chấn chỉnh thực thi công vụ trong các cơ quan"


def test_an_issuer_without_a_body_is_flagged() -> None:  # class 6: a header line lost
    text = CONG_VAN_TEXT.replace("UBND TỈNH BÌNH DƯƠNG\nSỞ Y TẾ", "TỈNH BÌNH DƯƠNG")
    doc = parse_text(text).documents[0]
    assert "issuer" in doc.needs_review and "body" in doc.review_reasons["issuer"]


def test_a_name_that_lost_its_surname_is_flagged() -> None:  # class 2
    doc = parse_text(_with_signature("GIÁM ĐỐC\nVăn Minh")).documents[0]
    assert doc.signer_name == "Văn Minh" and "signer_name" in doc.needs_review


def test_header_fields_lost_to_the_ocr_are_flagged() -> None:  # class 6: the date line garbled
    text = CONG_VAN_TEXT.replace("Bình Dương, ngày 18 tháng 6 năm 2025", "Bì#h D.., ng 18 th 6 n 2025")
    doc = parse_text(text).documents[0]
    assert doc.place is None and doc.review_reasons.get("place") == "not found"


def test_a_recipient_list_without_its_luu_item_is_flagged() -> None:  # class 5: a list cut by seal or signature
    whole = parse_text(CONG_VAN_TEXT).documents[0]
    assert whole.recipients[-1].startswith("Lưu") and "recipients" not in whole.review_reasons
    cut = parse_text(CONG_VAN_TEXT.replace("- Lưu: VT, VP.\n", "")).documents[0]
    assert cut.recipients == whole.recipients[:-1]
    assert "Lưu" in cut.review_reasons["recipients"] and "recipients" in cut.needs_review


@pytest.mark.parametrize(("parent", "body"), [("UBND TỈNH QUẢNG NGÃI", "BAN CHỈ ĐẠO 138"),
                                              ("BỘ QUỐC PHÒNG", "BỆNH VIỆN 175")])
def test_a_body_named_by_a_number_issues_under_its_parent(parent: str, body: str) -> None:  # class 5
    text = CONG_VAN_TEXT.replace("UBND TỈNH BÌNH DƯƠNG\nSỞ Y TẾ", f"{parent}\n{body}")
    assert f"{parent}\n{body}" in text
    doc = parse_text(text).documents[0]
    assert (doc.issuer_parent, doc.issuer) == (parent, body)


def test_a_drafters_code_in_the_luu_item_is_flagged() -> None:  # class 1: OCR errors kept silently
    plain = parse_text(CONG_VAN_TEXT).documents[0]
    assert "recipients" not in plain.needs_review
    coded = parse_text(CONG_VAN_TEXT.replace("- Lưu: VT, VP.", "- Lưu: VT, KTTHh5.")).documents[0]
    assert coded.recipients[-1] == "Lưu: VT, KTTHh5"
    assert "drafter's code" in coded.review_reasons["recipients"]
