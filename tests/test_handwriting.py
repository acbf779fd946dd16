"""Hand-written digit reader: synthetic regions with printed clutter, blanks, the model file, one real scan."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from vn_dispatch_parser.core.types import BBox, Line, OcrWord, Zone
from vn_dispatch_parser.image.digits import (
    MODEL_FILE,
    DigitReading,
    glyph_to_input,
    load_digit_model,
    model_path,
    read_handwritten_day,
    read_handwritten_digits,
    read_handwritten_int,
    read_handwritten_month,
    second_readings,
)

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "real"

PRINT = cv2.FONT_HERSHEY_COMPLEX
HAND = cv2.FONT_HERSHEY_SCRIPT_SIMPLEX  # OpenCV's built-in script face stands in for a pen


def number_line(
    digits: str, ink: tuple[int, int, int], *, leader: bool = False, gap: int = 0
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A "So: ____ /UBND-VP" line with ``digits`` written in the blank; returns the image and the blank."""
    img = np.full((160, 760, 3), 250, np.uint8)
    cv2.putText(img, "So:", (20, 100), PRINT, 1.6, (30, 30, 30), 2, cv2.LINE_AA)
    (tw, _), _ = cv2.getTextSize("So:", PRINT, 1.6, 2)
    x0 = 20 + tw + 8
    x1 = x0 + 340
    if leader:
        for x in range(x0, x1 - 10, 9):
            cv2.circle(img, (x, 103), 2, (30, 30, 30), -1)
    x = x0 + 30
    for ch in digits:
        cv2.putText(img, ch, (x, 98), HAND, 2.0, ink, 3, cv2.LINE_AA)
        (cw, _), _ = cv2.getTextSize(ch, HAND, 2.0, 3)
        x += cw + gap
    cv2.putText(img, "/UBND-VP", (x1, 100), PRINT, 1.6, (30, 30, 30), 2, cv2.LINE_AA)
    # the printed line above grazes the region's top
    cv2.putText(img, "UY BAN NHAN DAN", (60, 38), PRINT, 1.0, (30, 30, 30), 2, cv2.LINE_AA)
    return img, (x0, 40, x1, 125)


@pytest.mark.parametrize(
    ("digits", "ink", "kind"),
    [
        ("2715", (200, 60, 20), "colour"),  # blue ballpoint (BGR)
        ("0348", (40, 40, 200), "colour"),  # red
        ("5690", (25, 25, 25), "dark"),  # black, on a dotted leader
        ("96", (25, 25, 25), "dark"),
    ],
)
def test_reads_digits_written_in_the_blank(digits: str, ink: tuple[int, int, int], kind: str) -> None:
    img, region = number_line(digits, ink, leader=kind == "dark")
    r = read_handwritten_digits(img, region, witness=None)
    assert isinstance(r, DigitReading)
    assert r.text == digits
    assert r.ink == kind
    assert r.conf > 0.5
    assert [d for d, _ in r.per_digit] == list(digits)
    assert r.bbox is not None
    x0, y0, x1, y1 = r.bbox
    assert region[0] - 10 <= x0 < x1 <= region[2] + 10


@pytest.mark.parametrize("digits", ["20", "85", "13"])
def test_touching_digits_are_split(digits: str) -> None:
    img, region = number_line(digits, (25, 25, 25), gap=-9)  # the two glyphs overlap: one component
    r = read_handwritten_digits(img, region, witness=None)
    assert r.text == digits


def test_grey_image_and_regions_in_image_coordinates() -> None:
    img, (x0, y0, x1, y1) = number_line("307", (25, 25, 25))
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    big = np.full((600, 1200), 250, np.uint8)
    big[300:460, 200:960] = grey
    r = read_handwritten_digits(big, (x0 + 200, y0 + 300, x1 + 200, y1 + 300), witness=None)
    assert r.text == "307"
    assert r.bbox is not None and r.bbox[1] >= 300


def test_tall_region_with_printed_lines_above_and_below() -> None:
    img, (x0, _, x1, _) = number_line("4821", (25, 25, 25))
    img = cv2.copyMakeBorder(img, 0, 60, 0, 0, cv2.BORDER_CONSTANT, value=(250, 250, 250))
    cv2.putText(img, "V/v cong bo Danh muc", (x0, 170), PRINT, 1.2, (30, 30, 30), 2, cv2.LINE_AA)
    for row in (None, (62, 102)):  # row: the y-range of the "So:" word
        r = read_handwritten_digits(img, (x0, 0, x1, 200), witness=None, row=row)
        assert r.text == "4821"


def test_blank_region_reads_nothing() -> None:
    img = np.full((200, 400, 3), 245, np.uint8)
    r = read_handwritten_digits(img, (50, 50, 350, 150))
    assert (r.text, r.conf, r.per_digit, r.bbox) == ("", 0.0, [], None)
    # paper grain and a couple of specks are not digits either
    rng = np.random.default_rng(0)
    noisy = np.clip(img.astype(np.int16) + rng.integers(-12, 12, img.shape), 0, 255).astype(np.uint8)
    cv2.circle(noisy, (120, 100), 2, (40, 40, 40), -1)
    cv2.circle(noisy, (260, 90), 1, (40, 40, 40), -1)
    r = read_handwritten_digits(noisy, (50, 50, 350, 150), witness=None)
    assert (r.text, r.conf) == ("", 0.0)
    # a degenerate region
    assert read_handwritten_digits(img, (10, 10, 12, 12)).text == ""


def test_printed_letters_alone_are_not_read_as_digits() -> None:
    img = np.full((160, 500, 3), 250, np.uint8)
    cv2.putText(img, "ngay", (20, 100), PRINT, 1.6, (30, 30, 30), 2, cv2.LINE_AA)
    cv2.putText(img, "thang", (300, 100), PRINT, 1.6, (30, 30, 30), 2, cv2.LINE_AA)
    r = read_handwritten_digits(img, (160, 40, 300, 125), witness=None)
    assert r.text == ""


def test_day_and_month_are_range_checked() -> None:
    img, region = number_line("18", (200, 60, 20))
    assert read_handwritten_day(img, region, witness=None).text == "18"
    img, region = number_line("07", (200, 60, 20))
    assert read_handwritten_month(img, region, witness=None).text == "07"
    img, region = number_line("96", (200, 60, 20))
    day = read_handwritten_day(img, region, witness=None)
    assert day.text == "" or 1 <= int(day.text) <= 31
    assert day.conf < 0.5


def test_model_file_matches_manifest_and_loads() -> None:
    path = model_path()
    assert path.name == MODEL_FILE and path.exists()
    lines = [ln.split() for ln in (path.parent / "MANIFEST").read_text().splitlines()]
    entry = [ln for ln in lines if ln and ln[0] == MODEL_FILE]
    assert len(entry) == 1
    assert entry[0][-1] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert path.stat().st_size < 2 * 1024 * 1024
    model = load_digit_model()
    assert model.sha256 == entry[0][-1]
    probs = model.predict_proba(np.zeros((2, 784), np.float32))
    assert probs.shape == (2, 11)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_glyph_normalisation_is_scale_free() -> None:
    small = np.zeros((30, 20), np.uint8)
    cv2.putText(small, "7", (2, 26), PRINT, 0.9, 255, 2)
    big = cv2.resize(small, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
    a, b = glyph_to_input(small), glyph_to_input(big)
    assert a.shape == (784,) and a.max() <= 1.0 + 1e-5
    assert float(np.abs(a - b).mean()) < 0.06


@pytest.mark.skipif(
    not (REAL / "299 UB.signed_20250510_124908.pdf").exists() or shutil.which("pdftoppm") is None,
    reason="needs ../shared/real and poppler",
)
@pytest.mark.parametrize(
    ("name", "box", "truth"),
    [
        # page-1 pixels at 300 dpi: the blank after "Số:" / after "ngày"
        ("86 QĐ CT.signed_20250510_124908.pdf", (543, 340, 691, 440), "86"),
        ("239 TTr.signed_20250219_095936.pdf", (500, 440, 652, 545), "239"),
        ("299 UB.signed_20250510_124908.pdf", (1643, 420, 1744, 530), "15"),
    ],
)
def test_real_scan(tmp_path: Path, name: str, box: tuple[int, int, int, int], truth: str) -> None:
    pad = 80
    x, y = box[0] - pad, box[1] - pad
    w, h = box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad
    out = tmp_path / "crop"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "300",
            "-f",
            "1",
            "-l",
            "1",
            "-x",
            str(x),
            "-y",
            str(y),
            "-W",
            str(w),
            "-H",
            str(h),
            "-png",
            "-singlefile",
            str(REAL / name),
            str(out),
        ],
        check=True,
        timeout=60,
    )
    img = cv2.imread(str(out) + ".png")
    region = (pad, pad, pad + box[2] - box[0], pad + box[3] - box[1])
    r = read_handwritten_digits(img, region, witness=None)
    assert r.text == truth
    assert r.conf > 0.5


def _so_line(*words: tuple[str, int, int]) -> Line:
    ws = tuple(OcrWord(t, 0.9, BBox(x0, 100, x1, 140)) for t, x0, x1 in words)
    return Line(" ".join(w.text for w in ws), page=1, bbox=BBox(ws[0].bbox.x0, 100, ws[-1].bbox.x1, 140),
                conf=0.9, words=ws, zone=Zone.HEADER_LEFT)


@pytest.mark.parametrize(("words", "x1_min", "printed"), [
    # the hand-written 1 of "1708" slants like a slash: the blank runs to the "/" before the ký hiệu
    ((("Số:", 100, 160), ("'/..'//STNMTQLĐĐ", 200, 700)), 300, "'/..'/"),
    # a plain blank, and a VBQPPL number whose "/" before the year starts the ký hiệu
    ((("Số:", 100, 160), ("/UBND-KT", 260, 420)), 240, None),
    ((("Số:", 100, 160), ("/2024/QĐ-UBND", 300, 560)), 280, None),
])
def test_number_blank_ends_at_the_slash_before_the_symbol(words: tuple[tuple[str, int, int], ...], x1_min: int,
                                                           printed: str | None) -> None:
    from vn_dispatch_parser.scan.hints import _number_region

    found = _number_region(_so_line(*words))
    assert found is not None
    (x0, _, x1, _), got = found
    assert x0 == 160 and x1 >= x1_min and got == printed


def _date_line(*words: tuple[str, int, int]) -> Line:
    ws = tuple(OcrWord(t, c, BBox(x0, 100, x1, 140)) for t, x0, x1, c in
               ((t, x0, x1, 0.5 if t.startswith("ngày") else 0.95) for t, x0, x1 in words))
    return Line(" ".join(w.text for w in ws), page=1, bbox=BBox(ws[0].bbox.x0, 100, ws[-1].bbox.x1, 140),
                conf=0.9, words=ws, zone=Zone.HEADER_RIGHT)


@pytest.mark.parametrize(("words", "x0_max"), [
    # a plain blank: it starts where "ngày" ends (not where the OCR's next word starts), a little before
    ((("Hà", 100, 150), ("Nội,", 160, 240), ("ngày", 250, 330), ("|]", 380, 400), ("tháng", 440, 540)), 330),
    # "31" written against "ngày": the OCR box of "ngày" runs over the 3; the blank starts where a
    # four-letter word of this line ends
    ((("Hà", 100, 150), ("Nội,", 160, 240), ("ngày", 250, 380), ("lô", 385, 400), ("tháng", 440, 540)), 345),
])
def test_day_blank_starts_where_the_printed_word_ends(words: tuple[tuple[str, int, int], ...], x0_max: int) -> None:
    from vn_dispatch_parser.scan.hints import _NGAY, _THANG, _between

    found = _between(_date_line(*words), _NGAY, _THANG)
    assert found is not None
    (x0, _, x1, _), _printed = found
    assert 300 <= x0 <= x0_max and x1 == 440


def test_a_digit_broken_in_two_is_read_whole() -> None:
    # the bitonal sample breaks the 9 of its hand-written "791" into loop and stem; read apart they were
    # "61" (both doubtful), read together a 9
    img = cv2.imread(str(ROOT / "samples" / "cv_017_heavy.png"))
    r = read_handwritten_digits(img, (254, 162, 354, 236), witness=None)
    assert r.text == "791"


def test_a_digit_whose_part_touches_its_neighbour_is_cut_with_the_row() -> None:
    # a synthetic scan's "15" (seed 4242): the 5's flag touches the 1 and its bowl is a component apart, so
    # the group of the 1 read as no digit and was dropped ("5"); the row cut as a whole reads both
    img = cv2.imread(str(Path(__file__).parent / "data" / "day_15_flag_touching.png"))
    assert read_handwritten_digits(img, (60, 30, 139, 119), max_digits=2, row=(62, 98), witness=None).text == "15"


def test_a_day_is_read_as_two_digits_when_its_ink_can_be_cut_so() -> None:  # issue 12, class 4: '15' read '6'
    # a synthetic scan's day (seed 5151, heavy): a 1 slanted back ("\\") touching the 5 reads whole as one 6;
    # a day has two digits (nd30.md §2.3, "ngày 05"), so the cut into two (1 and 5) is weighed against it
    img = cv2.imread(str(Path(__file__).parent / "data" / "day_15_slanted_one.png"))
    blank, row = (49, 69, 119, 145), (83, 131)
    assert read_handwritten_day(img, blank, row=row, witness=None).text == "15"
    # without the rule (a month has one digit or two) the whole ink reads as one 6
    assert read_handwritten_int(img, blank, lo=1, hi=31, max_digits=2, row=row, witness=None).text == "6"


def test_a_day_written_short_stays_one_digit() -> None:
    img, region = number_line("7", (25, 25, 25))  # "ngày 7", against the rule: the one digit is not cut
    assert read_handwritten_day(img, region, witness=None).text == "7"


@pytest.mark.parametrize(("ink_height", "capped"), [(7, True), (20, False)])
def test_ink_much_shorter_than_the_printed_row_is_a_fragment(monkeypatch, ink_height: int, capped: bool) -> None:  # type: ignore[no-untyped-def]
    """A "14" whose "4" was too faint reads "1" from a 7-pixel scrap on a 28-pixel row: flagged, not trusted."""
    import vn_dispatch_parser.image.digits as digits
    from vn_dispatch_parser.config import CONF
    from vn_dispatch_parser.image.digits.read import DigitReading
    from vn_dispatch_parser.scan import hints

    def fake(img, region, **kw):  # type: ignore[no-untyped-def]
        return DigitReading(text="1", conf=0.81, per_digit=[("1", 0.81)], bbox=(580, 144, 586, 144 + ink_height))

    monkeypatch.setattr(digits, "read_handwritten_int", fake)
    line = Line("Phú Quốc, ngày ế tháng 6 năm 2024", page=1, bbox=BBox(441, 138, 744, 166), zone=Zone.HEADER_RIGHT)
    got = hints._read(np.zeros((300, 800), np.uint8), ((557, 113, 609, 182), "ế"), line, 2, 1, 31)
    assert got is not None and got.text == "1"
    assert (got.conf <= CONF.hand_fragment_cap) == capped


@pytest.mark.parametrize(("text", "capped"), [("1", True), ("7", False), ("16", False)])
def test_a_day_read_as_a_lone_stroke_is_doubted(monkeypatch, text: str, capped: bool) -> None:  # type: ignore[no-untyped-def]
    """A "16" whose "6" the ink separation lost reads "1", one straight stroke: flagged, not trusted."""
    import vn_dispatch_parser.image.digits as digits
    from vn_dispatch_parser.config import CONF
    from vn_dispatch_parser.image.digits.read import DigitReading
    from vn_dispatch_parser.scan import hints

    def fake(img, region, **kw):  # type: ignore[no-untyped-def]
        return DigitReading(text=text, conf=0.95, per_digit=[(c, 0.95) for c in text], bbox=(580, 140, 596, 166))

    monkeypatch.setattr(digits, "read_handwritten_int", fake)
    line = Line("Sóc Trăng, ngày ế tháng 8 năm 2022", page=1, bbox=BBox(441, 138, 744, 166), zone=Zone.HEADER_RIGHT)
    got = hints._read(np.zeros((300, 800), np.uint8), ((557, 113, 609, 182), "ế"), line, 2, 1, 31)
    assert got is not None and got.text == text
    assert (got.conf <= CONF.hand_lone_stroke_cap) == capped


def test_second_readings_hand_the_blank_to_the_engines_digit_reader() -> None:
    """Two images go to the digit reader, the blank as printed and the cleaned ink, each 48 px high on a
    white margin; empty answers are left out."""
    img, region = number_line("2715", (200, 60, 20))
    seen: list[np.ndarray] = []

    def reader(image: np.ndarray) -> tuple[str, float] | None:
        seen.append(image)
        return ("2715", 0.9) if len(seen) == 1 else ("", 0.0)

    assert second_readings(img, region, (70, 105), reader) == ("2715",)
    assert len(seen) == 2
    for image in seen:
        assert image.ndim == 2 and image.shape[0] == 48 + 40 and image[:20].min() == 255


def test_a_digit_glued_to_the_label_or_the_slash_stays_in_the_blank() -> None:  # issue 12, class 4
    """The OCR read "số:2" and "5/UBND-KT" as words: the label's end and the slash, placed in proportion to
    those words' characters, fall inside the wide hand-written 2 and 5; the colon's two dots and the slash's
    stroke, found in the ink, bound the blank instead."""
    from vn_dispatch_parser.scan.hints import _glued, _number_region

    img = np.full((200, 520, 3), 255, np.uint8)
    cv2.putText(img, "So", (100, 135), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    for cy in (119, 133):  # the colon
        cv2.circle(img, (148, cy), 2, (0, 0, 0), -1)
    cv2.putText(img, "2", (152, 138), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.2, (150, 40, 0), 3)
    cv2.putText(img, "5", (300, 138), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.2, (150, 40, 0), 3)
    cv2.line(img, (338, 138), (348, 112), (0, 0, 0), 2)  # the printed slash
    cv2.putText(img, "UBND-KT", (352, 136), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 2)
    line = _so_line(("số:2", 100, 180), ("5/UBND-KT", 300, 440))
    found = _number_region(line)
    assert found is not None and found[0][0] > 152 and found[0][2] < 326  # the proportional guesses cut both
    (x0, _, x1, _), printed = _glued(img, line, found)
    assert 149 <= x0 <= 153 and 330 <= x1 <= 339 and printed == found[1]
    plain = _so_line(("Số:", 100, 150), ("/UBND-KT", 336, 440))  # nothing glued: the blank as found
    assert _glued(img, plain, _number_region(plain)) == _number_region(plain)


def test_a_blank_that_cuts_through_a_hand_written_digit_ends_after_it() -> None:  # issue 12, class 4: 377 read 37
    """The OCR glued "377" to its ký hiệu and the blurred "/" runs into the letters after it (no slash stroke
    of its own): the blank's end, placed in proportion to the word's characters, cuts the last 7, so the blank
    runs on to that digit's end, and no further (the shorter print after it is not hand-writing)."""
    from vn_dispatch_parser.core.types import BBox
    from vn_dispatch_parser.scan.hints import _through

    img = np.full((80, 400, 3), 255, np.uint8)
    cv2.line(img, (100, 20), (118, 20), (150, 40, 0), 3)  # a tall hand-written 7, 20-52
    cv2.line(img, (118, 20), (106, 52), (150, 40, 0), 3)
    cv2.rectangle(img, (130, 30), (220, 51), (0, 0, 0), -1)  # the print, blurred into one piece, 30-51
    box = BBox(60, 19, 240, 53)
    assert 120 <= _through(img, box, 110) <= 123  # inside the 7: to its end (its stroke is 3 px wide)
    assert _through(img, box, 150) == 150  # inside the print: left alone
    assert _through(img, box, 125) == 125  # between the two: left alone


def test_the_printed_slash_starts_a_word() -> None:  # issue 12, class 4: '816' read '8'
    """Hand-writing read as a slash and capitals ("_/ZÏZ") before the printed "/UBND-KTTH": the blank runs to
    the "/" that starts a word, the printed one after the blank's gap."""
    from vn_dispatch_parser.scan.hints import _number_region

    found = _number_region(_so_line(("Số:", 100, 160), ("_/ZÏZ", 180, 300), ("/UBND-KTTH", 320, 520)))
    assert found is not None and found[0][2] > 300 and found[1] == "_/ZÏZ"


@pytest.mark.parametrize(("second", "read"), [
    ("small 0", "10"),  # a 0 written at half the height of the long slanted 1 before it: a digit
    ("comma", "1"),  # a comma after the 1: clutter
])
def test_a_small_digit_after_a_long_one_is_kept_and_a_comma_is_not(second: str, read: str) -> None:
    img = np.full((120, 200), 255, np.uint8)
    cv2.line(img, (80, 40), (88, 82), 0, 3)  # the 1: 42 px, slanted
    if second == "small 0":
        cv2.ellipse(img, (106, 72), (7, 10), 0, 0, 360, 0, 2)  # 22 px tall
    else:
        cv2.line(img, (100, 78), (97, 90), 0, 3)
    assert read_handwritten_day(img, (60, 30, 140, 95)).text == read
