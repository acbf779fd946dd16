"""Recorded OCR: an engine that records every call it passes on, and one that answers from the record.

``make ocr-cache`` reads each file of ``samples/`` with the real engine wrapped in a
:class:`RecordingEngine` and stores the calls, and the record the pipeline made of the file, in
``tests/ocr_cache/<file>.json.gz`` (:func:`save_cache`). The golden tests read every sample again with a
:class:`ReplayEngine` (:func:`load_cache`): the scan path runs in full (rendering, preprocessing, ink
separation, layout, hand-writing model, field parsers) and only Tesseract is replaced, so no Tesseract
is needed.

The key of a call. The input file is identified by its sha256 (a cache is refused for other bytes). Within
the file a call is looked up by ``(kind, page, layout, height, width)`` of the image it was given,
and calls with the same key are answered in the order they were made. The image's *size* is part of the
key and its *pixels* are not: a hash of preprocessed pixels changes with the OpenCV or numpy build that CI
installs from pyproject's ranges (interpolation and rounding differ by one grey level), while the size of
a page or crop only changes when the geometry the pipeline computed changes, and then the recorded answer
is no longer the answer and the miss is wanted. Keying by call order alone would answer a crop with
another crop's words after one added or dropped call; keying by size and kind turns that into a
:class:`OcrCacheMiss` naming the call and the recorded ones. Calls are never matched approximately.
"""

from __future__ import annotations

import gzip
import json
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vn_dispatch_parser.core.fsutil import file_sha256 as sha256_file
from vn_dispatch_parser.core.types import BBox, Layout, OcrPage, OcrWord
from vn_dispatch_parser.errors import OcrEngineError
from vn_dispatch_parser.ocr.engine import OcrEngine, group_lines

if TYPE_CHECKING:
    import numpy as np

__all__ = ["CACHE_VERSION", "OcrCache", "OcrCacheMiss", "RecordingEngine", "ReplayEngine", "load_cache",
           "save_cache", "sha256_file"]

CACHE_VERSION = 2
"""Format of the cache files; a file of another version is refused (re-record with ``make ocr-cache``)."""

Key = tuple[Any, ...]


class OcrCacheMiss(OcrEngineError):
    """The replay engine was asked for a call that was not recorded: re-record with ``make ocr-cache``."""

    code = "ocr_cache_miss"


def _key(kind: str, image: np.ndarray, *, page: int = 0, layout: Layout | None = None) -> Key:
    return (kind, page, layout.value if layout else "", int(image.shape[0]), int(image.shape[1]))


def _page_to_json(page: OcrPage) -> dict[str, Any]:
    words = [[w.text, w.conf, w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1, w.block, w.par, w.line] for w in page.words]
    return {"width": page.width, "height": page.height, "words": words}


def _page_from_json(data: dict[str, Any], page_no: int, engine: str) -> OcrPage:
    words = [OcrWord(t, float(c), BBox(x0, y0, x1, y1), b, p, ln) for t, c, x0, y0, x1, y1, b, p, ln in data["words"]]
    return OcrPage(page_no, data["width"], data["height"], words=words, lines=group_lines(words, page_no),
                   engine=engine)


class RecordingEngine:
    """Passes every call to ``engine`` and keeps the call with its answer (:attr:`calls`, JSON-ready)."""

    def __init__(self, engine: OcrEngine) -> None:
        self.engine = engine
        self.calls: list[dict[str, Any]] = []

    def _keep(self, key: Key, answer: Any) -> None:
        self.calls.append({"key": list(key), "answer": answer})

    def recognize(self, image: np.ndarray, *, layout: Layout = Layout.PAGE, page_no: int = 1) -> OcrPage:
        """The engine's page, recorded."""
        page = self.engine.recognize(image, layout=layout, page_no=page_no)
        self._keep(_key("recognize", image, page=page_no, layout=layout), _page_to_json(page))
        return page

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        """The engine's orientation, recorded."""
        rotate, conf = self.engine.orientation(image)
        self._keep(_key("orientation", image), [rotate, conf])
        return rotate, conf

    def read_digits(self, image: np.ndarray) -> tuple[str, float] | None:
        """The engine's digits, recorded."""
        found = self.engine.read_digits(image)
        self._keep(_key("digits", image), None if found is None else list(found))
        return found

    def version(self) -> str:
        """The engine's version."""
        return self.engine.version()


class ReplayEngine:
    """Answers each call from recorded ones (see the module docstring for the key); no OCR is run.

    Args:
        calls: Recorded calls (``RecordingEngine.calls``).
        name: The version string of the engine that was recorded.
        label: What the calls were recorded on (the file name), for error messages.

    Raises:
        OcrCacheMiss: From any method asked for a call that was not recorded.
    """

    def __init__(self, calls: Iterable[dict[str, Any]], *, name: str, label: str = "") -> None:
        self.name = name
        self.label = label
        self._answers: dict[Key, deque[Any]] = {}
        for call in calls:
            self._answers.setdefault(tuple(call["key"]), deque()).append(call["answer"])

    def _answer(self, key: Key) -> Any:
        queue = self._answers.get(key)
        if not queue:
            same_kind = sorted({k for k in self._answers if k[:2] == key[:2]})[:6]
            raise OcrCacheMiss(
                f"no recorded OCR answer for {key} on {self.label or 'this input'} "
                f"({'all used' if queue is not None else 'never recorded'}; recorded for this kind and page: "
                f"{same_kind or 'none'}); re-record with `make ocr-cache`"
            )
        return queue.popleft()

    def unused(self) -> list[Key]:
        """Recorded calls that were not asked for (a stale cache when the pipeline made fewer calls)."""
        return [k for k, q in self._answers.items() for _ in q]

    def recognize(self, image: np.ndarray, *, layout: Layout = Layout.PAGE, page_no: int = 1) -> OcrPage:
        """The recorded page."""
        data = self._answer(_key("recognize", image, page=page_no, layout=layout))
        return _page_from_json(data, page_no, self.name)

    def orientation(self, image: np.ndarray) -> tuple[int, float]:
        """The recorded orientation."""
        rotate, conf = self._answer(_key("orientation", image))
        return int(rotate), float(conf)

    def read_digits(self, image: np.ndarray) -> tuple[str, float] | None:
        """The recorded digits."""
        found = self._answer(_key("digits", image))
        return None if found is None else (str(found[0]), float(found[1]))

    def version(self) -> str:
        """The recorded engine's version."""
        return self.name


class OcrCache:
    """One input's cache file: the input's name and sha256, the engine, its calls and the expected record."""

    def __init__(self, file: str, sha256: str, engine: str, calls: list[dict[str, Any]],
                 record: dict[str, Any]) -> None:
        self.file, self.sha256, self.engine, self.calls, self.record = file, sha256, engine, calls, record

    def replay(self, source: str | Path | None = None) -> ReplayEngine:
        """A replay engine for the input; with ``source``, refused unless its bytes are the recorded ones."""
        if source is not None and (got := sha256_file(source)) != self.sha256:
            raise OcrCacheMiss(f"{source} is not the file recorded as {self.file} (sha256 {got[:12]} != "
                               f"{self.sha256[:12]}); re-record with `make ocr-cache`")
        return ReplayEngine(self.calls, name=self.engine, label=self.file)


def save_cache(path: str | Path, cache: OcrCache) -> None:
    """Write a cache file: gzip'd JSON, byte-for-byte the same when recorded twice (no gzip time stamp)."""
    data = {"version": CACHE_VERSION, "file": cache.file, "sha256": cache.sha256, "engine": cache.engine,
            "calls": cache.calls, "record": cache.record}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    Path(path).write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def load_cache(path: str | Path) -> OcrCache:
    """Read a cache file written by :func:`save_cache`."""
    data = json.loads(gzip.decompress(Path(path).read_bytes()))
    if data.get("version") != CACHE_VERSION:
        raise OcrCacheMiss(f"{path}: cache format {data.get('version')} is not {CACHE_VERSION}; "
                           f"re-record with `make ocr-cache`")
    return OcrCache(data["file"], data["sha256"], data["engine"], data["calls"], data["record"])
