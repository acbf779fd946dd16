"""Plain data passed between pipeline stages (dataclasses inside, Pydantic only at the boundary).

Coordinates are pixels of the page image the OCR saw; ``OcrPage.width``/``height`` give the frame,
so rules can use relative positions (``box.x0 / page.width``) that do not depend on the dpi.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # numpy is not loaded by ``import vn_dispatch_parser``
    import numpy as np

__all__ = ["BBox", "CropReader", "HandHints", "HandReading", "Hit", "InkMark", "Line", "OcrPage", "OcrWord", "Layout", "PageImage", "PageText", "Zone"]


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

    def _intersection(self, other: BBox) -> int:
        """The area the two boxes share (0 when apart)."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return 0 if w <= 0 or h <= 0 else w * h

    def overlap(self, other: BBox) -> float:
        """Intersection over the smaller box's area (0 when apart).

        >>> BBox(0, 0, 10, 10).overlap(BBox(5, 0, 30, 10))
        0.5
        """
        return self._intersection(other) / max(1, min(self.width * self.height, other.width * other.height))

    def share_inside(self, other: BBox) -> float:
        """The share of this box's area inside ``other`` (0 when apart).

        >>> BBox(0, 0, 10, 10).share_inside(BBox(5, 0, 30, 10)), BBox(5, 0, 30, 10).share_inside(BBox(0, 0, 10, 10))
        (0.5, 0.2)
        """
        return self._intersection(other) / max(1, self.width * self.height)

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


class Layout(str, Enum):
    """How the text of an image to be read is laid out: a hint an OCR engine may use or ignore."""

    PAGE = "page"  # a whole page: the engine finds its columns, blocks and lines
    BLOCK = "block"  # one block of text (a crop of several lines)
    LINE = "line"  # one line of text
    WORD = "word"  # one word (a stamp's mark)


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
    warp: tuple[float, ...] | None = None
    """A photographed sheet: the homography (row-major 3 × 3) from the photo as loaded to the sheet seen square
    on, which ``upright``, ``rotation``, ``skew`` and ``scale`` then apply to."""
    loaded: tuple[int, int] | None = None
    """``(width, height)`` of the photo as loaded, when ``warp`` is set."""

    @property
    def page_size(self) -> tuple[int, int]:
        """``(width, height)`` of the page as loaded, before it was turned upright (and straightened)."""
        if self.loaded is not None:
            return self.loaded
        return self._sheet_size

    @property
    def _sheet_size(self) -> tuple[int, int]:
        uw, uh = self.upright
        return (uh, uw) if self.rotation in (90, 270) else (uw, uh)

    def to_upright(self, box: BBox) -> tuple[float, float, float, float]:
        """A box of the OCR frame in the upright page before straightening and scaling (``upright``).

        The OCR frame is the upright page straightened by ``skew`` about its centre on an enlarged canvas,
        then scaled by ``scale``; the inverse is applied to the box's corners and their bounding box returned
        (a straightened box grows a little when turned back). Not clamped to the page.

        >>> PageText(1, 200, 100, (100, 50), scale=2.0).to_upright(BBox(20, 10, 60, 30))
        (10.0, 5.0, 30.0, 15.0)
        """
        uw, uh = self.upright
        s = self.scale or 1.0
        cx2, cy2 = self.width / s / 2, self.height / s / 2
        a, b = math.cos(math.radians(-self.skew)), math.sin(math.radians(-self.skew))
        xs, ys = [], []
        for x, y in ((box.x0, box.y0), (box.x1, box.y0), (box.x0, box.y1), (box.x1, box.y1)):
            dx, dy = x / s - cx2, y / s - cy2
            xs.append(a * dx - b * dy + uw / 2)
            ys.append(b * dx + a * dy + uh / 2)
        return min(xs), min(ys), max(xs), max(ys)

    def to_page(self, box: BBox) -> BBox:
        """A box of the OCR frame in the page as loaded (``page_size``, the frame evidence boxes are
        recorded in): straightening and scaling undone (:meth:`to_upright`), then the turn by ``rotation``
        degrees clockwise; rounded outwards and clamped to the page. Boxes of a text layer's page are
        returned as they are.

        >>> p = PageText(1, 100, 50, (100, 50), rotation=90)  # loaded 50 x 100, turned clockwise to read it
        >>> p.page_size, p.to_page(BBox(10, 5, 30, 15))
        ((50, 100), BBox(x0=5, y0=70, x1=15, y1=90))
        >>> PageText(1, 100, 50, (100, 50), rotation=180).to_page(BBox(10, 5, 30, 15))
        BBox(x0=70, y0=35, x1=90, y1=45)
        >>> PageText(1, 100, 50, (100, 50), rotation=270).to_page(BBox(10, 5, 30, 15))
        BBox(x0=35, y0=10, x1=45, y1=30)
        """
        if self.text_layer or (not self.rotation and not self.skew and self.scale in (0, 1) and not self.warp):
            return box
        u0, v0, u1, v1 = self.to_upright(box)
        w, h = self._sheet_size
        if self.rotation == 90:  # the page was turned clockwise: (x, y) of the page is at (h - y, x) upright
            x0, y0, x1, y1 = v0, h - u1, v1, h - u0
        elif self.rotation == 180:
            x0, y0, x1, y1 = w - u1, h - v1, w - u0, h - v0
        elif self.rotation == 270:
            x0, y0, x1, y1 = w - v1, u0, w - v0, u1
        else:
            x0, y0, x1, y1 = u0, v0, u1, v1
        if self.warp is not None and self.loaded is not None:  # from the straightened sheet back to the photo
            x0, y0, x1, y1 = _unwarp(self.warp, (x0, y0, x1, y1))
            w, h = self.loaded
        x0, y0 = min(max(0, math.floor(x0 + 1e-6)), w), min(max(0, math.floor(y0 + 1e-6)), h)
        return BBox(x0, y0, max(x0, min(w, math.ceil(x1 - 1e-6))), max(y0, min(h, math.ceil(y1 - 1e-6))))


def _unwarp(warp: tuple[float, ...], box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The bounding box, in the photo, of a box of the straightened sheet (``warp``: photo → sheet)."""
    import numpy as np  # only a scan's frame needs it: ``import vn_dispatch_parser`` stays without numpy

    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x0, y1, 1.0], [x1, y1, 1.0]])
    back = corners @ np.linalg.inv(np.reshape(warp, (3, 3))).T
    xs, ys = back[:, 0] / back[:, 2], back[:, 1] / back[:, 2]
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


@dataclass
class Hit:
    """A field value with its provenance: the raw text, the rule that matched and where.

    ``parts`` says where parts of a compound value were read when they are not where the whole was (the
    signature block's name line apart from its titles): part name → ``(page, box)``; :meth:`at` gives the
    hit located at one part.
    """

    value: Any
    raw: str
    rule: str
    conf: float = 1.0
    page: int | None = None
    bbox: BBox | None = None
    parts: dict[str, tuple[int | None, BBox | None]] = field(default_factory=dict)

    def at(self, part: str) -> Hit:
        """This hit located where ``part`` was read (itself when that part has no place of its own)."""
        if part not in self.parts:
            return self
        page, box = self.parts[part]
        return replace(self, page=page, bbox=box)


@dataclass(frozen=True)
class HandReading:
    """Digits read from ink, with the reader's confidence and where."""

    text: str
    conf: float
    page: int
    bbox: BBox | None
    printed: str | None = None  # what the printed-text OCR had there, if anything
    options: tuple[tuple[str, float], ...] = ()  # ranked alternatives (text, probability), e.g. of a date
    # other recognisers' readings of the same blank, taken when the printed OCR and the ink reader disagree
    witnesses: tuple[str, ...] = ()


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

    def read(self, x0: int, y0: int, x1: int, y1: int, *, layout: Layout = Layout.BLOCK) -> list[Line] | None:
        """The lines read in the rectangle (page pixels, clipped by the caller); None when it is empty."""
        ...
