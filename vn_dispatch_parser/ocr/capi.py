"""Tesseract through its C API in this process (tesserocr): the model is loaded once per thread, not per call.

The command-line engine (:class:`vn_dispatch_parser.ocr.tesseract.TesseractEngine`) starts a ``tesseract`` process
and loads ``vie.traineddata`` for every page and every small crop (stamps, marks, signature re-reads):
~0.1–0.2 s each. :class:`TessApiEngine` keeps one ``TessBaseAPI`` per thread (the API is not thread-safe)
and hands it the same pixels the command line reads from its PNM (no resolution, so Tesseract estimates
it the same way), so both engines return the same TSV and the same records; see ``make bench`` and
``tests/test_tess_capi.py``.

tesserocr must be built against the system libtesseract (``pip install --no-binary tesserocr tesserocr``,
as ``make setup`` does) so that both engines run one Tesseract version. Which engine the pipeline uses is
decided by :func:`default_engine`: ``VN_DISPATCH_OCR=capi`` or ``cli`` chooses; unset, the C API when
tesserocr imports, else the command line.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vn_dispatch_parser.config import PipelineConfig
from vn_dispatch_parser.core.types import Layout, OcrPage
from vn_dispatch_parser.errors import MissingDependencyError, OcrEngineError, OcrTimeoutError
from vn_dispatch_parser.ocr.engine import OcrEngine, single_threaded
from vn_dispatch_parser.ocr.tesseract import (
    DIGITS_LANG,
    OSD_CONF_FULL,
    PSM,
    TesseractEngine,
    default_tessdata_dir,
    digits_from_tsv,
    parse_tsv,
)

__all__ = ["ENGINE_ENV", "TIMEOUT_ENV", "TessApiEngine", "capi_available", "default_engine"]

log = logging.getLogger(__name__)

ENGINE_ENV = "VN_DISPATCH_OCR"
"""Environment variable choosing the OCR engine: ``capi`` (tesserocr) or ``cli`` (a process per call)."""

TIMEOUT_ENV = "VN_DISPATCH_OCR_TIMEOUT"
"""Seconds allowed per OCR call by the default engine (180 unless set; cluster runs set it from --timeout)."""

_local = threading.local()  # per thread: {(lang, tessdata, oem, psm): PyTessBaseAPI}


def _tesserocr() -> Any:
    """Import tesserocr, single-threaded: libgomp reads ``OMP_THREAD_LIMIT`` once, when it is loaded."""
    single_threaded(override=False)
    import tesserocr

    _quiet_leptonica()
    return tesserocr


@functools.cache
def _quiet_leptonica() -> None:
    """Leptonica's messages on odd crops ("box outside rectangle") went to the command line's captured stderr;
    in-process they would land in the batch's display: keep only its errors that are not about crops off."""
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError):
        name = ctypes.util.find_library("lept") or ctypes.util.find_library("leptonica") or "liblept.so.5"
        ctypes.CDLL(name).setMsgSeverity(6)  # L_SEVERITY_NONE


def capi_available() -> bool:
    """True when tesserocr imports (built against a libtesseract this machine has)."""
    try:
        _tesserocr()
    except ImportError:
        return False
    return True


def default_engine(*, timeout: float | None = None, tessdata_dir: str | Path | None = None) -> OcrEngine:
    """The OCR engine the pipeline uses unless one is injected (see the module docstring).

    Args:
        timeout: Seconds per OCR call; default ``$VN_DISPATCH_OCR_TIMEOUT``, else ``PipelineConfig.ocr_timeout``.
        tessdata_dir: Where the ``.traineddata`` files are; default the project's ``models/`` (else the system's).
    """
    choice = os.environ.get(ENGINE_ENV, "").strip().lower()
    if timeout is None:
        timeout = float(os.environ.get(TIMEOUT_ENV) or PipelineConfig.ocr_timeout)
    if choice == "cli":
        return TesseractEngine(timeout=timeout, tessdata_dir=tessdata_dir)
    if choice == "capi" or (choice == "" and capi_available()):
        return TessApiEngine(timeout=timeout, tessdata_dir=tessdata_dir)
    if choice not in ("", "capi", "cli"):
        log.warning("%s=%r is neither 'capi' nor 'cli': using the command line", ENGINE_ENV, choice)
    return TesseractEngine(timeout=timeout, tessdata_dir=tessdata_dir)


class TessApiEngine:
    """Tesseract's C API in this process; drop-in for :class:`~vn_dispatch_parser.ocr.tesseract.TesseractEngine`.

    Args:
        lang: Tesseract language(s), e.g. ``"vie"``.
        tessdata_dir: Where the ``.traineddata`` files are; default as the command-line engine (the
            package's ``models/``, checked; a missing or corrupt model raises ``MissingDependencyError``).
        timeout: Seconds allowed per page (``OcrTimeoutError`` beyond).
        oem: OCR engine mode (1 = LSTM).
    """

    def __init__(self, lang: str = "vie", *, tessdata_dir: str | Path | None = None, timeout: float = 180.0,
                 oem: int = 1) -> None:
        self.lang = lang
        self.tessdata_dir = Path(tessdata_dir) if tessdata_dir is not None else default_tessdata_dir(lang)
        self.timeout = timeout
        self.oem = oem

    def __repr__(self) -> str:
        return f"TessApiEngine(lang={self.lang!r}, tessdata_dir={self.tessdata_dir!s})"

    def _api(self, lang: str | None = None, psm: int = 3) -> Any:
        """This thread's API for ``lang`` (loaded on first use, then kept for the thread's life)."""
        lang = lang or self.lang
        cache: dict[tuple[str, str, int], Any] = _local.__dict__.setdefault("apis", {})
        # the project's data dir when it holds the language(s), else the system's (osd, eng), as the command line
        data = (self.tessdata_dir if self.tessdata_dir
                and all((self.tessdata_dir / f"{x}.traineddata").is_file() for x in lang.split("+")) else None)
        key = (lang, str(data or ""), self.oem)
        api = cache.get(key)
        if api is None:
            tesserocr = _tesserocr()
            path = str(data) + os.sep if data else tesserocr.get_languages()[0]
            try:
                api = tesserocr.PyTessBaseAPI(path=path, lang=lang, oem=self.oem, init=True)
            except RuntimeError as e:
                raise MissingDependencyError(
                    f"Tesseract cannot load {lang!r} from {path}: {e}; install it: sudo apt-get install "
                    f"tesseract-ocr-{lang.split('+')[0]}"
                ) from e
            cache[key] = api
        api.SetPageSegMode(psm)
        return api

    def _release(self, lang: str) -> None:
        """End and forget this thread's API for ``lang`` (its model's memory goes back)."""
        cache: dict[tuple[str, str, int], Any] = _local.__dict__.get("apis", {})
        for key in [k for k in cache if k[0] == lang]:
            cache.pop(key).End()

    def version(self) -> str:
        """E.g. ``"tesseract 5.3.0 vie (models)"``: the same string as the command-line engine's."""
        text = _tesserocr().tesseract_version().split()
        number = text[1] if len(text) > 1 else "unknown"
        where = self.tessdata_dir.name if self.tessdata_dir else "system"
        return f"tesseract {number} {self.lang} ({where})"

    def check(self) -> None:
        """Fail early when tesserocr or the language data is missing."""
        self._api()

    def _set_image(self, api: Any, image: np.ndarray) -> None:
        """The pixels the command line gets from its PNM: grey as 8 bits, colour as RGB, no resolution."""
        if image.dtype != np.uint8:
            raise ValueError(f"expected a uint8 image, got {image.dtype}")
        if image.ndim == 3 and image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        if image.ndim == 3 and image.shape[2] == 1:
            image = image[:, :, 0]
        if image.ndim == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        elif image.ndim != 2:
            raise ValueError(f"expected a 2-D or 3-D image, got shape {image.shape}")
        image = np.ascontiguousarray(image)
        height, width = image.shape[:2]
        bpp = 1 if image.ndim == 2 else 3
        api.SetImageBytes(image.tobytes(), width, height, bpp, width * bpp)

    def recognize(self, image: np.ndarray, *, layout: Layout = Layout.PAGE, page_no: int = 1,
                  config: str = "") -> OcrPage:
        """OCR one page and return words (conf 0–1) grouped into lines, as the command-line engine does.

        Args:
            image: BGR, BGRA or grey uint8 array.
            layout: What the image holds: Tesseract's page segmentation mode by :data:`PSM`.
            page_no: Page number stored on the result.
            config: Command-line options are not supported here (``-c name=value`` pairs are); the
                pipeline passes none.

        Raises:
            MissingDependencyError: tesserocr or the language data is missing.
            OcrTimeoutError: The page took longer than ``timeout``.
            OcrEngineError: Tesseract failed.
        """
        height, width = image.shape[:2]
        if width == 0 or height == 0:
            return OcrPage(page_no, width, height, engine=self.version())
        api = self._api(psm=PSM[Layout(layout)])
        variables = _variables(config)
        try:
            for name, value in variables.items():
                api.SetVariable(name, value)
            self._set_image(api, image)
            if not api.Recognize(int(self.timeout * 1000)):
                raise OcrTimeoutError(f"tesseract took longer than {self.timeout:g} s on page {page_no}")
            tsv = api.GetTSVText(0)
        except RuntimeError as e:
            raise OcrEngineError(f"tesseract failed on page {page_no}: {e}") from e
        finally:
            api.Clear()
            if variables:  # a one-call option must not leak into the next call on this thread
                _local.__dict__.get("apis", {}).clear()
        return parse_tsv(tsv or "", page_no=page_no, width=width, height=height, engine=self.version())

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        """How to turn the page upright: ``(rotate clockwise, confidence 0–1)``, as the command line's."""
        rotate, conf = self.osd(image)
        return rotate, min(1.0, conf / OSD_CONF_FULL)

    def read_digits(self, image: np.ndarray) -> tuple[str, float] | None:
        """One line of digits (Tesseract ``eng``, one line, a digits whitelist), as the command line's."""
        try:
            api = self._api(DIGITS_LANG, psm=PSM[Layout.LINE])
        except MissingDependencyError as e:
            log.debug("digit read failed: %s", e)
            return None
        try:
            api.SetVariable("tessedit_char_whitelist", "0123456789")
            self._set_image(api, image)
            if not api.Recognize(int(min(self.timeout, 10.0) * 1000)):
                return None
            tsv = api.GetTSVText(0)
        except RuntimeError as e:
            log.debug("digit read failed: %s", e)
            return None
        finally:
            api.Clear()
        # GetTSVText has no header row: give it one, as the command line's file has
        return digits_from_tsv("header\n" + (tsv or ""))

    def osd(self, image: np.ndarray) -> tuple[int, float]:
        """Page orientation by Tesseract's OSD: ``(rotate clockwise, confidence)``, as the command line's.

        The OSD model is loaded for the call and let go after it: it holds ~31 MB while loaded and is needed
        only on the pages whose orientation the image checks are unsure of; loading it costs ~50 ms against
        the detection's few hundred."""
        api = self._api("osd", psm=0)
        try:
            grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
            self._set_image(api, grey)
            found = api.DetectOrientationScript()
        except RuntimeError as e:
            log.debug("OSD failed: %s", e)
            return 0, 0.0
        finally:
            api.Clear()
            self._release("osd")
        if not found:
            return 0, 0.0
        # the command line prints "Rotate: (360 - orient_deg) % 360"
        return (360 - int(found["orient_deg"])) % 360, float(found["orient_conf"])


def _variables(config: str) -> dict[str, str]:
    """``-c name=value`` pairs of a command-line ``config`` string (other options are refused)."""
    import shlex

    words = shlex.split(config)
    out: dict[str, str] = {}
    i = 0
    while i < len(words):
        if words[i] == "-c" and i + 1 < len(words) and "=" in words[i + 1]:
            name, value = words[i + 1].split("=", 1)
            out[name] = value
            i += 2
        else:
            raise ValueError(f"option {words[i]!r} is not supported by the C API engine; use {ENGINE_ENV}=cli")
    return out
