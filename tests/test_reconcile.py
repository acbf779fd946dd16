"""The signature block decided in the document stage from the page's lines and crops read again."""

from __future__ import annotations

from vn_dispatch_parser.core.types import BBox, Layout, Line, Zone
from vn_dispatch_parser.document.reconcile import (
    find_name,
    find_surname,
    reconcile_signature,
    reread_block,
    reread_name,
    rescue_title,
)


class Crops:
    """A CropReader that answers from a list of lines on the page and records what it was asked."""

    width, height = 1654, 2339

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.asked: list[tuple[int, int, int, int]] = []

    def read(self, x0: int, y0: int, x1: int, y1: int, *, layout: Layout = Layout.BLOCK) -> list[Line] | None:
        self.asked.append((x0, y0, x1, y1))
        if x1 <= x0 or y1 <= y0:
            return None
        return [ln for ln in self.lines
                if ln.bbox is not None and x0 <= ln.bbox.cx <= x1 and y0 <= ln.bbox.cy <= y1]


def sig(text: str, y: int, conf: float = 90.0) -> Line:
    return Line(text, bbox=BBox(1000, y, 1400, y + 40), conf=conf, zone=Zone.SIGNATURE)


BODY = Line("Đề nghị các đơn vị thực hiện.", bbox=BBox(200, 1500, 1400, 1540), conf=90.0, zone=Zone.BODY)


def test_find_name_adds_the_name_lost_under_the_titles() -> None:
    lines = [BODY, sig("KT. CHỦ TỊCH", 1700), sig("PHÓ CHỦ TỊCH", 1750)]
    crops = Crops([sig("Nguyễn Văn An", 2000)])
    out = find_name(lines, crops)
    assert [ln.text for ln in out][-1] == "Nguyễn Văn An"
    assert out[-1].zone is Zone.SIGNATURE and out[-1].conf == 90.0 * 0.9  # read again: less sure
    assert crops.asked and crops.asked[0][1] == 1790  # below the titles


def test_find_name_keeps_the_page_when_the_crop_reads_nothing_useful() -> None:
    lines = [BODY, sig("KT. CHỦ TỊCH", 1700), sig("PHÓ CHỦ TỊCH", 1750)]
    assert find_name(lines, Crops([sig("~~ ,", 2000)])) == lines
    assert find_name(lines, Crops([])) == lines


def test_a_complete_block_is_not_read_again() -> None:
    lines = [BODY, sig("KT. CHỦ TỊCH", 1700), sig("PHÓ CHỦ TỊCH", 1750), sig("Nguyễn Văn An", 2000)]
    crops = Crops([sig("Trần Thị Bình", 2000)])
    assert reconcile_signature(lines, crops) == lines  # another name read on the name line is not taken
    assert crops.asked == [(960, 1987, 1440, 2053)]  # only the name line, read again alone


def test_rescue_title_reads_the_title_a_seal_hid() -> None:
    lines = [BODY, sig("Nguyễn Văn An", 2000)]
    crops = Crops([sig("CHỦ TỊCH", 1800)])
    out = rescue_title(lines, crops)
    assert [ln.text for ln in out] == [BODY.text, "CHỦ TỊCH", "Nguyễn Văn An"]
    assert out[-1].conf == 90.0 * 0.8  # the name under the same ink is doubted


def test_reread_block_keeps_the_better_reading_only() -> None:
    garbled = [BODY, sig("KT. CHU TlCH", 1700), sig("Ng~yên V4n", 2000)]
    better = Crops([sig("KT. CHỦ TỊCH", 1700), sig("PHÓ CHỦ TỊCH", 1750), sig("Nguyễn Văn An", 2000)])
    out = reread_block(garbled, better)
    assert "Nguyễn Văn An" in [ln.text for ln in out] and out[0] == BODY
    worse = Crops([sig("~~", 1700)])
    assert reread_block(garbled, worse) == garbled


def test_an_empty_crop_changes_nothing() -> None:
    class Empty(Crops):
        def read(self, x0: int, y0: int, x1: int, y1: int, *, layout: Layout = Layout.BLOCK) -> list[Line] | None:
            return None

    lines = [BODY, sig("KT. CHỦ TỊCH", 1700), sig("PHÓ CHỦ TỊCH", 1750)]
    assert reconcile_signature(lines, Empty([])) == lines


class LineCrops(Crops):
    """Answers a one-line re-read of the name with ``again``."""

    def __init__(self, again: str) -> None:
        super().__init__([])
        self.again = again
        self.layouts: list[Layout] = []

    def read(self, x0: int, y0: int, x1: int, y1: int, *, layout: Layout = Layout.BLOCK) -> list[Line] | None:
        self.layouts.append(layout)
        return [Line(self.again, bbox=BBox(x0, y0, x1, y1), conf=80.0)]


def test_reread_name_keeps_the_line_reading_of_the_same_name() -> None:
    titles = [BODY, sig("KT. CHỦ TỊCH", 1700), sig("PHÓ CHỦ TỊCH", 1750)]
    for page, again, kept in [("Trần Phước Hiên", "Trần Phước Hiền", "Trần Phước Hiền"),  # marks confused
                              ("Trần À Hoàng Tuân Ấ", "Trần Hoàng Tuấn", "Trần Hoàng Tuấn"),  # stray letters
                              ("Trần Phước Hiền", "Lê Phước Hiền", "Trần Phước Hiền"),  # another name: not taken
                              ("Trung tá Nguyễn Văn An", "Nguyễn Văn Ân", "Trung tá Nguyễn Văn An")]:  # a rank
        crops = LineCrops(again)
        out = reread_name([*titles, sig(page, 2000)], crops)
        assert out[-1].text == kept, page
        assert crops.layouts == [Layout.LINE]
        assert out[:-1] == titles
    out = reread_name([*titles, sig("Trần Phước Hiên", 2000, conf=80.0)], LineCrops("Trần Phước Hiền"))
    assert out[-1].conf == 80.0 * 0.9  # read again: less sure


def test_find_surname_reads_the_name_line_further_left() -> None:  # issue 12, class 2: a surname lost
    titles = [BODY, sig("TL. BỘ TRƯỞNG", 1700), sig("CHÁNH VĂN PHÒNG", 1750)]
    for page, again, kept in [("Bá Thắng", "__—hạm Bá Thắng", "Phạm Bá Thắng"),  # its first letter under the seal
                              ("Hồng Hương", "HNIN Tạ Hồng Hương", "Tạ Hồng Hương"),  # the seal's rim read too
                              ("Bá Thắng", "và Bá Thắng", "Bá Thắng"),  # no surname: as read
                              ("Bá Thắng", "Phạm Bá Thành", "Bá Thắng"),  # another name: not taken
                              ("Nguyễn Văn An", "Lê Nguyễn Văn An", "Nguyễn Văn An")]:  # a surname already: no crop
        crops = LineCrops(again)
        out = find_surname([*titles, sig(page, 2000)], crops)
        assert out[-1].text == kept, page
        assert out[:-1] == titles
        assert crops.layouts == ([] if page.startswith("Nguyễn") else [Layout.LINE])
