"""The trích yếu and the Nơi nhận list read a second time, each from a crop of its own lines: choose the marks
between two readings.

Full-page OCR confuses the stacked marks of Vietnamese on a line's small letters ("sự có" for "sự cố", "tông
thể" for "tổng thể", "xăng dâu" for "xăng dầu"); read again as one block, alone on its crop, the same print
often reads otherwise. Neither reading is always right, so the two are aligned word by word on their letters
without marks (:func:`~vn_dispatch_parser.core.normalize.fold`), and where they differ only in marks the
word the Vietnamese around it supports wins: the lexicon's word pairs it makes with its neighbours, then
whether it is a Vietnamese syllable at all. Where nothing tells them apart, the page's reading stays. No
word is added, dropped or spelled with letters no reading has: only marks move between readings.
"""

from __future__ import annotations

from dataclasses import replace
from difflib import SequenceMatcher

import regex

from vn_dispatch_parser.core.lexicon import pair_count
from vn_dispatch_parser.core.lines import lines_box, split_columns
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.orthography import is_vietnamese_syllable
from vn_dispatch_parser.core.types import BBox, CropReader, Layout, Line, Zone
from vn_dispatch_parser.document.reconcile import reconcile_signature
from vn_dispatch_parser.document.view import heading_line, vv_line
from vn_dispatch_parser.fields.subject import typed_subject, vv_subject

__all__ = ["choose_marks", "reconcile_page", "reread_fields"]

_CORE = regex.compile(r"^(\P{L}*)(\p{L}+)(\P{L}*)$", regex.V1)
#: Pixels around the subject's lines when its crop is cut (the lines' boxes hug the letters' ink).
PAD = 12


def _support(prev: str | None, word: str, nxt: str | None) -> tuple[int, int]:
    """How well the Vietnamese around a word supports it: corpus pairs with its neighbours, a syllable."""
    pairs = (pair_count(prev, word) if prev else 0) + (pair_count(word, nxt) if nxt else 0)
    return pairs, int(is_vietnamese_syllable(word.lower()))


def choose_marks(page: list[str], again: list[str]) -> list[str]:
    """The page's words, each with the marks of the second reading where the two differ only in marks and
    the second is better supported (:func:`_support`).

    >>> choose_marks("ứng phó sự có tràn dầu".split(), "ứng phó sự cố tràn dầu".split())
    ['ứng', 'phó', 'sự', 'cố', 'tràn', 'dầu']
    >>> choose_marks("Quy hoạch tông thể".split(), "Quy hoạch tổng thể".split())
    ['Quy', 'hoạch', 'tổng', 'thể']
    >>> choose_marks("đào tạo".split(), "đảo tạo".split())  # the page's reading is the better one
    ['đào', 'tạo']
    """
    cores = [_CORE.match(w) for w in page]
    letters = [m.group(2) if m else "" for m in cores]
    other = [m.group(2) if (m := _CORE.match(w)) else "" for w in again]
    out = list(page)
    matcher = SequenceMatcher(a=[fold(w) for w in letters], b=[fold(w) for w in other], autojunk=False)
    for tag, i0, i1, j0, _ in matcher.get_opcodes():
        if tag != "equal":
            continue
        for k in range(i1 - i0):
            i, j = i0 + k, j0 + k
            a, b = letters[i], other[j]
            if not a or a == b or a.lower() == b.lower():
                continue
            prev = letters[i - 1] if i > 0 and letters[i - 1] else None
            nxt = letters[i + 1] if i + 1 < len(letters) and letters[i + 1] else None
            if _support(prev, b, nxt) > _support(prev, a, nxt):
                m = cores[i]
                b = b if b[:1].isupper() == a[:1].isupper() else (b[:1].upper() + b[1:] if a[:1].isupper() else b.lower())
                out[i] = f"{m.group(1)}{b}{m.group(3)}" if m else b
    return out


def _subject_box(lines: list[Line]) -> BBox | None:
    """Where the page's trích yếu is: under the type heading, else the V/v lines (as the document stage
    finds it)."""
    cols = split_columns(lines)
    found = heading_line(cols, set())
    hit = None
    if found is not None:
        idx, (_, rest) = found
        hit = typed_subject(cols, idx, rest)
    if hit is None and (vv := vv_line(cols)) is not None:
        hit = vv_subject(cols, vv)
    return hit.bbox if hit is not None else None


def _recipients_box(lines: list[Line]) -> BBox | None:
    """Where the page's Nơi nhận list is: its layout zone."""
    return lines_box([ln for ln in lines if ln.zone is Zone.RECIPIENTS and ln.text.strip()])[1]


def reread_fields(lines: list[Line], crops: CropReader) -> list[Line]:
    """The page's lines with the marks of its trích yếu and its Nơi nhận list chosen between the page's
    reading and a reading of each one's crop alone (see the module doc)."""
    for box in (_subject_box(lines), _recipients_box(lines)):
        if box is not None:
            lines = _reread_box(lines, box, crops)
    return lines


def _reread_box(lines: list[Line], box: BBox, crops: CropReader) -> list[Line]:
    x0, y0 = max(0, box.x0 - PAD), max(0, box.y0 - PAD)
    x1, y1 = min(crops.width, box.x1 + PAD), min(crops.height, box.y1 + PAD)
    again = crops.read(x0, y0, x1, y1, layout=Layout.BLOCK)
    if not again:
        return lines
    second = [w for ln in again for w in ln.text.split()]
    inside = [i for i, ln in enumerate(lines) if ln.bbox is not None and ln.bbox.overlap(box) > 0]
    words = [(i, k, w) for i in inside for k, w in enumerate(lines[i].text.split(" "))]
    read = [w for _, _, w in words]
    chosen = choose_marks(read, second)
    if chosen == read:
        return lines
    out = list(lines)
    for i in inside:
        parts = out[i].text.split(" ")
        for (li, k, _), new in zip(words, chosen, strict=True):
            if li == i:
                parts[k] = new
        out[i] = replace(out[i], text=" ".join(parts))
    return out


def reconcile_page(lines: list[Line], crops: CropReader) -> list[Line]:
    """The page stage's second readings: the signature block
    (:func:`~vn_dispatch_parser.document.reconcile.reconcile_signature`), then the marks of the trích yếu and
    the Nơi nhận list."""
    return reread_fields(reconcile_signature(lines, crops), crops)
