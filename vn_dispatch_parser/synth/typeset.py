"""Typesetting primitives: page geometry at 300 dpi, drawing operations, word wrap, line flow.

``layout`` uses these to place the NĐ 30 components; ``render`` draws the operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import ImageFont

from vn_dispatch_parser.synth import tables
from vn_dispatch_parser.synth.model import Para

__all__ = [
    "BOTTOM",
    "CX",
    "DPI",
    "INDENT",
    "LCX",
    "LEFT",
    "LW",
    "PAGE_H",
    "PAGE_W",
    "RCX",
    "RIGHT",
    "RW",
    "SIG_CX",
    "TOP",
    "Box",
    "DocLayout",
    "PageLayout",
    "RuleOp",
    "Setter",
    "TextOp",
    "balanced",
    "mm",
    "pt",
    "width",
    "wrap",
]

DPI = 300
PAGE_W, PAGE_H = 2480, 3508
Box = tuple[int, int, int, int]


def mm(value: float) -> int:
    """Millimetres to pixels at ``DPI``."""
    return round(value * DPI / 25.4)


def pt(value: float) -> int:
    """Points to pixels at ``DPI``."""
    return round(value * DPI / 72)


TOP, BOTTOM, LEFT, RIGHT = mm(20), PAGE_H - mm(20), mm(30), PAGE_W - mm(15)
LCX, LW = mm(60), mm(76)  # left header column: centre and width
RCX, RW = mm(145), mm(100)  # right header column
CX = (LEFT + RIGHT) // 2
SIG_CX = mm(145)
INDENT = mm(12.7)


@dataclass
class TextOp:
    """Draw ``text`` with its left end at ``x`` and its baseline at ``y``."""

    x: int
    y: int
    text: str
    style: str
    size: int


@dataclass
class RuleOp:
    """A horizontal rule (or a box when ``box`` is set)."""

    x0: int
    y: int
    x1: int
    width: int = 3
    box: Box | None = None


@dataclass
class PageLayout:
    """One page: drawing operations and anchors for the marks."""

    ops: list[TextOp | RuleOp] = field(default_factory=list)
    anchors: dict[str, Box] = field(default_factory=dict)


@dataclass
class DocLayout:
    """A typeset document: its pages and its printed lines."""

    pages: list[PageLayout]
    lines: list[str]


def _font(style: str, size: int) -> ImageFont.FreeTypeFont:
    return tables.font(tables.font_path("serif", style), size)


def width(text: str, style: str, size: int) -> int:
    """Advance width of ``text`` in pixels."""
    return round(_font(style, size).getlength(text))


def wrap(text: str, style: str, size: int, limit: int, first_limit: int | None = None) -> list[str]:
    """Greedy word wrap; ``first_limit`` narrows the first line (indent)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        cap = first_limit if (first_limit is not None and not lines) else limit
        if current and width(trial, style, size) > cap:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def balanced(text: str, style: str, size: int, limit: int) -> list[str]:
    """Wrap into as few lines as ``limit`` allows, with line lengths as even as possible."""
    lines = wrap(text, style, size, limit)
    lo, hi = limit // 3, limit
    while hi - lo > 4:
        mid = (lo + hi) // 2
        if len(wrap(text, style, size, mid)) <= len(lines):
            hi = mid
        else:
            lo = mid
    return wrap(text, style, size, hi)


class Setter:
    """Flows lines down pages; starts a new page (numbered from 2) when one is full."""

    def __init__(self) -> None:
        self.pages: list[PageLayout] = []
        self.lines: list[str] = []
        self.y = TOP
        self.new_page()

    @property
    def page(self) -> PageLayout:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(PageLayout())
        self.y = TOP
        n = len(self.pages)
        if n > 1:
            size = pt(13)
            self.page.ops.append(
                TextOp(CX - width(str(n), "regular", size) // 2, mm(13), str(n), "regular", size)
            )

    def need(self, height: int) -> None:
        if self.y + height > BOTTOM:
            self.new_page()

    def text(self, x: int, text: str, style: str, size: int, record: bool = True) -> None:
        self.page.ops.append(TextOp(x, self.y + round(size * 0.9), text, style, size))
        if record:
            self.lines.append(" ".join(text.split()))

    def centred(self, cx: int, text: str, style: str, size: int, lead: float = 1.25) -> None:
        self.need(round(size * lead))
        self.text(cx - width(text, style, size) // 2, text, style, size)
        self.y += round(size * lead)

    def paragraph(self, para: Para, size: int, x0: int = LEFT, x1: int = RIGHT, lead: float = 1.28) -> None:
        """A justified paragraph (first-line indent), with an optional bold lead-in."""
        style = {"italic": "italic", "heading": "bold"}.get(para.style, "regular")
        if para.style == "center_bold":
            self.centred(CX, para.text, "bold", size)
            self.y += pt(3)
            return
        indent = 0 if para.style == "plain" else INDENT
        words = [(w, "bold") for w in (para.lead or "").split()] + [(w, style) for w in para.text.split()]
        space = width(" ", "regular", size)
        line: list[tuple[str, str]] = []
        lines: list[list[tuple[str, str]]] = []
        used = 0
        for word, wstyle in words:
            w = width(word, wstyle, size)
            cap = (x1 - x0) - (indent if not lines else 0)
            if line and used + space + w > cap:
                lines.append(line)
                line, used = [], 0
            used += (space if line else 0) + w
            line.append((word, wstyle))
        if line:
            lines.append(line)
        step = round(size * lead)
        for i, ln in enumerate(lines):
            self.need(step)
            x: float = x0 + (indent if i == 0 else 0)
            natural = sum(width(w, s, size) for w, s in ln)
            gaps = len(ln) - 1
            last = i == len(lines) - 1 or para.style == "heading"
            gap = space if last or gaps == 0 else ((x1 - x) - natural) / gaps
            for word, wstyle in ln:
                self.page.ops.append(TextOp(round(x), self.y + round(size * 0.9), word, wstyle, size))
                x += width(word, wstyle, size) + gap
            self.lines.append(" ".join(w for w, _ in ln))
            self.y += step
        self.y += pt(4)
