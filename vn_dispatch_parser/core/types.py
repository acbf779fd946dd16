"""Plain data passed between pipeline stages (dataclasses inside, Pydantic only at the boundary).

Coordinates are pixels of the page image the OCR saw; ``OcrPage.width``/``height`` give the frame,
so rules can use relative positions (``box.x0 / page.width``) that do not depend on the dpi.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # numpy is not loaded by ``import vn_dispatch_parser``
    import numpy as np

__all__ = ["BBox", "CropReader", "HandHints", "HandReading", "Hit", "InkMark", "Line", "OcrPage", "OcrWord", "PageImage", "PageText", "Zone"]


@dataclass(frozen=True)
class BBox:
    """An axis-aligned box in pixels; ``x1 >= x0`` and ``y1 >= y0``."""

    x0: int
    y0: int
    x1: int
    y1: int

    def __post_init__(self) -> None:
        if self.x1 < self.x0 or self.y1 < self.y0:
            raise ValueError(f"invalid box {self}")

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def union(self, other: BBox) -> BBox:
        return BBox(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def overlap(self, other: BBox) -> float:
        """Intersection over the smaller box's area (0 when apart).

        >>> BBox(0, 0, 10, 10).overlap(BBox(5, 0, 30, 10))
        0.5
        """
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        if w <= 0 or h <= 0:
            return 0.0
        return w * h / max(1, min(self.width * self.height, other.width * other.height))

    def as_list(self) -> list[int]:
        return [self.x0, self.y0, self.x1, self.y1]


@dataclass
class PageImage:
    """One page as loaded: an image (BGR or grey uint8) and where it came from."""

    array: np.ndarray
    page_no: int  # 1-based
    dpi: int
    source: str


@dataclass(frozen=True)
class OcrWord:
    """One recognised word: text, confidence 0–1, box, and Tesseract's block/paragraph/line ids."""

    text: str
    conf: float
    bbox: BBox
    block: int = 0
    par: int = 0
    line: int = 0


class Zone(str, Enum):
    """Layout zones of a page (nd30.md §1)."""

    HEADER_LEFT = "header_left"
    HEADER_RIGHT = "header_right"
    TITLE = "title"
    BODY = "body"
    SIGNATURE = "signature"
    RECIPIENTS = "recipients"
    INCOMING_STAMP = "incoming_stamp"
    UNKNOWN = "unknown"


@dataclass
class Line:
    """One text line as the field parsers see it.

    Lines from plain text carry only ``text`` and ``page``; lines from OCR also carry a box, the mean
    word confidence and the zone the layout step put them in.
    """

    text: str
    page: int = 1
    bbox: BBox | None = None
    conf: float | None = None
    zone: Zone = Zone.UNKNOWN
    words: tuple[OcrWord, ...] = ()


@dataclass
class InkMark:
    """A coloured mark found on a page: seal, stamp, signature or hand-writing."""

    kind: str  # "seal" | "stamp" | "signature" | "handwriting" | "urgency_stamp"
    color: str  # "red" | "blue" | "black"
    bbox: BBox
    page: int
    score: float = 1.0


@dataclass
class OcrPage:
    """The OCR result of one page: words, frame, and the marks found by ink separation."""

    page_no: int
    width: int
    height: int
    words: list[OcrWord] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    marks: list[InkMark] = field(default_factory=list)
    engine: str = ""
    text_layer: bool = False  # True when the text came from a PDF's own text layer
    blank: bool = False


@dataclass
class PageText:
    """What was read on one page, kept for the searchable PDF's text layer (no second OCR pass).

    The boxes of ``lines`` are in the OCR frame (``width`` × ``height``): the page turned upright by
    ``rotation`` (clockwise degrees, 0/90/180/270), straightened by ``skew`` (degrees counter-clockwise,
    the canvas enlarged) and scaled by ``scale``; ``upright`` is the size of the upright page before
    straightening and scaling. Lines carry the corrected text (lexicon) and, when OCR'd, their words.
    """

    page_no: int
    width: int
    height: int
    upright: tuple[int, int]
    rotation: int = 0
    skew: float = 0.0
    scale: float = 1.0
    text_layer: bool = False
    blank: bool = False
    lines: list[Line] = field(default_factory=list)


@dataclass
class Hit:
    """A field value with its provenance: the raw text, the rule that matched and where."""

    value: Any
    raw: str
    rule: str
    conf: float = 1.0
    page: int | None = None
    bbox: BBox | None = None


@dataclass(frozen=True)
class HandReading:
    """Digits read from ink, with the reader's confidence and where."""

    text: str
    conf: float
    page: int
    bbox: BBox | None
    printed: str | None = None  # what the printed-text OCR had there, if anything
    options: tuple[tuple[str, float], ...] = ()  # ranked alternatives (text, probability), e.g. of a date


@dataclass
class HandHints:
    """Hand-written readings of one page."""

    number: HandReading | None = None
    day: HandReading | None = None
    month: HandReading | None = None
    stamp_number: HandReading | None = None  # the ĐẾN stamp's "Số:" and "Ngày:" written by hand
    stamp_date: HandReading | None = None
    stamp_box: BBox | None = None  # a framed ĐẾN-like stamp seen on the page
    stamp_receiver: str | None = None  # its receiving office, as printed on it
    stamp_receiver_conf: float = 0.0
    page: int = 1


class CropReader(Protocol):
    """A second reading of one page: OCR of a rectangle of it, lines in the page's frame.

    The page stage makes one per page (:class:`vn_dispatch_parser.scan.page.PageCrops`); the document stage
    decides which rectangles to read (:mod:`vn_dispatch_parser.document.reconcile`)."""

    width: int
    height: int

    def read(self, x0: int, y0: int, x1: int, y1: int, *, psm: int = 6) -> list[Line] | None:
        """The lines read in the rectangle (page pixels, clipped by the caller); None when it is empty."""
        ...
