"""--fields-only: the bands found from the ink (no OCR) leave the body's middle out; a scan read fields-only has
the full read's field values, no full_text, and a version that a full run does not take as current."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from vn_dispatch_parser.records import PIPELINE_VERSION
from vn_dispatch_parser.scan.bands import field_bands, text_rows

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ["issuer_parent", "issuer", "doc_type", "number", "symbol", "number_symbol", "place", "issued_date",
          "subject", "addressees", "recipients", "signer_authority", "signer_position", "signer_name", "urgency",
          "confidentiality", "incoming_stamp", "has_seal", "page_start", "page_end"]


def _page(body_lines: int) -> np.ndarray:
    """An A4 page at 100 dpi: two header columns, a centred title, ``body_lines`` full-width lines, then Nơi
    nhận (left) beside the signature (right)."""
    img = np.full((1170, 827), 255, np.uint8)
    y = 60

    def line(x0: int, x1: int, height: int = 14) -> None:
        nonlocal y
        cv2.rectangle(img, (x0, y), (x1, y + height), 0, -1)
        y += height + 12

    line(80, 330)
    y -= 26
    line(430, 760)
    line(90, 320)
    y += 30
    line(300, 520)  # the title
    line(250, 570)  # the subject
    y += 20
    for _ in range(body_lines):
        line(80, 750)
    y += 30
    top = y
    for _ in range(4):
        line(80, 300, 10)
    y = top
    for _ in range(3):
        line(500, 700)
    return img


def test_bands_skip_the_body_middle() -> None:
    page = _page(body_lines=20)
    rows = text_rows(page, 100)
    assert sum(r.body for r in rows) == 20
    (a0, a1), (b0, b1) = field_bands(page, 100)
    assert a0 == 0 and b1 == page.shape[0] and a1 < b0
    body = [r for r in rows if r.body]
    assert body[4].y1 <= a1 < body[5].y0  # five body lines under the subject
    assert body[-3].y1 <= b0 <= body[-2].y0  # the last two body lines above Nơi nhận
    assert all(r.y1 <= a1 or r.y0 >= b0 for r in rows if not r.body)  # nothing but body is left out


def test_a_page_with_little_body_is_read_whole() -> None:
    page = _page(body_lines=8)
    assert field_bands(page, 100) == [(0, page.shape[0])]
    assert field_bands(np.full((300, 200), 255, np.uint8), 100) == [(0, 300)]


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_fields_only_gives_the_full_reads_fields() -> None:
    from vn_dispatch_parser.pipeline import parse_file

    path = ROOT / "samples" / "ct_012_mild.pdf"  # 2 pages: the first is read in two bands
    full, part = parse_file(path), parse_file(path, fields_only=True)
    assert part.pipeline_version == PIPELINE_VERSION + "+fields-only"
    assert len(part.documents) == len(full.documents) == 1
    a, b = full.documents[0].model_dump(mode="json"), part.documents[0].model_dump(mode="json")
    assert {k: b[k] for k in FIELDS} == {k: a[k] for k in FIELDS}
    assert a["full_text"] and b["full_text"] == ""


def test_fields_only_results_are_not_current_for_a_full_run(tmp_path: Path) -> None:
    from vn_dispatch_parser.batch.runner import BatchOptions, run_batch

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("UBND TỈNH BÌNH DƯƠNG\nSỞ Y TẾ\nSố: 12/SYT-VP\nV/v thử\n", encoding="utf-8")
    out = tmp_path / "out"
    first = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, fields_only=True))
    assert first.ok == 1
    assert run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, fields_only=True)).skipped == 1
    full = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    assert (full.ok, full.skipped) == (1, 0)
    assert '"pipeline_version": "' + PIPELINE_VERSION + '"' in (out / "a.txt.json").read_text(encoding="utf-8")
