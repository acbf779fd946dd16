"""The benchmark: CER, the report table, and one tiny end-to-end run over a text-only set (no OCR)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

# the bench is a development tool (tools/bench.py), not part of the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import bench  # noqa: E402

from .conftest import CONG_VAN_TEXT as TEXT


@pytest.mark.parametrize(
    ("truth", "pred", "expected"),
    [
        ("abc", "abc", 0.0),
        ("abcd", "abed", 0.25),
        ("abcd", "", 1.0),
        ("ab", "abcdef", 2.0),  # insertions count: CER can exceed 1
        ("Sở  Y\ntế", "**Sở Y tế**", 0.0),  # whitespace collapsed, markdown emphasis dropped
        ("Sở", "So\u031b\u0309", 0.0),  # NFC: decomposed ở equals composed ở
        ("", "x", 1.0),  # empty truth: edits over max(1, 0)
    ],
)
def test_cer_known_strings(truth: str, pred: str, expected: float) -> None:
    assert bench.cer(truth, pred) == pytest.approx(expected)


def test_corpus_cer_weights_by_truth_length() -> None:
    assert bench.corpus_cer([("abcd", "abcd"), ("ef", "")]) == pytest.approx(2 / 6)
    assert bench.corpus_cer([]) is None


def test_render_table_from_fake_results() -> None:
    results = {
        "samples": {"files": 3, "pages": 5, "documents": 3, "failed": 0, "score: all_fields": 0.91234,
                    "score: ~silent_errors": 0.05, "score (heavy): all_fields": 0.8, "cer_pipeline": 0.04,
                    "cer_plain": 0.08, "s_page_pipeline": 3.0, "s_page_plain": 2.5, "speed_ratio": 1.2,
                    "ppm_1": 20.0, "ppm_n": 36.0, "ppm_ratio": 1.8, "jobs_n": 2, "rss_1_mb": 210.4,
                    "parse_ms_page": 4.5, "parse_share": 0.0015},
        "real": {"files": 1, "pages": 0},
    }
    md = bench.render(results, {"command": "`bench samples real`", "tesseract": "tesseract 5.3.0"})
    lines = md.splitlines()
    assert "- command: `bench samples real`" in lines
    assert "| metric | samples | real |" in lines
    table = [ln for ln in lines if ln.startswith("|")]
    assert len({ln.count("|") for ln in table}) == 1  # every row has both columns
    rows = {ln.split("|")[1].strip(): [c.strip() for c in ln.split("|")[2:-1]] for ln in table}
    assert rows["score: all_fields"] == ["0.912", "–"]
    assert rows["score: ~silent_errors"] == ["0.050", "–"]
    assert rows["score (heavy): all_fields"] == ["0.800", "–"]
    assert rows["image pages"] == ["5", "0"]
    assert rows["pipeline / plain s/page (target ≤ 1.3)"] == ["1.20×", "–"]
    assert rows["parse_text / OCR (target < 2%)"] == ["0.15%", "–"]
    # overall score rows come before the per-level ones
    assert table.index(next(ln for ln in table if "| score: all_fields |" in ln)) < table.index(
        next(ln for ln in table if "score (heavy)" in ln))


def test_discover_limits_pages_and_finds_truth_in_both_layouts(tmp_path: Path) -> None:
    beside = tmp_path / "beside"
    beside.mkdir()
    for name in ("a.txt", "b.txt"):
        (beside / name).write_text(TEXT, encoding="utf-8")
    (beside / "a.txt.json").write_text(json.dumps({"file": "a.txt", "documents": []}), encoding="utf-8")
    assert [it.rel for it in bench.discover(beside)] == ["a.txt"]  # b.txt has no truth
    real = tmp_path / "real"
    (real / "truth").mkdir(parents=True)
    (real / "c.md").write_text(TEXT, encoding="utf-8")
    (real / "truth" / "c.md.json").write_text(json.dumps({"file": "c.md", "documents": []}), encoding="utf-8")
    items = bench.discover(real, limit_pages=0)
    assert items == []  # the cap is reached before the first file


def test_end_to_end_on_a_text_only_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_dir = tmp_path / "tiny"
    set_dir.mkdir()
    (set_dir / "x.txt").write_text(TEXT, encoding="utf-8")
    truth = {"file": "x.txt", "documents": [{"number_symbol": "1865/SYT-VP", "issued_date": "2025-06-18",
                                             "signer_name": "Nguyễn Hồng Chương", "full_text": TEXT}]}
    (set_dir / "x.txt.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "report" / "bench.md"
    work = tmp_path / "work"
    assert bench.main(["--out", str(out), "--jobs", "1", "--work", str(work), str(set_dir),
                       str(tmp_path / "missing")]) == 0
    md = out.read_text(encoding="utf-8")
    assert md == capsys.readouterr().out
    assert "| metric | tiny |" in md and "missing" not in md.split("| metric")[1]
    cells = [ln.split("|") for ln in md.splitlines() if ln.startswith("| ")]
    rows = {c[1].strip(): c[2].strip() for c in cells}
    assert rows["files"] == "1" and rows["image pages"] == "0" and rows["pipeline: failed files"] == "0"
    assert rows["s/page, plain Tesseract"] == "–"  # no image pages: plain Tesseract skipped
    assert float(rows["full-text CER, pipeline"]) < 0.2
    assert (work / "0-tiny" / "pipeline" / "x.txt.json").is_file()
    if bench.find_score_py() is not None:
        assert float(rows["score: all_fields"]) > 0.5


def test_batch_without_force_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "fake-cli"
    fake.write_text("#!/bin/sh\nfor a; do [ \"$a\" = --force ] && { echo 'No such option: --force' >&2; exit 2; }; done\n"
                    "mkdir -p \"$4\" && : > \"$4/errors.jsonl\"\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setattr(bench, "_cli", lambda: [str(fake)])
    item = bench.Item(tmp_path / "x.txt", "x.txt", tmp_path / "x.txt.json", 0)
    res = bench.run_pipeline(tmp_path, [item], tmp_path / "work" / "out", 1)
    assert res["rc"] == 0 and res["failed"] == 0 and res["wall"] > 0
