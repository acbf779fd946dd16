"""Searchable PDFs on OCRmyPDF (issue 15): PDF/A-2b, our own words (no second OCR pass), images kept,
/Rotate, text pages skipped, signed PDFs refused, temporaries cleaned; the sidecar text."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from vn_dispatch_parser.batch.runner import BatchOptions, run_batch
from vn_dispatch_parser.errors import SignedPdfError
from vn_dispatch_parser.outputs.searchable import is_signed_pdf, sidecar_text, write_searchable_pdf

from .archive_fixtures import born_digital_pdf, page_text, qpdf_check, signed_pdf, text_image
from .conftest import CONG_VAN_TEXT, SHARED

# OCRmyPDF's own checks look for the tesseract program even though this package's plugin does the OCR
pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None,
                                reason="tesseract not installed: OCRmyPDF checks for it before any run")


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.startswith("vn-dispatch-searchable-")]


def test_image_becomes_pdfa_2b_with_our_words_and_its_own_pixels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, dest = tmp_path / "page.png", tmp_path / "out" / "page.pdf"
    text_image(src)

    def no_tesseract(*args: object, **kwargs: object) -> None:
        raise AssertionError("a second OCR pass was run")

    import ocrmypdf.builtin_plugins.tesseract_ocr as tess

    monkeypatch.setattr(tess.TesseractOcrEngine, "generate_hocr", staticmethod(no_tesseract))
    monkeypatch.setattr(tess.TesseractOcrEngine, "generate_pdf", staticmethod(no_tesseract))
    assert write_searchable_pdf(src, dest, page_texts=[page_text()]) == 1
    text = PdfReader(dest).pages[0].extract_text()
    assert "CÔNG VĂN 1865/SYT-VP" in " ".join(text.split())  # the record's words, not a new OCR
    with pikepdf.open(dest) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
        assert "/OutputIntents" in pdf.Root
        images = list(pdf.pages[0].get_images().values())
        assert [(im.Width, im.Height) for im in images] == [(1240, 1754)]  # not upsampled
    ok, report = qpdf_check(dest)
    assert ok, report
    assert not _leftovers(tmp_path)
    assert tempfile.tempdir is None or not tempfile.tempdir.startswith(str(tmp_path))


def test_word_boxes_land_where_the_words_were(tmp_path: Path) -> None:
    src, dest = tmp_path / "page.png", tmp_path / "page.pdf"
    text_image(src)
    write_searchable_pdf(src, dest, page_texts=[page_text()], pdfa=False)
    found = []
    PdfReader(dest).pages[0].extract_text(visitor_text=lambda t, cm, tm, *_: found.append((t.strip(), tm[4], tm[5])))
    x = {t: (px, py) for t, px, py in found if t}
    # 1240 px at 150 dpi: the first word starts at 100 px = 48 pt from the left, 150 px = 72 pt from the top
    assert any(abs(px - 48) < 6 and abs(py - (841.9 - 86)) < 12 for t, (px, py) in x.items() if "CÔNG" in t), x


def test_plain_pdf_when_asked(tmp_path: Path) -> None:
    src, dest = tmp_path / "page.png", tmp_path / "page.pdf"
    text_image(src)
    write_searchable_pdf(src, dest, page_texts=[page_text()], pdfa=False)
    with pikepdf.open(dest) as pdf:
        assert pdf.open_metadata().pdfa_status == ""


def test_turned_page_gets_rotate(tmp_path: Path) -> None:
    src, dest = tmp_path / "turned.png", tmp_path / "turned.pdf"
    text_image(src, size=(1754, 1240))  # a portrait page scanned sideways
    write_searchable_pdf(src, dest, page_texts=[page_text(size=(1754, 1240), rotation=90)])
    with pikepdf.open(dest) as pdf:
        assert int(pdf.pages[0].get("/Rotate", 0)) % 360 in (90, 270)


def test_born_digital_page_is_left_as_it_is(tmp_path: Path) -> None:
    src, dest = tmp_path / "digital.pdf", tmp_path / "digital.searchable.pdf"
    born_digital_pdf(src)
    before = PdfReader(src).pages[0].extract_text()
    layer = page_text(words=("NOT", "ADDED"))
    layer.text_layer = True
    write_searchable_pdf(src, dest, page_texts=[layer])
    after = PdfReader(dest).pages[0].extract_text()
    assert after.count("12/UBND-VP") == before.count("12/UBND-VP") == 3
    assert "ADDED" not in after
    with pikepdf.open(dest) as pdf:  # the document info is kept (and mirrored in XMP)
        assert str(pdf.docinfo["/Title"]) == "Văn bản điện tử" and str(pdf.docinfo["/Author"]) == "Văn phòng UBND"
        assert pdf.open_metadata().get("dc:title") == "Văn bản điện tử"


def test_signed_pdf_is_refused_unless_signatures_may_go(tmp_path: Path) -> None:
    src, dest = tmp_path / "signed.pdf", tmp_path / "signed.searchable.pdf"
    signed_pdf(src)
    assert is_signed_pdf(src)
    with pytest.raises(SignedPdfError, match="invalidate"):
        write_searchable_pdf(src, dest, page_texts=[page_text(size=(1654, 2339))])
    assert not dest.exists()
    write_searchable_pdf(src, dest, page_texts=[page_text(size=(1654, 2339))], invalidate_signatures=True)
    assert dest.is_file() and not is_signed_pdf(dest)
    assert "Signed test document" in PdfReader(dest).pages[0].extract_text()
    with pikepdf.open(dest) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"  # its Helvetica embedded, the form removed


def test_batch_refuses_a_signed_pdf_with_its_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import vn_dispatch_parser.pipeline as pipeline

    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    signed_pdf(src / "signed.pdf")
    monkeypatch.setattr(pipeline, "parse_file", lambda path, **kw: pipeline.parse_text(CONG_VAN_TEXT))
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, searchable_pdf=True))
    assert report.failed == 1 and report.errors[0]["code"] == "signed_pdf"
    assert not _leftovers(out)


def test_sidecar_text_per_input(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(CONG_VAN_TEXT, encoding="utf-8")
    assert run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, sidecar=True)).ok == 1
    assert (out / "a.txt.txt").read_text(encoding="utf-8") == CONG_VAN_TEXT
    pages = [page_text(1), page_text(2, words=("TRANG", "HAI"))]
    assert sidecar_text(pages) == "CÔNG VĂN 1865/SYT-VP\n\fTRANG HAI\n"


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_batch_searchable_pdf_of_a_sample(tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parent.parent / "samples" / "cv_005_clean.pdf"
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    shutil.copy(sample, src / sample.name)
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1, searchable_pdf=True, sidecar=True))
    assert report.ok == 1, report.errors
    pdf = out / "cv_005_clean.pdf.searchable.pdf"
    with pikepdf.open(pdf) as p, pikepdf.open(sample) as original:
        assert p.open_metadata().pdfa_status == "2B"
        sizes = [(im.Width, im.Height) for im in p.pages[0].get_images().values()]
        assert sizes == [(im.Width, im.Height) for im in original.pages[0].get_images().values()]  # kept
    assert "THANH TRA TỈNH" in PdfReader(pdf).pages[0].extract_text()
    assert "THANH TRA TỈNH" in (out / "cv_005_clean.pdf.txt").read_text(encoding="utf-8")
    assert qpdf_check(pdf)[0]
    assert pdf.stat().st_size < 2 * sample.stat().st_size
    assert not _leftovers(out)


REAL_SIGNED = SHARED / "real" / "05.signed_20250517_044750.pdf"


@pytest.mark.skipif(not REAL_SIGNED.is_file(), reason="../shared/real not present")
def test_real_signed_pdf_is_refused() -> None:
    with pytest.raises(SignedPdfError):
        write_searchable_pdf(REAL_SIGNED, Path(tempfile.gettempdir()) / "never-written.pdf", page_texts=[])


def test_a_killed_worker_s_work_folder_is_removed_by_the_next_run(tmp_path: Path) -> None:
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    (src / "a.txt").write_text(CONG_VAN_TEXT, encoding="utf-8")
    left = out / ".vn-dispatch-work" / "vn-dispatch-searchable-x1y2"  # the run's own scratch folder
    (left / "ocrmypdf.io.abc").mkdir(parents=True)
    (left / "ocrmypdf.io.abc" / "origin.pdf").write_bytes(b"%PDF")
    assert run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1)).ok == 1
    assert not left.exists()


def test_unembedded_standard_fonts_are_embedded_for_pdfa(tmp_path: Path) -> None:
    from fpdf import FPDF

    src, dest = tmp_path / "helvetica.pdf", tmp_path / "helvetica.searchable.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)  # a standard font, not embedded
    pdf.cell(0, 10, "Report 2025 - page text")
    src.write_bytes(bytes(pdf.output()))
    layer = page_text()
    layer.text_layer = True
    write_searchable_pdf(src, dest, page_texts=[layer])
    with pikepdf.open(dest) as out:
        assert out.open_metadata().pdfa_status == "2B"
        fonts = [o for o in out.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
        assert all("/FontDescriptor" in f for f in fonts) and fonts
    assert "Report 2025 - page text" in PdfReader(dest).pages[0].extract_text()
    with pikepdf.open(src) as original:  # the input itself is never changed
        assert not any("/FontDescriptor" in o for o in original.objects if isinstance(o, pikepdf.Dictionary)
                       and o.get("/Type") == "/Font")


def test_pdfa_of_a_file_with_text_needs_no_ghostscript(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ocrmypdf._exec.ghostscript as gs
    import ocrmypdf._pipeline as pipeline

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("Ghostscript was called")

    monkeypatch.setattr(pipeline, "convert_to_pdfa", never)
    monkeypatch.setattr(gs, "run_polling_stderr", never, raising=False)
    monkeypatch.setattr(gs, "rasterize_pdf", never, raising=False)
    src, dest = tmp_path / "digital.pdf", tmp_path / "digital.searchable.pdf"
    born_digital_pdf(src)  # a file that already holds text: Debian's Ghostscript 10.0.0 is refused here
    layer = page_text()
    layer.text_layer = True
    write_searchable_pdf(src, dest, page_texts=[layer])
    with pikepdf.open(dest) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
    assert qpdf_check(dest)[0]


def test_image_without_a_resolution(tmp_path: Path) -> None:
    from PIL import Image

    src, dest = tmp_path / "nodpi.png", tmp_path / "nodpi.pdf"
    Image.new("L", (2480, 3508), 255).save(src)  # no dpi in the file: A4 at 300 dpi by its size
    write_searchable_pdf(src, dest, page_texts=[page_text(size=(2480, 3508))])
    box = PdfReader(dest).pages[0].mediabox
    assert abs(float(box.width) - 595) < 3 and abs(float(box.height) - 842) < 3
