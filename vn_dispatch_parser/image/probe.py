"""What is known of one input before it is read (:class:`InputProbe`), made once by
:func:`vn_dispatch_parser.image.load.probe_input` and passed down to every stage that needs it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vn_dispatch_parser.image.poppler import ImageRow, PdfPageInfo

__all__ = ["InputProbe"]


@dataclass(frozen=True)
class InputProbe:
    """What is known of one input before it is read: found once by :func:`probe_input`, passed down.

    Attributes:
        path: The input file.
        format: Its content's format (:func:`sniff_format`): pdf, tiff, jpeg, png, bmp, webp or text.
        size: Its size in bytes.
        sha256: SHA-256 of its bytes (``FileResult.sha256``, the resume key).
        pages: PDF pages, TIFF frames, 1 for other images and for text.
        pdf_pages: PDFs: each page's media box and rotation (one ``pdfinfo``); () otherwise.
        pdf_images: PDFs: every image as ``pdfimages -list`` gives it (scan resolution, image cover); ()
            otherwise.
    """

    path: Path
    format: str
    size: int
    sha256: str
    pages: int
    pdf_pages: tuple[PdfPageInfo, ...] = ()
    pdf_images: tuple[ImageRow, ...] = ()

    @property
    def is_pdf(self) -> bool:
        """True for a PDF."""
        return self.format == "pdf"

    def check(self, path: str | Path) -> InputProbe:
        """This probe, after checking it is the probe of ``path`` (a probe of another file is a bug)."""
        if Path(path) != self.path:
            raise ValueError(f"the probe of {self.path} was passed with {path}")
        return self
