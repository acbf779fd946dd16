"""Golden tests: every scan of ``samples/`` read through recorded OCR equals its recorded record, field by field.

``make ocr-cache`` (tools/ocr_cache.py) read each file with real Tesseract and stored every engine call and
the record in ``tests/ocr_cache/<file>.json.gz``. Here the whole scan path runs again (rendering,
preprocessing, ink, layout, hand-writing model, field parsers) with a
:class:`~vn_dispatch_parser.ocr.replay.ReplayEngine` in Tesseract's place, so these tests need no Tesseract.
A difference means the pipeline changed a record (intended: re-record and say why) or asks the engine
something new (an :class:`~vn_dispatch_parser.ocr.replay.OcrCacheMiss`: re-record).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from vn_dispatch_parser.core.types import Layout
from vn_dispatch_parser.ocr.replay import OcrCacheMiss, ReplayEngine, load_cache, save_cache
from vn_dispatch_parser.pipeline import parse_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CACHE = Path(__file__).resolve().parent / "ocr_cache"
CACHES = sorted(CACHE.glob("*.json.gz"))
SCANS = sorted(p for p in SAMPLES.iterdir() if p.suffix.lower() in (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"))

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")


def _diff(a: Any, b: Any, path: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _diff(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {b!r:.120} (recorded {a!r:.120})"]


def test_every_scan_of_samples_is_recorded() -> None:
    recorded = {p.name.removesuffix(".json.gz") for p in CACHES}
    missing = [p.name for p in SCANS if p.name not in recorded]
    assert SCANS and not missing, f"no OCR cache for {missing}: run `make ocr-cache`"


@needs_poppler
@pytest.mark.parametrize("cache_file", CACHES, ids=lambda p: p.name.removesuffix(".json.gz"))
def test_sample_through_recorded_ocr(cache_file: Path) -> None:
    cache = load_cache(cache_file)
    engine = cache.replay(SAMPLES / cache.file)
    result = json.loads(parse_file(SAMPLES / cache.file, engine=engine).to_json())
    expected = cache.record
    for rec in (result, expected):  # which engine and models read: the replay engine here, not a reading
        rec.pop("engine", None)
    docs, want = result.pop("documents"), expected.pop("documents")
    assert len(docs) == len(want), f"{cache.file}: {len(docs)} documents, recorded {len(want)}"
    for i, (doc, rec) in enumerate(zip(docs, want, strict=True)):
        for field in sorted(set(doc) | set(rec)):
            assert doc.get(field) == rec.get(field), f"{cache.file} document {i + 1} {field}: " + "; ".join(
                _diff(rec.get(field), doc.get(field), field))
    assert _diff(expected, result, "file") == []
    assert engine.unused() == [], f"{cache.file}: recorded OCR calls not asked for (stale cache): {engine.unused()[:5]}"


def test_replay_miss_is_a_clear_error(tmp_path: Path) -> None:
    import numpy as np

    cache = load_cache(CACHES[0])
    engine = cache.replay()
    with pytest.raises(OcrCacheMiss, match=r"no recorded OCR answer for \('recognize', 1, 'block', 7, 9\).*make ocr-cache"):
        engine.recognize(np.zeros((7, 9), np.uint8), layout=Layout.BLOCK, page_no=1)
    other = tmp_path / "other.png"
    other.write_bytes(b"not the recorded file")
    with pytest.raises(OcrCacheMiss, match="is not the file recorded"):
        cache.replay(other)


def test_replay_answers_in_call_order_and_round_trips(tmp_path: Path) -> None:
    import numpy as np

    from vn_dispatch_parser.ocr.engine import FakeEngine
    from vn_dispatch_parser.ocr.replay import OcrCache, RecordingEngine

    fake = FakeEngine.from_lines({1: ["Số: 12/UBND", "V/v thử"], 2: ["Nơi nhận:"]})
    rec = RecordingEngine(fake)
    img = np.zeros((30, 40), np.uint8)
    first, second = rec.recognize(img, page_no=1), rec.recognize(img, page_no=2)
    assert rec.orientation(img) == (0, 0.0) and rec.read_digits(img) is None
    path = tmp_path / "c.json.gz"
    save_cache(path, OcrCache("x.png", "0" * 64, fake.version(), rec.calls, {}))
    again = path.read_bytes()
    save_cache(path, OcrCache("x.png", "0" * 64, fake.version(), rec.calls, {}))
    assert path.read_bytes() == again  # recorded twice: the same bytes
    replay = load_cache(path).replay()
    assert isinstance(replay, ReplayEngine)
    assert replay.recognize(img, page_no=1).words == first.words
    assert [ln.text for ln in replay.recognize(img, page_no=2).lines] == [ln.text for ln in second.lines]
    assert replay.orientation(img) == (0, 0.0) and replay.read_digits(img) is None
    assert replay.unused() == []
    with pytest.raises(OcrCacheMiss, match="all used"):
        replay.recognize(img, page_no=1)
