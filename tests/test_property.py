"""Property tests: parse_text never raises, is deterministic, and stays fast on large inputs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vn_dispatch_parser import parse_text
from vn_dispatch_parser.records import FileResult

FRAGMENTS = [
    "Số: 12/UBND-VX", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Kính gửi:", "Nơi nhận:",
    "- Như trên;", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn A", "Hà Nội, ngày 5 tháng 6 năm 2025", "V/v ",
    "ĐẾN Số: 12", "Ngày: 3/4", "QUYẾT ĐỊNH", "Căn cứ Luật;", "Công văn số 1/UBND ngày 1/1/2024", "\f", "\n", " ",
    "./.", "HỎA TỐC", "MẬT", "Ð", "hoà", "****", "###", "Số:", "/", "ngày", "tháng", "năm 20", "😴", "\u0300",
]
texty = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=60).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), texty))
def test_never_raises_and_is_deterministic(text: str) -> None:
    a = parse_text(text)
    b = parse_text(text)
    assert isinstance(a, FileResult)
    assert a.model_dump_json() == b.model_dump_json()
    for doc in a.documents:
        assert doc.page_start <= doc.page_end


def test_one_megabyte_of_text() -> None:
    """A 1 MB text parses (its speed is measured by ``make bench``, never by a timed test: CI machines are
    shared and a wall-clock limit fails at random)."""
    para = ("Thực hiện Công văn số 3328/UBND-NC ngày 23/10/2023 của Ủy ban nhân dân tỉnh về việc chấn chỉnh, "
            "tăng cường kỷ luật, kỷ cương trong các cơ quan hành chính trên địa bàn tỉnh.\n")
    text = "UBND TỈNH TÂY NINH\nSỞ Y TẾ\nSố: 12/SYT-VP\n" + para * (1_000_000 // len(para.encode()) + 1)
    assert len(text.encode()) >= 1_000_000
    result = parse_text(text)
    assert result.documents and result.documents[0].number_symbol == "12/SYT-VP"


def test_pathological_inputs() -> None:
    for text in ["", "\f\f\f", "Số:" * 3000, "- " * 5000, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n" * 500,
                 "Nơi nhận:\n" + "- x;\n" * 3000, "ngày " * 5000, "A" * 100_000]:
        parse_text(text)
