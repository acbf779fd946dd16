"""Tests of the synthetic sample generator (``vn_dispatch_parser.synth``)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from rapidfuzz import fuzz

from vn_dispatch_parser.synth.content import build_file
from vn_dispatch_parser.synth.generate import TRUTH_KEYS, SampleSpec, committed_specs, generate
from vn_dispatch_parser.synth.layout import layout_document
from vn_dispatch_parser.synth.model import Features
from vn_dispatch_parser.synth.render import render_document
from vn_dispatch_parser.synth.typeset import mm

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
STAMP_KEYS = {"receiver", "number", "date_text", "date"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_truth(truth: dict) -> None:
    assert set(truth) == {"file", "pages", "degradation", "documents"}
    assert truth["degradation"] in {"clean", "mild", "heavy"}
    assert truth["documents"]
    for doc in truth["documents"]:
        assert tuple(doc) == TRUTH_KEYS
        assert doc["number_symbol"] in (None, f"{doc['number']}/{doc['symbol']}")
        assert (doc["number"] is None) == (doc["number_symbol"] is None)
        assert doc["signer_authority"] in (None, "TM.", "KT.", "TL.", "TUQ.", "Q.")
        assert doc["urgency"] in (None, "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC")
        assert doc["confidentiality"] in (None, "MẬT", "TỐI MẬT", "TUYỆT MẬT")
        assert not doc["subject"].startswith("V/v") and not doc["subject"].endswith(".")
        for item in doc["addressees"] + doc["recipients"]:
            assert not item.startswith("- ") and not item.endswith((";", "."))
        stamp = doc["incoming_stamp"]
        assert stamp is None or set(stamp) == STAMP_KEYS
        assert all(set(r) == {"type", "number_symbol", "date"} for r in doc["references"])
        assert 1 <= doc["page_start"] <= doc["page_end"] <= truth["pages"]
        assert doc["signer_name"] in doc["full_text"]


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    feats = Features(kind="CV", handwritten=True, stamp_ink="violet", urgency="KHẨN", notes=True, pages=1)
    spec = SampleSpec("det.jpg", 424242, "heavy", "jpg", feats, dpi=100, quality=60)
    first, _ = generate(spec, tmp_path / "a")
    second, _ = generate(spec, tmp_path / "b")
    assert _sha(first) == _sha(second)
    assert _sha(Path(f"{first}.json")) == _sha(Path(f"{second}.json"))


def test_pdf_has_fixed_dates_and_truth_keys(tmp_path: Path) -> None:
    spec = SampleSpec(
        "bundle.pdf", 99, "mild", "pdf", Features(bundle=True, stamp_ink="red"), dpi=100, quality=50
    )
    path, truth = generate(spec, tmp_path)
    assert b"/CreationDate (D:20250101000000Z)" in path.read_bytes()
    _check_truth(truth)
    assert len(truth["documents"]) == 2
    cover, forwarded = truth["documents"]
    assert cover["doc_type"] == "CÔNG VĂN" and cover["incoming_stamp"] is not None
    assert forwarded["page_start"] == cover["page_end"] + 1
    cited = {(r["number_symbol"], r["date"]) for r in cover["references"]}
    assert (forwarded["number_symbol"], forwarded["issued_date"]) in cited
    assert json.loads(Path(f"{path}.json").read_text(encoding="utf-8")) == truth


def test_draft_has_blank_number_and_day() -> None:
    docs = build_file(random.Random("draft"), Features(draft=True, kind="KH"))
    doc = docs[0]
    assert doc.number is None and doc.date is None and doc.number_symbol is None
    assert not doc.marks.seal and doc.symbol.startswith("KH-")


def test_committed_samples_match_their_truth() -> None:
    names = {spec.name for spec in committed_specs()}
    assert len(names) >= 15
    for name in sorted(names):
        path = SAMPLES / name
        if not path.exists():
            pytest.skip("samples/ not generated (run `make samples`)")
        truth = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
        assert truth["file"] == name
        _check_truth(truth)
        if path.suffix in {".png", ".jpg", ".tif"}:
            with Image.open(path) as img:
                assert getattr(img, "n_frames", 1) == truth["pages"]


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_clean_header_is_readable_by_tesseract(tmp_path: Path) -> None:
    """The truth's issuer, number and date are what a clean page shows (2 Tesseract calls)."""
    feats = Features(
        kind="CV",
        level="department",
        handwritten=False,
        stamp_ink="none",
        urgency="",
        confidentiality="",
        notes=False,
        pages=1,
    )
    doc = build_file(random.Random("ocr-header"), feats)[0]
    layout = layout_document(doc, random.Random("ocr-layout"))
    page = render_document(doc, layout, random.Random("ocr-marks"))[0]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    texts = []
    for box in ((0, 0, mm(102), mm(62)), (mm(92), 0, page.width, mm(62))):
        crop = tmp_path / "zone.png"
        page.crop(box).save(crop)
        out = subprocess.run(
            ["tesseract", str(crop), "stdout", "-l", "vie", "--psm", "6"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
        texts.append(" ".join(out.stdout.split()))
    left, right = texts
    assert doc.date is not None and doc.number_symbol is not None
    month = f"{doc.date.month:02d}" if doc.date.month <= 2 else str(doc.date.month)
    date_text = f"{doc.place}, ngày {doc.date.day:02d} tháng {month} năm {doc.date.year}"
    assert fuzz.partial_ratio(doc.issuer, left) >= 85, left
    assert (
        fuzz.partial_ratio(
            doc.number_symbol.replace("/", " /") if doc.number_gap else doc.number_symbol, left
        )
        >= 85
    ), left
    assert fuzz.partial_ratio(date_text, right) >= 85, right


def test_committed_sample_regenerates_byte_for_byte(tmp_path: Path) -> None:
    """`make samples` must reproduce the committed files (same fonts and library versions)."""
    spec = next(s for s in committed_specs() if s.name == "cv_017_heavy.png")
    committed = SAMPLES / spec.name
    if not committed.exists():
        pytest.skip("samples/ not generated (run `make samples`)")
    path, _ = generate(spec, tmp_path)
    assert _sha(path) == _sha(committed), "synth output changed: run `make samples` and commit samples/"
    assert Path(f"{path}.json").read_bytes() == Path(f"{committed}.json").read_bytes()


def test_photo_level_makes_a_sheet_on_a_desk(tmp_path: Path) -> None:
    """``--levels photo``: a JPEG of the page lying on a desk at an angle, whose sheet the reader finds."""
    import cv2

    from vn_dispatch_parser.image.perspective import find_page
    from vn_dispatch_parser.synth.generate import random_specs

    spec = random_specs(1, 31, ("photo",))[0]
    assert spec.name.endswith("_photo.jpg")
    path, truth = generate(spec, tmp_path)
    assert truth["degradation"] == "photo"
    photo = cv2.imread(str(path))
    quad = find_page(photo)
    assert quad is not None and 0.4 < quad.area < 0.9
