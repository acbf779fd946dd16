"""Page images for the desk: thumbnails, and crops around a field's evidence box with the box drawn.

Pages are loaded from the original file with the pipeline's own loader (:func:`~vn_dispatch_parser.image.load.
iter_pages`: poppler for PDFs, Pillow for images) at the ``dpi`` the result's ``frames`` record: the
evidence boxes are in that page's pixels. Older results, whose frames say ``boxes: "ocr"``, are turned,
straightened and scaled like the page the OCR read; results made before frames were recorded are shown
in the page's own pixels.

The original file is served only when its sha256 is still the one the result records.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw

from vn_dispatch_parser.image.load import iter_pages, sniff_format
from vn_dispatch_parser.image.preprocess import _ROTATE, rotate

__all__ = ["PageCache", "SourceChanged", "crop_png", "page_png"]


class SourceChanged(Exception):
    """The original file is missing or no longer the one the result was read from."""


class PageCache:
    """Pages in their evidence frame, the few most recent kept in memory; sha256 checks cached by stat."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[str, int], Image.Image] = OrderedDict()
        self._sums: dict[tuple[str, int, float], str] = {}
        self._lock = threading.Lock()

    def _check(self, path: Path, sha256: str | None) -> None:
        try:
            st = path.stat()
        except OSError as e:
            raise SourceChanged(f"the original file is missing: {path}") from e
        key = (str(path), st.st_size, st.st_mtime)
        if key not in self._sums:
            h = hashlib.sha256()
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            self._sums[key] = h.hexdigest()
        if sha256 and self._sums[key] != sha256:
            raise SourceChanged(f"the original file changed since it was read: {path}")

    def page(self, path: Path, sha256: str | None, page: int, frame: dict[str, Any] | None) -> Image.Image:
        """Page ``page`` of ``path`` in the frame of its evidence boxes (RGB)."""
        with self._lock:
            self._check(path, sha256)
            key = (str(path), page)
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        img = load_page(path, page, frame)
        with self._lock:
            self._pages[key] = img
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return img


def load_page(path: Path, page: int, frame: dict[str, Any] | None) -> Image.Image:
    """Load one page at the frame's dpi; for an older result's ``"ocr"`` frame, turn, straighten and resize
    it like the OCR image its boxes refer to."""
    if sniff_format(path) == "text":
        raise SourceChanged("a text file has no page image")
    dpi = int(frame["dpi"]) if frame else 200
    loaded = next(iter_pages(path, dpi=dpi, only={page}, page_dpi={page: dpi}), None)
    if loaded is None:
        raise SourceChanged(f"no page {page} in {path.name}")
    arr: np.ndarray = loaded.array
    if frame and frame.get("boxes", "ocr") == "ocr":
        if frame.get("rotation") in _ROTATE:
            arr = cv2.rotate(arr, _ROTATE[frame["rotation"]])
        if frame.get("skew"):
            arr = rotate(arr, -float(frame["skew"]))
    if frame and (arr.shape[1], arr.shape[0]) != (frame["width"], frame["height"]):
        arr = cv2.resize(arr, (int(frame["width"]), int(frame["height"])), interpolation=cv2.INTER_AREA)
    arr = cv2.cvtColor(arr, cv2.COLOR_GRAY2RGB if arr.ndim == 2 else cv2.COLOR_BGR2RGB)
    return Image.fromarray(arr)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False, compress_level=3)
    return buf.getvalue()


def page_png(img: Image.Image, width: int, boxes: list[list[int]] | None = None) -> bytes:
    """The page scaled to ``width`` pixels, with ``boxes`` (frame pixels) drawn."""
    scale = width / img.width
    out = img.resize((width, max(1, round(img.height * scale))), Image.Resampling.LANCZOS)
    if boxes:
        draw = ImageDraw.Draw(out)
        for b in boxes:
            draw.rectangle([b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale], outline=(220, 30, 30), width=2)
    return _png(out)


def crop_png(img: Image.Image, bbox: list[int], *, max_width: int = 900) -> bytes:
    """The region around ``bbox`` (frame pixels) with the box drawn in red, at most ``max_width`` wide."""
    x0, y0, x1, y1 = (int(v) for v in bbox[:4])
    bw, bh = max(1, x1 - x0), max(1, y1 - y0)
    px, py = max(bw // 2, img.width // 6), max(int(bh * 2.5), 40)
    left, top = max(0, x0 - px), max(0, y0 - py)
    right, bottom = min(img.width, x1 + px), min(img.height, y1 + py)
    if right <= left or bottom <= top:  # a box outside the page: show the page
        left, top, right, bottom = 0, 0, img.width, img.height
    crop = img.crop((left, top, right, bottom)).copy()
    draw = ImageDraw.Draw(crop)
    stroke = max(2, crop.width // 300)
    draw.rectangle([x0 - left - stroke, y0 - top - stroke, x1 - left + stroke, y1 - top + stroke],
                   outline=(220, 30, 30), width=stroke)
    if crop.width > max_width:
        crop = crop.resize((max_width, round(crop.height * max_width / crop.width)), Image.Resampling.LANCZOS)
    return _png(crop)
