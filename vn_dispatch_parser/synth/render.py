"""Draw typeset pages to images at 300 dpi and put the marks on them (clean paper)."""

from __future__ import annotations

import random

from PIL import Image, ImageDraw

from vn_dispatch_parser.synth import marks, tables
from vn_dispatch_parser.synth.model import DocSpec
from vn_dispatch_parser.synth.typeset import DPI, PAGE_H, PAGE_W, DocLayout, PageLayout, RuleOp, TextOp

__all__ = ["render_document", "render_page"]


def render_page(page: PageLayout) -> Image.Image:
    """Draw one page's text and rules in black on white (RGB, ``DPI`` dots per inch)."""
    img = Image.new("RGB", (PAGE_W, PAGE_H), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for op in page.ops:
        if isinstance(op, TextOp):
            font = tables.font(tables.font_path("serif", op.style), op.size)
            draw.text((op.x, op.y), op.text, font=font, fill=(0, 0, 0), anchor="ls")
        elif isinstance(op, RuleOp):
            if op.box is not None:
                draw.rectangle(op.box, outline=(0, 0, 0), width=op.width)
            else:
                draw.line((op.x0, op.y, op.x1, op.y), fill=(0, 0, 0), width=op.width)
    img.info["dpi"] = (DPI, DPI)
    return img


def render_document(doc: DocSpec, layout: DocLayout, rng: random.Random) -> list[Image.Image]:
    """Draw every page of a document and apply its marks.

    Args:
        doc: The document spec (its ``marks`` say what to add).
        layout: The typeset pages.
        rng: Random generator for the marks' jitter.
    """
    images = [render_page(p) for p in layout.pages]
    marks.apply(doc, layout, images, rng)
    return images
