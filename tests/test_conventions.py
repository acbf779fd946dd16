"""CLI and library conventions (issue 15): --version, -h, python -m, completion, -q/-v/--log-file, --pages,
'-' for standard input, a TOML config, bytes and file objects, a light import, top-level record types,
run_batch without a main guard, the sdist."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import vn_dispatch_parser
from vn_dispatch_parser import parse_file
from vn_dispatch_parser.cli import app

from .conftest import CONG_VAN_TEXT, ROOT

runner = CliRunner()
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _run(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, *args], input=stdin, capture_output=True, env=ENV, cwd=cwd, timeout=300,
                          check=False)


def test_version_and_short_help() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"vn-dispatch {vn_dispatch_parser.__version__}"
    res = runner.invoke(app, ["-h"])
    assert res.exit_code == 0 and "batch" in res.stdout and "--install-completion" in res.stdout
    res = runner.invoke(app, ["batch", "-h"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    assert res.exit_code == 0 and "--sidecar" in res.stdout and "--invalidate-signatures" in res.stdout


def test_python_dash_m_and_standard_input() -> None:
    res = _run("-m", "vn_dispatch_parser", "--version")
    assert res.returncode == 0 and b"vn-dispatch" in res.stdout
    res = _run("-m", "vn_dispatch_parser", "parse", "-", stdin=CONG_VAN_TEXT.encode("utf-8"))
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["file"] == "-" and data["documents"][0]["number_symbol"] == "1865/SYT-VP"


def test_shell_completion_script() -> None:
    res = _run("-m", "vn_dispatch_parser", "--show-completion", "bash")
    assert res.returncode == 0 and b"complete" in res.stdout


def test_pages_option(tmp_path: Path) -> None:
    p = tmp_path / "two.txt"
    p.write_text("trang một\f" + CONG_VAN_TEXT, encoding="utf-8")
    res = runner.invoke(app, ["parse", "--pages", "2", str(p)])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["documents"][0]["number_symbol"] == "1865/SYT-VP"
    res = runner.invoke(app, ["parse", "--pages", "0-x", str(p)])
    assert res.exit_code == 2 and "--pages" in res.output


def test_quiet_verbose_and_log_file(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(CONG_VAN_TEXT, encoding="utf-8")
    (src / "bad.txt").write_bytes(b"")
    log = tmp_path / "logs" / "run.log"
    res = runner.invoke(app, ["-q", "--log-file", str(log), "batch", str(src), "--out", str(tmp_path / "o"), "-j", "1"])
    assert res.exit_code == 1
    assert "a.txt" not in res.stderr and "bad.txt" in res.stderr  # only the failure is shown
    assert log.is_file()
    res = runner.invoke(app, ["-v", "batch", str(src), "--out", str(tmp_path / "o2"), "-j", "1"])
    assert "ok      a.txt" in res.stderr


def test_toml_config_gives_defaults(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(CONG_VAN_TEXT, encoding="utf-8")
    cfg = tmp_path / "vn-dispatch.toml"
    cfg.write_text('[batch]\njobs = 1\nformats = ["json", "xlsx"]\nnaming = "nd30"\n', encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(app, ["--config", str(cfg), "batch", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "records.xlsx").is_file() and not (out / "records.csv").exists()
    res = runner.invoke(app, ["--config", str(cfg), "batch", str(src), "--out", str(tmp_path / "o2"),
                              "--formats", "csv"])  # the command line wins
    assert (tmp_path / "o2" / "records.csv").is_file()
    bad = tmp_path / "bad.toml"
    bad.write_text("jobs = ", encoding="utf-8")
    res = runner.invoke(app, ["--config", str(bad), "batch", str(src), "--out", str(out)])
    assert res.exit_code == 2 and "TOML" in res.output


def test_parse_file_takes_bytes_and_binary_file_objects(tmp_path: Path) -> None:
    data = CONG_VAN_TEXT.encode("utf-8")
    assert parse_file(data).documents[0].number_symbol == "1865/SYT-VP"
    assert parse_file(io.BytesIO(data), name="cv.txt").file == "cv.txt"
    p = tmp_path / "cv.txt"
    p.write_bytes(data)
    with p.open("rb") as fh:
        assert parse_file(fh).file == "cv.txt"
    with pytest.raises(TypeError, match="binary"), p.open("r", encoding="utf-8") as fh:
        parse_file(fh)  # type: ignore[arg-type]
    with pytest.raises(vn_dispatch_parser.InputFileError):
        parse_file(b"")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_parse_file_bytes_of_an_image(tmp_path: Path) -> None:
    sample = ROOT / "samples" / "cv_001_clean.png"
    result = parse_file(sample.read_bytes())
    assert result.file == "<bytes>.png" and result.documents


def test_import_loads_no_opencv_or_numpy() -> None:
    code = "import sys, vn_dispatch_parser; print([m for m in ('cv2', 'numpy') if m in sys.modules])"
    res = _run("-c", code)
    assert res.returncode == 0 and res.stdout.strip() == b"[]", res.stderr


def test_record_types_at_the_top_level() -> None:
    for name in ("FieldEvidence", "DigitalSignature", "PdfSignature", "Document", "FileResult", "IncomingStamp",
                 "Reference", "SignedPdfError", "json_schema"):
        assert name in vn_dispatch_parser.__all__ and hasattr(vn_dispatch_parser, name)


def test_run_batch_without_a_main_guard_fails_clearly(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(CONG_VAN_TEXT, encoding="utf-8")
    script = tmp_path / "script.py"
    script.write_text(
        "from pathlib import Path\n"
        "from vn_dispatch_parser.batch.runner import BatchOptions, run_batch\n"
        f"run_batch(BatchOptions(inputs=[Path({str(src)!r})], out_dir=Path({str(tmp_path / 'out')!r}), jobs=2))\n",
        encoding="utf-8")
    res = _run(str(script))
    assert res.returncode != 0
    assert b"__main__" in res.stderr and b"BatchUsageError" in res.stderr
    guarded = tmp_path / "guarded.py"
    guarded.write_text(
        "from pathlib import Path\n"
        "from vn_dispatch_parser.batch.runner import BatchOptions, run_batch\n"
        "if __name__ == '__main__':\n"
        f"    r = run_batch(BatchOptions(inputs=[Path({str(src)!r})], out_dir=Path({str(tmp_path / 'o2')!r}), jobs=2))\n"
        "    print(r.ok, r.failed)\n", encoding="utf-8")
    res = _run(str(guarded))
    assert res.returncode == 0 and res.stdout.split() == [b"1", b"0"], res.stderr


def test_sdist_holds_the_tests_and_the_license(tmp_path: Path) -> None:
    pytest.importorskip("build")
    res = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(ROOT)],
                         capture_output=True, timeout=600, check=False)
    if res.returncode != 0 and b"Could not" in res.stderr + res.stdout:  # pragma: no cover - no index reachable
        pytest.skip("build isolation could not install setuptools")
    assert res.returncode == 0, res.stderr[-2000:]
    [sdist] = list(tmp_path.glob("*.tar.gz"))
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert "LICENSE" in names and "tests/conftest.py" in names and "tests/test_conventions.py" in names
    assert any(n.startswith("tests/cases/") for n in names)
    assert not any("__pycache__" in n or n.startswith(".venv") for n in names)


def test_progress_bar_shows_the_current_file() -> None:
    from vn_dispatch_parser.batch.progress import RichDisplay
    from vn_dispatch_parser.batch.workers import Outcome

    d = RichDisplay(io.StringIO())
    d.start(2, 1, "out")
    d.file_started("hop-1/cong-van-0001.pdf", 3)
    assert d.current() == "hop-1/cong-van-0001.pdf"
    d.file_started("x" * 60 + ".pdf", 1)
    assert d.current().startswith("…") and len(d.current()) == 40
    d.file_done("x" * 60 + ".pdf", Outcome(1, True, "{}", pages=1))
    assert d.current() == "hop-1/cong-van-0001.pdf"
    d.finish(__import__("vn_dispatch_parser.batch.runner", fromlist=["BatchReport"]).BatchReport())
