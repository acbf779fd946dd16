"""Scanner and paper degradations: clean, mild and heavy.

- clean: straight, white paper, only resampled to the output dpi (300 by default).
- mild: skew ≤ 1.5°, grey or warm paper, light blur and noise, JPEG artefacts, 200–300 dpi,
  sometimes grayscale.
- heavy: skew ≤ 3°, bleed-through from the back, uneven light, scanner edges, stronger blur and
  noise, 100–150 dpi, sometimes bitonal, pages sometimes turned 90° or 180°.
- photo (on request only, not in :data:`LEVELS`): the mild page photographed lying on a desk: the sheet at
  100–130 dpi, seen from below (its top edge 3–8 % narrower each side), turned up to 4°, on a grey-brown
  desk with grain, lit unevenly, JPEG.
"""

from __future__ import annotations

import io
import random

import cv2
import numpy as np
from PIL import Image

from vn_dispatch_parser.synth.typeset import DPI

__all__ = ["ALL_LEVELS", "LEVELS", "PHOTO", "choose_dpi", "choose_mode", "degrade"]

LEVELS = ("clean", "mild", "heavy")
PHOTO = "photo"
ALL_LEVELS = (*LEVELS, PHOTO)
"""Every level ``--levels`` takes; the default sets are made of :data:`LEVELS`."""


def choose_dpi(level: str, rng: random.Random) -> int:
    """Output resolution for a degradation level."""
    if level == "clean":
        return 300
    if level == "mild":
        return rng.choice([200, 240, 300])
    if level == PHOTO:
        return rng.choice([100, 115, 130])
    return rng.choice([100, 120, 150])


def choose_mode(level: str, rng: random.Random) -> str:
    """Colour mode of the scan: ``RGB``, ``L`` (grayscale) or ``1`` (bitonal); ``P`` only on request."""
    roll = rng.random()
    if level == "mild":
        return "L" if roll < 0.2 else "RGB"
    if level == "heavy":
        return "1" if roll < 0.2 else "L" if roll < 0.35 else "RGB"
    return "RGB"


def _photograph(page: Image.Image, rng: random.Random) -> Image.Image:
    """The page lying on a desk, photographed from below at an angle (see the module docstring)."""
    nrng = np.random.default_rng(rng.getrandbits(63))
    sheet = np.asarray(page.convert("RGB"), np.float32)
    ph, pw = sheet.shape[:2]
    W, H = round(pw * rng.uniform(1.15, 1.35)), round(ph * rng.uniform(1.1, 1.25))
    ox, oy = (W - pw) / 2, (H - ph) / 2
    k, j = rng.uniform(0.03, 0.08) * pw, 0.015 * pw
    corners = [(ox + k, oy), (ox + pw - k, oy), (ox + pw, oy + ph), (ox, oy + ph)]
    angle = np.radians(rng.uniform(-4, 4))
    c, s = np.cos(angle), np.sin(angle)
    dst = np.array([[W / 2 + c * (x - W / 2) - s * (y - H / 2) + rng.uniform(-j, j),
                     H / 2 + s * (x - W / 2) + c * (y - H / 2) + rng.uniform(-j, j)] for x, y in corners], np.float32)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    desk = np.array([rng.uniform(60, 140), rng.uniform(70, 130), rng.uniform(90, 160)], np.float32)
    photo: np.ndarray = np.asarray(cv2.warpPerspective(
        sheet, cv2.getPerspectiveTransform(src, dst), (W, H), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT, borderValue=tuple(float(v) for v in desk)), np.float32)
    photo += np.asarray(nrng.normal(0.0, 8.0, size=photo.shape), np.float32)
    photo *= np.linspace(rng.uniform(0.8, 1.0), rng.uniform(0.9, 1.05), W, dtype=np.float32)[None, :, None]
    photo = cv2.GaussianBlur(photo, (0, 0), 0.6)
    out = Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8))
    return _jpeg_roundtrip(out, rng.randint(75, 88))


def _illumination(h: int, w: int, nrng: np.random.Generator, depth: float) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = nrng.uniform(-1, 1, 2)
    linear = (gx * (xx / w - 0.5) + gy * (yy / h - 0.5)) * depth
    cx, cy = nrng.uniform(0.2, 0.8) * w, nrng.uniform(0.2, 0.8) * h
    radial = ((xx - cx) ** 2 + (yy - cy) ** 2) / (w * w + h * h) * depth * 1.5
    return np.clip(1 - np.abs(linear) - radial, 0.55, 1).astype(np.float32)


def _edges(arr: np.ndarray, rng: random.Random) -> np.ndarray:
    """Dark scanner-lid borders along one or two sides (float RGB array, in place)."""
    h, w = arr.shape[:2]
    for side in rng.sample(["left", "right", "top", "bottom"], rng.randint(1, 2)):
        band = max(2, round((w if side in {"left", "right"} else h) * rng.uniform(0.008, 0.035)))
        ramp = np.linspace(0.08, 1.0, band, dtype=np.float32) ** 2
        if side == "left":
            arr[:, :band] *= ramp[None, :, None]
        elif side == "right":
            arr[:, w - band :] *= ramp[::-1][None, :, None]
        elif side == "top":
            arr[:band] *= ramp[:, None, None]
        else:
            arr[h - band :] *= ramp[::-1][:, None, None]
    return arr


def _to_mode(img: Image.Image, mode: str) -> Image.Image:
    """Convert to the scan's colour mode; ``P`` is a 64-colour palette (small lossless PNGs)."""
    if mode == "P":
        return img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return img if mode == img.mode else img.convert(mode)


def _jpeg_roundtrip(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    with Image.open(buf) as out:
        return out.convert(img.mode)


def degrade(
    img: Image.Image, level: str, dpi: int, mode: str, rng: random.Random, back: Image.Image | None = None
) -> Image.Image:
    """Degrade one rendered page (RGB at ``layout.DPI``).

    Args:
        img: The clean page.
        level: ``clean``, ``mild`` or ``heavy``.
        dpi: Output resolution.
        mode: Output colour mode (``RGB``, ``L``, ``P`` or ``1``).
        rng: Random generator (a numpy generator is derived from it).
        back: The page printed on the back of the sheet (for bleed-through), if any.

    Returns:
        The degraded page at ``dpi`` in ``mode``.
    """
    if level not in ALL_LEVELS:
        raise ValueError(f"unknown degradation level {level!r}")
    if level == PHOTO:
        return _photograph(degrade(img, "mild", dpi, "RGB", rng, back), rng)
    nrng = np.random.default_rng(rng.getrandbits(63))
    size = (round(img.width * dpi / DPI), round(img.height * dpi / DPI))
    small = img if dpi == DPI else img.resize(size, Image.Resampling.LANCZOS)
    if level == "clean":
        return _to_mode(small, mode)
    heavy = level == "heavy"
    w, h = size
    base = rng.randint(222, 238) if heavy else rng.randint(236, 250)
    paper = (
        np.array([base + rng.randint(0, 6), base + rng.randint(-2, 3), base - rng.randint(0, 10)], np.float32)
        / 255
    )
    light = _illumination(max(2, h // 8), max(2, w // 8), nrng, 0.35 if heavy else 0.06)
    light = cv2.resize(light, (w, h), interpolation=cv2.INTER_LINEAR)
    arr: np.ndarray = np.asarray(small, np.float32) * (light[..., None] * paper[None, None, :])
    if heavy:
        src = back if back is not None else img
        flipped = src.resize(size, Image.Resampling.BILINEAR).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        ghost = cv2.GaussianBlur(np.asarray(flipped, np.float32), (0, 0), 4 * dpi / DPI + 0.5)
        arr *= 1 - rng.uniform(0.06, 0.14) * (1 - ghost / 255)
    fill = tuple(float(c * 255 * 0.97) for c in paper)
    angle = rng.uniform(-3, 3) if heavy else rng.uniform(-1.5, 1.5)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    arr = cv2.warpAffine(
        arr, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )
    if heavy:
        arr = _edges(arr, rng)
    sigma = rng.uniform(7, 12) if heavy else rng.uniform(1, 2.5)
    arr += (nrng.standard_normal((h, w), dtype=np.float32) * sigma)[..., None]
    if heavy:
        specks = nrng.random((h, w), dtype=np.float32) < 0.0008
        arr[specks] = nrng.uniform(20, 90)
    arr = cv2.GaussianBlur(arr, (0, 0), rng.uniform(0.6, 1.0) if heavy else rng.uniform(0.4, 0.6))
    out = Image.fromarray(np.clip(arr, 0, 255, out=arr).astype(np.uint8))
    out = _jpeg_roundtrip(out, rng.randint(35, 60) if heavy else rng.randint(60, 85))
    if mode == "1":
        rgb: np.ndarray = np.asarray(out.convert("RGB"), np.float32)
        gray: np.ndarray = 0.7 * rgb.min(axis=2) + 0.3 * rgb.mean(axis=2)  # coloured inks print dark
        background = cv2.GaussianBlur(gray, (0, 0), 12 * dpi / 100) + 1
        ratio = gray / np.maximum(background, gray.max() * 0.25)  # adaptive, like a scanner's
        out = Image.fromarray(((ratio > rng.uniform(0.74, 0.8)) * 255).astype(np.uint8)).convert("1")
    else:
        out = _to_mode(out, mode)
    if heavy and rng.random() < 0.2:
        out = out.rotate(rng.choice([90, 180, 270]), expand=True)
    return out
