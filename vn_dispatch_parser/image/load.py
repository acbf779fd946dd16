"""Loading input files: the input's probe, format sniffing, page counting and page images, one page at a time.

:func:`probe_input` looks at an input once (format, size, sha256, pages, and for a PDF its ``pdfinfo`` page
boxes and ``pdfimages`` list) into an :class:`InputProbe` that the batch, the pipeline and the loaders pass
down instead of looking again. Every function taking ``probe=`` still works without one.

Pages come back as :class:`~vn_dispatch_parser.core.types.PageImage` whose ``array`` is **always a 3-channel
BGR uint8** image (OpenCV order), whatever the source: bitonal and grey scans are expanded to three
equal channels, so colour-based steps (red seal, blue signature) need no special case. PDFs are
rendered by poppler (``pdftoppm``) one page per call, so a 300-page PDF never sits in memory. The
PDF text layer (born-digital pages, e-signature stamps) is read by :func:`pdf_text_layer`.
"""

from __future__ import annotations

import logging
import math
import re
import stat
import struct
import tempfile
import warnings
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

import cv2
import numpy as np
from pdf2image import convert_from_path
from pdf2image.exceptions import PDFPageCountError, PDFPopplerTimeoutError, PopplerNotInstalledError
from PIL import Image, ImageOps, UnidentifiedImageError

from vn_dispatch_parser.config import TEXT_SUFFIXES
from vn_dispatch_parser.core.fsutil import file_sha256
from vn_dispatch_parser.core.types import PageImage
from vn_dispatch_parser.errors import (
    DecompressionBombError,
    InputFileError,
    MissingDependencyError,
    UnsupportedFormatError,
)
from vn_dispatch_parser.image.pdftext import TextLayerPage, pdf_text_layer
from vn_dispatch_parser.image.poppler import PdfPageInfo, image_list, pdf_page_info
from vn_dispatch_parser.image.probe import InputProbe

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "IMAGE_FORMATS",
    "InputProbe",
    "TextLayerPage",
    "count_pages",
    "estimate_dpi",
    "file_sha256",
    "iter_pages",
    "pdf_text_layer",
    "probe_input",
    "sniff_format",
]

logger = logging.getLogger(__name__)

DEFAULT_MAX_PIXELS = 120_000_000
MIN_PAGE_SIDE_PX = 64
"""A page narrower than this (in pixels) cannot hold a line of text: at 150 dpi it is 11 mm."""
MAX_PAGE_ASPECT = 20.0
"""Long side over short side beyond which an image is no page: A4 is 1.41, a till roll about 10."""
_IMAGE_ERRORS = (OSError, ValueError, TypeError, SyntaxError, EOFError, struct.error, IndexError, KeyError,
                 ZeroDivisionError)
"""What Pillow raises on damaged or odd image data (truncated streams, a TIFF without dimensions, a PNG
text chunk over its size limit); each becomes an :class:`InputFileError`."""
IMAGE_FORMATS = frozenset({"tiff", "jpeg", "png", "bmp", "webp"})
_A4_LONG_IN = 11.69
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),
    (b"MM\x00+", "tiff"),
    (b"BM", "bmp"),
)
_SUFFIX_FORMAT = {
    ".pdf": "pdf", ".tif": "tiff", ".tiff": "tiff", ".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg",
    ".png": "png", ".bmp": "bmp", ".webp": "webp", ".txt": "text", ".md": "text",
}  # fmt: skip


def _read_head(path: Path, size: int = 1024) -> bytes:
    """First bytes of ``path``; missing, unreadable or empty files raise :class:`InputFileError`."""
    if not path.exists():
        raise InputFileError("no such file" if not path.is_symlink() else "broken symbolic link", path)
    if path.is_dir():
        raise InputFileError("is a directory, not a file", path)
    try:
        mode = path.stat().st_mode
    except OSError as e:
        raise InputFileError(f"cannot read: {e.strerror or e}", path) from e
    if not stat.S_ISREG(mode):  # reading a FIFO or a device would block, or never end
        raise UnsupportedFormatError(f"not a regular file ({_file_kind(mode)})", path)
    try:
        with path.open("rb") as fh:
            head = fh.read(size)
    except OSError as e:
        raise InputFileError(f"cannot read: {e.strerror or e}", path) from e
    if not head:
        raise InputFileError("empty file", path)
    return head


def _file_kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a file"


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _looks_like_text(head: bytes) -> bool:
    """True for UTF-8 (or BOM-marked UTF-16) text without control bytes."""
    if head.startswith(_BOMS[1:]):
        return True
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:  # not just a multi-byte character cut at the end of the sample
            return False
        text = head[: e.start].decode("utf-8")
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def sniff_format(path: str | Path, *, warn: bool = True) -> str:
    """Return the format of ``path`` from its content: pdf, tiff, jpeg, png, bmp, webp or text.

    The name only decides for text (``.txt``/``.md`` without binary bytes, any 8-bit encoding); an
    image name on a file whose bytes are not that image (e.g. a text file called ``scan.jpg``) is
    rejected. Content that is a supported format under another name (a PNG called ``.jpg``) is
    accepted with a warning (logged when ``warn``: the first look at a file warns, later ones don't).

    Raises:
        InputFileError: Missing, unreadable or empty file.
        UnsupportedFormatError: Unknown content, or content that does not match the name.
    """
    path = Path(path)
    head = _read_head(path)
    suffix = path.suffix.lower()
    fmt = next((f for magic, f in _MAGIC if head.startswith(magic)), None)
    if fmt is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        fmt = "webp"
    if fmt is None and b"%PDF-" in head and suffix not in TEXT_SUFFIXES:
        fmt = "pdf"  # the PDF spec allows junk before the header (within the first 1024 bytes)
    if fmt is not None:
        expected = _SUFFIX_FORMAT.get(suffix)
        if warn and expected not in (None, fmt):
            logger.warning("%s: content is %s although the name says %s", path, fmt, expected)
        return fmt
    if suffix in TEXT_SUFFIXES and (b"\x00" not in head or head.startswith(_BOMS[1:])):
        return "text"
    if _looks_like_text(head):
        named = _SUFFIX_FORMAT.get(suffix)
        what = f"a {named.upper()} file" if named else "a supported document"
        raise UnsupportedFormatError(f"the file holds plain text, not {what}", path)
    raise UnsupportedFormatError(f"unknown file format (starts with {head[:8]!r})", path)


PROBE_TIMEOUT = 120.0
"""Seconds allowed to ``pdfinfo`` and ``pdfimages -list`` (each takes 10-60 ms on the real scans)."""


def probe_input(path: str | Path, *, sha256: str | None = None, warn: bool = True) -> InputProbe:
    """Look at an input once: format, size, sha256, page count, and for a PDF its page boxes and images.

    A bad input fails here with its precise reason, before any rendering or OCR, in this order: missing,
    unreadable, empty or misnamed (:func:`sniff_format`); corrupt, encrypted or page-less (``pdfinfo``, or
    the image header).

    Args:
        path: The input file.
        sha256: Its digest when the caller has just computed it (the batch's resume check): not read again.
        warn: Log a misnamed file (content of another format than its name says).

    Raises:
        InputFileError: Missing, unreadable, empty or corrupt file (``EncryptedPdfError`` for a locked PDF).
        UnsupportedFormatError: Not a supported format.
        MissingDependencyError: poppler is missing (PDF only).
    """
    path = Path(path)
    fmt = sniff_format(path, warn=warn)
    try:
        size = path.stat().st_size
        digest = sha256 or file_sha256(path)
    except OSError as e:
        raise InputFileError(f"cannot read: {e.strerror or e}", path) from e
    if fmt == "pdf":
        infos = tuple(pdf_page_info(path, timeout=PROBE_TIMEOUT))
        rows = tuple(image_list(path, timeout=PROBE_TIMEOUT))
        return InputProbe(path, fmt, size, digest, len(infos), infos, rows)
    text = fmt == "text" or path.suffix.lower() in TEXT_SUFFIXES  # a .txt is read as text, whatever its bytes
    return InputProbe(path, fmt, size, digest, 1 if text else _frames(path, fmt))


def count_pages(path: str | Path) -> int:
    """Number of pages: PDF pages, TIFF frames, 1 for other images and for text files.

    Raises:
        InputFileError: Missing, empty or corrupt file (``EncryptedPdfError`` for a locked PDF).
        UnsupportedFormatError: Not a supported format.
        MissingDependencyError: poppler is missing (PDF only).
    """
    fmt = sniff_format(path, warn=False)
    if fmt == "pdf":
        return len(pdf_page_info(path))
    if fmt == "text":
        return 1
    return _frames(Path(path), fmt)


def _frames(path: Path, fmt: str) -> int:
    """Frames of a TIFF, 1 for another image; the header is read (a corrupt image fails here)."""
    with _open_image(path) as img:
        try:
            return int(getattr(img, "n_frames", 1)) if fmt == "tiff" else 1
        except _IMAGE_ERRORS as e:
            raise InputFileError(f"corrupt TIFF: cannot count its frames ({e})", path) from e


def iter_pages(
    path: str | Path, dpi: int = 300, *, max_pixels: int = DEFAULT_MAX_PIXELS, timeout: float = 300,
    page_dpi: Mapping[int, int] | None = None, only: Collection[int] | None = None,
    probe: InputProbe | None = None,
) -> Iterator[PageImage]:
    """Yield the pages of a PDF or image file one at a time, as BGR uint8 arrays.

    Args:
        path: PDF, TIFF (all frames), JPEG, PNG, BMP or WebP.
        dpi: Rendering resolution for PDFs. Image files keep their pixels; their ``dpi`` is read from
            the metadata or estimated from the pixel size assuming A4 (see :func:`estimate_dpi`).
        max_pixels: Refuse any page larger than this, checked before decoding.
        timeout: Seconds allowed to render one PDF page.
        page_dpi: Per-page rendering resolution for PDFs (page number → dpi), overriding ``dpi``.
        only: Load just these pages (numbers from 1); the others are not rendered or decoded. None: all.
        probe: The input's :class:`InputProbe` when the caller has it (its format and PDF page boxes are
            used instead of looking again).

    Raises:
        InputFileError: Missing, empty, truncated or corrupt file.
        EncryptedPdfError: The PDF needs a password.
        DecompressionBombError: A page exceeds ``max_pixels``.
        UnsupportedFormatError: A text file or an unknown format.
        MissingDependencyError: poppler is missing (PDF only).
    """
    path = Path(path)
    fmt = probe.check(path).format if probe is not None else sniff_format(path, warn=False)
    if fmt == "text":
        raise UnsupportedFormatError("a text file has no page images; read it as text", path)
    if fmt == "pdf":
        infos = list(probe.pdf_pages) if probe is not None else pdf_page_info(path)
        yield from _iter_pdf(path, dpi, max_pixels, timeout, page_dpi or {}, only, infos)
    else:
        yield from _iter_image(path, max_pixels, only)


def _iter_pdf(path: Path, default_dpi: int, max_pixels: int, timeout: float,
              page_dpi: Mapping[int, int], only: Collection[int] | None, infos: list[PdfPageInfo],
              ) -> Iterator[PageImage]:
    for info in infos:
        if only is not None and info.page_no not in only:
            continue
        dpi = page_dpi.get(info.page_no, default_dpi)
        w, h = info.pixels(dpi)
        _check_page_shape(path, info.page_no, w, h, f" at {dpi} dpi ({info.width_pt:g}x{info.height_pt:g} pt)")
        if w * h > max_pixels:
            raise DecompressionBombError(
                f"page {info.page_no} would be {w}x{h} = {w * h / 1e6:.0f} Mpx at {dpi} dpi, "
                f"over the limit of {max_pixels / 1e6:.0f} Mpx; use a lower dpi",
                path,
            )
        yield PageImage(_render(path, info.page_no, dpi, timeout), info.page_no, dpi, str(path))


def _render(path: Path, page_no: int, dpi: int, timeout: float) -> np.ndarray:
    """One PDF page rendered by poppler's ``pdftoppm`` through pdf2image (which also runs its own
    ``pdfinfo`` and ``pdftoppm -v`` first: about 20 ms a page), as a BGR array.

    The page is written as a PPM file in a private temporary folder and read by OpenCV straight into the
    BGR array: one page-sized allocation (~26 MB at 300 dpi), where Pillow's image, its bytes and the
    channel-swapped copy were three."""
    with tempfile.TemporaryDirectory(prefix="vn-dispatch-page-") as tmp:
        try:
            files = convert_from_path(path, dpi=dpi, first_page=page_no, last_page=page_no, fmt="ppm",
                                      timeout=math.ceil(timeout), output_folder=tmp, paths_only=True)
        except PopplerNotInstalledError as e:
            raise MissingDependencyError("poppler not found: sudo apt-get install poppler-utils", path) from e
        except PDFPopplerTimeoutError as e:
            raise InputFileError(f"rendering page {page_no} took longer than {timeout:g} s", path) from e
        except (PDFPageCountError, OSError, ValueError) as e:
            raise InputFileError(f"cannot render page {page_no}: {e}", path) from e
        array = cv2.imread(str(files[0]), cv2.IMREAD_COLOR) if files else None
    if array is None:
        raise InputFileError(f"cannot render page {page_no} (corrupt or truncated PDF)", path)
    return array


def _open_image(path: Path) -> Image.Image:
    """Open an image lazily (header only), mapping Pillow's errors to ours."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(path)
    except Image.DecompressionBombError as e:
        m = re.search(r"\((\d+) pixels\)", str(e))
        size = f"{int(m[1]) / 1e6:.0f} Mpx" if m else "too many pixels"
        raise DecompressionBombError(f"image is {size}, over Pillow's safety limit", path) from e
    except UnidentifiedImageError as e:
        raise InputFileError("corrupt image: cannot identify its format", path) from e
    except _IMAGE_ERRORS as e:
        raise InputFileError(f"cannot open image: {type(e).__name__}: {e}", path) from e


def _check_page_shape(path: Path, page_no: int, w: int, h: int, where: str = "") -> None:
    """Refuse a page that cannot be a document page: empty, a sliver, or a strip (see the limits above)."""
    if w <= 0 or h <= 0:
        raise InputFileError(f"page {page_no} is empty ({w}x{h} px{where})", path)
    if min(w, h) < MIN_PAGE_SIDE_PX or max(w, h) / min(w, h) > MAX_PAGE_ASPECT:
        raise InputFileError(
            f"page {page_no} is {w}x{h} px{where}: not a document page (narrower than {MIN_PAGE_SIDE_PX} px "
            f"or longer than {MAX_PAGE_ASPECT:g} times its width)", path)


def _iter_image(path: Path, max_pixels: int, only: Collection[int] | None = None) -> Iterator[PageImage]:
    with _open_image(path) as img:
        try:
            n = int(getattr(img, "n_frames", 1)) if img.format == "TIFF" else 1
        except _IMAGE_ERRORS as e:
            raise InputFileError(f"corrupt TIFF: cannot count its frames ({e})", path) from e
        for index in range(n):
            if only is not None and index + 1 not in only:
                continue
            try:
                img.seek(index)
                w, h = (int(v) for v in img.size)
            except _IMAGE_ERRORS as e:
                raise InputFileError(f"cannot read image frame {index + 1}: {type(e).__name__}: {e}", path) from e
            _check_page_shape(path, index + 1, w, h)
            if w * h > max_pixels:
                raise DecompressionBombError(
                    f"page {index + 1} is {w}x{h} = {w * h / 1e6:.0f} Mpx, over the limit of "
                    f"{max_pixels / 1e6:.0f} Mpx",
                    path,
                )
            dpi = estimate_dpi(img.size, img.info.get("dpi"))
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    img.load()
                    frame = ImageOps.exif_transpose(img) if n == 1 else img
                    array = _to_bgr(frame)
            except Image.DecompressionBombError as e:
                raise DecompressionBombError(f"page {index + 1} is {w}x{h}, over Pillow's limit", path) from e
            except _IMAGE_ERRORS as e:
                raise InputFileError(f"truncated or corrupt image (page {index + 1}): {type(e).__name__}: {e}",
                                     path) from e
            yield PageImage(array, index + 1, dpi, str(path))


def estimate_dpi(size: tuple[int, int], meta_dpi: object = None, *, default: int = 300) -> int:
    """Resolution of a page image: from its metadata when plausible, else from its size assuming A4.

    Metadata is trusted when it makes the page between A6 and A3 in size; the 72/96 dpi defaults that
    cameras and editors write are trusted only when they make an A4/Letter-sized page. Otherwise the
    long side is taken as A4's 11.69 inches.

    >>> estimate_dpi((2480, 3508), (300, 300))
    300
    >>> estimate_dpi((576, 960), (72, 72))  # a phone photo of a page, tagged 72 dpi by default
    82
    """
    w, h = size
    long_side = max(w, h)
    if long_side <= 0:
        return default
    xd = yd = 0.0
    if isinstance(meta_dpi, (tuple, list)) and len(meta_dpi) == 2:
        try:
            xd, yd = float(meta_dpi[0]), float(meta_dpi[1])
        except (TypeError, ValueError):
            xd = yd = 0.0
    if xd > 0 and yd > 0:
        long_in = max(w / xd, h / yd)
        low, high = (10.5, 12.5) if round(xd) in (72, 96) else (5.5, 17.5)
        if low <= long_in <= high:
            return round((xd + yd) / 2)
    return max(30, round(long_side / _A4_LONG_IN))


def _to_bgr(img: Image.Image) -> np.ndarray:
    """Convert any Pillow mode to a contiguous BGR uint8 array (transparency on white)."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        hi = arr.max() or 1.0
        img = Image.fromarray(
            (arr * (255.0 / (65535.0 if hi > 255 else 255.0))).clip(0, 255).astype(np.uint8)
        )
    elif img.mode == "F":
        img = Image.fromarray(np.asarray(img).clip(0, 255).astype(np.uint8))
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    rgb = np.asarray(img.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])
