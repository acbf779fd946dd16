"""Searchable PDFs: each page image with an invisible text layer, for archives and full-text search.

This costs a **second OCR pass** per page (Tesseract's PDF renderer, on top of the OCR that reads the
fields), so ``--searchable-pdf`` roughly doubles the time of a batch over scans. Pages are rendered one
at a time (:func:`vn_dispatch_parser.io.iter_pages`), each is OCR'd by ``tesseract page.png base -l vie
pdf`` (single-threaded: ``OMP_THREAD_LIMIT=1``) and the one-page PDFs are merged with pypdf. The
original file is only read, never modified. Page images are embedded as JPEG by Tesseract.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from pathlib import Path

from .errors import MissingDependencyError, OcrEngineError, OcrTimeoutError

__all__ = ["write_searchable_pdf"]

log = logging.getLogger(__name__)

_INSTALL_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-vie"


def _tesseract_pdf(
    image: Path, base: Path, *, lang: str, dpi: int, timeout: float, tesseract_cmd: str, page_no: int
) -> Path:
    """OCR one page image into ``base.pdf`` (image + invisible text) and return that path."""
    from .ocr import default_tessdata_dir

    argv = [tesseract_cmd, str(image), str(base)]
    tessdata = default_tessdata_dir(lang)
    if tessdata is not None:
        argv += ["--tessdata-dir", str(tessdata)]
    # The "pdf" config file lives in the system tessdata; the same settings given directly work with any.
    argv += ["-l", lang, "--dpi", str(dpi), "-c", "tessedit_create_pdf=1", "-c", "tessedit_create_txt=0"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=timeout, env=env, check=False)
    except FileNotFoundError as e:
        raise MissingDependencyError(f"{tesseract_cmd!r} not found; install it: {_INSTALL_HINT}") from e
    except subprocess.TimeoutExpired as e:
        raise OcrTimeoutError(f"searchable PDF: tesseract took longer than {timeout:g} s on page {page_no}") from e
    out = base.with_suffix(".pdf")
    if proc.returncode != 0 or not out.is_file():
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise OcrEngineError(f"searchable PDF: tesseract failed on page {page_no}: {tail[0]}")
    return out


def write_searchable_pdf(
    src: str | Path,
    dest: str | Path,
    *,
    dpi: int = 300,
    lang: str = "vie",
    page_timeout: float = 300.0,
    tesseract_cmd: str = "tesseract",
    work_dir: str | Path | None = None,
) -> int:
    """Write a PDF of ``src``'s pages with an invisible OCR text layer to ``dest``.

    ``dest`` is written in place; callers that need atomicity pass a temporary name and rename it
    (the batch runner does). The source file is never modified.

    Args:
        src: A PDF or image file (TIFF pages, JPEG, PNG, BMP, WebP).
        dest: The PDF to write.
        dpi: Rendering resolution for PDF pages (images keep their pixels).
        lang: Tesseract language(s).
        page_timeout: Seconds allowed to OCR one page.
        tesseract_cmd: The Tesseract binary.
        work_dir: Folder for the page images and one-page PDFs (a batch passes one it owns and cleans,
            so a killed worker leaves nothing in the system's temporary folder); None: TMPDIR.

    Returns:
        The number of pages written.

    Raises:
        InputFileError: The source cannot be read (``EncryptedPdfError``, ``DecompressionBombError``, …).
        OcrEngineError: Tesseract failed (``OcrTimeoutError`` when a page overran ``page_timeout``).
        MissingDependencyError: Tesseract or poppler is missing.
    """
    import cv2
    from pypdf import PdfWriter

    from .io import iter_pages

    dest = Path(dest)
    writer = PdfWriter()
    pages = 0
    if work_dir is not None:
        Path(work_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vn-dispatch-searchable-", dir=work_dir) as tmp:
        for page in iter_pages(src, dpi=dpi):
            base = Path(tmp) / f"page-{page.page_no:05d}"
            image = base.with_suffix(".png")
            if not cv2.imwrite(str(image), page.array, [cv2.IMWRITE_PNG_COMPRESSION, 1]):
                raise OcrEngineError(f"searchable PDF: cannot write the image of page {page.page_no}")
            page_dpi, page_no = page.dpi, page.page_no
            del page  # free the page image before the OCR pass
            page_pdf = _tesseract_pdf(image, base, lang=lang, dpi=page_dpi, timeout=page_timeout,
                                      tesseract_cmd=tesseract_cmd, page_no=page_no)
            image.unlink()
            writer.append(str(page_pdf))
            pages += 1
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("wb") as fh:
            writer.write(fh)
    writer.close()
    log.debug("searchable PDF %s: %d pages", dest, pages)
    return pages
