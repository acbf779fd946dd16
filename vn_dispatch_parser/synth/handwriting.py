"""Hand-written text: handwriting fonts with per-glyph jitter, Vietnamese marks drawn as strokes.

The Debian handwriting fonts cover ASCII digits and Latin letters but few Vietnamese letters;
a missing letter is drawn as its base letter from the font plus pen strokes for each combining
mark (circumflex, breve, horn, the five tones, the đ bar).
"""

from __future__ import annotations

import math
import random
import unicodedata

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from vn_dispatch_parser.synth import tables

__all__ = ["hand_mask"]

_ABOVE_SHAPE = {"\u0302", "\u0306"}
_TONES_ABOVE = {"\u0300", "\u0301", "\u0303", "\u0309"}


def _glyph(char: str, path: str, size: int, angle: float) -> tuple[Image.Image, int, int]:
    """A rotated glyph mask and the offset of its origin (left end of the baseline)."""
    font = tables.font(path, size)
    pad = size
    img = Image.new("L", (round(font.getlength(char)) + 2 * pad, 3 * size), 0)
    ImageDraw.Draw(img).text((pad, 2 * size), char, font=font, fill=255, anchor="ls")
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, center=(pad, 2 * size))
    return img, pad, 2 * size


def _stroke(
    draw: ImageDraw.ImageDraw, pts: list[tuple[float, float]], w: int, rng: random.Random, s: float
) -> None:
    jit = [(x + rng.uniform(-0.03, 0.03) * s, y + rng.uniform(-0.03, 0.03) * s) for x, y in pts]
    draw.line(jit, fill=255, width=w, joint="curve")


def _marks(
    draw: ImageDraw.ImageDraw,
    marks: str,
    box: tuple[int, int, int, int],
    s: float,
    w: int,
    rng: random.Random,
    base: str,
) -> None:
    """Draw combining marks around a base glyph whose ink box is ``box``."""
    x0, y0, x1, y1 = box
    cx = (x0 + x1) / 2
    top = y0 - 0.06 * s
    if base in "đĐ":
        y = y0 + (0.28 if base == "đ" else 0.5) * (y1 - y0)
        xa, xb = (
            (x1 - 0.55 * (x1 - x0), x1 + 0.12 * (x1 - x0))
            if base == "đ"
            else (x0 - 0.1 * (x1 - x0), x0 + 0.4 * (x1 - x0))
        )
        _stroke(draw, [(xa, y), (xb, y - 0.02 * s)], w, rng, s)
    shape_top = top
    for m in marks:
        if m == "\u0302":
            _stroke(
                draw,
                [(cx - 0.2 * s, top - 0.04 * s), (cx, top - 0.26 * s), (cx + 0.2 * s, top - 0.04 * s)],
                w,
                rng,
                s,
            )
            shape_top = top - 0.3 * s
        elif m == "\u0306":
            draw.arc((cx - 0.2 * s, top - 0.32 * s, cx + 0.2 * s, top - 0.02 * s), 15, 165, fill=255, width=w)
            shape_top = top - 0.3 * s
        elif m == "\u031b":
            _stroke(
                draw,
                [
                    (x1 - 0.06 * s, y0 + 0.14 * s),
                    (x1 + 0.07 * s, y0 + 0.04 * s),
                    (x1 + 0.1 * s, y0 - 0.1 * s),
                ],
                w,
                rng,
                s,
            )
    tone_y = shape_top - 0.04 * s
    tx = cx + (0.22 * s if shape_top < top else 0)
    for m in marks:
        if m == "\u0301":
            _stroke(draw, [(tx - 0.06 * s, tone_y), (tx + 0.14 * s, tone_y - 0.24 * s)], w, rng, s)
        elif m == "\u0300":
            _stroke(draw, [(tx - 0.14 * s, tone_y - 0.24 * s), (tx + 0.06 * s, tone_y)], w, rng, s)
        elif m == "\u0303":
            pts = [
                (
                    tx - 0.2 * s + 0.4 * s * k / 12,
                    tone_y - 0.12 * s - 0.06 * s * math.sin(2 * math.pi * k / 12),
                )
                for k in range(13)
            ]
            _stroke(draw, pts, w, rng, s)
        elif m == "\u0309":
            draw.arc(
                (tx - 0.1 * s, tone_y - 0.3 * s, tx + 0.1 * s, tone_y - 0.1 * s), 180, 90, fill=255, width=w
            )
            _stroke(draw, [(tx, tone_y - 0.1 * s), (tx, tone_y - 0.02 * s)], w, rng, s)
        elif m == "\u0323":
            r = max(2.0, 0.05 * s)
            draw.ellipse((cx - r, y1 + 0.1 * s - r, cx + r, y1 + 0.1 * s + r), fill=255)


def hand_mask(
    text: str, size: int, rng: random.Random, path: str | None = None, slant: float | None = None
) -> Image.Image:
    """Render hand-written ``text`` as an ink mask (L mode, 255 = ink), cropped to the ink.

    Args:
        text: What is written.
        size: Nominal letter size in pixels (em height).
        rng: Random generator for the jitter.
        path: Handwriting font; a random installed one when ``None``.
        slant: Rotation of the whole word in degrees; random (±4°) when ``None``.
    """
    path = path or rng.choice(tables.hand_font_paths())
    font = tables.font(path, size)
    width = round(font.getlength(text) * 1.3) + 4 * size
    canvas = Image.new("L", (width, 4 * size), 0)
    draw = ImageDraw.Draw(canvas)
    pen = max(2, round(size * 0.07))
    x, base_y = float(size), 2.6 * size
    for char in text:
        if char == " ":
            x += font.getlength(" ") * rng.uniform(0.8, 1.3)
            continue
        scale = rng.uniform(0.9, 1.12)
        s = round(size * scale)
        angle = rng.uniform(-7, 7)
        dy = rng.uniform(-0.06, 0.06) * size
        base, marks = char, ""
        if tables.missing_glyph(path, char):
            parts = unicodedata.normalize("NFD", char)
            base, marks = parts[0], parts[1:]
            if char in "đĐ":
                base, marks = ("d" if char == "đ" else "D"), ""
        glyph, ox, oy = _glyph(base, path, s, angle)
        px, py = round(x) - ox, round(base_y + dy) - oy
        layer = Image.new("L", canvas.size, 0)
        layer.paste(glyph, (px, py))
        canvas = ImageChops.lighter(canvas, layer)
        draw = ImageDraw.Draw(canvas)
        bbox = glyph.getbbox()
        if bbox is not None and (marks or char in "đĐ"):
            box = (bbox[0] + px, bbox[1] + py, bbox[2] + px, bbox[3] + py)
            _marks(draw, marks, box, s, pen, rng, char if char in "đĐ" else base)
        x += tables.font(path, s).getlength(base) + rng.uniform(-0.02, 0.06) * size
    tilt = rng.uniform(-4, 4) if slant is None else slant
    canvas = canvas.rotate(tilt, resample=Image.Resampling.BICUBIC, expand=True)
    canvas = canvas.filter(ImageFilter.GaussianBlur(0.5))
    bbox = canvas.getbbox()
    return canvas.crop(bbox) if bbox else canvas
