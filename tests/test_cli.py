"""The command line as a user runs it (in-process with Typer's runner)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from vn_dispatch_parser.cli import app
from vn_dispatch_parser.errors import ExitCode

from .conftest import CONG_VAN_TEXT as TEXT

runner = CliRunner()


def _write(tmp_path: Path, name: str = "a.txt", text: str = TEXT) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_parse_one_file_prints_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["parse", str(_write(tmp_path))])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    doc = data["documents"][0]
    assert doc["number_symbol"] == "1865/SYT-VP"
    assert doc["issued_date"] == "2025-06-18"
    assert data["pipeline_version"]


def test_parse_several_files_prints_jsonl(tmp_path: Path) -> None:
    res = runner.invoke(app, ["parse", str(_write(tmp_path, "a.txt")), str(_write(tmp_path, "b.txt"))])
    assert res.exit_code == 0
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.strip()]
    assert [x["file"] for x in lines] == ["a.txt", "b.txt"]


def test_parse_nd30_naming(tmp_path: Path) -> None:
    res = runner.invoke(app, ["parse", "--naming", "nd30", str(_write(tmp_path))])
    doc = json.loads(res.stdout)["documents"][0]
    assert doc["CodeNumber"] == "1865" and doc["CodeNotation"] == "SYT-VP"
    assert doc["IssuedDate"] == "2025-06-18" and doc["Priority"] == 0
    assert doc["OrganName"] == "SỞ Y TẾ (UBND TỈNH BÌNH DƯƠNG)"  # with its parent body


def test_missing_file_is_a_typed_error(tmp_path: Path) -> None:
    res = runner.invoke(app, ["parse", str(tmp_path / "nope.txt")])
    assert res.exit_code == ExitCode.input_file
    assert "nope.txt" in res.stderr and "no such file" in res.stderr


def test_empty_file_is_a_typed_error(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    res = runner.invoke(app, ["parse", str(p)])
    assert res.exit_code == ExitCode.input_file
    assert "empty" in res.stderr


def test_schema_lists_the_record_keys() -> None:
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0
    schema = json.loads(res.stdout)
    doc = schema["$defs"]["Document"]["properties"]
    for key in ("issuer_parent", "number_symbol", "issued_date", "incoming_stamp", "needs_review", "evidence"):
        assert key in doc


def test_batch_writes_per_file_json_jsonl_and_csv(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    _write(src, "a.txt")
    _write(src / "sub", "b.txt")
    out = tmp_path / "out"
    res = runner.invoke(app, ["batch", str(src), "--out", str(out), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    assert (out / "a.txt.json").exists() and (out / "sub" / "b.txt.json").exists()
    rows = [json.loads(x) for x in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2
    raw = (out / "records.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["number_symbol"] for r in table} == {"1865/SYT-VP"}
    assert table[0]["recipients"] == "Như trên; Lưu: VT, VP"
