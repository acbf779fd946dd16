"""The OCR engine seam: the ``OcrEngine`` protocol, helpers over any engine, and a fake for tests.

Engines: :class:`~vn_dispatch_parser.ocr.tesseract.TesseractEngine` (the ``tesseract`` binary; the one
module that starts it), :class:`~vn_dispatch_parser.ocr.capi.TessApiEngine` (the same engine in process,
tesserocr), :class:`~vn_dispatch_parser.ocr.replay.ReplayEngine` (recorded calls, for tests) and
:class:`FakeEngine`. The Protocol says nothing about Tesseract: how an image is laid out (a page, a block,
a line, a word: :class:`~vn_dispatch_parser.core.types.Layout`) is a hint each engine maps to its own
settings (Tesseract's page segmentation modes in :mod:`vn_dispatch_parser.ocr.tesseract`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from vn_dispatch_parser.core.types import BBox, Layout, Line, OcrPage, OcrWord

if TYPE_CHECKING:  # numpy and OpenCV load on first use: workers set THREAD_ENV before they load
    import numpy as np

__all__ = ["OCR_THREAD_ENV", "THREAD_ENV", "FakeEngine", "Layout", "OcrEngine", "group_lines", "hold_one_thread",
           "one_thread", "recognize_at", "single_threaded"]

logger = logging.getLogger(__name__)

OCR_THREAD_ENV = {"OMP_THREAD_LIMIT": "1"}
"""Tesseract single-threaded: its OpenMP threads made it several times slower on 2-core machines, and pages
run in parallel in the batch runner instead (libgomp reads the variable when it is loaded)."""

THREAD_ENV = {**OCR_THREAD_ENV, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "OPENCV_FOR_THREADS_NUM": "1"}
"""Every library's thread pool at one thread: what batch and cluster workers set before loading anything.
OpenCV's own pool (one thread per core in its wheels) bought 2% of wall time at one job for 20% more CPU
(samples/, ``--jobs 1``: 34.5 s wall and 41.1 s of user CPU with it, 35.2 s and 34.0 s without), CPU that a
second worker on the same cores needs."""
def single_threaded(*, libraries: bool = False, override: bool = True) -> None:
    """Set the thread limits in ``os.environ``, the one place that does: Tesseract's (:data:`OCR_THREAD_ENV`),
    or with ``libraries`` every library's (:data:`THREAD_ENV`, for worker processes before they load them).
    ``override=False`` keeps values the user set."""
    for key, value in (THREAD_ENV if libraries else OCR_THREAD_ENV).items():
        if override:
            os.environ[key] = value
        else:
            os.environ.setdefault(key, value)


def hold_one_thread() -> Callable[[], None]:
    """Every library's thread pool at one thread, in a process that may have loaded them (:data:`THREAD_ENV`
    is for processes that have not: the variables are read when a library loads); returns what undoes it.
    numpy and OpenCV are loaded first: a limit set before a library loads does not reach it. Tesseract's
    OpenMP gets :data:`OCR_THREAD_ENV` (the engines set it before they load Tesseract)."""
    import cv2
    import numpy  # noqa: F401  (its BLAS must be loaded for the limit to reach it)
    from threadpoolctl import threadpool_limits

    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    limits = threadpool_limits(1)

    def undo() -> None:
        limits.restore_original_limits()
        cv2.setNumThreads(before)

    return undo


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """:func:`hold_one_thread` for the block."""
    undo = hold_one_thread()
    try:
        yield
    finally:
        undo()


@runtime_checkable
class OcrEngine(Protocol):
    """What the pipeline needs from an OCR engine.

    Implementations: :class:`TesseractEngine` (command line), ``tess_capi.TessApiEngine`` (in process),
    ``ocr_replay.ReplayEngine`` (recorded answers, for tests) and :class:`FakeEngine` (canned pages).
    """

    def recognize(self, image: np.ndarray, *, layout: Layout = Layout.PAGE, page_no: int = 1) -> OcrPage:
        """Recognise one image (BGR or grey uint8) and return its words and lines.

        ``layout`` says what the image holds: a whole page, one block of text, one line or one word."""
        ...

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        """``(degrees, confidence)``: the clockwise turn (0, 90, 180, 270) that makes the page upright, and a
        confidence in 0–1 (0 when the engine cannot tell)."""
        ...

    def read_digits(self, image: np.ndarray) -> tuple[str, float] | None:
        """A line of digits (dark on white): the digits and the lowest confidence (0–1); None when the engine
        has no such reader."""
        ...

    def version(self) -> str:
        """Engine name, version and model, recorded in the output for provenance."""
        ...


def recognize_at(engine: OcrEngine, crop: np.ndarray, origin: tuple[int, int], *, layout: Layout,
                 page_no: int) -> list[Line]:
    """OCR a crop of a page and return its lines (boxes and words) in the page's frame; ``origin`` is the
    crop's top-left corner on the page."""
    dx, dy = origin

    def shift(b: BBox) -> BBox:
        return BBox(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy)

    page = engine.recognize(crop, layout=layout, page_no=page_no)
    return [replace(ln, bbox=shift(ln.bbox), words=tuple(replace(w, bbox=shift(w.bbox)) for w in ln.words))
            for ln in page.lines if ln.bbox is not None and ln.text.strip()]


def group_lines(words: Sequence[OcrWord], page_no: int = 1, *, gap_factor: float = 1.5) -> list[Line]:
    """Group words into lines by their (block, par, line) ids, splitting at wide horizontal gaps.

    Lines come in order of their first word and words keep their input order (the engine's reading
    order). A line is cut where the gap from one word to the next exceeds ``gap_factor`` times the
    median word height, so the two header columns ("BỘ GIÁO DỤC VÀ ĐÀO TẠO" … "CỘNG HÒA XÃ HỘI …")
    stay separate lines.

    Args:
        words: Words with ``block``/``par``/``line`` ids.
        page_no: Page number stored on each line.
        gap_factor: Split threshold as a multiple of the median word height.

    Returns:
        Lines with text joined by spaces, union box, mean confidence and their words.
    """
    groups: dict[tuple[int, int, int], list[OcrWord]] = {}
    for w in words:
        groups.setdefault((w.block, w.par, w.line), []).append(w)
    lines: list[Line] = []
    for group in groups.values():
        limit = gap_factor * max(1.0, statistics.median(w.bbox.height for w in group))
        part = [group[0]]
        for prev, cur in zip(group, group[1:], strict=False):
            if cur.bbox.x0 - prev.bbox.x1 > limit:
                lines.append(_make_line(part, page_no))
                part = []
            part.append(cur)
        lines.append(_make_line(part, page_no))
    return lines


def _make_line(words: list[OcrWord], page_no: int) -> Line:
    box = words[0].bbox
    for w in words[1:]:
        box = box.union(w.bbox)
    return Line(
        text=" ".join(w.text for w in words),
        page=page_no,
        bbox=box,
        conf=sum(w.conf for w in words) / len(words),
        words=tuple(words),
    )

class FakeEngine:
    """An engine returning canned pages, for tests: no Tesseract needed.

    Args:
        pages: Canned results by page number (a sequence is numbered from 1). Pages not given come
            back empty. Width and height of 0 are filled in from the image.
        name: The string :meth:`version` returns.

    Attributes:
        calls: ``(page_no, layout)`` of every :meth:`recognize` call.
    """

    def __init__(
        self, pages: Mapping[int, OcrPage] | Sequence[OcrPage] = (), *, name: str = "fake 1.0"
    ) -> None:
        self.pages = (
            dict(pages) if isinstance(pages, Mapping) else {i: p for i, p in enumerate(pages, start=1)}
        )
        self.name = name
        self.calls: list[tuple[int, Layout]] = []

    @classmethod
    def from_lines(
        cls, pages: Mapping[int, Iterable[str]], *, line_height: int = 40, name: str = "fake 1.0"
    ) -> FakeEngine:
        """Build canned pages from text lines, giving each word a plausible box (conf 0.9)."""
        canned: dict[int, OcrPage] = {}
        for page_no, texts in pages.items():
            words: list[OcrWord] = []
            for i, text in enumerate(texts, start=1):
                x, y = 100, 100 + i * line_height * 3 // 2
                for word in text.split():
                    w = max(1, len(word)) * line_height // 2
                    words.append(OcrWord(word, 0.9, BBox(x, y, x + w, y + line_height), 1, 1, i))
                    x += w + line_height // 3
            canned[page_no] = OcrPage(
                page_no, 0, 0, words=words, lines=group_lines(words, page_no), engine=name
            )
        return cls(canned, name=name)

    def recognize(self, image: np.ndarray, *, layout: Layout = Layout.PAGE, page_no: int = 1) -> OcrPage:
        """Return the canned page for ``page_no`` (an empty page if there is none)."""
        self.calls.append((page_no, layout))
        height, width = image.shape[:2]
        page = self.pages.get(page_no)
        if page is None:
            return OcrPage(page_no, width, height, engine=self.name)
        return replace(
            page,
            page_no=page_no,
            width=page.width or width,
            height=page.height or height,
            words=list(page.words),
            lines=list(page.lines),
            marks=list(page.marks),
        )

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        """Always "cannot tell": the page keeps the orientation the image checks found."""
        return 0, 0.0

    def read_digits(self, image: np.ndarray) -> tuple[str, float] | None:
        """No digit reader."""
        return None

    def version(self) -> str:
        """The fake's name."""
        return self.name
