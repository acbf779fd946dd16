"""The one module that starts Tesseract: ``TesseractEngine`` runs the ``tesseract`` binary for pages, crops,
orientation (OSD) and the hand-writing reader's digit witness.

It drives Tesseract through pytesseract (its ``run_and_get_output``, so the image goes as an uncompressed
PNM and the raw TSV comes back) and parses the TSV itself (:func:`parse_tsv`), so confidences stay floats
(0–1) and rows with ``conf == -1`` (blocks, paragraphs, lines) are dropped. Every call runs single-threaded
(:func:`~vn_dispatch_parser.ocr.engine.single_threaded`): Tesseract's OpenMP threads make it several times
*slower* on small machines, and page-level parallelism belongs to the batch runner.
:mod:`vn_dispatch_parser.ocr.capi` is the same engine in process (tesserocr).
"""

from __future__ import annotations

import contextlib
import logging
import re
import shlex
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vn_dispatch_parser.core.types import BBox, Layout, OcrPage, OcrWord
from vn_dispatch_parser.errors import (
    DispatchParserError,
    MissingDependencyError,
    OcrEngineError,
    OcrTimeoutError,
)

if TYPE_CHECKING:  # numpy and OpenCV load on first use: workers set THREAD_ENV before they load
    import numpy as np

from vn_dispatch_parser.ocr.engine import group_lines, single_threaded

__all__ = ["DIGITS_LANG", "DIGITS_TIMEOUT", "OSD_CONF_FULL", "OSD_TIMEOUT", "PSM", "TesseractEngine", "default_tessdata_dir",
           "digits_from_tsv", "parse_tsv", "to_grey_u8"]

logger = logging.getLogger(__name__)

_INSTALL_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-vie"
_LANG_ERRORS = ("Failed loading language", "Error opening data file", "Could not initialize tesseract")
PSM = {Layout.PAGE: 3, Layout.BLOCK: 6, Layout.LINE: 7, Layout.WORD: 8}
"""Tesseract's page segmentation mode for each layout hint of the engine Protocol (3 finds the page's blocks;
6 one uniform block; 7 one line; 8 one word)."""
OSD_TIMEOUT = 20.0
"""Seconds allowed for orientation detection (OSD reads a page in well under a second)."""

OSD_CONF_FULL = 15.0
"""Tesseract's OSD orientation confidence taken as certainty (1.0); about 2 is already reliable."""

DIGITS_LANG = "eng"
"""Language of the digit witness (the system's ``eng`` data: ``models/`` holds ``vie`` only)."""

DIGITS_TIMEOUT = 10.0
"""Seconds allowed for one digit crop."""

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


def to_grey_u8(image: np.ndarray) -> np.ndarray:
    """A grey copy of a BGR(A) image (grey images come back as they are)."""
    import cv2

    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[:, :, 0]
    return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)


def _to_pnm(image: np.ndarray) -> tuple[bytes, str]:
    """Encode a grey or BGR(A) uint8 image as PGM/PPM (fast, lossless, read by Leptonica); with its suffix."""
    import cv2
    import numpy as np

    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3):
        raise ValueError(f"expected a 2-D or 3-D image, got shape {image.shape}")
    suffix = ".pgm" if image.ndim == 2 else ".ppm"
    ok, buf = cv2.imencode(suffix, image)
    if not ok:
        raise ValueError("could not encode the image")
    return buf.tobytes(), suffix


class TesseractEngine:
    """Tesseract's command line through pytesseract, one process per call: the only code that starts it.

    Pages, crops, orientation (OSD) and the digit witness of the hand-writing reader all go through
    here. pytesseract writes the image to a temporary file and reads Tesseract's output file back; the
    image is written as PGM/PPM (what the engine used to send on stdin: lossless and fast, no PNG
    encoding), and the raw TSV is parsed by :func:`parse_tsv` so confidences stay floats
    (``image_to_data(output_type=Output.DICT)`` would truncate them to integers).

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

    @contextlib.contextmanager
    def _tesseract(self, what: str, timeout: float) -> Iterator[Any]:
        """pytesseract set to this engine's binary, single-threaded, its errors turned into ours."""
        pytesseract = _pytesseract()
        pytesseract.pytesseract.tesseract_cmd = self.tesseract_cmd  # pytesseract keeps the binary in a global
        single_threaded()
        try:
            yield pytesseract
        except pytesseract.TesseractNotFoundError as e:
            raise MissingDependencyError(f"{self.tesseract_cmd!r} not found; install it: {_INSTALL_HINT}") from e
        except PermissionError as e:
            raise MissingDependencyError(f"{self.tesseract_cmd!r} is not executable: {e}") from e
        except RuntimeError as e:
            if "timeout" not in str(e):  # pytesseract's only RuntimeError is 'Tesseract process timeout'
                raise
            raise OcrTimeoutError(f"tesseract took longer than {timeout:g} s on {what}") from e

    def _run(self, image: np.ndarray, extension: str, lang: str, config: str, *, timeout: float,
             what: str) -> str:
        """Run Tesseract on ``image`` and return its ``extension`` output file (``tsv``, ``osd``)."""
        with tempfile.TemporaryDirectory(prefix="vn-dispatch-ocr-") as tmp, self._tesseract(what, timeout) as pt:
            data, suffix = _to_pnm(image)
            path = Path(tmp) / f"image{suffix}"
            path.write_bytes(data)
            try:
                return str(pt.pytesseract.run_and_get_output(
                    str(path), extension=extension, lang=lang, config=config, timeout=timeout))
            except pt.TesseractError as e:
                message = str(e.message)
                if any(s in message for s in _LANG_ERRORS):
                    raise MissingDependencyError(
                        f"Tesseract cannot load {lang!r}: {message.strip()[-300:]} ({_INSTALL_HINT})"
                    ) from e
                raise OcrEngineError(f"tesseract exited with {e.status} on {what}: {message.strip()[-300:]}") from e

    def _data_args(self, lang: str | None = None) -> list[str]:
        """``--tessdata-dir`` when ``tessdata_dir`` holds every language of ``lang`` (else the system data)."""
        langs = (lang or self.lang).split("+")
        if self.tessdata_dir and all((self.tessdata_dir / f"{x}.traineddata").is_file() for x in langs):
            return ["--tessdata-dir", str(self.tessdata_dir)]
        return []

    def languages(self) -> list[str]:
        """Languages available to this engine (``tesseract --list-langs``)."""
        with self._tesseract("--list-langs", 30) as pt:
            return list(pt.get_languages(config=shlex.join(self._data_args())))

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
            with self._tesseract("--version", 30) as pt:
                try:
                    number = str(pt.get_tesseract_version())
                except SystemExit:  # pytesseract exits on a version string it cannot parse
                    number = "unknown"
            where = self.tessdata_dir.name if self.tessdata_dir else "system"
            self._version = f"tesseract {number} {self.lang} ({where})"
        return self._version

    def recognize(self, image: np.ndarray, *, layout: Layout = Layout.PAGE, page_no: int = 1,
                  config: str = "") -> OcrPage:
        """OCR one page and return words (conf 0–1) grouped into lines.

        Args:
            image: BGR, BGRA or grey uint8 array.
            layout: What the image holds (a page, a block, a line, a word): Tesseract's page segmentation
                mode by :data:`PSM`.
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
        args = ["--oem", str(self.oem), "--psm", str(PSM[Layout(layout)]), *self._data_args()]
        if self.dpi and "--dpi" not in config:
            args += ["--dpi", str(self.dpi)]
        args += [*shlex.split(config), "-c", "tessedit_create_tsv=1"]
        tsv = self._run(image, "tsv", self.lang, shlex.join(args), timeout=self.timeout, what=f"page {page_no}")
        return parse_tsv(tsv, page_no=page_no, width=width, height=height, engine=self.version())

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        """How to turn the page upright, by Tesseract's OSD (``--psm 0 -l osd``).

        Returns:
            ``(rotate, confidence)``: turn the image ``rotate`` degrees (0, 90, 180, 270) *clockwise* to make
            it upright (a page scanned turned 90° clockwise gives 270), and a confidence in 0–1 (Tesseract's
            orientation confidence over :data:`OSD_CONF_FULL`); ``(0, 0.0)`` when there is too little text.

        Raises:
            MissingDependencyError: Tesseract or ``osd.traineddata`` is missing.
            OcrTimeoutError: OSD took longer than :data:`OSD_TIMEOUT`.
        """
        rotate, conf = self.osd(image)
        return rotate, min(1.0, conf / OSD_CONF_FULL)

    def osd(self, image: np.ndarray) -> tuple[int, float]:
        """Tesseract's own OSD answer: ``(rotate clockwise, orientation confidence)``, about 2+ is reliable."""
        timeout = min(self.timeout, OSD_TIMEOUT)
        try:
            out = self._run(to_grey_u8(image), "osd", "osd", shlex.join(["--psm", "0", *self._data_args("osd")]),
                            timeout=timeout, what="OSD")
        except MissingDependencyError as e:
            raise MissingDependencyError(f"Tesseract has no OSD data: sudo apt-get install tesseract-ocr-osd ({e})") from e
        except OcrTimeoutError:
            raise
        except OcrEngineError as e:  # "Too few characters. Skipping this page": no answer, not a failure
            logger.debug("OSD gave no orientation: %s", e)
            return 0, 0.0
        rotate = re.search(r"Rotate:\s*(\d+)", out)
        conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
        if not rotate:
            logger.debug("OSD gave no orientation: %s", out.strip()[-200:])
            return 0, 0.0
        return int(rotate[1]) % 360, float(conf[1]) if conf else 0.0

    def read_digits(self, image: np.ndarray) -> tuple[str, float] | None:
        """Read one line of digits (dark on white): Tesseract ``eng``, one line, a digits whitelist.

        Returns:
            The digits read and the lowest word confidence (0–1); None when Tesseract cannot run.
        """
        config = shlex.join(["--psm", str(PSM[Layout.LINE]), *self._data_args(DIGITS_LANG), "-c",
                             "tessedit_char_whitelist=0123456789", "-c", "tessedit_create_tsv=1"])
        try:
            tsv = self._run(image, "tsv", DIGITS_LANG, config, timeout=min(self.timeout, DIGITS_TIMEOUT),
                            what="a digit crop")
        except DispatchParserError as e:
            logger.debug("digit read failed: %s", e)
            return None
        return digits_from_tsv(tsv)


def digits_from_tsv(tsv: str) -> tuple[str, float]:
    """The digits of a TSV's words and their lowest confidence (0–1); ``("", 0.0)`` when none.

    >>> digits_from_tsv("h\\n5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t9\\t9\\t91.5\\t12\\n5\\t1\\t1\\t1\\t1\\t2\\t9\\t0\\t9\\t9\\t80\\t7")
    ('127', 0.8)
    """
    text, confs = "", []
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or not cols[11].strip():
            continue
        try:
            c = float(cols[10])
        except ValueError:
            continue
        if c < 0:
            continue
        text += "".join(ch for ch in cols[11] if ch.isdigit())
        confs.append(c / 100.0)
    return text, (min(confs) if confs else 0.0)


def _pytesseract() -> Any:
    """pytesseract, imported on first use (a missing package is a missing dependency, not an ImportError)."""
    try:
        import pytesseract
    except ImportError as e:  # pragma: no cover - declared in pyproject
        raise MissingDependencyError(f"pytesseract is not installed: pip install pytesseract ({e})") from e
    return pytesseract
