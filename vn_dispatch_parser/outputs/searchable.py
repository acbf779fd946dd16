"""Searchable PDFs (PDF/A-2b by default) built by OCRmyPDF from the OCR this program already made.

There is **no second OCR pass**: OCRmyPDF is called as a library with an OCR engine plugin
(:mod:`vn_dispatch_parser.outputs.ocrmypdf_plugin`) that hands it the pipeline's lines and words of each page,
with their lexicon-corrected text. OCRmyPDF then does what archivists know from it:

* the scan's own images and resolution are kept (a PDF's page content is kept as it is; an image file
  is wrapped losslessly), the document info is kept and XMP metadata written;
* PDF/A-2b by default, made **without Ghostscript** by OCRmyPDF's internal backend (pikepdf writes the
  XMP and sRGB OutputIntent and validates the result); Debian's Ghostscript 10.0.0 is never needed, so
  the route works on a fresh machine. Standard fonts that a PDF uses without embedding them (signature
  appearances, web-printed pages) are embedded first as their metric-compatible Liberation faces
  (:mod:`vn_dispatch_parser.outputs.pdfa_fix`). A file the validator still rejects becomes a plain PDF with a
  warning, never a false PDF/A claim;
  ``pdfa=False`` gives a plain PDF;
* a page the pipeline turned upright gets ``/Rotate``; pages that already carry their text
  (born-digital) are left as they are; a scan whose only text is an e-signature stamp gets its OCR
  layer beside the stamp (``--mode redo``);
* a digitally signed PDF is refused with :class:`SignedPdfError` unless ``invalidate_signatures`` is
  given (the signature fields are then flattened into the page and removed, as the output can no longer
  carry a valid signature);
* :func:`sidecar_text`: each page's text, pages separated by form feeds (OCRmyPDF's ``--sidecar``).

Temporary files live in a private folder inside ``work_dir`` (a batch passes its own scratch folder,
``OUT_DIR/.vn-dispatch-work``, emptied at the start of every run, so a killed worker leaves nothing behind
for long and nothing in TMPDIR), or next to ``dest`` (``.<name>.<random>.tmp``); it is removed when the
call ends.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from vn_dispatch_parser.core.types import PageText
from vn_dispatch_parser.errors import InputFileError, MissingDependencyError, OcrEngineError, SignedPdfError

__all__ = ["SignedPdfError", "is_signed_pdf", "refuse_signed", "sidecar_text", "write_searchable_pdf"]

log = logging.getLogger(__name__)

_PLUGIN = "vn_dispatch_parser.outputs.ocrmypdf_plugin"


def is_signed_pdf(path: str | Path) -> bool:
    """True when a PDF has a signature field with a value (``/FT /Sig`` + ``/V``)."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            form = pdf.Root.get("/AcroForm")
            if form is None:
                return False
            stack = list(form.get("/Fields", []))
            while stack:
                field = stack.pop()
                if field.get("/FT") == pikepdf.Name.Sig and field.get("/V") is not None:
                    return True
                stack.extend(field.get("/Kids", []))
    except pikepdf.PdfError:
        return False
    return False


def _prepare(src: Path, dest: Path, *, unsign: bool, pdfa: bool) -> None:
    """Copy a PDF for OCRmyPDF: signatures flattened into the pages and removed (``unsign``), and the
    repairs of :mod:`vn_dispatch_parser.outputs.pdfa_fix` (``pdfa``)."""
    import pikepdf

    def is_signature(annot: pikepdf.Object) -> bool:
        parent = annot.get("/Parent")
        return pikepdf.Name.Sig in (annot.get("/FT"), parent.get("/FT") if parent is not None else None)

    with pikepdf.open(src) as pdf:
        if unsign:
            pdf.flatten_annotations(mode="all")
            for page in pdf.pages:  # hidden signature widgets (no appearance) are not flattened: drop them
                annots = page.obj.get("/Annots")
                if annots is not None:
                    kept = [a for a in annots if not is_signature(a)]
                    if kept:
                        page.obj.Annots = pikepdf.Array(kept)
                    else:
                        del page.obj["/Annots"]
            for key in ("/AcroForm", "/Perms"):
                if key in pdf.Root:
                    del pdf.Root[key]
        if pdfa:
            from vn_dispatch_parser.outputs.pdfa_fix import repair_for_pdfa

            repair_for_pdfa(pdf)
        pdf.save(dest)


def refuse_signed(src: str | Path) -> None:
    """Raise :class:`SignedPdfError` when ``src`` is a digitally signed PDF."""
    from vn_dispatch_parser.image.load import sniff_format

    if sniff_format(src) == "pdf" and is_signed_pdf(src):
        raise SignedPdfError("the PDF is digitally signed; a searchable copy would invalidate its signatures "
                             "(pass --invalidate-signatures to write one anyway, without them)", src)


@contextlib.contextmanager
def _work_dir(dest: Path, parent: str | Path | None = None) -> Iterator[Path]:
    """A private folder for OCRmyPDF's temporaries (in ``parent``, else next to ``dest``), removed whatever
    happens."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if parent is not None:
        Path(parent).mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="vn-dispatch-searchable-", dir=parent))
    else:
        work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    old = tempfile.tempdir
    tempfile.tempdir = str(work)  # OCRmyPDF makes its work folder with mkdtemp() in the default place
    # OCRmyPDF's own notes ("Tagged PDF", "Postprocessing…") only with -v: the file's outcome is ours to tell
    ocr_log = logging.getLogger("ocrmypdf")
    level = ocr_log.level
    if log.getEffectiveLevel() > logging.INFO:
        ocr_log.setLevel(logging.ERROR)
    try:
        yield work
    finally:
        tempfile.tempdir = old
        ocr_log.setLevel(level)
        shutil.rmtree(work, ignore_errors=True)


def _image_dpi(src: Path) -> int:
    """The resolution this program reads an image at (its metadata when plausible, else from its size)."""
    from PIL import Image

    from vn_dispatch_parser.image.load import estimate_dpi

    with Image.open(src) as img:
        return estimate_dpi(img.size, img.info.get("dpi"))


def _pages_option(ocr_pages: list[int]) -> str:
    return ",".join(str(p) for p in ocr_pages)


def write_searchable_pdf(
    src: str | Path,
    dest: str | Path,
    *,
    page_texts: list[PageText] | None = None,
    dpi: int = 300,
    pdfa: bool = True,
    invalidate_signatures: bool = False,
    work_dir: str | Path | None = None,
) -> int:
    """Write ``src`` with an invisible text layer to ``dest`` (PDF/A-2b unless ``pdfa`` is False).

    Args:
        src: A PDF or image file (TIFF pages, JPEG, PNG, BMP, WebP). It is only read.
        dest: The PDF to write (callers needing atomicity pass a temporary name and rename it).
        page_texts: What the pipeline read on each page (``parse_file(..., page_texts=[])``); when None,
            the file is read here first (one OCR pass, the pipeline's).
        dpi: Rendering resolution used when the file has to be read here.
        pdfa: PDF/A-2b (default) or a plain PDF.
        invalidate_signatures: Accept a signed PDF; its signatures are removed (they could not stay valid).
        work_dir: Folder the run owns for OCRmyPDF's temporaries (a batch passes its scratch folder, which
            it empties at every start); None: a hidden folder next to ``dest``.

    Returns:
        The number of pages of ``dest``.

    Raises:
        SignedPdfError: ``src`` is digitally signed and ``invalidate_signatures`` is False.
        InputFileError: ``src`` cannot be read or converted.
        MissingDependencyError: OCRmyPDF is not installed.
        OcrEngineError: OCRmyPDF failed.
    """
    src, dest = Path(src), Path(dest)
    try:
        import ocrmypdf
        from ocrmypdf import exceptions as ox
    except ImportError as e:  # pragma: no cover - a dependency of the package
        raise MissingDependencyError(f"OCRmyPDF is needed for searchable PDFs: pip install ocrmypdf ({e})") from e
    from vn_dispatch_parser.image.load import sniff_format
    from vn_dispatch_parser.outputs import ocrmypdf_plugin

    is_pdf = sniff_format(src) == "pdf"
    if not invalidate_signatures:
        refuse_signed(src)
    if page_texts is None:
        from vn_dispatch_parser.pipeline import parse_file

        page_texts = []
        parse_file(src, dpi=dpi, page_texts=page_texts)
    texts = sorted(page_texts, key=lambda p: p.page_no)
    ocr_pages = [p.page_no for p in texts if not p.text_layer and not p.blank]
    with _work_dir(dest, work_dir) as work:
        source = src
        unsign = is_pdf and invalidate_signatures and is_signed_pdf(src)
        if is_pdf and (unsign or pdfa):
            source = work / "input.pdf"
            _prepare(src, source, unsign=unsign, pdfa=pdfa)
        ocrmypdf_plugin.register_pages(source, texts)
        options: dict[str, object] = {
            "output_type": "pdfa-2" if pdfa else "pdf",
            "pdfa_backend": "internal",
            "rasterizer": "pypdfium",
            "rotate_pages": True,
            "rotate_pages_threshold": 1.0,
            "optimize": 1,
            "jobs": 1,
            "use_threads": True,
            "progress_bar": False,
            "plugins": [_PLUGIN],
            "invalidate_digital_signatures": invalidate_signatures,
        }
        if is_pdf and len(ocr_pages) < len(texts):
            options["mode"] = "redo" if ocr_pages else "skip"
            if ocr_pages:
                options["pages"] = _pages_option(ocr_pages)
        elif is_pdf:
            options["mode"] = "redo"  # scans may carry e-signature stamp text: keep it, add ours beside
        else:
            options["image_dpi"] = _image_dpi(src)  # photos and edited scans often carry none
        try:
            try:
                code = ocrmypdf.ocr(source, dest, **options)  # type: ignore[call-overload]
            except ox.PdfaConversionFailedError as e:
                # e.g. a signature appearance drawn with a non-embedded standard font: never claim PDF/A
                # for a file that fails validation; write a plain PDF and say so
                log.warning("%s: cannot be made PDF/A-2b without Ghostscript (%s); writing a plain PDF",
                            src.name, str(e).strip().splitlines()[0])
                options["output_type"] = "pdf"
                code = ocrmypdf.ocr(source, dest, **options)  # type: ignore[call-overload]
        except ox.DigitalSignatureError as e:
            raise SignedPdfError(str(e).strip(), src) from e
        except ox.EncryptedPdfError as e:
            from vn_dispatch_parser.errors import EncryptedPdfError

            raise EncryptedPdfError("the PDF is encrypted; decrypt it first (qpdf --decrypt in.pdf out.pdf)",
                                    src) from e
        except (ox.InputFileError, ox.UnsupportedImageFormatError, ox.DpiError) as e:
            raise InputFileError(f"searchable PDF: {str(e).strip()}", src) from e
        except ox.MissingDependencyError as e:
            raise MissingDependencyError(f"searchable PDF: {str(e).strip()}", src) from e
        except ox.ExitCodeException as e:
            raise OcrEngineError(f"searchable PDF: {type(e).__name__}: {str(e).strip()}", src) from e
        finally:
            ocrmypdf_plugin.clear_pages(source)
        if int(code) != 0:
            raise OcrEngineError(f"searchable PDF: OCRmyPDF exited with {code}", src)
    import pikepdf

    with pikepdf.open(dest) as pdf:
        n = len(pdf.pages)
    log.debug("searchable PDF %s: %d pages", dest, n)
    return n


def sidecar_text(page_texts: list[PageText]) -> str:
    """The text of each page (its lines), pages separated by form feeds, like OCRmyPDF's sidecar."""
    pages = sorted(page_texts, key=lambda p: p.page_no)
    return "\f".join("\n".join(ln.text for ln in p.lines if ln.text.strip()) + "\n" for p in pages)

