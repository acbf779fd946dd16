"""Read hand-written digits in a region of a page image.

On paper dispatches the number after "Số:" and the day in the date line are usually written by hand after
signing (the number is given when the document is issued), and so are the values of the ĐẾN stamp.
Printed-text Tesseract misreads them or reads nothing. This package reads them:

1. isolate the ink in the region (:mod:`.ink`): coloured ink (blue, red, violet: chroma against the paper)
   when there is any, else dark strokes; drop thin horizontal rules and leader dots; keep the connected
   components that lie mostly inside the region, so printed glyphs the region only grazes ("Số:", "/",
   "tháng") are left out;
2. deslant the row and group the components into digit candidates (:mod:`.segment`): tall parts overlapping
   in x are one digit, small parts (the bar of a 5) join the nearest digit;
3. split candidates wider than a digit along least-ink seams, choosing the cuts by dynamic programming over
   what a small classifier reads in the pieces (minus a cost per stroke cut through);
4. classify each piece with a small CNN in numpy (:mod:`.model`; its input: :mod:`.glyphs`): digits 0–9
   plus a reject class for letters, specks and two digits touching, averaged over a few small
   rotations/widths. It is trained by ``tools/train_digits.py`` and shipped as
   ``vn_dispatch_parser/models/hw_digits.npz``: numpy + OpenCV only at run time;
5. fuse with the OCR engine's digit reader as a second, weaker witness, and turn the per-glyph
   probabilities into a number and its confidence (:mod:`.read`, which also says what region to give).

    >>> import numpy as np
    >>> read_handwritten_digits(np.full((60, 200), 255, np.uint8)).text
    ''
"""

from __future__ import annotations

from vn_dispatch_parser.image.digits.glyphs import glyph_to_input
from vn_dispatch_parser.image.digits.model import GLYPH, MODEL_FILE, REJECT, load_digit_model, model_path
from vn_dispatch_parser.image.digits.read import (
    DAY_DIGITS,
    DigitReading,
    GlyphGuess,
    read_glyphs,
    read_handwritten_day,
    read_handwritten_digits,
    read_handwritten_int,
    read_handwritten_month,
    second_readings,
)

__all__ = [
    "DAY_DIGITS",
    "GLYPH",
    "MODEL_FILE",
    "REJECT",
    "DigitReading",
    "GlyphGuess",
    "glyph_to_input",
    "load_digit_model",
    "model_path",
    "read_handwritten_day",
    "read_handwritten_digits",
    "read_handwritten_int",
    "read_glyphs",
    "read_handwritten_month",
    "second_readings",
]
