"""One probe per input: a batch looks at each input once (format, sha256, pages, PDF info) and passes it down.

The external calls are counted while a batch reads a three-page scanned PDF with a text-layer page, an
image and a text file: our ``pdfinfo`` runs once per PDF (pdf2image, which renders the pages, runs its own
before every page),
``pdfimages`` at most once, the format is sniffed once and the file hashed once; a rerun that finds the
results current reads each input once (its hash) and probes nothing. The page reading itself (OCR) is
replaced by a canned reading: only the loading is under test here.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from tests.conftest import CONG_VAN_TEXT, ROOT
from vn_dispatch_parser.batch import resume
from vn_dispatch_parser.batch.runner import BatchOptions, run_batch
from vn_dispatch_parser.core.normalize import split_lines
from vn_dispatch_parser.errors import EncryptedPdfError, InputFileError
from vn_dispatch_parser.image import load as io
from vn_dispatch_parser.image.load import InputProbe, probe_input
from vn_dispatch_parser.ocr.engine import FakeEngine
from vn_dispatch_parser.pipeline import parse_file
from vn_dispatch_parser.scan import page as scan

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")

SCAN = ROOT / "samples" / "bundle_013_mild.pdf"  # three scanned pages, no text layer
IMAGE = ROOT / "samples" / "cv_001_clean.png"


def _stamped_scan(path: Path) -> Path:
    """The three scanned pages of ``SCAN`` plus a page whose text layer holds an e-signature stamp (so the
    text layer is read and the images are measured for it as well as for the render resolution)."""
    writer = PdfWriter(clone_from=SCAN)
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    stamp = [b"Signed by: So Noi vu", b"Email: snv@example.gov.vn", b"15/01/2025 17:10:17 +07:00"]
    stream = StreamObject()
    stream.set_data(b"".join(b"BT /F1 12 Tf 60 %d Td (%s) Tj ET\n" % (780 - 20 * i, s) for i, s in enumerate(stamp)))
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.write(path)
    return path


class _Calls:
    """Counts, per input file, the poppler processes started and the sniff / sha256 calls made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: collections.Counter[tuple[str, str]] = collections.Counter()
        calls = self

        class Popen(subprocess.Popen):  # type: ignore[type-arg]  # subprocess.run starts its process with it
            def __init__(self, argv: Any, *a: Any, **k: Any) -> None:
                calls._seen(argv)
                super().__init__(argv, *a, **k)

        class RenderPopen(subprocess.Popen):  # type: ignore[type-arg]  # pdf2image imported Popen by name
            def __init__(self, argv: Any, *a: Any, **k: Any) -> None:
                calls._seen(argv, prefix="render:")
                super().__init__(argv, *a, **k)

        monkeypatch.setattr(subprocess, "Popen", Popen)
        import pdf2image.pdf2image

        monkeypatch.setattr(pdf2image.pdf2image, "Popen", RenderPopen)
        for module, name, kind in ((io, "sniff_format", "sniff"), (io, "file_sha256", "sha256"),
                                   (resume, "sha256_file", "sha256")):  # the probe's digest, the resume check's
            monkeypatch.setattr(module, name, self._spy(getattr(module, name), kind))

    def _seen(self, argv: Any, prefix: str = "") -> None:
        args = [str(a) for a in argv]
        for a in args[1:]:
            self.counts[prefix + Path(args[0]).name, Path(a).name] += 1

    def _spy(self, func: Any, kind: str) -> Any:
        def spy(path: Any, *a: Any, **k: Any) -> Any:
            self.counts[kind, Path(path).name] += 1
            return func(path, *a, **k)

        return spy

    def of(self, name: str) -> dict[str, int]:
        return {tool: n for (tool, file), n in self.counts.items() if file == name}


@pytest.fixture
def canned_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages are loaded for real but read as a known dispatch (no Tesseract, a few seconds a run)."""
    def read_page(page: Any, layer: Any, engine: Any, opts: Any) -> Any:
        return scan._PageResult(lines=[replace(ln, page=page.page_no) for ln in split_lines(CONG_VAN_TEXT)])

    monkeypatch.setattr(scan, "_read_page", read_page)
    monkeypatch.setattr("vn_dispatch_parser.ocr.capi.default_engine", lambda: FakeEngine())


def _inputs(folder: Path) -> Path:
    folder.mkdir()
    _stamped_scan(folder / "bundle.pdf")
    shutil.copy(IMAGE, folder / "page.png")
    (folder / "note.txt").write_text(CONG_VAN_TEXT, encoding="utf-8")
    return folder


@pytest.mark.usefixtures("canned_pages")
def test_a_batch_probes_each_input_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = _inputs(tmp_path / "in"), tmp_path / "out"
    calls = _Calls(monkeypatch)
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    assert (report.ok, report.failed) == (3, 0)
    pdf = calls.of("bundle.pdf")
    assert pdf.pop("pdfinfo") == 1  # before: 4
    assert pdf.pop("pdfimages") == 1  # before: 2 (image cover of the text layer, scan resolution)
    assert pdf.pop("pdftotext") == 1
    # the pages are rendered by pdf2image, one call a page; it runs its own pdfinfo before each
    assert pdf.pop("render:pdftoppm") == 4 and pdf.pop("render:pdfinfo") == 4
    assert pdf == {"sniff": 1, "sha256": 1}  # before: sniffed 5 times, hashed twice
    assert calls.of("page.png") == {"sniff": 1, "sha256": 1}
    assert calls.of("note.txt") == {"sniff": 1, "sha256": 1}
    assert len(PdfReader(src / "bundle.pdf").pages) == 4


@pytest.mark.usefixtures("canned_pages")
def test_resume_reads_a_current_input_once_and_a_changed_one_once(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    src, out = _inputs(tmp_path / "in"), tmp_path / "out"
    assert run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1)).ok == 3
    calls = _Calls(monkeypatch)
    assert run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1)).skipped == 3
    for name in ("bundle.pdf", "page.png", "note.txt"):  # hashed for the check, nothing else
        assert calls.of(name) == {"sha256": 1}, name
    with (src / "note.txt").open("a", encoding="utf-8") as fh:
        fh.write("\nNơi nhận:\n- Lưu: VT.\n")
    calls.counts.clear()
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    assert (report.ok, report.skipped) == (1, 2)
    assert calls.of("note.txt") == {"sha256": 1, "sniff": 1}  # the check's digest goes with the task
    assert _digest(src / "note.txt") in (out / "note.txt.json").read_text(encoding="utf-8")


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.usefixtures("canned_pages")
def test_parse_file_alone_probes_on_demand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = _stamped_scan(tmp_path / "bundle.pdf")
    calls = _Calls(monkeypatch)
    result = parse_file(pdf)
    assert result.pages == 4 and result.sha256 == _digest(pdf)
    assert calls.of("bundle.pdf")["pdfinfo"] == 1 and calls.of("bundle.pdf")["sha256"] == 1
    probe = probe_input(pdf)
    calls.counts.clear()
    assert parse_file(probe).to_json() == result.to_json()  # a probe in: nothing looked at again
    assert "pdfinfo" not in calls.of("bundle.pdf") and "sniff" not in calls.of("bundle.pdf")
    with pytest.raises(ValueError, match="probe of"):
        scan.read_scan_pages(IMAGE, probe=probe)


def test_probe_fields(tmp_path: Path) -> None:
    probe = probe_input(_stamped_scan(tmp_path / "s.pdf"))
    assert isinstance(probe, InputProbe) and probe.is_pdf and probe.pages == 4
    assert [p.page_no for p in probe.pdf_pages] == [1, 2, 3, 4]
    assert sorted({row[0] for row in probe.pdf_images}) == [1, 2, 3]  # one scan image on each scanned page
    assert probe.size == (tmp_path / "s.pdf").stat().st_size and probe.sha256 == _digest(tmp_path / "s.pdf")
    image = probe_input(IMAGE)
    assert (image.format, image.pages, image.pdf_pages, image.pdf_images) == ("png", 1, (), ())
    assert probe_input(IMAGE, sha256="0" * 64).sha256 == "0" * 64  # a digest the caller has is not recomputed


def test_probe_fails_with_the_reason(tmp_path: Path) -> None:
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(SCAN.read_bytes()[:400])
    with pytest.raises(InputFileError):
        probe_input(cut)
    with pytest.raises(InputFileError, match="no such file"):
        probe_input(tmp_path / "missing.pdf")
    locked = tmp_path / "locked.pdf"
    writer = PdfWriter(clone_from=SCAN)
    writer.encrypt("secret")
    writer.write(locked)
    with pytest.raises(EncryptedPdfError):
        probe_input(locked)


@pytest.mark.usefixtures("canned_pages")
def test_a_cluster_client_probes_a_long_pdf_once_for_its_page_tasks(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("distributed")
    from vn_dispatch_parser.batch import cluster
    from vn_dispatch_parser.batch.workers import Task

    pdf = _stamped_scan(tmp_path / "bundle.pdf")
    monkeypatch.setattr(cluster, "_ready", True)  # no worker set-up in the test process
    runner = cluster.DaskRunner.__new__(cluster.DaskRunner)  # the split alone, without a cluster
    runner.page_tasks, runner.workers = 2, 2
    calls = _Calls(monkeypatch)
    task = runner._probed(Task(0, str(pdf), "bundle.pdf"))
    chunks = runner._chunks(task)
    assert chunks == [[1, 2], [3, 4]]
    readings = [r for pages in chunks for r in cluster.run_pages(task, pages)]  # what the workers run
    outcome = cluster._join(task, readings)
    assert outcome.ok and outcome.pages == 4
    counts = calls.of("bundle.pdf")
    assert (counts["pdfinfo"], counts["pdfimages"], counts["sniff"], counts["sha256"]) == (1, 1, 1, 1)
