"""The C API engine (tesserocr) reads what the command line reads: same words, boxes and float confidences on
a full page and on small crops, same OSD; one API per thread, loaded once; VN_DISPATCH_OCR chooses."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from vn_dispatch_parser.core.types import Layout
from vn_dispatch_parser.ocr.capi import ENGINE_ENV, TessApiEngine, capi_available, default_engine
from vn_dispatch_parser.ocr.tesseract import TesseractEngine

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not capi_available(), reason="tesserocr not installed")]


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    from vn_dispatch_parser.image.load import iter_pages
    from vn_dispatch_parser.image.prep import prepare_page

    return prepare_page(next(iter_pages(ROOT / "samples" / "cv_001_clean.png"))).ocr_image


def _crops(img: np.ndarray) -> list[tuple[Layout, np.ndarray]]:
    h, w = img.shape[:2]
    colour = cv2.cvtColor(img[: h // 5, w // 2 :], cv2.COLOR_GRAY2BGR)  # colour input: RGB order matters
    return [(Layout.PAGE, img), (Layout.BLOCK, img[: h // 5, : w // 2]), (Layout.LINE, img[h // 3 : h // 3 + 70, : w // 2]),
            (Layout.BLOCK, colour)]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed: compared with the command line")
def test_same_words_as_the_command_line(page: np.ndarray) -> None:
    cli, capi = TesseractEngine(), TessApiEngine()
    for layout, crop in _crops(page):
        a, b = cli.recognize(crop, layout=layout, page_no=2), capi.recognize(crop, layout=layout, page_no=2)
        assert a.words, f"{layout}: nothing read"
        assert [(w.text, w.conf, w.bbox, w.block, w.line) for w in b.words] == \
               [(w.text, w.conf, w.bbox, w.block, w.line) for w in a.words]
        assert (b.width, b.height, b.page_no, b.engine) == (a.width, a.height, a.page_no, a.engine)
    confs = [w.conf for w in capi.recognize(page, layout=Layout.PAGE).words]
    assert any(round(c * 100) != c * 100 for c in confs)  # floats, not pytesseract's integers


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed: compared with the command line")
def test_osd_as_the_command_line(page: np.ndarray) -> None:
    turned = cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE)
    rotate, conf = TessApiEngine().osd(turned)
    assert rotate == TesseractEngine().osd(turned)[0] == 270
    assert conf > 2


def test_the_osd_model_is_let_go_after_the_call(page: np.ndarray) -> None:  # issue 14: ~31 MB held otherwise
    from vn_dispatch_parser.ocr import capi

    engine = TessApiEngine()
    vie = engine._api()
    turned = cv2.rotate(page, cv2.ROTATE_90_CLOCKWISE)
    assert engine.osd(turned)[0] == engine.osd(turned)[0] == 270  # loaded again for the second call
    held = capi._local.__dict__.get("apis", {})
    assert [k for k in held if k[0] == "osd"] == [] and engine._api() is vie  # the page's model stays


def test_one_api_per_thread_loaded_once(page: np.ndarray) -> None:
    engine = TessApiEngine()
    assert engine._api() is engine._api()
    crop = page[: page.shape[0] // 5]
    expected = engine.recognize(crop, layout=Layout.BLOCK).words
    results: list[object] = []
    apis: list[object] = []

    def work() -> None:
        apis.append(engine._api())
        results.append(engine.recognize(crop, layout=Layout.BLOCK).words)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected, expected]
    assert len({id(a) for a in apis}) == 2 and engine._api() not in apis


def test_engine_chosen_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, "cli")
    assert isinstance(default_engine(), TesseractEngine)
    monkeypatch.setenv(ENGINE_ENV, "capi")
    assert isinstance(default_engine(), TessApiEngine)
    monkeypatch.delenv(ENGINE_ENV)
    assert isinstance(default_engine(), TessApiEngine)  # tesserocr is installed
    monkeypatch.setenv("VN_DISPATCH_OCR_TIMEOUT", "7")
    assert default_engine().timeout == 7  # type: ignore[attr-defined]


def test_empty_image_and_unsupported_option() -> None:
    engine = TessApiEngine()
    assert engine.recognize(np.zeros((0, 10), np.uint8)).words == []
    with pytest.raises(ValueError, match="not supported"):
        engine.recognize(np.full((40, 40), 255, np.uint8), config="--dpi 300")
