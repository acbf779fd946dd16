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
5. optionally let the OCR engine's digit reader (``witness=engine.read_digits``: Tesseract eng, digits
   whitelist) read the cleaned ink as a second, weaker witness (:mod:`.read`): when
   it reads as many digits, each position's probabilities are reweighted by its digit (agreement raises the
   confidence, disagreement lowers it or flips a doubtful digit).

``conf`` is the product of the per-digit probabilities (times penalties), so a reading with one doubtful
digit gets a low confidence.

    >>> import numpy as np
    >>> read_handwritten_digits(np.full((60, 200), 255, np.uint8)).text
    ''

Coordinates are pixels ``(x0, y0, x1, y1)`` of the image given, like :class:`~vn_dispatch_parser.core.types.BBox`
(which is accepted too). The region should exclude the printed glyphs around the blank: a printed "/" that
lies wholly inside it is read as a 1.
"""

from __future__ import annotations

from vn_dispatch_parser.image.digits.glyphs import glyph_to_input
from vn_dispatch_parser.image.digits.model import GLYPH, MODEL_FILE, REJECT, load_digit_model, model_path
from vn_dispatch_parser.image.digits.read import (
    DigitReading,
    GlyphGuess,
    read_glyphs,
    read_handwritten_day,
    read_handwritten_digits,
    read_handwritten_int,
    read_handwritten_month,
)

__all__ = [
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
]
