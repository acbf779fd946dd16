"""The signature block decided in the document stage from the page's lines and crops read again."""

from __future__ import annotations

from vn_dispatch_parser.core.types import BBox, Layout, Line, Zone
from vn_dispatch_parser.document.reconcile import (
    find_block,
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


def _listed(text: str, y: int) -> Line:
    return Line(text, bbox=BBox(150, y, 700, y + 40), conf=90.0, zone=Zone.RECIPIENTS)


def test_find_block_reads_a_block_the_page_lost_beside_the_noi_nhan_list() -> None:  # class 5: a level lost
    listed = [_listed("Nơi nhận:", 1700), _listed("- Như trên;", 1745), _listed("- Lưu: VT, VP.", 1790)]
    lines = [BODY, *listed]
    crops = Crops([sig("KT. GIÁM ĐỐC", 1700), sig("PHÓ GIÁM ĐỐC", 1745), sig("Nguyễn Văn An", 2000)])
    out = find_block(lines, crops)
    assert [ln.text for ln in out] == [ln.text for ln in lines] + ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"]
    assert all(ln.zone is Zone.SIGNATURE for ln in out[len(lines):])
    x0, y0, _, y1 = crops.asked[0]
    assert x0 >= 700 and y0 <= 1700 and y1 >= 2040  # right of the list, from the label's row down past the name
    assert find_block(lines, Crops([sig("~ ,", 1800)])) == lines  # no title, no name: nothing is added
    assert find_block([*lines, sig("GIÁM ĐỐC", 1700)], crops) == [*lines, sig("GIÁM ĐỐC", 1700)]  # a block read


class BlockLineCrops(Crops):
    """A block reading that splits the name into words, a one-line reading that has it whole."""

    def read(self, x0: int, y0: int, x1: int, y1: int, *, layout: Layout = Layout.BLOCK) -> list[Line] | None:
        self.asked.append((x0, y0, x1, y1))
        if layout is Layout.LINE:
            return [Line("“Mai Thị Thư", bbox=BBox(1050, 2000, 1300, 2040), conf=80.0)]
        return [Line("Thị", bbox=BBox(1120, 2002, 1180, 2038), conf=70.0),
                Line("Thư", bbox=BBox(1190, 2002, 1250, 2038), conf=70.0)]


def test_find_name_reads_the_name_row_again_as_one_line() -> None:  # class 2: a surname lost under the signature
    lines = [BODY, sig("TL. CHỦ TỊCH", 1700), sig("CHÁNH VĂN PHÒNG", 1750), sig("l s01", 1990)]
    out = find_name(lines, BlockLineCrops([]))
    assert out[-1].text == "Mai Thị Thư" and out[-1].zone is Zone.SIGNATURE  # the scrap's place does not block it
    assert "l s01" not in [ln.text for ln in out]  # the scrap was that name's ink misread: the reading replaces it


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
        # the near crop first, then the wide one when the near one gave no surname
        tries = 0 if page.startswith("Nguyễn") else 1 if kept != page else 2
        assert crops.layouts == [Layout.LINE] * tries


class NearWideCrops(Crops):
    """Answers a one-line re-read by how far left of the name line (x0 1000) the crop reaches."""

    def __init__(self, near: str, wide: str) -> None:
        super().__init__([])
        self.near, self.wide = near, wide

    def read(self, x0: int, y0: int, x1: int, y1: int, *, layout: Layout = Layout.BLOCK) -> list[Line] | None:
        self.asked.append((x0, y0, x1, y1))
        return [Line(self.near if x0 >= 1000 - 40 else self.wide, bbox=BBox(x0, y0, x1, y1), conf=80.0)]


def test_find_surname_takes_the_near_reading_when_the_wide_one_reads_the_seal() -> None:  # class 2
    titles = [BODY, sig("KT. BỘ TRƯỞNG", 1700), sig("THỨ TRƯỞNG", 1750)]
    # the wide crop takes in the seal's rim, which hides the surname; the near one reads it without its mark:
    # it is kept in the letters read, for the name tables to restore (and a person to check)
    out = find_surname([*titles, sig("Quốc Cường", 2000)], NearWideCrops("ta Quốc Cường", "` Quốc Cường"))
    assert out[-1].text == "Ta Quốc Cường"
    doc = reconcile_signature([*titles, sig("Quốc Cường", 2000)], NearWideCrops("ta Quốc Cường", "` Quốc Cường"))
    assert doc[-1].text == "Ta Quốc Cường"


def test_a_name_after_scraps_of_the_seal_is_read_again() -> None:  # class 2: '" XŠ Hồng Hương'
    titles = [BODY, sig("KT. CHỦ TỊCH", 1700), sig("PHÓ CHỦ TỊCH", 1750)]
    crops = NearWideCrops("` 54mg Hương", "HNIN Tạ Hồng Hương")
    out = find_surname([*titles, sig('" XŠ Hồng Hương', 2000)], crops)
    assert out[-1].text == "Tạ Hồng Hương" and len(crops.asked) == 2
