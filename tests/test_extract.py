"""Document-level repairs in extract.py on plain lines (no image)."""

from __future__ import annotations

import pytest

from vn_dispatch_parser.core.types import Line
from vn_dispatch_parser.document.build import build_document

HEADER = """UBND TỈNH GIA LAI
SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG
Số: 1708/{symbol}
V/v triển khai Quyết định số 1035/QĐ-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Gia Lai, ngày 06 tháng 10 năm 2023
Kính gửi: Các phòng chức năng Sở"""


@pytest.mark.parametrize(("symbol", "expected"), [
    ("STNMTQLĐĐ", "STNMT-QLĐĐ"),  # the hyphen lost after the issuer's abbreviation
    ("STNMT-QLĐĐ", "STNMT-QLĐĐ"),
    ("QĐUBND", "QĐ-UBND"),  # after a type code
    ("VPUB", "VPUB"),  # nothing known to split at
])
def test_a_hyphen_lost_in_the_symbol_is_restored(symbol: str, expected: str) -> None:
    doc = build_document([Line(t, page=1) for t in HEADER.format(symbol=symbol).splitlines()])
    assert doc.issuer == "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"
    assert doc.symbol == expected and doc.number_symbol == f"1708/{expected}"
