"""Batch runs that always finish and account for every input (issue 10): each hostile case builds its own
input here, runs the real batch (or ``parse_file``) and checks that the run completes, every input is read
or named in ``errors.jsonl`` with a typed code, the combined files are written and no user file is lost."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import os
import shutil
import socket
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
from typer.testing import CliRunner

from vn_dispatch_parser import parse_file, parse_text
from vn_dispatch_parser.batch.progress import PlainDisplay
from vn_dispatch_parser.batch.runner import (
    FORCE_MARK,
    BatchOptions,
    BatchOutputError,
    BatchReport,
    BatchUsageError,
    result_path,
    run_batch,
    searchable_path,
)
from vn_dispatch_parser.cli import DPI_MAX, DPI_MIN, app
from vn_dispatch_parser.core.fsutil import (
    MAX_NAME_BYTES,
    WORK_DIR_NAME,
    fit_name,
    is_case_sensitive,
    temp_name,
)
from vn_dispatch_parser.errors import DispatchParserError, ExitCode, InputTooLargeError, InvalidOptionError
from vn_dispatch_parser.outputs.export import csv_text, neutralise_cell
from vn_dispatch_parser.pipeline import DEFAULT_MAX_TEXT_BYTES, DPI_RANGE

from .conftest import CONG_VAN_TEXT
from .test_batch import _CtrlC  # presses Ctrl-C after n files

runner = CliRunner()


def _write(folder: Path, name: str | bytes, text: str = CONG_VAN_TEXT) -> Path:
    """A text input named ``name`` (bytes: an exact, possibly non-UTF-8, file name)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), name))) if isinstance(name, bytes) else folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _errors(out: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]


def _records(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]


def _batch(src: Path, out: Path, **kw: object) -> BatchReport:
    return run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, **kw))  # type: ignore[arg-type]


def _combined_written(out: Path) -> None:
    for name in ("records.jsonl", "records.csv", "errors.jsonl"):
        assert (out / name).is_file(), name


# 1. long file names ------------------------------------------------------------------------------------

def test_long_file_names_are_read_and_shortened_outputs_stay_unique(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    stem = "Công văn về việc chấn chỉnh tăng cường kỷ luật kỷ cương hành chính " * 3  # ~250 bytes
    names = []
    for ending in ("a.txt", "b.txt"):  # two long names that differ only at the end
        name = stem.encode()[: MAX_NAME_BYTES - len(ending) - 3].decode("utf-8", "ignore") + ending
        assert 237 <= len(name.encode()) <= MAX_NAME_BYTES
        _write(src, name)
        names.append(name)
    report = _batch(src, out)
    assert report.ok == 2 and report.failed == 0
    _combined_written(out)
    jsons = sorted(p.name for p in out.glob("*.json"))
    assert len(jsons) == 2 and all(len(n.encode()) <= MAX_NAME_BYTES for n in jsons)
    assert sorted(r["file"] for r in _records(out)) == sorted(names)  # the record keeps the full name
    assert _batch(src, out).skipped == 2  # and a rerun finds the shortened results


def test_output_and_temporary_names_fit_for_searchable_pdfs() -> None:
    name = "Tờ trình " * 30 + ".pdf"  # 230+ bytes
    for suffix in (".json", ".searchable.pdf"):
        assert len(fit_name(name, suffix).encode()) <= MAX_NAME_BYTES
    assert len(searchable_path(Path("/o"), Path(name)).name.encode()) <= MAX_NAME_BYTES
    assert len(temp_name()) < 32  # a temporary name never grows with the final name


# 2. names that are not UTF-8 ---------------------------------------------------------------------------

def test_non_utf8_file_names_are_kept_losslessly(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    raw = b"b\xe1o c\xe1o.txt"  # Windows-1258/Latin-1 bytes copied from another system
    _write(src, raw)
    bad = src / os.fsdecode(b"h\xf4ng.pdf")
    bad.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 20)
    result = runner.invoke(app, ["batch", str(src), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == ExitCode.some_failed, result.output
    _combined_written(out)
    [record] = _records(out)
    assert record["file"] == "b\\xe1o c\\xe1o.txt"
    full = json.loads(result_path(out, Path(os.fsdecode(raw))).read_text(encoding="utf-8"))
    assert unquote_to_bytes(full["file_raw"]) == raw
    [error] = _errors(out)
    assert error["code"] == "input_file" and unquote_to_bytes(error["path_raw"]) == b"h\xf4ng.pdf"
    assert "internal_error" not in (out / "errors.jsonl").read_text(encoding="utf-8")
    assert "b\\xe1o" in (out / "records.csv").read_text(encoding="utf-8-sig")


# 3. --out is the input folder or above it --------------------------------------------------------------

@pytest.mark.parametrize("where", ["same", "above"])
def test_out_equal_to_or_above_the_input_is_a_usage_error(tmp_path: Path, where: str) -> None:
    src = tmp_path / "in"
    _write(src, "a.txt")
    out = src if where == "same" else tmp_path
    with pytest.raises(BatchUsageError, match="input folder"):
        _batch(src, out)
    result = runner.invoke(app, ["batch", str(src), "--out", str(out)])
    assert result.exit_code == ExitCode.usage
    assert not (src / "a.txt.json").exists()


# 4. the start-of-run clean-up removes only its own temporary files ---------------------------------------

def test_cleanup_keeps_the_users_hidden_tmp_files(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    _write(src, "a.txt")
    (out / "sub").mkdir(parents=True)
    mine = [out / ".notes.tmp", out / "sub" / ".draft.docx.tmp", out / ".x.1234.tmp"]
    for p in mine:
        p.write_text("the user's own file")
    leftover = out / temp_name()  # what a killed run leaves
    leftover.write_text("half")
    (out / WORK_DIR_NAME / "vn-dispatch-searchable-x").mkdir(parents=True)  # a killed worker's pages
    assert _batch(src, out).ok == 1
    assert all(p.read_text() == "the user's own file" for p in mine)
    assert not leftover.exists() and not (out / WORK_DIR_NAME).exists()


# 5. CSV injection -------------------------------------------------------------------------------------

def test_csv_cells_a_spreadsheet_would_evaluate_are_neutralised(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    text = CONG_VAN_TEXT.replace("V/v chấn chỉnh thực thi công vụ", 'V/v =HYPERLINK("http://x.example","bấm")')
    _write(src, "=cmd.txt", text)
    _batch(src, out)
    [row] = list(csv.DictReader(io.StringIO((out / "records.csv").read_text(encoding="utf-8-sig"))))
    assert row["file"] == "'=cmd.txt"
    assert row["subject"].startswith("'=HYPERLINK")
    assert _records(out)[0]["subject"].startswith("=HYPERLINK")  # JSON keeps the value as read
    for bad in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(bad) == "'" + bad
    assert csv_text([{"subject": "-x", "number": "03"}]).splitlines()[1] == ",,,,,,,03,,,,,'-x" + "," * 14


# 6. inputs that are not files --------------------------------------------------------------------------

def test_links_fifos_and_unreadable_folders_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    _write(src, "ok.txt")
    (src / "loop1.pdf").symlink_to("loop2.pdf")
    (src / "loop2.pdf").symlink_to("loop1.pdf")
    (src / "dangling.tif").symlink_to("nowhere.tif")
    os.mkfifo(src / "pipe.pdf")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(src / "sock.png"))
    elsewhere = tmp_path / "elsewhere"
    _write(elsewhere, "linked.txt")
    (src / "linked").symlink_to(elsewhere, target_is_directory=True)  # a symlinked sub-folder is read
    (src / "linked" / "back").symlink_to(src, target_is_directory=True)  # a folder loop: not followed twice
    _write(src / "locked", "secret.txt")
    real_scandir = os.scandir

    def scandir(path: object) -> object:  # root can read any folder: deny this one as a user would be
        if Path(os.fsdecode(path)).name == "locked":  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    report = _batch(src, out)
    sock.close()
    _combined_written(out)
    codes = {e["path"]: e["code"] for e in _errors(out)}
    assert codes == {"loop1.pdf": "input_file", "loop2.pdf": "input_file", "dangling.tif": "input_file",
                     "pipe.pdf": "unsupported_format", "sock.png": "unsupported_format", "locked": "input_file"}
    assert sorted(r["file"] for r in _records(out)) == ["linked/linked.txt", "ok.txt"]
    assert report.failed == len(codes) and report.ok == 2


def test_an_explicit_fifo_argument_fails_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "scan.pdf"
    os.mkfifo(fifo)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "vn_dispatch_parser.cli", "batch", str(fifo), "--out", str(out),
                           "--jobs", "1"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == ExitCode.some_failed, proc.stderr
    assert _errors(out)[0]["code"] == "unsupported_format"
    with pytest.raises(DispatchParserError, match="FIFO"):
        parse_file(fifo)


# 7. searchable-PDF scratch space belongs to the run -----------------------------------------------------

def test_searchable_pdf_pages_go_to_the_run_s_work_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    import ocrmypdf
    from PIL import Image

    import vn_dispatch_parser.outputs.searchable as searchable
    from vn_dispatch_parser.core.types import PageText
    from vn_dispatch_parser.errors import OcrTimeoutError

    seen: list[Path] = []

    def fake_ocr(*args: object, **kw: object) -> None:
        seen.append(Path(tempfile.gettempdir()))  # where OCRmyPDF would make its work folder
        raise OcrTimeoutError("killed")  # a worker stopped mid-file

    monkeypatch.setattr(ocrmypdf, "ocr", fake_ocr)
    src = tmp_path / "page.png"
    Image.new("L", (400, 560), 255).save(src)
    work = tmp_path / "out" / WORK_DIR_NAME
    with pytest.raises(OcrTimeoutError):
        searchable.write_searchable_pdf(src, tmp_path / "x.pdf", work_dir=work,
                                        page_texts=[PageText(1, 400, 560, (400, 560))])
    assert seen and seen[0].parent == work  # never in the system's TMPDIR
    assert not any(work.iterdir())  # and removed when the call ends


# 8. size limit on text ---------------------------------------------------------------------------------

def test_text_over_the_size_limit_is_too_large(tmp_path: Path) -> None:
    assert DEFAULT_MAX_TEXT_BYTES == 20_000_000
    src, out = tmp_path / "in", tmp_path / "out"
    _write(src, "ok.txt")
    big = src / "big.txt"
    line = "Số: 12/UBND-VX ngày 5 tháng 6 năm 2025\n".encode()
    big.write_bytes(line * (DEFAULT_MAX_TEXT_BYTES // len(line) + 1000))  # refused before it is parsed
    report = _batch(src, out)
    assert report.ok == 1 and [e["code"] for e in _errors(out)] == ["too_large"]
    _write(src, "small.txt", CONG_VAN_TEXT * 3)
    with pytest.raises(InputTooLargeError):
        parse_file(src / "small.txt", max_text_bytes=1000)
    result = runner.invoke(app, ["parse", str(src / "small.txt"), "--max-text-mb", "0.001"])
    assert result.exit_code == ExitCode.too_large


# 9. odd images only raise typed errors ----------------------------------------------------------------

def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _odd_inputs(folder: Path) -> dict[str, Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for w, h in ((10, 40000), (2, 30000)):
        files[f"{w}x{h}"] = folder / f"strip_{w}x{h}.png"
        Image.new("L", (w, h), 255).save(files[f"{w}x{h}"])
    files["zero_pt_pdf"] = folder / "zero.pdf"
    files["zero_pt_pdf"].write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 0 0]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    buf = io.BytesIO()
    Image.new("L", (100, 100), 255).save(buf, "TIFF")
    tif = bytearray(buf.getvalue())
    ifd = struct.unpack("<I", tif[4:8])[0]
    for i in range(struct.unpack("<H", tif[ifd:ifd + 2])[0]):  # rename the ImageWidth/ImageLength tags
        entry = ifd + 2 + 12 * i
        if struct.unpack("<H", tif[entry:entry + 2])[0] in (256, 257):
            tif[entry:entry + 2] = struct.pack("<H", 65000 + i)
    files["tiff_without_size"] = folder / "nosize.tif"
    files["tiff_without_size"].write_bytes(bytes(tif))
    buf = io.BytesIO()
    Image.new("L", (100, 100), 255).save(buf, "PNG")
    png = buf.getvalue()
    ztxt = _png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * 50_000_000))
    files["png_50mb_ztxt"] = folder / "ztxt.png"
    files["png_50mb_ztxt"].write_bytes(png[:33] + ztxt + png[33:])
    return files


@pytest.mark.parametrize("kind", ["10x40000", "2x30000", "zero_pt_pdf", "tiff_without_size", "png_50mb_ztxt"])
def test_odd_images_raise_typed_errors(tmp_path: Path, kind: str) -> None:
    from vn_dispatch_parser.ocr.engine import FakeEngine

    path = _odd_inputs(tmp_path)[kind]
    with pytest.raises(DispatchParserError):
        parse_file(path, engine=FakeEngine())


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed: the batch reads with it")
def test_odd_images_in_a_batch_are_typed_errors_not_internal(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _odd_inputs(tmp_path / "in")
    report = _batch(tmp_path / "in", out)
    assert report.failed == 5
    assert {e["code"] for e in _errors(out)} <= {"input_file", "too_large", "empty_document", "unsupported_format"}


# 10. case-only clashes -------------------------------------------------------------------------------

def test_names_differing_only_in_case_are_both_read_where_case_counts(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    if not is_case_sensitive(tmp_path):
        pytest.skip("this file system folds case: the two outputs would clash")
    _write(src, "Scan.txt")
    _write(src, "scan.txt")
    assert _batch(src, out).ok == 2
    assert sorted(r["file"] for r in _records(out)) == ["Scan.txt", "scan.txt"]


# low-severity cases -----------------------------------------------------------------------------------

def test_an_output_folder_that_cannot_be_made_is_a_usage_error(tmp_path: Path) -> None:
    src = tmp_path / "in"
    _write(src, "a.txt")
    (tmp_path / "afile").write_text("x")
    result = runner.invoke(app, ["batch", str(src), "--out", str(tmp_path / "afile" / "out")])
    assert result.exit_code == ExitCode.usage
    assert "cannot write to the output folder" in result.output


def test_a_full_disk_is_exit_code_11_and_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from vn_dispatch_parser.batch import combined, resume
    from vn_dispatch_parser.batch import runner as batch

    src, out = tmp_path / "in", tmp_path / "out"
    _write(src, "a.txt")

    def full(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    for module in (batch, resume, combined):  # every batch module that writes a text output whole
        monkeypatch.setattr(module, "atomic_write", full)
    with pytest.raises(BatchOutputError) as info:
        _batch(src, out)
    assert info.value.exit_code == ExitCode.output == 11
    result = runner.invoke(app, ["batch", str(src), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 11
    assert not list(out.rglob("*.json")) and not (out / "records.jsonl").exists()


def test_results_of_deleted_inputs_are_reported_and_pruned_on_request(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    _write(src, "a.txt")
    gone = _write(src, "b.txt")
    _batch(src, out)
    (out / "b.txt.review.json").write_text("{}")  # an archivist's corrections are never pruned
    (out / "notes.json").write_text('{"mine": true}')  # nor a user's own JSON
    gone.unlink()
    with caplog.at_level(logging.WARNING):
        report = _batch(src, out)
    assert report.stale == 1 and "--prune" in caplog.text
    assert [r["file"] for r in _records(out)] == ["a.txt"]
    assert _batch(src, out, prune=True).pruned == 1
    assert not (out / "b.txt.json").exists()
    assert (out / "b.txt.review.json").exists() and (out / "notes.json").exists()
    with pytest.raises(BatchUsageError, match="--prune"):
        _batch(src, out, prune=True, include=["a*"])


def test_an_interrupted_force_run_resumes(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    for i in range(5):
        _write(src, f"{i}.txt")
    assert _batch(src, out).ok == 5
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, force=True), display=_CtrlC(after=2))
    assert report.interrupted and (out / FORCE_MARK).exists()
    report = _batch(src, out, force=True)  # the same command again: the two redone files are not redone
    assert (report.ok, report.skipped) == (3, 2)
    assert not (out / FORCE_MARK).exists()
    assert _batch(src, out, force=True).ok == 5  # a new --force run redoes everything


@pytest.mark.parametrize("dpi", ["0", "-5", "1", "5000"])
def test_dpi_is_validated(tmp_path: Path, dpi: str) -> None:
    assert (DPI_MIN, DPI_MAX) == DPI_RANGE
    src = _write(tmp_path, "a.txt")
    for argv in (["parse", str(src), "--dpi", dpi], ["batch", str(tmp_path), "--out", str(tmp_path / "o"), "--dpi", dpi]):
        assert runner.invoke(app, argv).exit_code == ExitCode.usage
    with pytest.raises(InvalidOptionError):
        parse_file(src, dpi=int(dpi))
    with pytest.raises(BatchUsageError):
        _batch(tmp_path, tmp_path / "o2", dpi=int(dpi))


def test_parse_text_with_lone_surrogates_serialises() -> None:
    result = parse_text("UBND TỈNH X\nV/v b\udce1o c\udce1o\ud800\n", name="x\udcff.txt")
    json.loads(result.to_json())
    assert result.file == "x\\xff.txt"


def test_junk_and_utf16_text(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(128, 256)) * 8)
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(CONG_VAN_TEXT.encode("utf-16"))
    assert runner.invoke(app, ["parse", str(junk)]).exit_code == ExitCode.unsupported_format
    assert parse_file(utf16).documents[0].number_symbol == "1865/SYT-VP"
    _batch(tmp_path, tmp_path / "out")
    assert [(e["path"], e["code"]) for e in _errors(tmp_path / "out")] == [("junk.txt", "unsupported_format")]


def test_an_input_folder_named_like_a_combined_output(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    _write(src, "a.txt")
    _batch(src, out)
    before = {n: (out / n).read_bytes() for n in ("records.jsonl", "records.csv", "errors.jsonl")}
    _write(src / "records.jsonl", "b.txt")
    with pytest.raises(BatchUsageError, match="records.jsonl"):
        _batch(src, out)
    assert before == {n: (out / n).read_bytes() for n in before}


def test_a_newline_in_a_name_stays_on_one_log_line(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    _write(src, "hai\ndòng.txt")
    stream = io.StringIO()
    run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1), display=PlainDisplay(stream))
    [line] = [ln for ln in stream.getvalue().splitlines() if "dòng" in ln]
    assert "hai\\ndòng.txt" in line
    assert _records(out)[0]["file"] == "hai\ndòng.txt"


def test_a_misnamed_file_is_warned_about_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from PIL import Image

    from vn_dispatch_parser.image import load as loader

    path = tmp_path / "scan.jpg"
    Image.new("L", (200, 280), 255).save(path, format="PNG")
    with caplog.at_level(logging.WARNING):
        loader.sniff_format(path)
        loader.count_pages(path)
        list(loader.iter_pages(path))
    assert caplog.text.count("although the name says") == 1


# property: mutated scans raise only DispatchParserError -----------------------------------------------

def _seed_files() -> dict[str, bytes]:
    from PIL import Image, ImageDraw
    from pypdf import PdfWriter

    img = Image.new("L", (240, 340), 255)
    ImageDraw.Draw(img).text((20, 20), "UBND TINH X  So: 12/UBND", fill=0)
    out = {}
    for fmt, suffix in (("PNG", ".png"), ("TIFF", ".tif"), ("JPEG", ".jpg")):
        buf = io.BytesIO()
        img.save(buf, fmt)
        out[suffix] = buf.getvalue()
    writer, buf = PdfWriter(), io.BytesIO()
    writer.add_blank_page(200, 280)
    writer.write(buf)
    out[".pdf"] = buf.getvalue()
    return out


SEED_FILES = _seed_files()


def _mutate(data: bytes, flips: list[tuple[int, int]], cut: float | None) -> bytes:
    buf = bytearray(data)
    for pos, bit in flips:
        buf[pos % len(buf)] ^= 1 << bit
    return bytes(buf[: max(1, int(len(buf) * cut))] if cut is not None else buf)


def test_mutated_scans_raise_only_typed_errors(tmp_path: Path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from vn_dispatch_parser.ocr.engine import FakeEngine

    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler not installed")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(suffix=st.sampled_from(sorted(SEED_FILES)),
           flips=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 7)), max_size=12),
           cut=st.one_of(st.none(), st.floats(0.0, 1.0)))
    def check(suffix: str, flips: list[tuple[int, int]], cut: float | None) -> None:
        path = tmp_path / f"m{suffix}"
        path.write_bytes(_mutate(SEED_FILES[suffix], flips, cut))
        with contextlib.suppress(DispatchParserError):  # anything else fails the test
            parse_file(path, engine=FakeEngine(), handwriting=False)

    check()
