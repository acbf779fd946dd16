"""The ĐẾN stamp reader (den_stamp.py): date parsing from glyph guesses, the choice of the date that fits
the document's own date (extract), and real Tesseract on the stamps of two sample pages."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from vn_dispatch_parser.core.types import BBox, HandHints, HandReading
from vn_dispatch_parser.document.build import _apply_stamp_hints
from vn_dispatch_parser.image.digits import REJECT, GlyphGuess
from vn_dispatch_parser.scan.incoming_stamp import date_options, read_den_stamp

from .conftest import ROOT


def glyph(digit: int | None, p: float = 0.97, bar: bool = False) -> GlyphGuess:
    probs = np.full(REJECT + 1, (1 - p) / REJECT)
    probs[REJECT if digit is None else digit] = p
    return GlyphGuess(probs, bar)


def texts(options: list[tuple[str, float]]) -> list[str]:
    return [t for t, _ in options]


def test_slashes_read_as_ones_or_as_nothing_split_the_date() -> None:
    # "13/12/25": the first slash unknown to the model, the second a straight stroke read as 1
    read = [glyph(1), glyph(3), glyph(None, 0.6), glyph(1), glyph(2), glyph(1, bar=True), glyph(2), glyph(5)]
    assert texts(date_options(read))[0] == "13/12/25"
    # "10/10/23" with both slashes read as ones: only one split gives a valid date with a 2-digit year
    ten = [glyph(1, bar=True), glyph(0)]
    read = [*ten, glyph(1, bar=True), *ten, glyph(1, bar=True), glyph(2), glyph(3)]
    assert texts(date_options(read))[0] == "10/10/23"


def test_impossible_dates_are_never_offered() -> None:
    # "31/2" and "30/2" do not exist; "3/12" does
    options = texts(date_options([glyph(3), glyph(1, bar=True), glyph(1), glyph(2)]))
    assert options and all(not t.endswith("/2") or int(t.split("/")[0]) <= 29 for t in options)
    assert "3/12" in options
    assert date_options([glyph(5)]) == []  # one glyph: no date


def _hints(options: list[tuple[str, float]], number: str = "5616", conf: float = 0.95) -> HandHints:
    date = HandReading(options[0][0], options[0][1], 1, None, options=tuple(options))
    return HandHints(stamp_number=HandReading(number, conf, 1, None), stamp_date=date,
                     stamp_box=BBox(0, 0, 400, 300), stamp_receiver="BỆNH VIÊN ĐA KHOA LẠNG SƠN",
                     stamp_receiver_conf=0.93)


def test_the_date_that_fits_the_documents_date_is_kept() -> None:
    value = {"receiver": None, "number": None, "date_text": None, "date": None}
    # "13/2/25" reads best, but the letter is dated 8/12/2025: received on 13/12, not ten months before
    conf = _apply_stamp_hints(value, _hints([("13/2/25", 0.6), ("13/12/25", 0.35), ("1/2/25", 0.05)]),
                              dt.date(2025, 12, 8), 2025, 0.6)
    assert value["date_text"] == "13/12/25" and value["date"] == dt.date(2025, 12, 13)
    assert value["number"] == "5616"
    assert value["receiver"] == "BỆNH VIỆN ĐA KHOA LẠNG SƠN"  # the OCR's "VIÊN" restored
    assert conf >= 0.75


def test_a_date_that_fits_only_in_the_next_year_is_left_out_and_flagged() -> None:
    value = {"receiver": None, "number": None, "date_text": None, "date": None}
    # dated 25/10/2024: "27/9" fits only as 27/9/2025, eleven months later, so the date stays empty
    conf = _apply_stamp_hints(value, _hints([("27/9", 0.5), ("27/1", 0.3), ("27/8", 0.2)]),
                              dt.date(2024, 10, 25), 2024, 0.6)
    assert value["date"] is None and conf < 0.75


def test_a_year_no_letter_of_that_date_is_received_in_was_misread() -> None:  # issue 12, class 4
    value = {"receiver": None, "number": None, "date_text": None, "date": None}
    # dated 23/6/2023: the hand-written "2023" read "2073"; the day and month read beside it stand, doubted
    conf = _apply_stamp_hints(value, _hints([("27/6/2073", 0.55), ("23/6/2073", 0.25), ("27/6/2072", 0.02)]),
                              dt.date(2023, 6, 23), 2023, 0.9)
    assert value["date_text"] == "27/6" and value["date"] == dt.date(2023, 6, 27)
    assert conf < 0.75  # flagged: a person looks at a date whose year was misread
    # a year the letter can be received in is read as written: "17/1/2018" on a letter of 16/10/2018 fits no
    # day of that year, and is not moved to January 2019
    value = {"receiver": None, "number": None, "date_text": None, "date": None}
    _apply_stamp_hints(value, _hints([("17/1/2018", 0.94), ("17/1/2078", 0.01)]), dt.date(2018, 10, 16), 2018, 0.9)
    assert value["date"] is None


def test_an_unsure_number_is_not_kept() -> None:
    value = {"receiver": None, "number": None, "date_text": None, "date": None}
    conf = _apply_stamp_hints(value, _hints([("14/3", 0.99)], number="59", conf=0.1), dt.date(2025, 3, 10),
                              2025, 0.6)
    assert value["number"] is None and value["date_text"] == "14/3" and conf < 0.75


@pytest.mark.parametrize(("receiver", "flagged"), [("BỆNH VIÊN ĐA KHOA LẠNG SƠN", False), (None, True)])
def test_a_framed_stamp_whose_receiver_was_not_read_is_flagged(receiver: str | None, flagged: bool) -> None:
    value = {"receiver": None, "number": None, "date_text": None, "date": None}
    hints = replace(_hints([("13/12/25", 0.95)]), stamp_receiver=receiver)
    conf = _apply_stamp_hints(value, hints, dt.date(2025, 12, 8), 2025, 0.9)
    assert value["date"] == dt.date(2025, 12, 13)
    assert (conf < 0.75) == flagged


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
@pytest.mark.parametrize(("name", "receiver", "number", "date"), [
    ("tb_018_heavy.jpg", "ĐẢNG ỦY CÁC CƠ QUAN THÀNH PHỐ", "1269", "14/3"),   # red stamp, level, heavy JPEG
    ("cv_019_clean.jpg", "BỆNH VIỆN ĐA KHOA QUẢNG TRỊ", "438", "18/1"),      # blue stamp pressed 4° off
    ("ct_012_mild.pdf", "PHÒNG GD&ĐT THỊ XÃ KỲ ANH", "1044", "16/5/2020"),  # violet; the 1 touches the 0
])
def test_reads_the_stamps_of_sample_pages(name: str, receiver: str, number: str, date: str) -> None:
    from vn_dispatch_parser.core.lexicon import correct_text
    from vn_dispatch_parser.image.load import iter_pages
    from vn_dispatch_parser.image.prep import prepare_page
    from vn_dispatch_parser.ocr.tesseract import TesseractEngine
    from vn_dispatch_parser.scan.stamps import incoming_stamp_box

    page = next(iter(iter_pages(ROOT / "samples" / name)))
    prep = prepare_page(page)
    box = incoming_stamp_box(prep.marks, [], prep.image.shape[0], prep.dpi)
    assert box is not None
    got = read_den_stamp(prep.image, box, TesseractEngine(), 1, prep.dpi)
    assert got.receiver is not None and correct_text(got.receiver)[0] == receiver
    assert got.number is not None and got.number.text == number
    assert got.date is not None and date in texts(list(got.date.options))[:2]


def test_a_hand_written_day_that_breaks_the_pages_dates_is_reread() -> None:
    from vn_dispatch_parser.core.types import Line
    from vn_dispatch_parser.document.build import build_document

    text = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NAM
Số: 239/TTr-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Nam, ngày .... tháng 12 năm 2024
TỜ TRÌNH
Về việc phê duyệt kế hoạch
Thực hiện Công văn số 512/UBND-KT ngày 17/12/2024 của Ủy ban nhân dân tỉnh, Sở trình như sau.
Ký bởi: Ủy ban nhân dân tỉnh Quảng Nam
Thời gian ký: 20/12/2024 09:15:00"""
    lines = [Line(t, page=1) for t in text.splitlines()]

    def day(options: list[tuple[str, float]]) -> HandHints:
        return HandHints(day=HandReading(options[0][0], options[0][1], 1, None, options=tuple(options)))

    # "30" reads best, but the paper was signed on the 20th: the 3 was a 2
    doc = build_document(lines, hints=day([("30", 0.6), ("20", 0.3), ("10", 0.1)]))
    assert doc.issued_date == dt.date(2024, 12, 20) and "issued_date" in doc.needs_review
    # "18" fits (after the cited 17th, before the signature): kept as read
    doc = build_document(lines, hints=day([("18", 0.6), ("19", 0.3)]))
    assert doc.issued_date == dt.date(2024, 12, 18)
    # nothing the glyphs can spell fits: the reading stays, flagged by the consistency check
    doc = build_document(lines, hints=day([("30", 0.9), ("31", 0.1)]))
    assert doc.issued_date == dt.date(2024, 12, 30) and "issued_date" in doc.needs_review


def test_with_no_issue_day_the_stamp_date_keeps_to_the_printed_year() -> None:
    value = {"receiver": None, "number": None, "date_text": None, "date": None}
    # the day of the letter was not read, its year was (2018): "5/2/45" is no date of receipt
    _apply_stamp_hints(value, _hints([("5/2/45", 0.7), ("21/3/18", 0.2)]), None, 2018, 0.6)
    assert value["date"] == dt.date(2018, 3, 21)


@pytest.mark.parametrize(("receiver", "flagged"), [
    ("SỞ NỘI VỤ BẮC GIANG", False), ("CHI CỤC THUẾ KHU VỰC III", False),  # a Roman numeral is no misreading
    ("Sð NỘI VỤ BẮC GIANG", True), ("KHO BẠC jWHÀ NƯỚC KV XIV", True), ("BỆNH VIỆN ĐA KHOA NINH BÌN", True),
])
def test_a_receiver_with_a_word_no_name_holds_is_flagged(receiver: str, flagged: bool) -> None:
    from tests.conftest import CONG_VAN_TEXT
    from vn_dispatch_parser import parse_text

    doc = parse_text(f"{receiver}\nĐẾN Số: 1234\nNgày: 20/6/2025\n{CONG_VAN_TEXT}").documents[0]
    assert doc.incoming_stamp is not None and doc.incoming_stamp.number == "1234"
    assert ("incoming_stamp" in doc.needs_review) is flagged


def test_the_receiver_row_is_read_in_capitals_and_again_on_its_own_when_the_block_lost_it() -> None:
    from vn_dispatch_parser.core.types import Line
    from vn_dispatch_parser.scan.incoming_stamp import ROW_HEIGHT, _receiver, _reread_row

    mixed = [Line("| TRÙNG TÂM CÔNG BẢO & Tin HỌC Q.NGÃI:", conf=0.68)]  # small capitals read as small letters
    assert _receiver(mixed, lambda: pytest.fail("no second reading needed")) == (
        "TRÙNG TÂM CÔNG BẢO & TIN HỌC Q.NGÃI", 0.68)
    again = [Line("_ ĐẢNG ỦY CÁC CƠ QUAN TỈNH", conf=0.83)]
    assert _receiver([Line("th:", conf=0.9)], lambda: again) == ("ĐẢNG ỦY CÁC CƠ QUAN TỈNH", 0.83)
    assert _receiver([], lambda: [Line("ĐẢNG ỦY CÁC CƠ QUAN", conf=0.3)]) == (None, 0.0)  # noise: too unsure
    assert _receiver([Line("so và ký hiệu", conf=0.9)], list) == (None, 0.0)  # not the capitals' row

    class Seen:  # what the engine is given: the row, its ink scaled up to ROW_HEIGHT
        shape: tuple[int, ...] = ()

        def recognize(self, image: np.ndarray, **_: object) -> object:
            from vn_dispatch_parser.core.types import OcrPage

            Seen.shape = image.shape
            return OcrPage(page_no=1, width=image.shape[1], height=image.shape[0], words=[], lines=[])

    row = np.full((20, 200), 255, np.uint8)
    row[6:18, 10:190] = 0  # 12 px of ink
    assert _reread_row(Seen(), row, 1) == []  # type: ignore[arg-type]
    assert Seen.shape == (20 * 4 + 40, 200 * 4 + 40)  # ROW_HEIGHT / 12 px = 4x, a 20 px margin
    assert ROW_HEIGHT / 12 == 4


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_a_stamp_pressed_with_its_frame_through_the_name_keeps_the_name(shared: Path) -> None:
    """A real 2018 ĐẾN stamp whose top rule runs through the receiver's name (found as the frame's top)."""
    from vn_dispatch_parser.image.load import iter_pages
    from vn_dispatch_parser.image.prep import prepare_page
    from vn_dispatch_parser.ocr.capi import default_engine
    from vn_dispatch_parser.scan.stamps import incoming_stamp_box

    path = next((shared / "real").glob("2352 (*.pdf"))
    page = next(iter(iter_pages(path)))
    prep = prepare_page(page)
    box = incoming_stamp_box(prep.marks, [], prep.image.shape[0], prep.dpi)
    assert box is not None
    got = read_den_stamp(prep.image, box, default_engine(), 1, prep.dpi)
    assert got.receiver is not None and got.receiver.endswith("TIN HỌC Q.NGÃI")


@pytest.mark.parametrize(("read", "receiver"), [
    ("TRƯỜNG ĐẠI HỌC QUY NHƠN Ô", "TRƯỜNG ĐẠI HỌC QUY NHƠN"),  # a speck after the name read as a letter
    ("Ì ĐẢNG ỦY CÁC CƠ QUAN TÍNH", "ĐẢNG ỦY CÁC CƠ QUAN TỈNH"),  # one before it; a name ends with its level
    ("TRUNG TÂM Y TẾ TP, THUẬN AN", "TRUNG TÂM Y TẾ TP. THUẬN AN"),  # the level's stop read as a comma
    ("CHI CỤC THUẾ KHU VỰC V", "CHI CỤC THUẾ KHU VỰC V"),  # a Roman numeral is the name's
    ("BẰNG ỦY CÁC CƠ QUAN TỈNH", "ĐẢNG ỦY CÁC CƠ QUAN TỈNH"),  # the head of a body's name, one letter misread
    ("S3 TƯ PHÁP TỈNH NGHỆ AN", "SỞ TƯ PHÁP TỈNH NGHỆ AN"),  # a one-word head, from a word that is no syllable
    ("BAN QUẢN LÝ DỰ ÁN", "BAN QUẢN LÝ DỰ ÁN"),  # a head as printed stays
])
def test_a_receivers_specks_and_misread_stops_are_cleaned(read: str, receiver: str) -> None:  # issue 12, class 1
    value = {"receiver": None, "number": None, "date_text": None, "date": None}
    _apply_stamp_hints(value, replace(_hints([("13/12/25", 0.95)]), stamp_receiver=read), dt.date(2025, 12, 8), 2025, 0.9)
    assert value["receiver"] == receiver
