"""Ink on paper: colours, uneven inking and multiply blending of a mask onto a page."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

__all__ = ["INKS", "blend", "texture"]

#: RGB of the inks used for marks.
INKS: dict[str, tuple[int, int, int]] = {
    "seal": (208, 34, 46),
    "red": (200, 38, 52),
    "blue": (36, 58, 168),
    "violet": (112, 46, 158),
    "pen_blue": (22, 48, 165),
    "pen_black": (32, 32, 40),
    "pen_red": (196, 30, 42),
}


def texture(
    mask: Image.Image, rng: np.random.Generator, strength: float = 0.45, blur: float = 0.8
) -> Image.Image:
    """Uneven ink: modulate a mask by smooth noise and random pale patches.

    Args:
        mask: Ink mask (L mode, 255 = full ink).
        rng: Numpy random generator.
        strength: How much the ink density varies (0 = uniform).
        blur: Gaussian blur radius applied to the result (ink spread).
    """
    h, w = mask.height, mask.width
    small = rng.random((max(2, h // 24), max(2, w // 24))).astype(np.float32)
    field = (
        np.asarray(
            Image.fromarray((small * 255).astype(np.uint8)).resize((w, h), Image.Resampling.BICUBIC),
            np.float32,
        )
        / 255
    )
    grain = rng.random((h, w)).astype(np.float32)
    density = 1 - strength * field - 0.25 * strength * grain
    out = np.asarray(mask, np.float32) * np.clip(density, 0, 1)
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))
    return img.filter(ImageFilter.GaussianBlur(blur)) if blur else img


def blend(
    page: Image.Image,
    mask: Image.Image,
    xy: tuple[int, int],
    color: tuple[int, int, int],
    opacity: float = 1.0,
) -> None:
    """Multiply-blend ``color`` through ``mask`` onto ``page`` (in place), clipped to the page.

    Args:
        page: RGB page image.
        mask: L mask, 255 = full ink.
        xy: Top-left corner of the mask on the page.
        color: Ink colour.
        opacity: Overall ink strength 0–1.
    """
    x, y = xy
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(page.width, x + mask.width), min(page.height, y + mask.height)
    if x1 <= x0 or y1 <= y0:
        return
    region = np.asarray(page.crop((x0, y0, x1, y1)), np.float32)
    alpha = np.asarray(mask.crop((x0 - x, y0 - y, x1 - x, y1 - y)), np.float32)[..., None] / 255 * opacity
    tint = 1 - alpha * (1 - np.asarray(color, np.float32) / 255)
    page.paste(Image.fromarray(np.clip(region * tint, 0, 255).astype(np.uint8)), (x0, y0))
