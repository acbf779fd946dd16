"""Lazy access to the generator's data tables (``synth/data/*.yaml``) and fonts.

Nothing is read at import time; every loader is cached after its first call.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from PIL import ImageFont

from vn_dispatch_parser.errors import MissingDependencyError

__all__ = ["font", "font_path", "hand_font_paths", "load", "missing_glyph"]


@functools.cache
def load(name: str) -> dict[str, Any]:
    """Load ``data/<name>.yaml`` from the package.

    Args:
        name: Table name without extension, e.g. ``"agencies"``.

    Returns:
        The parsed YAML mapping.
    """
    text = resources.files(__package__).joinpath("data").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"data/{name}.yaml is not a mapping")
    return data


def _find(candidates: list[str]) -> str | None:
    dirs = [Path(d) for d in load("fonts")["dirs"]]
    for rel in candidates:
        for base in dirs:
            hits = sorted(base.glob(f"**/{rel}"))
            if hits:
                return str(hits[0])
    return None


@functools.cache
def font_path(family: str, style: str) -> str:
    """The file of a text font, first available candidate of ``fonts.yaml``.

    Args:
        family: ``"serif"`` or ``"sans"``.
        style: ``"regular"``, ``"bold"``, ``"italic"`` or ``"bolditalic"``.

    Raises:
        MissingDependencyError: No candidate font is installed.
    """
    candidates = load("fonts")[family][style]
    found = _find(candidates)
    if found is None:
        raise MissingDependencyError(
            f"no {family} {style} font with Vietnamese coverage; install fonts-liberation2 "
            f"(apt-get install fonts-liberation2), tried {candidates}"
        )
    return found


@functools.cache
def hand_font_paths() -> tuple[str, ...]:
    """The installed handwriting fonts (at least one is required).

    Raises:
        MissingDependencyError: None of the handwriting fonts is installed.
    """
    found = [p for p in (_find([rel]) for rel in load("fonts")["hand"]) if p]
    if not found:
        raise MissingDependencyError(
            "no handwriting font; install fonts-dkg-handwriting fonts-breip fonts-kristi "
            "fonts-dancingscript fonts-sjfonts"
        )
    return tuple(found)


@functools.lru_cache(maxsize=512)
def font(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    """A cached FreeType font object.

    Args:
        path: Font file.
        size_px: Size in pixels (em height).
    """
    return ImageFont.truetype(path, max(4, int(size_px)))


@functools.lru_cache(maxsize=4096)
def missing_glyph(path: str, char: str) -> bool:
    """Whether a font lacks ``char`` (it would draw the .notdef box or nothing).

    Args:
        path: Font file.
        char: One character.
    """
    if char.isspace():
        return False
    f = font(path, 48)
    mask = f.getmask(char)
    if mask.size[0] == 0 or mask.getbbox() is None:
        return True
    notdef = f.getmask("\U0010fffd")
    return mask.size == notdef.size and bytes(mask) == bytes(notdef)
