"""Masks of the marks: round seal, signature, ĐẾN stamp, KHẨN/MẬT boxes (L mode, 255 = ink)."""

from __future__ import annotations

import math
import random

from PIL import Image, ImageChops, ImageDraw

from vn_dispatch_parser.synth import tables
from vn_dispatch_parser.synth.handwriting import hand_mask
from vn_dispatch_parser.synth.typeset import mm, pt

__all__ = ["boxed_mask", "den_stamp", "seal_mask", "signature_mask"]


def _sans(size: int, bold: bool = True):  # noqa: ANN202 - FreeTypeFont
    return tables.font(tables.font_path("sans", "bold" if bold else "regular"), size)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: int = 255) -> None:
    pts = []
    for k in range(10):
        rad = r if k % 2 == 0 else r * 0.4
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((cx + rad * math.cos(a), cy + rad * math.sin(a)))
    draw.polygon(pts, fill=fill)


def seal_mask(text: str, rng: random.Random, diameter: int | None = None) -> Image.Image:
    """A round agency seal: double rim, the agency name around it, a star in the middle.

    Args:
        text: Rim text, e.g. ``"SỞ Y TẾ * TỈNH TÂY NINH"``.
        rng: Random generator (rotation of the seal).
        diameter: Seal diameter in pixels (default 38 mm).
    """
    d = diameter or mm(rng.uniform(36, 40))
    img = Image.new("L", (d + 8, d + 8), 0)
    draw = ImageDraw.Draw(img)
    c, r = (d + 8) / 2, d / 2
    draw.ellipse((c - r, c - r, c + r, c + r), outline=255, width=max(6, d // 40))
    ri = r - d * 0.19
    draw.ellipse((c - ri, c - ri, c + ri, c + ri), outline=255, width=max(3, d // 110))
    rim = text.replace("*", "").split()
    letters = " ".join(rim)
    rt = r - d * 0.1
    size = min(round(d * 0.085), round(rt * math.radians(290) / max(1, len(letters)) / 0.62))
    font = _sans(size)
    span = min(math.radians(290), len(letters) * size * 0.78 / rt)
    step = span / max(1, len(letters))
    start = -span / 2 + step / 2  # clockwise from the lower left, over the top
    for k, ch in enumerate(letters):
        if ch == " ":
            continue
        a = start + k * step
        g = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(g).text((size, size), ch, font=font, fill=255, anchor="mm")
        g = g.rotate(-math.degrees(a), resample=Image.Resampling.BICUBIC)
        x, y = c + rt * math.sin(a), c - rt * math.cos(a)
        layer = Image.new("L", img.size, 0)
        layer.paste(g, (round(x - size), round(y - size)))
        img = ImageChops.lighter(img, layer)
    draw = ImageDraw.Draw(img)
    for a in (-span / 2 - step, span / 2 + step) if span < math.radians(280) else (math.pi,):
        _star(draw, c + rt * math.sin(a), c - rt * math.cos(a), d * 0.035)
    _star(draw, c, c, d * 0.14)
    draw.ellipse((c - d * 0.2, c - d * 0.2, c + d * 0.2, c + d * 0.2), outline=255, width=max(2, d // 150))
    return img.rotate(rng.uniform(-35, 35), resample=Image.Resampling.BICUBIC)


def signature_mask(width: int, height: int, rng: random.Random) -> Image.Image:
    """A pen signature: a few cursive loops and a long flourish.

    Args:
        width: Box width in pixels.
        height: Box height in pixels.
        rng: Random generator.
    """
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    pts: list[tuple[float, float]] = []
    loops = rng.randint(3, 6)
    x0, x1 = width * 0.12, width * rng.uniform(0.55, 0.75)
    mid = height * rng.uniform(0.45, 0.6)
    amp = height * rng.uniform(0.18, 0.3)
    amps = [rng.uniform(0.4, 1.3) for _ in range(loops + 1)]
    wides = [rng.uniform(0.02, 0.08) for _ in range(loops + 1)]
    for k in range(loops * 24 + 1):
        t = k / (loops * 24)
        phase = 2 * math.pi * loops * t
        n = min(loops, int(t * loops))
        x = x0 + (x1 - x0) * t + width * wides[n] * math.cos(phase)
        y = mid - amp * amps[n] * math.sin(phase) * (1 - 0.4 * t)
        pts.append((x, y))
    pen = max(3, width // 110)
    draw.line(pts, fill=255, width=pen, joint="curve")
    fx = [(x1, mid), (width * 0.98, mid - height * rng.uniform(0.2, 0.45))]
    draw.line(fx, fill=255, width=max(2, pen - 1))
    if rng.random() < 0.6:
        y = mid + amp * rng.uniform(0.3, 0.9)
        draw.line(
            [(x0 - width * 0.05, y), (x1 + width * 0.15, y - height * 0.1)], fill=255, width=max(2, pen - 1)
        )
    return img


def boxed_mask(text: str, w_mm: float, h_mm: float, double: bool = False) -> Image.Image:
    """A rectangular stamp with one word (KHẨN 20×8 mm, HỎA TỐC 30×8, THƯỢNG KHẨN 40×8, MẬT)."""
    w, h = mm(w_mm), mm(h_mm)
    img = Image.new("L", (w + 8, h + 8), 0)
    draw = ImageDraw.Draw(img)
    draw.rectangle((4, 4, w + 3, h + 3), outline=255, width=6)
    if double:
        draw.rectangle((14, 14, w - 7, h - 7), outline=255, width=3)
    size = pt(14)
    while _sans(size).getlength(text) > w * 0.86 and size > 10:
        size -= 2
    draw.text(((w + 8) / 2, (h + 8) / 2), text, font=_sans(size), fill=255, anchor="mm")
    return img


def den_stamp(
    receiver: str | None, number: str, date_text: str, chuyen: str | None, rng: random.Random
) -> tuple[Image.Image, Image.Image]:
    """The ĐẾN stamp (50×35 mm) and, separately, its hand-written values.

    Args:
        receiver: Receiving office printed at the top (``None``: a stamp without it).
        number: Số đến, hand-written.
        date_text: Ngày đến as hand-written (``"19/6"``).
        chuyen: Hand-written direction in "Chuyển:", or ``None``.
        rng: Random generator.

    Returns:
        ``(stamp, values)``: two masks of the same size.
    """
    w, h = mm(50), mm(35)
    stamp = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(stamp)
    draw.rectangle((2, 2, w - 3, h - 3), outline=255, width=6)
    small, big = _sans(pt(8.5)), _sans(pt(17))
    y = mm(2)
    if receiver:
        size = pt(8.5)
        while _sans(size).getlength(receiver) > w - mm(4) and size > 14:
            size -= 2
        draw.text((w / 2, y + mm(2)), receiver, font=_sans(size), fill=255, anchor="mm")
        y += mm(5)
        draw.line((2, y, w - 3, y), fill=255, width=4)
    row = (h - y) / 4
    left = mm(14)
    draw.line((left, y, left, y + 2 * row), fill=255, width=4)
    draw.line((2, y + 2 * row, w - 3, y + 2 * row), fill=255, width=4)
    draw.text((left / 2, y + row), "ĐẾN", font=big, fill=255, anchor="mm")
    slots = {}
    labels = [
        ("Số:", left + mm(2), y + row * 0.55),
        ("Ngày:", left + mm(2), y + row * 1.5),
        ("Chuyển:", mm(2), y + row * 2.5),
        ("Số và ký hiệu HS:", mm(2), y + row * 3.4),
    ]
    for label, lx, ly in labels:
        draw.text((lx, ly), label, font=small, fill=255, anchor="lm")
        start = lx + small.getlength(label) + mm(1)
        for dx in range(round(start), w - mm(3), mm(1.2)):
            draw.point((dx, ly + pt(8.5) * 0.35), fill=255)
            draw.point((dx + 1, ly + pt(8.5) * 0.35), fill=255)
        slots[label] = (start, ly)
    values = Image.new("L", (w, h), 0)
    for label, text, size in (
        ("Số:", number, pt(15)),
        ("Ngày:", date_text, pt(14)),
        ("Chuyển:", chuyen, pt(11)),
    ):
        if not text:
            continue
        m = hand_mask(text, size, rng)
        if m.width > w - slots[label][0] - mm(1):
            m = m.resize(
                (
                    round(w - slots[label][0] - mm(1)),
                    max(1, round(m.height * (w - slots[label][0] - mm(1)) / m.width)),
                )
            )
        sx, sy = slots[label]
        layer = Image.new("L", (w, h), 0)
        layer.paste(m, (round(sx + mm(1)), round(sy - m.height * 0.65)))
        values = ImageChops.lighter(values, layer)
    return stamp, values
