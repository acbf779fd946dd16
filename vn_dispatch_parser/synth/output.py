"""Write page images as PNG, JPEG, multi-page TIFF or image PDF, byte-for-byte reproducibly.

No writer embeds the time: the PDF's CreationDate/ModDate are fixed, and PNG/JPEG/TIFF carry
only the dpi.
"""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image

__all__ = ["FORMATS", "MULTIPAGE", "write_images"]

FORMATS = {"png": ".png", "jpg": ".jpg", "tif": ".tif", "pdf": ".pdf"}
MULTIPAGE = {"tif", "pdf"}
_FIXED_DATE = time.gmtime(1735689600)  # 2025-01-01T00:00:00Z
_BY = "vn-dispatch-parser synth"


def write_images(images: list[Image.Image], path: Path, fmt: str, dpi: int, quality: int = 80) -> None:
    """Save pages to ``path``.

    Args:
        images: Page images (mode ``RGB``, ``L``, ``P`` or ``1``).
        path: Output file.
        fmt: ``png``, ``jpg``, ``tif`` or ``pdf``.
        dpi: Resolution written into the file.
        quality: JPEG quality (JPEG files, JPEG-compressed TIFF pages and PDF pages).

    Raises:
        ValueError: Several pages for a single-page format, or an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if len(images) > 1 and fmt not in MULTIPAGE:
        raise ValueError(f"{len(images)} pages cannot go into one {fmt} file")
    if fmt != "png":
        images = [im.convert("RGB") if im.mode == "P" else im for im in images]
    first, rest = images[0], images[1:]
    if fmt == "png":
        first.save(path, "PNG", dpi=(dpi, dpi), optimize=True)
    elif fmt == "jpg":
        img = first.convert("L") if first.mode == "1" else first
        img.save(path, "JPEG", quality=quality, dpi=(dpi, dpi), optimize=True)
    elif fmt == "tif":
        compression = "group4" if first.mode == "1" else "jpeg"
        extra = {} if first.mode == "1" else {"quality": quality}
        first.save(
            path, "TIFF", save_all=True, append_images=rest, compression=compression, dpi=(dpi, dpi), **extra
        )
    else:  # pdf: a bitonal page is stored as such, without a JPEG quality
        extra = {} if first.mode == "1" else {"quality": quality}
        first.save(
            path,
            "PDF",
            save_all=True,
            append_images=rest,
            resolution=float(dpi),
            **extra,
            title=path.stem,
            author=_BY,
            creator=_BY,
            producer=_BY,
            creationDate=_FIXED_DATE,
            modDate=_FIXED_DATE,
        )
