"""Tests for page preprocessing (preprocess.py) and coloured ink / seals (ink.py) on small synthetic pages.

Pages are drawn at 100–150 dpi with OpenCV so the whole module runs in a few seconds; the real-scan
measurements are in the preprocessing report, not here.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from vn_dispatch_parser.core.types import BBox, PageText
from vn_dispatch_parser.image import frames, ink, preprocess

DPI = 150
WORDS = ["Quyet", "dinh", "ban", "hanh", "Ky", "thuat", "Thong", "bao", "Giao", "duc", "Hoc", "sinh", "Bo"]
RED = (40, 40, 220)  # BGR
BLUE = (200, 60, 20)
BLACK = (0, 0, 0)


def px(mm: float, dpi: int = DPI) -> int:
    return int(round(mm * dpi / 25.4))


def blank_page(dpi: int = DPI, colour: bool = True) -> np.ndarray:
    h, w = px(297, dpi), px(210, dpi)
    return np.full((h, w, 3) if colour else (h, w), 250, np.uint8)


def text_page(dpi: int = DPI, lines: int = 30, seed: int = 1) -> np.ndarray:
    """A colour A4 page with body text: mixed case words, 7 mm line pitch, 30 mm left margin."""
    rng = np.random.default_rng(seed)
    img = blank_page(dpi)
    scale = dpi / 300
    for i in range(lines):
        words = rng.choice(WORDS, size=8)
        y = px(40 + i * 7, dpi)
        cv2.putText(img, " ".join(words), (px(30, dpi), y), cv2.FONT_HERSHEY_COMPLEX, 1.3 * scale, BLACK, 2, cv2.LINE_AA)
    return img


def draw_seal(img: np.ndarray, centre: tuple[int, int], dpi: int = DPI, colour: tuple[int, int, int] = RED) -> None:
    """A 38 mm seal: double rim, rim text, a star; drawn in ``colour``."""
    r = px(19, dpi)
    cv2.circle(img, centre, r, colour, max(2, px(0.6, dpi)), cv2.LINE_AA)
    cv2.circle(img, centre, int(r * 0.93), colour, max(1, px(0.3, dpi)), cv2.LINE_AA)
    for k in range(14):  # rim letters
        a = 2 * np.pi * k / 14
        p = (int(centre[0] + 0.8 * r * np.cos(a)) - 6, int(centre[1] + 0.8 * r * np.sin(a)) + 6)
        cv2.putText(img, "UBND"[k % 4], p, cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 2)
    cv2.drawMarker(img, centre, colour, cv2.MARKER_STAR, px(10, dpi), 3)


# --- coloured ink ---------------------------------------------------------------------------------


def test_red_seal_found_and_black_text_under_it_survives() -> None:
    img = blank_page()
    centre = (px(120), px(230))
    draw_seal(img, centre)
    # the signer's name printed across the seal (black over red) and beside it
    cv2.putText(img, "Nguyen Van A", (px(100), px(232)), cv2.FONT_HERSHEY_COMPLEX, 0.9, BLACK, 2)
    seals = ink.find_seals(img, DPI, page=2)
    assert len(seals) == 1
    seal = seals[0]
    assert (seal.kind, seal.color, seal.page) == ("seal", "red", 2)
    assert abs(seal.bbox.cx - centre[0]) < px(3) and abs(seal.bbox.cy - centre[1]) < px(3)
    assert px(34) < seal.bbox.width < px(42)

    grey = ink.remove_color_ink(img)
    red = ink.color_masks(img)["red"]
    assert red.sum() > 1000
    assert grey[red].mean() > 235  # the seal's ink is gone
    text = (img.max(axis=2) < 60)  # black print, including where it crosses the rim
    assert text.sum() > 300
    assert grey[text].mean() < 70  # …and still dark


def test_blue_scribble_removed_and_reported_as_signature() -> None:
    img = blank_page()
    pts = np.array([[px(130 + 3 * i), px(240 + (6 if i % 2 else 0))] for i in range(12)], np.int32)
    cv2.polylines(img, [pts], False, BLUE, 3, cv2.LINE_AA)
    grey = ink.remove_color_ink(img)
    assert grey.min() > 200  # no trace left for the printed-text OCR
    marks = ink.find_ink_marks(img, DPI)
    assert [(m.kind, m.color) for m in marks] == [("signature", "blue")]
    layer = ink.ink_layer(img, "blue", marks[0].bbox)
    assert layer.min() < 120 and layer.shape == (marks[0].bbox.height, marks[0].bbox.width)
    assert ink.ink_layer(img, "red").min() == 255


def test_red_framed_box_in_header_left_is_urgency_stamp() -> None:
    img = text_page(lines=3)
    x0, y0 = px(40), px(70)
    cv2.rectangle(img, (x0, y0), (x0 + px(30), y0 + px(8)), RED, 3)
    cv2.putText(img, "HOA TOC", (x0 + px(3), y0 + px(6)), cv2.FONT_HERSHEY_SIMPLEX, 0.8, RED, 2)
    kinds = [(m.kind, m.color) for m in ink.find_ink_marks(img, DPI)]
    assert kinds == [("urgency_stamp", "red")]


def test_black_ring_on_white_is_a_seal_by_shape() -> None:
    img = text_page(lines=5)[..., 0].copy()  # grey, like a bitonal scan
    draw_seal(img, (px(140), px(200)), colour=(0, 0, 0))
    seals = ink.find_seals(img, DPI)
    assert [(s.kind, s.color) for s in seals] == [("seal", "black")]
    assert ink.find_seals(text_page(lines=30)[..., 0], DPI) == []  # dense print is no ring


def test_a_light_grey_ring_is_a_seal() -> None:
    """A red seal scanned in grey is light (here 175 on white paper); its rim is ink all the same."""
    img = text_page(lines=5)[..., 0].copy()
    draw_seal(img, (px(140), px(200)), colour=(175, 175, 175))
    assert [(s.kind, s.color) for s in ink.find_seals(img, DPI)] == [("seal", "black")]


def test_framed_black_stamp_box_found() -> None:
    img = text_page(lines=3)[..., 0].copy()
    x0, y0 = px(30), px(80)
    cv2.rectangle(img, (x0, y0), (x0 + px(50), y0 + px(22)), 0, 2)
    cv2.line(img, (x0 + px(12), y0), (x0 + px(12), y0 + px(22)), 0, 2)
    cv2.putText(img, "DEN", (x0 + px(2), y0 + px(14)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    boxes = frames.find_stamp_boxes(img, DPI)
    assert len(boxes) == 1 and boxes[0].kind == "stamp"
    assert abs(boxes[0].bbox.x0 - x0) < px(3) and abs(boxes[0].bbox.width - px(50)) < px(4)
    assert frames.find_stamp_boxes(text_page(lines=3)[..., 0], DPI) == []


def _dashed(img: np.ndarray, x0: int, x1: int, y: int) -> None:
    """A rule worn into 2 mm dashes with 1 mm gaps, as a bitonal scan leaves a stamp's thin line."""
    for x in range(x0, x1, px(3)):
        cv2.line(img, (x, y), (min(x1, x + px(2)), y), 0, 2)


def test_a_stamp_frame_worn_into_dashes_is_found() -> None:  # issue 12, class 6: ĐẾN stamps lost on heavy scans
    img = text_page(lines=3)[..., 0].copy()
    x0, y0, w, h = px(30), px(80), px(50), px(33)
    for x in (x0, x0 + w):  # whole sides, one broken where the receiver line was struck through
        cv2.line(img, (x, y0), (x, y0 + px(12)), 0, 2)
        cv2.line(img, (x, y0 + px(20)), (x, y0 + h), 0, 2)
    _dashed(img, x0, x0 + w, y0)
    _dashed(img, x0, x0 + w, y0 + h)
    cv2.putText(img, "DEN", (x0 + px(2), y0 + px(14)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 2)
    boxes = frames.find_stamp_boxes(img, DPI)
    assert len(boxes) == 1 and abs(boxes[0].bbox.width - w) < px(4) and abs(boxes[0].bbox.height - h) < px(4)
    lone = text_page(lines=3)[..., 0].copy()  # two rules with nothing joining them are no frame
    for x in (x0, x0 + w):
        cv2.line(lone, (x, y0), (x, y0 + h), 0, 2)
    assert frames.find_stamp_boxes(lone, DPI) == []


def test_a_worn_frame_whose_flanks_stop_short_of_its_rules_is_found() -> None:  # issue 12, class 6
    """A bitonal scan eats a thin frame's corners too: the flanks end 6 mm short of the dashed bottom rule."""
    img = text_page(lines=3)[..., 0].copy()
    x0, y0, w, h = px(30), px(80), px(50), px(33)
    for x in (x0, x0 + w):
        cv2.line(img, (x, y0), (x, y0 + h - px(6)), 0, 2)
    _dashed(img, x0, x0 + w, y0)
    _dashed(img, x0, x0 + w, y0 + h)
    boxes = frames.find_stamp_boxes(img, DPI)
    assert len(boxes) == 1 and abs(boxes[0].bbox.height - h) < px(3)


def test_a_stamp_beside_the_pages_dark_edge_is_found() -> None:  # issue 12, class 6: whole stamps missed
    """A scanner's dark page edge 8 mm from the stamp is a rule the height of the page: no side of a stamp, it
    must not join the stamp's rules into a group too big to be one."""
    img = text_page(lines=3)[..., 0].copy()
    x0, y0 = px(30), px(80)
    cv2.rectangle(img, (x0, y0), (x0 + px(50), y0 + px(22)), 0, 2)
    cv2.line(img, (x0 + px(12), y0), (x0 + px(12), y0 + px(22)), 0, 2)
    cv2.line(img, (x0 + px(58), 0), (x0 + px(58), img.shape[0] - 1), 0, 3)
    boxes = frames.find_stamp_boxes(img, DPI)
    assert len(boxes) == 1 and abs(boxes[0].bbox.width - px(50)) < px(4)


def test_a_stamp_pressed_askew_is_found() -> None:  # issue 12, class 6: whole ĐẾN stamps missed
    """A stamp pressed 8° off: its flanks are found at the rules' own tilts (up to 4°), its top and bottom only
    once the page is turned (STAMP_TURNS)."""
    img = text_page(lines=3)[..., 0].copy()
    centre, size = (px(60), px(100)), (px(50), px(33))
    corners = cv2.boxPoints((centre, size, 8.0)).astype(np.int32)
    cv2.polylines(img, [corners], True, 0, 2)
    boxes = frames.find_stamp_boxes(img, DPI)
    x0, y0 = corners.min(0)
    x1, y1 = corners.max(0)
    assert len(boxes) == 1
    b = boxes[0].bbox
    assert abs(b.x0 - x0) < px(4) and abs(b.y0 - y0) < px(4) and abs(b.x1 - x1) < px(4) and abs(b.y1 - y1) < px(4)


def test_a_frame_around_mostly_ink_is_no_stamp() -> None:  # issue 12: a deskewed scan's dark corner
    """Three rules around a block of ink (the dark band a page edge leaves where a scan was straightened) are
    no stamp: a stamp's frame holds paper with a few labels and figures."""
    img = text_page(lines=3)[..., 0].copy()
    x0, y0, w, h = px(30), px(80), px(50), px(33)
    noise = np.random.default_rng(0).random((h, w)) < 0.6  # grey paper in grain, darker than the page
    img[y0:y0 + h, x0:x0 + w] = np.where(noise, 40, 190).astype(np.uint8)
    cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), 0, 2)
    assert frames.find_stamp_boxes(img, DPI) == []


def test_a_faint_stamp_frame_on_a_page_in_shadow_is_found() -> None:  # issue 12, class 6: dim photos
    """Paper darkening towards the top (a photo in shadow) and a blurred frame 35 grey levels below the paper
    beside it: below the page-wide cut, found against the paper around it; the text alone gives none."""
    img = text_page(lines=3)[..., 0].astype(np.float32)
    img *= np.linspace(0.8, 1.0, img.shape[0], dtype=np.float32)[:, None]  # 20 % darker at the top
    shaded = img.clip(0, 255).astype(np.uint8)
    x0, y0, w, h = px(30), px(80), px(50), px(33)
    frame = np.zeros_like(shaded)
    cv2.rectangle(frame, (x0, y0), (x0 + w, y0 + h), 255, 2)
    cv2.line(frame, (x0 + px(12), y0), (x0 + px(12), y0 + px(22)), 255, 2)
    frame = cv2.GaussianBlur(frame, (5, 5), 0)  # a blurred 2 px rule
    page = cv2.subtract(shaded, (frame.astype(np.float32) * 40 / 255).astype(np.uint8))
    boxes = frames.find_stamp_boxes(page, DPI)
    assert len(boxes) == 1 and abs(boxes[0].bbox.width - w) < px(4)
    assert frames.find_stamp_boxes(shaded, DPI) == []


def test_grey_input_has_no_colour() -> None:
    grey = text_page(lines=2)[..., 0].copy()
    assert not ink.has_color(grey) and ink.find_ink_marks(grey, DPI) == []
    assert np.array_equal(ink.remove_color_ink(grey), grey)


# --- geometry -------------------------------------------------------------------------------------


@pytest.mark.parametrize("angle", [3.0, -2.2, 7.5])
def test_skew_estimated_within_half_a_degree(angle: float) -> None:
    page = preprocess.rotate(text_page(dpi=100), angle)
    assert abs(preprocess.estimate_skew(page, 100) - angle) < 0.5
    straight, found = preprocess.deskew(page, 100, min_angle=0.3)
    assert abs(found - angle) < 0.5
    assert abs(preprocess.estimate_skew(straight, 100)) < 0.3


def test_small_skew_is_left_alone() -> None:
    page = preprocess.rotate(text_page(dpi=100), 0.2)
    same, angle = preprocess.deskew(page, 100, min_angle=0.3)
    assert angle == 0.0 and same is page


@pytest.mark.parametrize(
    ("turn", "fix"),
    [(None, 0), (cv2.ROTATE_90_CLOCKWISE, 270), (cv2.ROTATE_180, 180), (cv2.ROTATE_90_COUNTERCLOCKWISE, 90)],
)
def test_orientation_detected_without_osd(turn: int | None, fix: int) -> None:
    page = text_page(dpi=100)
    turned = page if turn is None else cv2.rotate(page, turn)
    found = preprocess.detect_orientation(turned, 100, use_osd=False)
    assert (found.degrees, found.method) == (fix, "profile")
    upright, applied = preprocess.rotate_upright(turned, 100, use_osd=False)
    assert applied == fix and upright.shape == page.shape


@pytest.mark.parametrize(("name", "page_no", "dpi"), [("ct_012_mild.pdf", 2, 200), ("bundle_014_heavy.tif", 2, 150)])
def test_orientation_of_sparse_last_pages(name: str, page_no: int, dpi: int) -> None:
    # last pages of letters: a few lines, the Nơi nhận, a seal and a signature; the bundle's has a black
    # scanner edge and bleed-through. Line profiles over the whole page called the first one vertical,
    # and the edge and the seal made the second read as upside down.
    from vn_dispatch_parser.image.load import iter_pages

    sample = Path(__file__).resolve().parents[1] / "samples" / name
    page = next(p for p in iter_pages(sample, dpi=dpi, page_dpi={page_no: dpi}) if p.page_no == page_no)
    upright = preprocess.detect_orientation(page.array, page.dpi, use_osd=False)
    assert upright.degrees == 0
    turned = preprocess.detect_orientation(cv2.rotate(page.array, cv2.ROTATE_90_CLOCKWISE), page.dpi, use_osd=False)
    assert turned.degrees in (270, 0) and (turned.degrees == 270 or turned.confidence < 0.5)


def test_an_up_down_test_that_straightening_turns_around_is_unsure(monkeypatch: pytest.MonkeyPatch) -> None:
    """A last page of a few lines of small print (a 120 dpi Nơi nhận): sure upright as scanned (2.6 times the
    ink above the lines' cores), sure upside down once its 0.75° skew is straightened (0.75). Two readings of
    the same ink that surely disagree make neither sure: the page is not turned on that evidence."""
    readings = iter([(2.62, 13), (0.745, 12)])
    monkeypatch.setattr(preprocess, "_updown_ratio", lambda binary: next(readings))
    monkeypatch.setattr(preprocess, "_skew", lambda binary, most: -0.75)
    found = preprocess.detect_orientation(text_page(dpi=100), 100, use_osd=False)
    assert found.degrees == 0 and found.confidence < 0.5


def test_blank_pages() -> None:
    assert preprocess.is_blank(blank_page(), DPI)
    ghost = blank_page()
    draw_seal(ghost, (px(100), px(240)), colour=(200, 190, 245))  # faint show-through of a seal
    cv2.putText(ghost, "2", (px(105), px(15)), cv2.FONT_HERSHEY_SIMPLEX, 0.8, BLACK, 2)  # page number
    assert preprocess.is_blank(ghost, DPI)
    assert not preprocess.is_blank(text_page(lines=3), DPI)


def test_dark_scanner_border_whitened_but_margin_notes_kept() -> None:
    img = text_page(lines=5)[..., 0].copy()
    img[:, : px(6)] = 20  # scanner edge
    cv2.putText(img, "note", (px(8), px(150)), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 0, 2)
    out = preprocess.remove_border(img, DPI)
    assert out[:, : px(5)].min() == 255
    assert out[px(140) : px(152), px(8) : px(25)].min() < 80
    assert preprocess.remove_border(text_page(lines=5), DPI) is not None


def test_prepare_for_ocr_turns_straightens_and_upscales() -> None:
    page = cv2.rotate(preprocess.rotate(text_page(dpi=80), 4.0), cv2.ROTATE_180)
    draw_seal(page, (px(60, 80), px(60, 80)), dpi=80)
    grey, info = preprocess.prepare_for_ocr(page, 80, use_osd=False)
    assert info.rotation == 180 and abs(info.skew - 4.0) < 0.5
    assert info.scale == 3.75 and info.dpi_out == 300 and grey.ndim == 2
    assert info.color is not None and info.color.shape[:2] == grey.shape
    assert [s.kind for s in ink.find_seals(info.color, info.dpi_out)] == ["seal"]

    grey, info = preprocess.prepare_for_ocr(blank_page(), DPI)
    assert info.blank and info.steps == []
    grey, info = preprocess.prepare_for_ocr(preprocess.rotate(text_page(), 1.0), DPI, use_osd=False)
    assert info.steps == [] and info.scale == 1.0  # 1° is left to Tesseract; 150 dpi is not upscaled


def _square(img: np.ndarray) -> BBox:
    """The box of the one big solid square of a page (the text's glyphs are far smaller)."""
    grey = img if img.ndim == 2 else img[..., 0]
    _, _, stats, _ = cv2.connectedComponentsWithStats((grey < 100).astype(np.uint8))
    x, y, w, h, _ = (int(v) for v in max(stats[1:], key=lambda s: s[cv2.CC_STAT_AREA]))
    return BBox(x, y, x + w, y + h)


@pytest.mark.parametrize("turn", [None, cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE])
def test_boxes_of_the_ocr_image_map_back_to_the_page_as_loaded(turn: int | None) -> None:
    # a page scanned 4° askew, turned, at 80 dpi: the OCR image is turned upright, straightened and
    # upscaled to 300 dpi; a box found there must land on the same ink in the page as loaded
    upright = text_page(dpi=80, lines=20)
    cv2.rectangle(upright, (px(120, 80), px(200, 80)), (px(140, 80), px(215, 80)), BLACK, -1)
    loaded = preprocess.rotate(upright, 4.0)
    loaded = loaded if turn is None else cv2.rotate(loaded, turn)
    grey, info = preprocess.prepare_for_ocr(loaded, 80, use_osd=False)
    assert abs(info.skew - 4.0) < 0.5 and info.scale == 3.75
    h, w = loaded.shape[:2]
    text = PageText(1, grey.shape[1], grey.shape[0], (h, w) if info.rotation in (90, 270) else (w, h),
                    info.rotation, info.skew, info.scale)
    assert text.page_size == (w, h)
    found, truth = text.to_page(_square(grey)), _square(loaded)
    assert max(abs(a - b) for a, b in zip(found.as_list(), truth.as_list(), strict=True)) <= 3, (found, truth)


def test_guess_dpi_for_images_without_metadata() -> None:
    assert preprocess.guess_dpi((960, 576, 3)) == 70
    assert preprocess.guess_dpi((3508, 2480)) == 300
    assert BBox(0, 0, 1, 1).width == 1


def test_uneven_paper_is_flattened_and_even_paper_left_alone() -> None:
    even = text_page(lines=8)[..., 0].copy()
    assert preprocess.flatten_background(even, DPI) is even
    h, w = even.shape
    yy, xx = np.mgrid[0:h, 0:w]
    shade = 1.0 - 0.6 * ((xx / w) ** 2 + (yy / h) ** 2) / 2  # dark towards the bottom-right corner
    vignetted = (even.astype(np.float64) * shade).astype(np.uint8)
    flat = preprocess.flatten_background(vignetted, DPI)
    assert flat is not vignetted and flat.shape == vignetted.shape
    corner, middle = flat[h - px(20) :, w - px(20) :], flat[px(20) : px(40), px(20) : px(40)]
    assert abs(float(np.median(corner)) - float(np.median(middle))) < 15  # the paper is even again
    assert float(np.median(vignetted[h - px(20) :, w - px(20) :])) < 180
    rows = flat[px(36) : px(42), px(30) : px(150)]  # the print keeps its contrast
    assert rows.min() < 80


def test_a_grey_framed_khan_box_is_found_in_the_header() -> None:
    from vn_dispatch_parser.scan.stamps import framed_boxes

    page = text_page(lines=3)[..., 0].copy()
    x0, y0 = px(30), px(60)
    cv2.rectangle(page, (x0, y0), (x0 + px(22), y0 + px(8)), 110, 2)  # a red KHẨN box scanned in grey
    cv2.putText(page, "KHAN", (x0 + px(3), y0 + px(6)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 110, 2)
    cv2.rectangle(page, (px(30), px(90)), (px(52), px(98)), 0, -1)  # a filled block is no frame
    boxes = framed_boxes(page, DPI)
    assert len(boxes) == 1
    b = boxes[0]
    assert abs(b.x0 - x0) <= 3 and abs(b.y0 - y0) <= 3 and abs(b.width - px(22)) <= 4
    assert framed_boxes(text_page(lines=8), DPI) == []


def test_a_tilted_framed_box_is_found() -> None:
    """A page scanned 3° askew tilts the KHẨN box: its outline is a rectangle in its own frame, not upright."""
    from vn_dispatch_parser.scan.stamps import framed_boxes

    page = text_page(lines=3)[..., 0].copy()
    cx, cy = px(41), px(64)
    corners = cv2.boxPoints(((cx, cy), (px(22), px(8)), 3.0)).astype(np.int32)
    cv2.polylines(page, [corners], True, 110, 2)
    cv2.putText(page, "KHAN", (cx - px(8), cy + px(2)), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 110, 2)
    boxes = framed_boxes(page, DPI)
    assert len(boxes) == 1 and abs(boxes[0].cx - cx) <= 4 and abs(boxes[0].cy - cy) <= 4


def test_grainy_grey_paper_evened_out_print_kept() -> None:
    """The second reading of a page Tesseract read nothing on: paper to white wherever it is, print dark."""
    rng = np.random.default_rng(7)
    page = np.clip(rng.normal(200, 12, (600, 500)), 0, 255).astype(np.uint8)
    page[:, 250:] = np.clip(page[:, 250:].astype(int) - 50, 0, 255).astype(np.uint8)  # a darker half
    cv2.putText(page, "Noi nhan", (40, 120), cv2.FONT_HERSHEY_COMPLEX, 1.4, 40, 3)
    out = preprocess.normalize_contrast(page, 300)
    assert out.shape == page.shape and out.dtype == np.uint8
    assert np.median(out[300:, :200]) >= 245 and np.median(out[300:, 300:]) >= 245
    ink_mask = page < 80
    assert np.median(out[ink_mask]) < 128


def test_a_page_read_far_below_its_print_is_read_again() -> None:
    from vn_dispatch_parser.core.types import Line, OcrPage, OcrWord
    from vn_dispatch_parser.image.prep import PreparedPage
    from vn_dispatch_parser.scan.page import _under_read

    img = np.full((800, 600), 255, np.uint8)
    for y in range(100, 700, 50):
        cv2.putText(img, "Noi nhan nhu tren", (40, y), cv2.FONT_HERSHEY_COMPLEX, 1.0, 0, 2)
    prep = PreparedPage(image=img, ocr_image=img, dpi=150, marks=[])
    glyphs = preprocess.print_glyphs(img, 150)
    assert glyphs > 100
    word = OcrWord("Nơi", 0.9, BBox(40, 80, 90, 100))
    few = OcrPage(1, 600, 800, words=[word], lines=[Line("Nơi")])
    many = OcrPage(1, 600, 800, words=[word] * glyphs, lines=[Line("Nơi")])
    assert _under_read(few, prep, fields_only=False) and not _under_read(many, prep, fields_only=False)
    assert not _under_read(few, prep, fields_only=True)  # bands leave the body out: only no line at all counts
    assert _under_read(OcrPage(1, 600, 800), prep, fields_only=True)


def _sheet_on_desk(desk_level: int) -> tuple[np.ndarray, np.ndarray]:
    """A printed A4 sheet (rows of dark bars for lines) photographed on a desk of ``desk_level``: the photo and
    the sheet's four corners in it."""
    sheet = np.full((1170, 827), 250, np.uint8)
    for y in range(120, 1050, 30):
        sheet[y : y + 12, 90:740] = 30
    corners = np.array([[190, 95], [930, 120], [990, 1380], [130, 1350]], np.float32)
    src = np.array([[0, 0], [827, 0], [827, 1170], [0, 1170]], np.float32)
    photo = cv2.warpPerspective(sheet, cv2.getPerspectiveTransform(src, corners), (1120, 1480),
                                borderMode=cv2.BORDER_CONSTANT, borderValue=desk_level)
    return photo, corners


@pytest.mark.parametrize("desk", [70, 150])
def test_a_photographed_sheet_is_found_and_seen_square_on(desk: int) -> None:
    from vn_dispatch_parser.image.perspective import find_page, rectify

    photo, corners = _sheet_on_desk(desk)
    quad = find_page(photo)
    assert quad is not None and np.abs(quad.corners - corners).max() < 12
    sheet, warp = rectify(photo, quad)
    assert abs(sheet.shape[1] / sheet.shape[0] - 827 / 1170) < 0.04  # edge lengths: perspective kept a little
    # a point of the photo goes to the sheet and a box of the sheet comes back to the photo
    page = PageText(1, sheet.shape[1], sheet.shape[0], (sheet.shape[1], sheet.shape[0]),
                    warp=tuple(float(v) for v in warp.ravel()), loaded=(photo.shape[1], photo.shape[0]))
    back = page.to_page(BBox(0, 0, 4, 4))
    assert abs(back.x0 - corners[0][0]) < 12 and abs(back.y0 - corners[0][1]) < 12


def test_a_scan_has_no_sheet_to_find() -> None:
    from vn_dispatch_parser.image.perspective import find_page

    photo, _ = _sheet_on_desk(70)
    scan = np.full((1170, 827), 250, np.uint8)
    for y in range(120, 1050, 30):
        scan[y : y + 12, 90:740] = 30
    edged = scan.copy()
    edged[:, :25] = 20  # a scanner's dark edge along one side
    cropped = photo[150:1300, 200:920]  # a photo cut inside the sheet
    assert find_page(scan) is None and find_page(edged) is None and find_page(cropped) is None
