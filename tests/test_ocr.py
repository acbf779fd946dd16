"""Tests for the OCR seam (ocr.py): TSV parsing, line grouping, engine errors and the fake engine."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import numpy as np
import pytest

from vn_dispatch_parser.core.types import BBox, Layout, OcrPage, OcrWord
from vn_dispatch_parser.errors import MissingDependencyError, OcrEngineError, OcrTimeoutError
from vn_dispatch_parser.ocr.engine import FakeEngine, OcrEngine, group_lines, one_thread
from vn_dispatch_parser.ocr.tesseract import TesseractEngine, default_tessdata_dir, parse_tsv

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
TSV = "\n".join(
    [
        HEADER,
        "1\t1\t0\t0\t0\t0\t0\t0\t2479\t3508\t-1\t",
        "2\t1\t1\t0\t0\t0\t301\t207\t1958\t251\t-1\t",
        "3\t1\t1\t1\t0\t0\t301\t207\t1958\t251\t-1\t",
        "4\t1\t1\t1\t1\t0\t301\t207\t1958\t63\t-1\t",
        "5\t1\t1\t1\t1\t1\t301\t215\t76\t55\t94.965027\tBỘ",
        "5\t1\t1\t1\t1\t2\t394\t209\t141\t49\t96.597198\tGIÁO",
        "5\t1\t1\t1\t1\t3\t551\t221\t114\t49\t96.008850\tDỤC",
        "5\t1\t1\t1\t1\t4\t1131\t215\t159\t55\t93.305359\tCỘNG",
        "5\t1\t1\t1\t1\t5\t1305\t209\t123\t49\t92.490952\tHOÀ",
        "4\t1\t1\t1\t2\t0\t412\t337\t516\t49\t-1\t",
        "5\t1\t1\t1\t2\t1\t412\t337\t90\t49\t80.5\tSố:",
        "5\t1\t1\t1\t2\t2\t505\t337\t10\t49\t95\t ",
        "5\t1\t1\t1\t2\t3\t520\t337\t288\t49\t61.25\t2576/QĐ-BGDĐT",
        "5\t1\t2\t1\t1\t1\t10\t10\t0\t0\t-1\t",
    ]
)


def test_parse_tsv_words_and_conf() -> None:
    page = parse_tsv(TSV, page_no=2, engine="t")
    assert (page.page_no, page.width, page.height, page.engine) == (2, 2479, 3508, "t")
    assert [w.text for w in page.words] == ["BỘ", "GIÁO", "DỤC", "CỘNG", "HOÀ", "Số:", "2576/QĐ-BGDĐT"]
    assert page.words[0].conf == pytest.approx(0.94965027)  # a float, not truncated to 94
    assert page.words[-1].conf == pytest.approx(0.6125)
    assert page.words[0].bbox == BBox(301, 215, 377, 270)
    assert (page.words[-1].block, page.words[-1].par, page.words[-1].line) == (1, 1, 2)


def test_parse_tsv_splits_header_columns_into_lines() -> None:
    lines = parse_tsv(TSV).lines
    assert [ln.text for ln in lines] == ["BỘ GIÁO DỤC", "CỘNG HOÀ", "Số: 2576/QĐ-BGDĐT"]
    assert lines[0].bbox == BBox(301, 209, 665, 270)
    assert lines[2].conf == pytest.approx((0.805 + 0.6125) / 2)
    assert all(ln.page == 1 and ln.words for ln in lines)


def test_parse_tsv_empty_and_explicit_size() -> None:
    page = parse_tsv(HEADER + "\n1\t1\t0\t0\t0\t0\t0\t0\t640\t480\t-1\t\n", width=64, height=48)
    assert (page.words, page.lines, page.width, page.height) == ([], [], 64, 48)


def test_group_lines_keeps_normal_spacing() -> None:
    words = [
        OcrWord(t, 0.9, BBox(100 + 60 * i, 0, 150 + 60 * i, 40), 1, 1, 1)
        for i, t in enumerate(["Kính", "gửi", "các", "Sở"])
    ]
    assert [ln.text for ln in group_lines(words)] == ["Kính gửi các Sở"]


def test_fake_engine() -> None:
    canned = OcrPage(1, 0, 0, words=[OcrWord("Số:", 0.9, BBox(0, 0, 10, 10))])
    engine = FakeEngine([canned])
    assert isinstance(engine, OcrEngine)
    image = np.zeros((30, 20, 3), np.uint8)
    page = engine.recognize(image, layout=Layout.BLOCK)
    assert (page.width, page.height, page.words[0].text) == (20, 30, "Số:")
    assert engine.recognize(image, page_no=2).words == []
    assert engine.calls == [(1, Layout.BLOCK), (2, Layout.PAGE)]
    page.words.clear()
    assert engine.recognize(image).words  # canned pages are not shared with callers


def test_fake_engine_from_lines() -> None:
    engine = FakeEngine.from_lines({1: ["UBND TỈNH QUẢNG NGÃI", "Số: 11/TB-UBND"]})
    page = engine.recognize(np.zeros((100, 100), np.uint8))
    assert [ln.text for ln in page.lines] == ["UBND TỈNH QUẢNG NGÃI", "Số: 11/TB-UBND"]
    assert page.lines[0].bbox is not None and page.lines[0].bbox.y1 < page.lines[1].bbox.y0  # type: ignore[union-attr]


def test_default_tessdata_dir_is_models() -> None:
    found = default_tessdata_dir("vie")
    assert found is not None and found.name == "models" and (found / "vie.traineddata").is_file()
    assert default_tessdata_dir("osd") is None  # not shipped: Tesseract's own data
    with pytest.raises(MissingDependencyError):
        default_tessdata_dir("vie+klingon")  # never the system's vie because klingon is not shipped


def _fake_tesseract(tmp_path: Path, body: str) -> str:
    """A stand-in ``tesseract`` script: lists 'vie', then runs ``body`` for a recognition call."""
    script = tmp_path / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'case "$*" in *--list-langs*) echo "List of available languages (1):"; echo vie; exit 0;; esac\n'
        'case "$*" in *--version*) echo "tesseract 9.9.9"; exit 0;; esac\n'
        f"{body}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_missing_binary() -> None:
    engine = TesseractEngine(tesseract_cmd="/nonexistent/tesseract")
    with pytest.raises(MissingDependencyError, match="apt-get install tesseract-ocr"):
        engine.recognize(np.zeros((10, 10), np.uint8))


def test_missing_language_data(tmp_path: Path) -> None:
    # a language the package does not ship is looked for in Tesseract's own data
    engine = TesseractEngine(lang="xyz", tesseract_cmd=_fake_tesseract(tmp_path, "exit 0"))
    with pytest.raises(MissingDependencyError, match="apt-get install tesseract-ocr-xyz"):
        engine.recognize(np.zeros((10, 10), np.uint8))
    with pytest.raises(MissingDependencyError, match="ships vie but not xyz"):
        TesseractEngine(lang="vie+xyz")  # never the system's vie beside it


def test_nonzero_exit(tmp_path: Path) -> None:
    engine = TesseractEngine(
        tesseract_cmd=_fake_tesseract(tmp_path, 'echo "Error in pixReadMem" >&2; exit 1')
    )
    with pytest.raises(OcrEngineError, match="exited with 1") as info:
        engine.recognize(np.zeros((10, 10, 3), np.uint8))
    assert not isinstance(info.value, OcrTimeoutError)
    assert engine.version().startswith("tesseract 9.9.9 vie")


def test_timeout(tmp_path: Path) -> None:
    engine = TesseractEngine(tesseract_cmd=_fake_tesseract(tmp_path, "exec sleep 5"), timeout=0.3)
    with pytest.raises(OcrTimeoutError, match="longer than 0.3 s"):
        engine.recognize(np.zeros((10, 10), np.uint8), page_no=4)


def test_env_sets_omp_thread_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_THREAD_LIMIT", "4")
    # pytesseract's command line: tesseract IMAGE OUTBASE -l vie ... (the TSV goes to OUTBASE.tsv)
    body = f'echo "$OMP_THREAD_LIMIT" > {tmp_path}/omp; echo "{HEADER}" > "$2.tsv"'
    engine = TesseractEngine(tesseract_cmd=_fake_tesseract(tmp_path, body))
    page = engine.recognize(np.zeros((12, 10), np.uint8))
    assert (page.words, page.width, page.height) == ([], 10, 12)
    assert (tmp_path / "omp").read_text().strip() == "1"


def test_one_thread_holds_every_pool_and_gives_them_back() -> None:
    """One batch job is one core: numpy's and OpenCV's BLAS and OpenCV's own pool at one thread inside the
    block (also when they were not loaded before it), as they were after it."""
    import cv2
    from threadpoolctl import threadpool_info

    cv2.setNumThreads(2)
    before = {i["filepath"]: i["num_threads"] for i in threadpool_info()}
    with one_thread():
        assert cv2.getNumThreads() == 1
        inside = threadpool_info()
        assert inside and all(i["num_threads"] == 1 for i in inside)
    assert cv2.getNumThreads() == 2
    assert {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["filepath"] in before} == before


def test_osd_parsing_and_too_few_characters(tmp_path: Path) -> None:
    image = np.zeros((10, 10), np.uint8)
    ok = _fake_tesseract(tmp_path, 'printf "Page number: 0\\nRotate: 90\\nOrientation confidence: 5.25\\n" > "$2.osd"')
    assert TesseractEngine(tesseract_cmd=ok).osd(image) == (90, 5.25)
    assert TesseractEngine(tesseract_cmd=ok).orientation(image) == (90, 0.35)  # 5.25 / 15, in 0-1
    few = tmp_path / "few"
    few.mkdir()
    body = 'echo "Too few characters. Skipping this page" >&2; echo "Error during processing." >&2; exit 1'
    assert TesseractEngine(tesseract_cmd=_fake_tesseract(few, body)).orientation(image) == (0, 0.0)


def test_digit_reader_runs_eng_with_a_whitelist(tmp_path: Path) -> None:
    body = (f'echo "$*" > {tmp_path}/argv; printf "{HEADER}\\n5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t9\\t9\\t91.5\\t12\\n'
            f'5\\t1\\t1\\t1\\t1\\t2\\t9\\t0\\t9\\t9\\t80\\t7\\n" > "$2.tsv"')
    assert TesseractEngine(tesseract_cmd=_fake_tesseract(tmp_path, body)).read_digits(np.zeros((9, 9), np.uint8)) == ("127", 0.8)
    argv = (tmp_path / "argv").read_text()
    assert "-l eng" in argv and "--psm 7" in argv and "tessedit_char_whitelist=0123456789" in argv
    broken = tmp_path / "broken"
    broken.mkdir()
    engine = TesseractEngine(tesseract_cmd=_fake_tesseract(broken, "exit 3"))
    assert engine.read_digits(np.zeros((9, 9), np.uint8)) is None  # a failed witness is no witness


def test_fake_engine_has_no_orientation_and_no_digits() -> None:
    engine = FakeEngine()
    assert isinstance(engine, OcrEngine)
    assert engine.orientation(np.zeros((5, 5), np.uint8)) == (0, 0.0)
    assert engine.read_digits(np.zeros((5, 5), np.uint8)) is None


@needs_tesseract
def test_real_tesseract_on_header_crop() -> None:
    """One real call on a small crop of a real scan (the Quốc hiệu line of test_10.pdf)."""
    if not (REAL / "test_10.pdf").is_file() or shutil.which("pdftoppm") is None:
        pytest.skip("real scan or poppler not available")
    from vn_dispatch_parser.image.load import iter_pages

    page = next(iter_pages(REAL / "test_10.pdf", dpi=150))
    crop = page.array[95:140, 540:1140]
    result = TesseractEngine().recognize(crop, layout=Layout.LINE)
    text = " ".join(w.text for w in result.words)
    assert "VIỆT" in text and "NAM" in text
    assert all(0.0 <= w.conf <= 1.0 for w in result.words)


@needs_tesseract
def test_real_tesseract_blank_page_is_empty_not_error() -> None:
    page = TesseractEngine().recognize(np.full((200, 160, 3), 255, np.uint8), page_no=3)
    assert (page.page_no, page.words, page.lines, page.width, page.height) == (3, [], [], 160, 200)
