"""Running poppler's command-line tools (``pdfinfo``, ``pdftotext``, ``pdfimages``), errors mapped.

One place turns poppler's exit codes and messages into the library's errors: a missing binary is a
:class:`MissingDependencyError`, "Incorrect password" an :class:`EncryptedPdfError`, any other failure
(truncated or corrupt file) an :class:`InputFileError` quoting poppler's own reason.
"""

from __future__ import annotations

import logging
import math
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vn_dispatch_parser.errors import EncryptedPdfError, InputFileError, MissingDependencyError

__all__ = ["PdfPageInfo", "image_cover", "pdf_page_info", "run_poppler"]

logger = logging.getLogger(__name__)

_POPPLER_HINT = "install poppler-utils (Debian/Ubuntu: sudo apt-get install poppler-utils)"


def run_poppler(args: Sequence[str], path: str | Path, *, timeout: float = 120) -> bytes:
    """Run one poppler tool (``pdfinfo``, ``pdftotext``, ``pdfimages``…) on ``path`` and return stdout.

    Args:
        args: The command without the file name, e.g. ``["pdfinfo", "-f", "1"]``.
        path: The PDF; appended to the command (a trailing ``-`` in ``args`` is kept after it).
        timeout: Seconds before the tool is killed.

    Raises:
        MissingDependencyError: The tool is not installed.
        EncryptedPdfError: The PDF needs a user password.
        InputFileError: The tool failed (corrupt/truncated PDF) or timed out.
    """
    argv = [*args, str(path)]
    if args and args[-1] == "-":
        argv = [*args[:-1], str(path), "-"]
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as e:
        raise MissingDependencyError(f"{args[0]} not found: {_POPPLER_HINT}", path) from e
    except subprocess.TimeoutExpired as e:
        raise InputFileError(f"{args[0]} timed out after {timeout:g} s", path) from e
    stderr = proc.stderr.decode("utf-8", "replace")
    if "Incorrect password" in stderr:
        raise EncryptedPdfError("the PDF is password-protected; decrypt it first (qpdf --decrypt)", path)
    if proc.returncode != 0:
        raise InputFileError(f"cannot read PDF (corrupt or truncated): {_first_error(stderr)}", path)
    return proc.stdout


def _first_error(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if "rror" in ln]
    return (errors[-1] if errors else lines[-1]) if lines else "poppler failed without a message"


@dataclass(frozen=True)
class PdfPageInfo:
    """Media-box size of one PDF page in points (before ``/Rotate``) and its clockwise rotation."""

    page_no: int
    width_pt: float
    height_pt: float
    rotate: int = 0

    def pixels(self, dpi: int) -> tuple[int, int]:
        """Rendered size in pixels (``pdftoppm`` rounds up), rotation applied."""
        w, h = (math.ceil(self.width_pt * dpi / 72 - 1e-6), math.ceil(self.height_pt * dpi / 72 - 1e-6))
        return (h, w) if self.rotate % 180 else (w, h)


_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)", re.M)
_PAGE_MEDIA = re.compile(
    r"^Page\s+(\d+)\s+MediaBox:\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)", re.M
)
_PAGE_ROT = re.compile(r"^Page\s+(\d+)\s+rot:\s+(-?\d+)", re.M)


def pdf_page_info(path: str | Path, *, timeout: float = 60) -> list[PdfPageInfo]:
    """Return media-box size and rotation of every page, with one ``pdfinfo`` call.

    The media box is what ``pdftoppm`` renders and ``pdftotext`` measures by default.

    Raises:
        InputFileError: The PDF is corrupt or has no pages (``EncryptedPdfError`` if it needs a password).
        MissingDependencyError: poppler is not installed.
    """
    out = run_poppler(["pdfinfo", "-box", "-f", "1", "-l", "1000000"], path, timeout=timeout)
    text = out.decode("utf-8", "replace")
    rot = {int(m[1]): int(m[2]) for m in _PAGE_ROT.finditer(text)}
    size = {int(m[1]): (float(m[2]), float(m[3])) for m in _PAGE_SIZE.finditer(text)}
    for m in _PAGE_MEDIA.finditer(text):
        x0, y0, x1, y1 = (float(v) for v in m.groups()[1:])
        size[int(m[1])] = (abs(x1 - x0), abs(y1 - y0))
    pages = [PdfPageInfo(no, w, h, rot.get(no, 0) % 360) for no, (w, h) in sorted(size.items())]
    if not pages:
        raise InputFileError("the PDF has no pages", path)
    return pages


def _image_rows(path: str | Path, timeout: float) -> list[tuple[int, int, int, float, float]]:
    """(page, width px, height px, x ppi, y ppi) of every image, from ``pdfimages -list``."""
    try:
        out = run_poppler(["pdfimages", "-list"], path, timeout=timeout).decode("utf-8", "replace")
    except InputFileError as e:
        logger.warning("pdfimages failed on %s: %s", path, e.reason)
        return []
    rows = []
    for row in out.splitlines()[2:]:
        cols = row.split()
        if len(cols) < 14 or cols[2] not in {"image", "stencil"}:
            continue
        try:
            page, w, h, xppi, yppi = (
                int(cols[0]),
                int(cols[3]),
                int(cols[4]),
                float(cols[12]),
                float(cols[13]),
            )
        except ValueError:
            continue
        rows.append((page, w, h, xppi, yppi))
    return rows


def _page_images(path: str | Path, infos: list[PdfPageInfo], timeout: float) -> dict[int, tuple[float, float]]:
    """Per page: (share of the page its largest image covers, that image's resolution in ppi)."""
    areas = {i.page_no: i.width_pt * i.height_pt for i in infos}
    best: dict[int, tuple[float, float]] = {}
    for page, w, h, xppi, yppi in _image_rows(path, timeout):
        if xppi > 0 and yppi > 0 and areas.get(page):
            share = min(1.0, (w / xppi * 72) * (h / yppi * 72) / areas[page])
            if share > best.get(page, (0.0, 0.0))[0]:
                best[page] = (share, min(xppi, yppi))
    return best


def image_cover(path: str | Path, infos: list[PdfPageInfo], *, timeout: float) -> dict[int, float]:
    """Share of each page covered by its largest image, from ``pdfimages -list`` (nothing is decoded)."""
    return {page: share for page, (share, _) in _page_images(path, infos, timeout).items()}


def scan_resolution(path: str | Path, infos: list[PdfPageInfo], *, timeout: float = 60) -> dict[int, int]:
    """The resolution of the scan on each page that is one page-sized image (≥ 80 % of the page)."""
    return {page: round(ppi) for page, (share, ppi) in _page_images(path, infos, timeout).items() if share >= 0.8}
