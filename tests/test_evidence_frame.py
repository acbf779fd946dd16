"""Evidence boxes land on the words of the original page, rendered as the record's ``frames`` say (e2e).

Variants of samples are made here: a page turned 90° and a 200-dpi PDF scan read at 150 dpi. Each is read
with real Tesseract; then the original file is rendered again independently of the pipeline (``pdftoppm``
at the recorded dpi, or the image's own pixels), the crop under each key field's box is turned by the
recorded rotation and OCR'd on its own, and the crop must hold the field's words. A hand-written number or
day has no printed words: its box must hold ink and sit on the printed line it belongs to (the ``Số`` line,
the date line), whose own box is checked by OCR.

Marked ``e2e``: they need tesseract-ocr (``make test`` installs it) and poppler-utils.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps
from rapidfuzz import fuzz

from vn_dispatch_parser import parse_file
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.types import Layout
from vn_dispatch_parser.ocr.tesseract import TesseractEngine
from vn_dispatch_parser.records import FileResult, PageFrame

from .conftest import ROOT

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed"),
]
SAMPLES = ROOT / "samples"
#: The line a hand-written value is written on: its printed field.
PRINTED_LINE = {"number": "symbol", "issued_date": "place"}


def _render(path: Path, frame: PageFrame) -> np.ndarray:
    """The page as the frame says it was loaded, made without the pipeline's loader (grey)."""
    if path.suffix.lower() == ".pdf":
        out = path.with_name(f"{path.stem}_p{frame.page}")
        subprocess.run(["pdftoppm", "-r", str(frame.dpi), "-f", str(frame.page), "-l", str(frame.page),
                        "-singlefile", "-gray", "-png", str(path), str(out)], check=True)
        grey = cv2.imread(str(out.with_suffix(".png")), cv2.IMREAD_GRAYSCALE)
    else:
        with Image.open(path) as img:
            img.seek(frame.page - 1)
            grey = np.asarray(ImageOps.exif_transpose(img).convert("L"))
    assert grey.shape == (frame.height, frame.width), "the rendering is not the size the frame records"
    return grey


def _crop_words(page: np.ndarray, box: list[int], rotation: int) -> str:
    """The folded text OCR reads in the crop under ``box``, turned upright like the reader turned the page."""
    x0, y0, x1, y1 = box
    pad = max(4, (y1 - y0) // 8)
    crop = page[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
    crop = np.ascontiguousarray(np.rot90(crop, -(rotation // 90)))  # turned clockwise, as the frame says
    crop = cv2.copyMakeBorder(crop, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    ocr = TesseractEngine(lang="vie").recognize(crop, layout=Layout.BLOCK)
    return fold(" ".join(w.text for w in ocr.words))


def _value_words(name: str, value: object) -> list[str]:
    """The words of a field's value that its crop must show (a date as its day, month and year)."""
    text = value.strftime("%d %m %Y") if hasattr(value, "strftime") else str(value)  # type: ignore[union-attr]
    words = [w for w in re.split(r"[\s,./()\-]+", fold(text)) if len(w) >= 2]
    return [w.lstrip("0") or w for w in words] if name == "issued_date" else words


def _shows(crop_text: str, words: list[str]) -> float:
    """The share of ``words`` found (fuzzily, one OCR slip allowed) in the crop's text."""
    found = sum(1 for w in words if w in crop_text or fuzz.partial_ratio(w, crop_text) >= 80)
    return found / max(1, len(words))


def _check_boxes(path: Path, result: FileResult, fields: list[str]) -> None:
    doc = result.documents[0]
    frames = {f.page: f for f in result.frames}
    pages = {p: _render(path, f) for p, f in frames.items()}
    problems = []
    for name in fields:
        ev = doc.evidence[name]
        assert ev.bbox is not None and ev.page in frames, f"{name}: no box"
        frame, page = frames[ev.page], pages[ev.page]
        x0, y0, x1, y1 = ev.bbox
        assert 0 <= x0 < x1 <= frame.width and 0 <= y0 < y1 <= frame.height, f"{name}: box {ev.bbox} off the page"
        if ev.rule.startswith("handwritten"):
            line = doc.evidence[PRINTED_LINE[name]]
            assert line.bbox is not None and line.page == ev.page
            ink = page[y0:y1, x0:x1] < 128
            if not (line.bbox[1] < (y0 + y1) / 2 < line.bbox[3] and ink.mean() > 0.02):
                problems.append(f"{name}: hand-written box {ev.bbox} is not on the line {line.bbox} or holds no ink")
            name, ev = PRINTED_LINE[name], line
        words = _value_words(name, getattr(doc, name))
        text = _crop_words(page, ev.bbox, frame.rotation)  # type: ignore[arg-type]
        if _shows(text, words) < 0.6:
            problems.append(f"{name}: the crop under {ev.bbox} reads {text!r}, not {words}")
    assert not problems, "\n".join(problems)


KEY_FIELDS = ["number", "issued_date", "signer_name", "subject", "issuer"]


def test_boxes_on_a_page_turned_90_degrees(tmp_path: Path) -> None:
    """A clean page saved turned 90° counter-clockwise: the reader turns it back, the boxes stay on the
    landscape original."""
    path = tmp_path / "turned.png"
    with Image.open(SAMPLES / "cv_001_clean.png") as img:
        img.convert("L").transpose(Image.Transpose.ROTATE_90).save(path, dpi=(300, 300))
    result = parse_file(path)
    frame = result.frames[0]
    assert (frame.width, frame.height, frame.dpi, frame.rotation, frame.boxes) == (3508, 2480, 300, 90, "page")
    assert result.documents[0].signer_name == "Tạ Hồng Trang"
    _check_boxes(path, result, KEY_FIELDS)


def test_boxes_on_a_pdf_scan_read_at_150_dpi(tmp_path: Path) -> None:
    """A 200-dpi PDF scan read at 150 dpi: the boxes are in the 150-dpi rendering the frame records, the
    hand-written number and day included."""
    path = tmp_path / "scan.pdf"
    shutil.copy(SAMPLES / "cv_004_mild.pdf", path)
    result = parse_file(path, dpi=150)
    frame = result.frames[0]
    assert (frame.dpi, frame.rotation, frame.boxes) == (150, 0, "page")
    doc = result.documents[0]
    assert doc.evidence["number"].rule == "handwritten_digits"
    _check_boxes(path, result, KEY_FIELDS)


def _photograph(page: np.ndarray, width: int) -> np.ndarray:
    """A page photographed from below on a grey-brown desk: the sheet ``width`` pixels wide at the bottom
    (~115 dpi for A4), its top edge 16 % narrower (keystone), turned 3°, the desk's grain around it."""
    h, w = page.shape[:2]
    ph = round(width * h / w)
    sheet = cv2.resize(page, (width, ph), interpolation=cv2.INTER_AREA)
    W, H = round(width * 1.3), round(ph * 1.2)
    ox, oy = (W - width) / 2, (H - ph) / 2
    src = np.array([[0, 0], [width, 0], [width, ph], [0, ph]], np.float32)
    corners = [(ox + 0.08 * width, oy), (ox + 0.92 * width, oy), (ox + width, oy + ph), (ox, oy + ph)]
    c, s = np.cos(np.radians(3)), np.sin(np.radians(3))
    dst = np.array([[W / 2 + c * (x - W / 2) - s * (y - H / 2), H / 2 + s * (x - W / 2) + c * (y - H / 2)]
                    for x, y in corners], np.float32)
    photo = cv2.warpPerspective(sheet, cv2.getPerspectiveTransform(src, dst), (W, H),
                                borderMode=cv2.BORDER_CONSTANT, borderValue=(110, 135, 165))
    grain = np.random.default_rng(5).integers(-12, 13, photo.shape)
    return cv2.GaussianBlur(np.clip(photo + grain, 0, 255).astype(np.uint8), (0, 0), 0.6)


PHOTO_FIELDS = ["issuer", "number_symbol", "issued_date", "subject", "addressees", "signer_name"]


@pytest.mark.parametrize("sample", ["cv_001_clean.png", "cv_019_clean.jpg"])
def test_a_phone_photo_of_a_sheet_is_read_square_on(tmp_path: Path, sample: str) -> None:
    """A page photographed at an angle on a desk (issue 12, class 6): the sheet is found and seen square on,
    the header, subject, addressees and signer are read as on the scan (read as it was photographed, one of
    them is lost), and the boxes land on the words of the photo as loaded."""
    path = tmp_path / "photo.jpg"
    cv2.imwrite(str(path), _photograph(cv2.imread(str(SAMPLES / sample)), 950), [cv2.IMWRITE_JPEG_QUALITY, 90])
    result = parse_file(path)
    frame = result.frames[0]
    photo = cv2.imread(str(path))
    assert (frame.width, frame.height, frame.rotation) == (photo.shape[1], photo.shape[0], 0)
    truth = json.loads((SAMPLES / f"{sample}.json").read_text(encoding="utf-8"))["documents"][0]
    doc = result.documents[0].model_dump(mode="json")
    assert {k: doc[k] for k in PHOTO_FIELDS} == {k: truth[k] for k in PHOTO_FIELDS}
    _check_boxes(path, result, ["signer_name", "subject", "issuer"])
