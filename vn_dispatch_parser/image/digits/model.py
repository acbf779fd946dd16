"""The digit classifier: a small CNN in numpy and the loading of its weights.

It reads one normalised glyph (:func:`~vn_dispatch_parser.image.digits.glyphs.glyph_to_input`) as digits 0–9
plus a reject class for letters, specks and two digits touching. It is trained by ``tools/train_digits.py``
and shipped as ``vn_dispatch_parser/models/hw_digits.npz``: numpy + OpenCV only at run time.
"""

from __future__ import annotations

import functools
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vn_dispatch_parser.errors import MissingDependencyError

MODEL_FILE = "hw_digits.npz"
GLYPH = 28  # classifier input is GLYPH×GLYPH
REJECT = 10  # class index of "not a digit"


def model_path() -> Path:
    """The digit model: ``$VN_DISPATCH_HW_MODEL``, else the package's ``models/hw_digits.npz`` checked against
    its MANIFEST (:func:`vn_dispatch_parser.ocr.model_files.digit_model_path`).

    Raises:
        MissingDependencyError: The model is missing or corrupt (never a reading without it).
    """
    from vn_dispatch_parser.ocr.model_files import digit_model_path

    return digit_model_path()


def _conv3x3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """'Same' 3×3 convolution of NHWC ``x`` with HWCF ``w`` (im2col + one matmul)."""
    n, h, wd, c = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cols = np.lib.stride_tricks.sliding_window_view(xp, (3, 3), axis=(1, 2))  # n,h,w,c,3,3
    cols = cols.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * wd, 9 * c)
    return (cols @ w.reshape(9 * c, -1) + b).reshape(n, h, wd, -1)


def _pool2(x: np.ndarray) -> np.ndarray:
    n, h, w, c = x.shape
    return x.reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


@dataclass(frozen=True)
class _Net:
    """The digit classifier: a small CNN (conv3×3, pool, conv3×3, pool, fc, fc-11; widths from the file) in
    numpy."""

    params: dict[str, np.ndarray]
    temperature: float
    version: str
    sha256: str

    def logits(self, x: np.ndarray) -> np.ndarray:
        p = self.params
        h = x.astype(np.float32, copy=False).reshape(-1, GLYPH, GLYPH, 1)
        h = _pool2(np.maximum(_conv3x3(h, p["c1w"], p["c1b"]), 0.0))
        h = _pool2(np.maximum(_conv3x3(h, p["c2w"], p["c2b"]), 0.0))
        flat = np.maximum(h.reshape(h.shape[0], -1) @ p["f1w"] + p["f1b"], 0.0)
        return np.asarray(flat @ p["f2w"] + p["f2b"])

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities (n, 11) for inputs (n, 784) in [0, 1]."""
        z = self.logits(x) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


_PARAM_NAMES = ("c1w", "c1b", "c2w", "c2b", "f1w", "f1b", "f2w", "f2b")


def load_digit_model(path: str | Path | None = None) -> _Net:
    """Load the classifier saved by ``tools/train_digits.py`` (cached per path)."""
    return _load_model(str(path or model_path()))


@functools.lru_cache(maxsize=4)
def _load_model(path: str) -> _Net:
    try:
        raw = Path(path).read_bytes()
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            params = {k: z[k].astype(np.float32) for k in _PARAM_NAMES}
            temperature = float(z["temperature"])
            version = str(z["version"])
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
        raise MissingDependencyError(f"the digit model cannot be loaded ({type(e).__name__}: {e}); use the shipped "
                                     "one (unset VN_DISPATCH_HW_MODEL) or retrain it with tools/train_digits.py",
                                     path) from e
    return _Net(params, temperature, version, hashlib.sha256(raw).hexdigest())
