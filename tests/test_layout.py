"""Layout and field extraction on recorded Tesseract output of real pages (no Tesseract needed).

``tests/data/*.tsv`` are Tesseract's TSV for page 1 of two real scans (after coloured-ink removal):
test_3.pdf (Bộ GD&ĐT Quyết định, red seal over the signature) and 2.pdf (Công an TP Đà Nẵng công văn).
"""

from __future__ import annotations

from pathlib import Path

from vn_dispatch_parser.core.types import Zone
from vn_dispatch_parser.ocr.tesseract import parse_tsv
from vn_dispatch_parser.pipeline import documents_from_lines
from vn_dispatch_parser.scan.page import lines_from_ocr

DATA = Path(__file__).parent / "data"


def _lines(name: str):  # type: ignore[no-untyped-def]
    page = parse_tsv((DATA / name).read_text(encoding="utf-8"))
    return lines_from_ocr(page)


def test_header_columns_never_interleave() -> None:
    lines = _lines("test_3.p1.tsv")
    left = [ln.text for ln in lines if ln.zone is Zone.HEADER_LEFT and ln.text]
    right = [ln.text for ln in lines if ln.zone is Zone.HEADER_RIGHT and ln.text]
    assert left[0] == "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
    assert any(t.startswith("Số:") for t in left)
    assert right[0].startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert not any("CỘNG" in t for t in left)


def test_quyet_dinh_fields_from_recorded_ocr() -> None:
    doc = documents_from_lines(_lines("test_3.p1.tsv"))[0]
    assert doc.issuer == "BỘ GIÁO DỤC VÀ ĐÀO TẠO" and doc.issuer_parent is None
    assert (doc.number, doc.symbol) == ("2676", "QĐ-BGDĐT")
    assert doc.doc_type == "QUYẾT ĐỊNH"
    assert doc.place == "Hà Nội" and str(doc.issued_date) == "2025-09-24"
    assert doc.signer_position == "KT. BỘ TRƯỞNG / THỨ TRƯỞNG"
    assert doc.recipients[0] == "Như Điều 3" and doc.recipients[-1].startswith("Lưu: VT")
    assert doc.evidence["number"].bbox is not None and doc.evidence["number"].page == 1
    assert 0 < doc.confidence["number"] <= 1


def test_cong_van_fields_from_recorded_ocr() -> None:
    doc = documents_from_lines(_lines("2.p1.tsv"))[0]
    assert doc.doc_type == "CÔNG VĂN"
    assert doc.issuer == "PHÒNG AN CHÍNH TRỊ NỘI BỘ"
    assert doc.place == "Đà Nẵng" and str(doc.issued_date) == "2018-04-26"
    assert doc.addressees[:3] == ["Sở Giáo dục và Đào tạo thành phố Đà Nẵng",
                                  "Sở Lao động Thương binh và Xã hội thành phố Đà Nẵng", "Đại học Đà Nẵng"]
