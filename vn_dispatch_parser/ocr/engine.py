"""The OCR engine seam: an ``OcrEngine`` protocol, the Tesseract engine and a fake for tests.

``TesseractEngine`` runs the ``tesseract`` binary directly (no pytesseract globals), sends the page as
an uncompressed PNM on stdin and parses the TSV itself, so confidences stay floats (0–1) and rows
with ``conf == -1`` (blocks, paragraphs, lines) are dropped. Every call sets ``OMP_THREAD_LIMIT=1``:
Tesseract's OpenMP threads make it several times *slower* on small machines, and page-level
parallelism belongs to the batch runner.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import statistics
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from vn_dispatch_parser.core.types import BBox, Line, OcrPage, OcrWord
from vn_dispatch_parser.errors import MissingDependencyError, OcrEngineError, OcrTimeoutError

__all__ = [
    "FakeEngine", "OcrEngine", "TesseractEngine", "default_tessdata_dir", "group_lines", "parse_tsv", "recognize_at",
]

logger = logging.getLogger(__name__)

_INSTALL_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-vie"
_LANG_ERRORS = ("Failed loading language", "Error opening data file", "Could not initialize tesseract")


@runtime_checkable
class OcrEngine(Protocol):
    """What the pipeline needs from an OCR engine."""

    def recognize(self, image: np.ndarray, *, psm: int = 3, page_no: int = 1, config: str = "") -> OcrPage:
        """Recognise one page image (BGR or grey uint8) and return its words and lines."""
        ...

    def version(self) -> str:
        """Engine name, version and model, recorded in the output for provenance."""
        ...


def recognize_at(engine: OcrEngine, crop: np.ndarray, origin: tuple[int, int], *, psm: int, page_no: int) -> list[Line]:
    """OCR a crop of a page and return its lines (boxes and words) in the page's frame; ``origin`` is the
    crop's top-left corner on the page."""
    dx, dy = origin

    def shift(b: BBox) -> BBox:
        return BBox(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy)

    page = engine.recognize(crop, psm=psm, page_no=page_no)
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


def parse_tsv(tsv: str, *, page_no: int = 1, width: int = 0, height: int = 0, engine: str = "") -> OcrPage:
    """Parse Tesseract's TSV output into an :class:`OcrPage`.

    Only word rows (level 5) with a confidence other than -1 and non-blank text are kept; confidences
    are scaled to 0–1 as floats. The page size comes from the level-1 row unless given.

    Args:
        tsv: The TSV text, header row included.
        page_no: Page number for the result.
        width: Page width in pixels (0: take it from the TSV).
        height: Page height in pixels (0: take it from the TSV).
        engine: Engine description stored on the page.
    """
    words: list[OcrWord] = []
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) < 11 or not cols[0].isdigit():
            continue  # header or malformed row
        level, _page, block, par, line, _word, left, top, w, h = (int(c) for c in cols[:10])
        conf = float(cols[10])
        if level == 1 and not (width and height):
            width, height = width or left + w, height or top + h
        text = cols[11].strip() if len(cols) > 11 else ""
        if level != 5 or conf < 0 or not text:
            continue
        box = BBox(left, top, left + max(w, 0), top + max(h, 0))
        words.append(OcrWord(text, min(conf, 100.0) / 100.0, box, block, par, line))
    return OcrPage(page_no, width, height, words=words, lines=group_lines(words, page_no), engine=engine)


def default_tessdata_dir(langs: str = "vie") -> Path | None:
    """The package's ``models/`` when it ships every ``+``-joined language (checked against its MANIFEST),
    None when it ships none of them (``osd``, ``eng``: Tesseract's own data).

    Raises:
        MissingDependencyError: A shipped ``.traineddata`` is missing or corrupt: never a silent fallback to
            the system's data (see :mod:`vn_dispatch_parser.ocr.model_files`).
    """
    from vn_dispatch_parser.ocr.model_files import tessdata_dir

    return tessdata_dir(langs)


def _to_pnm(image: np.ndarray) -> bytes:
    """Encode a grey or BGR(A) uint8 image as PGM/PPM (fast, lossless, read by Leptonica from stdin)."""
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3):
        raise ValueError(f"expected a 2-D or 3-D image, got shape {image.shape}")
    ok, buf = cv2.imencode(".pgm" if image.ndim == 2 else ".ppm", image)
    if not ok:
        raise ValueError("could not encode the image")
    return buf.tobytes()


class TesseractEngine:
    """Tesseract through its command line, one process per page.

    Args:
        lang: Tesseract language(s), e.g. ``"vie"`` or ``"vie+eng"``.
        tessdata_dir: Where the ``.traineddata`` files are; default: the package's ``models/``, checked
            (:func:`default_tessdata_dir`; a missing or corrupt model raises ``MissingDependencyError``).
        tesseract_cmd: The binary.
        timeout: Seconds allowed per page (``OcrTimeoutError`` beyond).
        oem: OCR engine mode (1 = LSTM, what ``tessdata_fast`` holds).
        dpi: Resolution passed as ``--dpi`` (None: let Tesseract estimate it).
    """

    def __init__(
        self,
        lang: str = "vie",
        *,
        tessdata_dir: str | Path | None = None,
        tesseract_cmd: str = "tesseract",
        timeout: float = 180.0,
        oem: int = 1,
        dpi: int | None = None,
    ) -> None:
        self.lang = lang
        self.tessdata_dir = Path(tessdata_dir) if tessdata_dir is not None else default_tessdata_dir(lang)
        self.tesseract_cmd = tesseract_cmd
        self.timeout = timeout
        self.oem = oem
        self.dpi = dpi
        self._version: str | None = None
        self._checked = False

    def __repr__(self) -> str:
        return f"TesseractEngine(lang={self.lang!r}, tessdata_dir={self.tessdata_dir!s})"

    def _run(
        self, argv: list[str], data: bytes | None, *, timeout: float, what: str
    ) -> subprocess.CompletedProcess[bytes]:
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            return subprocess.run(
                argv, input=data, capture_output=True, timeout=timeout, env=env, check=False
            )
        except FileNotFoundError as e:
            raise MissingDependencyError(
                f"{self.tesseract_cmd!r} not found; install it: {_INSTALL_HINT}"
            ) from e
        except PermissionError as e:
            raise MissingDependencyError(f"{self.tesseract_cmd!r} is not executable: {e}") from e
        except subprocess.TimeoutExpired as e:
            raise OcrTimeoutError(f"tesseract took longer than {timeout:g} s on {what}") from e

    def _data_args(self) -> list[str]:
        return ["--tessdata-dir", str(self.tessdata_dir)] if self.tessdata_dir else []

    def languages(self) -> list[str]:
        """Languages available to this engine (``tesseract --list-langs``)."""
        proc = self._run(
            [self.tesseract_cmd, *self._data_args(), "--list-langs"], None, timeout=30, what="--list-langs"
        )
        out = proc.stdout.decode("utf-8", "replace").splitlines()
        return [ln.strip() for ln in out[1:] if ln.strip()]

    def check(self) -> None:
        """Fail early when Tesseract or the language data is missing (done once, lazily).

        Raises:
            MissingDependencyError: No binary, or no ``.traineddata`` for a language.
        """
        if self._checked:
            return
        have = set(self.languages())
        missing = [lang for lang in self.lang.split("+") if lang not in have]
        if missing:
            where = self.tessdata_dir or "the system tessdata"
            raise MissingDependencyError(
                f"Tesseract has no language data for {'+'.join(missing)} in {where}; "
                f"install it: sudo apt-get install {' '.join('tesseract-ocr-' + m for m in missing)}"
            )
        self._checked = True

    def version(self) -> str:
        """E.g. ``"tesseract 5.3.0 vie (models)"``: binary version, language and data dir (the identity
        recorded in results is :func:`vn_dispatch_parser.ocr.model_files.engine_identity`)."""
        if self._version is None:
            proc = self._run([self.tesseract_cmd, "--version"], None, timeout=30, what="--version")
            text = (proc.stdout or proc.stderr).decode("utf-8", "replace").split()
            number = text[1] if len(text) > 1 else "unknown"
            where = self.tessdata_dir.name if self.tessdata_dir else "system"
            self._version = f"tesseract {number} {self.lang} ({where})"
        return self._version

    def recognize(self, image: np.ndarray, *, psm: int = 3, page_no: int = 1, config: str = "") -> OcrPage:
        """OCR one page and return words (conf 0–1) grouped into lines.

        Args:
            image: BGR, BGRA or grey uint8 array.
            psm: Tesseract page segmentation mode.
            page_no: Page number stored on the result.
            config: Extra command-line options, e.g. ``"--dpi 150 -c preserve_interword_spaces=1"``.

        Raises:
            MissingDependencyError: Tesseract or its language data is missing.
            OcrTimeoutError: The page took longer than ``timeout``.
            OcrEngineError: Tesseract failed.
        """
        height, width = image.shape[:2]
        if width == 0 or height == 0:
            return OcrPage(page_no, width, height, engine=self.version())
        self.check()
        argv = [
            self.tesseract_cmd,
            "stdin",
            "stdout",
            "-l",
            self.lang,
            "--oem",
            str(self.oem),
            "--psm",
            str(psm),
        ]
        argv += self._data_args()
        if self.dpi and "--dpi" not in config:
            argv += ["--dpi", str(self.dpi)]
        argv += [*shlex.split(config), "-c", "tessedit_create_tsv=1"]
        proc = self._run(argv, _to_pnm(image), timeout=self.timeout, what=f"page {page_no}")
        stderr = proc.stderr.decode("utf-8", "replace")
        if proc.returncode != 0:
            if any(s in stderr for s in _LANG_ERRORS):
                raise MissingDependencyError(
                    f"Tesseract cannot load {self.lang!r}: {stderr.strip()[-300:]} ({_INSTALL_HINT})"
                )
            raise OcrEngineError(
                f"tesseract exited with {proc.returncode} on page {page_no}: {stderr.strip()[-300:]}"
            )
        if "Empty page" in stderr:
            logger.debug("tesseract found no text on page %d", page_no)
        tsv = proc.stdout.decode("utf-8", "replace")
        return parse_tsv(tsv, page_no=page_no, width=width, height=height, engine=self.version())

    def osd(self, image: np.ndarray) -> tuple[int, float]:
        """Detect page orientation with Tesseract's OSD (``--psm 0``).

        Returns:
            ``(rotate, confidence)``: turn the image ``rotate`` degrees (0, 90, 180, 270) *clockwise*
            to make it upright (Tesseract's ``Rotate:`` line; a page scanned turned 90° clockwise
            gives 270), with Tesseract's orientation confidence (about 2+ is reliable); ``(0, 0.0)``
            when there is too little text to tell.

        Raises:
            MissingDependencyError: Tesseract or ``osd.traineddata`` is missing.
            OcrTimeoutError: OSD took longer than ``timeout``.
        """
        data_dir = (
            self.tessdata_dir
            if self.tessdata_dir and (self.tessdata_dir / "osd.traineddata").is_file()
            else None
        )
        argv = [self.tesseract_cmd, "stdin", "stdout", "--psm", "0", "-l", "osd"]
        argv += ["--tessdata-dir", str(data_dir)] if data_dir else []
        proc = self._run(argv, _to_pnm(image), timeout=self.timeout, what="OSD")
        out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
        if any(s in out for s in _LANG_ERRORS):
            raise MissingDependencyError(
                f"Tesseract has no OSD data: sudo apt-get install tesseract-ocr-osd ({out.strip()[-200:]})"
            )
        rotate = re.search(r"Rotate:\s*(\d+)", out)
        conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
        if not rotate:
            logger.debug("OSD gave no orientation: %s", out.strip()[-200:])
            return 0, 0.0
        return int(rotate[1]) % 360, float(conf[1]) if conf else 0.0


class FakeEngine:
    """An engine returning canned pages, for tests: no Tesseract needed.

    Args:
        pages: Canned results by page number (a sequence is numbered from 1). Pages not given come
            back empty. Width and height of 0 are filled in from the image.
        name: The string :meth:`version` returns.

    Attributes:
        calls: ``(page_no, psm, config)`` of every :meth:`recognize` call.
    """

    def __init__(
        self, pages: Mapping[int, OcrPage] | Sequence[OcrPage] = (), *, name: str = "fake 1.0"
    ) -> None:
        self.pages = (
            dict(pages) if isinstance(pages, Mapping) else {i: p for i, p in enumerate(pages, start=1)}
        )
        self.name = name
        self.calls: list[tuple[int, int, str]] = []

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

    def recognize(self, image: np.ndarray, *, psm: int = 3, page_no: int = 1, config: str = "") -> OcrPage:
        """Return the canned page for ``page_no`` (an empty page if there is none)."""
        self.calls.append((page_no, psm, config))
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

    def version(self) -> str:
        """The fake's name."""
        return self.name
