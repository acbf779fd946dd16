"""Batch runs: bad inputs, resume, --force, timeouts, crashes, kill -9 / Ctrl-C then rerun, searchable PDFs."""

from __future__ import annotations

import json
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

try:  # a worker imports the task function by name: keep it in a small stdlib-only module
    from tests.batch_tasks import hang_crash_or_work
except ImportError:  # tests/ is not a package
    from batch_tasks import hang_crash_or_work  # type: ignore[no-redef]

from vn_dispatch_parser.batch.progress import NullDisplay
from vn_dispatch_parser.batch.resume import sha256_file
from vn_dispatch_parser.batch.runner import BatchOptions, run_batch
from vn_dispatch_parser.batch.workers import Outcome, Task, WorkerPool
from vn_dispatch_parser.outputs.export import csv_text, flat_row
from vn_dispatch_parser.records import FileResult

# text inputs the tests copy and vary: the repo's own text cases (no ../shared needed)
SEEDS = sorted((Path(__file__).resolve().parent / "cases").glob("*.txt"))[:5]
assert len(SEEDS) == 5, "tests/cases/*.txt: the batch tests need five text cases"

# bad input file name -> the error code its line in errors.jsonl must carry
BAD_CODES = {
    "corrupt.pdf": "input_file",
    "empty.tif": "input_file",
    "notimage.jpg": "unsupported_format",
    "locked.pdf": "encrypted_pdf",
    "bomb.png": "too_large",
    "blank.txt": "empty_document",
}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_bad_files(folder: Path) -> None:
    """One file of each kind of bad input (cheap: no real pixels anywhere)."""
    from pypdf import PdfWriter

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n" + b"\x00garbage" * 50)
    (folder / "empty.tif").write_bytes(b"")
    (folder / "notimage.jpg").write_text("Đây là văn bản, không phải ảnh JPEG.\n", encoding="utf-8")
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret", algorithm="RC4-128")
    with (folder / "locked.pdf").open("wb") as fh:
        writer.write(fh)
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)  # claims 2.5 gigapixels
    (folder / "bomb.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _png_chunk(b"IEND", b"")
    )  # fmt: skip
    (folder / "blank.txt").write_text("  \n\n \n", encoding="utf-8")


def make_good_files(folder: Path, n: int = len(SEEDS), lines: int | None = 40) -> list[str]:
    """``n`` distinct text inputs (seed copies, some in a subfolder, the first ``lines`` lines only if
    given: fast to parse); returns their relative paths."""
    rels = []
    for i in range(n):
        seed = SEEDS[i % len(SEEDS)]
        rel = f"sub/{i:03d}_{seed.name}" if i % 3 == 0 else f"{i:03d}_{seed.name}"
        dest = folder / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        text = "\n".join(seed.read_text(encoding="utf-8").splitlines()[:lines])
        dest.write_text(text + "\n" * (1 + i // len(SEEDS)), encoding="utf-8")
        rels.append(rel)
    return rels


def read_errors(out: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]


def result_jsons(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.json"))}


def temp_files(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if p.name.endswith(".tmp")]


@pytest.fixture
def mixed(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    src = tmp_path / "in"
    good = make_good_files(src)
    make_bad_files(src)
    return src, tmp_path / "out", good


def test_bad_inputs_never_stop_the_batch(mixed: tuple[Path, Path, list[str]]) -> None:
    src, out, good = mixed
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    assert (report.ok, report.failed, report.skipped) == (len(good), len(BAD_CODES), 0)
    errors = read_errors(out)
    assert {e["path"]: e["code"] for e in errors} == BAD_CODES
    assert all(e["message"] for e in errors)
    assert sorted(result_jsons(out)) == sorted(f"{rel}.json" for rel in good)
    results = [FileResult.model_validate_json((out / f"{rel}.json").read_bytes()) for rel in sorted(good)]
    for rel, result in zip(sorted(good), results, strict=True):
        assert result.file == rel
        assert result.sha256 == sha256_file(src / rel)
    rows = [flat_row(r, i, d) for r in results for i, d in enumerate(r.documents)]
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == rows
    assert report.documents == len(rows) > 0
    assert report.needs_review == sum(len(d.needs_review) for r in results for d in r.documents)
    csv_bytes = (out / "records.csv").read_bytes()
    assert csv_bytes.startswith("\ufeff".encode())
    assert csv_bytes.decode("utf-8") == csv_text(rows)
    assert not temp_files(out)


def test_resume_skips_current_results_and_retries_failures(mixed: tuple[Path, Path, list[str]]) -> None:
    src, out, good = mixed
    run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    mtimes = {rel: (out / f"{rel}.json").stat().st_mtime_ns for rel in good}
    time.sleep(0.01)
    shutil.copy(SEEDS[0], src / "blank.txt")  # a failed input, fixed
    changed = good[1]
    (src / changed).write_text((src / changed).read_text(encoding="utf-8") + "\nsửa\n", encoding="utf-8")

    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    assert report.skipped == len(good) - 1
    assert report.ok == 2  # the changed input and the fixed one
    assert report.failed == len(BAD_CODES) - 1  # the others are retried, and fail again
    assert {e["path"] for e in read_errors(out)} == set(BAD_CODES) - {"blank.txt"}
    for rel in good:
        now = (out / f"{rel}.json").stat().st_mtime_ns
        assert (now != mtimes[rel]) == (rel == changed), rel
    assert (out / "blank.txt.json").is_file()
    files = {json.loads(line)["file"] for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()}
    assert files == {*good, "blank.txt"}

    stale = out / f"{good[2]}.json"  # a result of another pipeline version is redone
    stale.write_text(stale.read_text(encoding="utf-8").replace('"pipeline_version": "', '"pipeline_version": "0.0.0-'),
                     encoding="utf-8")
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    assert (report.ok, report.skipped) == (1, len(good))


def test_force_redoes_everything(mixed: tuple[Path, Path, list[str]]) -> None:
    src, out, good = mixed
    run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    before = result_jsons(out)
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, force=True))
    assert (report.ok, report.failed, report.skipped) == (len(good), len(BAD_CODES), 0)
    assert result_jsons(out) == before


def test_include_exclude_and_file_list(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    good = make_good_files(src)
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, include=["sub/*"], exclude=["*004_*"]))
    assert sorted(result_jsons(out)) == sorted(f"{r}.json" for r in good if r.startswith("sub/") and "004_" not in r)
    files = [src / good[1], src / good[2]]
    report = run_batch(BatchOptions(inputs=files, out_dir=tmp_path / "out2", jobs=1))
    assert report.ok == 2
    assert (tmp_path / "out2" / f"{good[1]}.json").is_file()


def test_cli_exit_codes_and_plain_log(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vn_dispatch_parser.cli import app

    runner = CliRunner()
    src, out = tmp_path / "in", tmp_path / "out"
    good = make_good_files(src)
    result = runner.invoke(app, ["batch", str(src), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert sum(" ok " in line for line in result.output.splitlines()) == len(good)
    assert "done in" in result.output
    result = runner.invoke(app, ["batch", str(src), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0
    assert sum(" skip " in line for line in result.output.splitlines()) == len(good)

    make_bad_files(src)
    result = runner.invoke(app, ["batch", str(src), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 1
    assert sum(" FAILED " in line for line in result.output.splitlines()) == len(BAD_CODES)

    assert runner.invoke(app, ["batch", str(tmp_path / "missing"), "--out", str(out)]).exit_code == 2
    assert runner.invoke(app, ["batch", str(src), "--out", str(out), "--formats", "json,xml"]).exit_code == 2
    assert runner.invoke(app, ["batch", str(src), "--out", str(src / "blank.txt")]).exit_code == 2


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_pool_kills_hung_and_survives_crashed_workers(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    # the failures come last, so that no replacement worker has to be started (that is slow)
    tasks = [Task(i, "-", f"ok{i}") for i in range(2, 6)] + [Task(0, str(pid_file), "hang"), Task(1, "-", "crash")]
    pool = WorkerPool(2, timeout=0.5, func=hang_crash_or_work)
    t0 = time.monotonic()
    try:
        outcomes = {o.index: o for o in pool.run(iter(tasks), lambda task, pages: None)}
    finally:
        pool.close()
    assert time.monotonic() - t0 < 15
    assert outcomes[0].code == "ocr_timeout" and "time limit" in (outcomes[0].message or "")
    assert outcomes[1].code == "worker_crashed"
    assert all(outcomes[i].ok for i in range(2, 6))
    deadline = time.monotonic() + 5
    while not _gone(int(pid_file.read_text())) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(int(pid_file.read_text())), "the hung worker's child process survived"


def _cli(src: Path, out: Path, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "vn_dispatch_parser.cli", "batch", str(src), "--out", str(out), "--jobs", "2"]
    with log.open("ab") as fh:
        return subprocess.Popen(cmd, stdout=fh, stderr=fh)


def _stop_part_way(proc: subprocess.Popen[bytes], out: Path, sig: int, min_done: int = 5) -> None:
    deadline = time.monotonic() + 60
    while len(list(out.rglob("*.txt.json"))) < min_done:
        assert proc.poll() is None, "the run finished before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(sig)
    proc.wait(timeout=30)


class _CtrlC(NullDisplay):
    """Presses Ctrl-C (raises KeyboardInterrupt in the main thread) once ``after`` more files are done."""

    def __init__(self, after: int) -> None:
        self.after = after

    def file_done(self, rel: str, outcome: Outcome) -> None:
        self.after -= 1
        if self.after == 0:
            raise KeyboardInterrupt


def test_interrupted_runs_then_rerun_equal_a_clean_run(tmp_path: Path) -> None:
    src = tmp_path / "in"
    good = make_good_files(src, 60, lines=30)
    make_bad_files(src)
    ref, out, log = tmp_path / "ref", tmp_path / "out", tmp_path / "log.txt"
    run_batch(BatchOptions(inputs=[src], out_dir=ref, jobs=1))  # the uninterrupted run

    proc = _cli(src, out, log)  # kill -9 part-way
    _stop_part_way(proc, out, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    done = len(list(out.rglob("*.txt.json")))
    assert 0 < done < len(good)

    # Ctrl-C part-way through the resumed run, in a worker process (a timeout needs one): results kept,
    # combined outputs untouched
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, timeout=60), display=_CtrlC(after=3))
    assert report.interrupted and report.ok == 3
    assert not (out / "records.csv").exists()
    assert len(list(out.rglob("*.txt.json"))) == done + 3

    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))  # the rerun finishes the job
    assert report.skipped == done + 3 and report.failed == len(BAD_CODES)
    assert result_jsons(out) == result_jsons(ref)
    for name in ("records.jsonl", "records.csv", "errors.jsonl"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == report.documents
    assert not temp_files(out)


def test_ctrl_c_exit_code_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import vn_dispatch_parser.batch.progress as progress
    from vn_dispatch_parser.cli import app

    src, out = tmp_path / "in", tmp_path / "out"
    make_good_files(src, 4)
    monkeypatch.setattr(progress, "make_display", lambda stream=None: _CtrlC(after=1))
    result = CliRunner().invoke(app, ["batch", str(src), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 130
    assert len(list(out.rglob("*.json"))) == 1 and not (out / "records.jsonl").exists()


def _text_page(path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (640, 180), "white")
    draw = ImageDraw.Draw(img)
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype("DejaVuSans.ttf", 40)
    except OSError:
        font = ImageFont.load_default()
    draw.text((40, 30), "CÔNG VĂN SỐ 123", fill="black", font=font)
    draw.text((40, 100), "Hà Nội, ngày 5", fill="black", font=font)
    img.save(path, dpi=(150, 150))


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_searchable_pdf_next_to_the_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfReader

    import vn_dispatch_parser.pipeline as pipeline

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    _text_page(src / "page.png")
    original = sha256_file(src / "page.png")
    # the field OCR is someone else's test; here only the searchable PDF's handling matters: the page is
    # still read (its words are the searchable PDF's text layer), but the record is a seed's
    real = pipeline.parse_file

    def fake(path: Path, **kw: object) -> object:
        scanned = real(path, **kw)  # type: ignore[arg-type]
        result = pipeline.parse_text(SEEDS[0].read_text("utf-8"))
        result.engine = scanned.engine  # what read the page: part of the resume key
        return result

    monkeypatch.setattr(pipeline, "parse_file", fake)
    opts = BatchOptions(inputs=[src], out_dir=out, jobs=1, searchable_pdf=True, dpi=150)
    assert run_batch(opts).ok == 1
    pdf = out / "page.png.searchable.pdf"
    reader = PdfReader(pdf)
    assert len(reader.pages) == 1
    assert "123" in reader.pages[0].extract_text()
    assert sha256_file(src / "page.png") == original
    assert run_batch(opts).skipped == 1
    pdf.unlink()  # a missing searchable PDF makes the input due again
    assert run_batch(opts).ok == 1 and pdf.is_file()
    assert not temp_files(out)


def test_the_largest_files_are_read_first_and_outputs_keep_input_order(tmp_path: Path) -> None:
    """Work starts with the largest file (no long file left for the end of a run); the combined outputs still
    list the files in input order."""
    from vn_dispatch_parser.batch.runner import _largest_first

    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, size in (("a.txt", 10), ("b.txt", 3000), ("c.txt", 200)):
        (inputs / name).write_text("x" * size, encoding="utf-8")
    paths = [(inputs / n, Path(n)) for n in ("a.txt", "b.txt", "c.txt")]
    assert _largest_first(paths) == [1, 2, 0]
    case = (Path(__file__).parent / "cases" / "01_cv_so_yte_kinhgui_list.txt").read_text(encoding="utf-8")
    for name in ("a.txt", "b.txt", "c.txt"):  # three dispatches, the longest in the middle
        (inputs / name).write_text(case + ("\n" + "Nội dung. " * 300 if name == "b.txt" else ""), encoding="utf-8")
    out = tmp_path / "out"
    run_batch(BatchOptions(inputs=[inputs], out_dir=out, jobs=1), NullDisplay())
    files = [json.loads(line)["file"] for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert files == sorted(files)
