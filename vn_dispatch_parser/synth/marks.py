"""Put the marks on rendered pages: hand-written number and day, seal, signature, stamps, notes.

Marks are never part of the truth ``full_text``; their values that the truth records (number,
day, ĐẾN stamp) come from the ``DocSpec``.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image

from vn_dispatch_parser.synth.handwriting import hand_mask
from vn_dispatch_parser.synth.ink import INKS, blend, texture
from vn_dispatch_parser.synth.model import DocSpec
from vn_dispatch_parser.synth.stamps import boxed_mask, den_stamp, seal_mask, signature_mask
from vn_dispatch_parser.synth.typeset import DocLayout, mm, pt

__all__ = ["apply"]

_BOX_MM = {
    "KHẨN": (20, 8),
    "THƯỢNG KHẨN": (40, 8),
    "HỎA TỐC": (30, 8),
    "MẬT": (20, 9),
    "TỐI MẬT": (30, 9),
    "TUYỆT MẬT": (36, 9),
}


def _centre(mask: Image.Image, cx: float, cy: float) -> tuple[int, int]:
    return round(cx - mask.width / 2), round(cy - mask.height / 2)


def _write(
    page: Image.Image,
    text: str,
    slot: tuple[int, int, int, int],
    size: int,
    ink: tuple[int, int, int],
    rng: random.Random,
    nrng: np.random.Generator,
) -> None:
    """Hand-write ``text`` centred in a blank left in a printed line."""
    mask = texture(hand_mask(text, size, rng), nrng, strength=0.2, blur=0)
    x0, y0, x1, y1 = slot
    cx = (x0 + x1) / 2 + rng.uniform(-0.1, 0.1) * (x1 - x0)
    cy = y1 - (y1 - y0) * 0.55 + rng.uniform(-4, 4)
    blend(page, mask, _centre(mask, cx, cy), ink, rng.uniform(0.85, 1.0))


def _boxed(
    page: Image.Image,
    text: str,
    slot: tuple[int, int, int, int],
    rng: random.Random,
    nrng: np.random.Generator,
    double: bool,
) -> None:
    w, h = _BOX_MM[text]
    mask = boxed_mask(text, w, h, double).rotate(
        rng.uniform(-3, 3), resample=Image.Resampling.BICUBIC, expand=True
    )
    mask = texture(mask, nrng, strength=0.35, blur=0.7)
    x0, y0, x1, y1 = slot
    blend(
        page,
        mask,
        _centre(mask, (x0 + x1) / 2 + rng.uniform(-20, 20), (y0 + y1) / 2),
        INKS["red"],
        rng.uniform(0.8, 0.95),
    )


def _stamp(
    doc: DocSpec,
    page: Image.Image,
    box: tuple[int, int, int, int],
    rng: random.Random,
    nrng: np.random.Generator,
) -> None:
    spec = doc.marks.stamp
    assert spec is not None
    stamp, values = den_stamp(spec.receiver, spec.number, spec.date_text, spec.chuyen, rng)
    angle = rng.uniform(-6, 6)
    stamp = texture(
        stamp.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True), nrng, strength=0.5, blur=0.8
    )
    values = values.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    x0, y0, x1, y1 = box
    xy = _centre(stamp, (x0 + x1) / 2, (y0 + y1) / 2)
    blend(page, stamp, xy, INKS[spec.ink], rng.uniform(0.75, 0.95))
    blend(page, values, xy, INKS[rng.choice(["pen_blue", "pen_blue", "pen_black"])], rng.uniform(0.85, 1.0))


def _note(
    page: Image.Image,
    text: str,
    anchors: dict[str, tuple[int, int, int, int]],
    rng: random.Random,
    nrng: np.random.Generator,
    used: set[str],
) -> None:
    """A hand-written direction (bút phê) in a free margin or in the space beside the stamp."""
    order = [
        k for k in ("note_gap", "note_top", "note_bottom", "note_left") if k in anchors and k not in used
    ]
    if not order:
        return
    key = order[0] if "note_gap" in order and rng.random() < 0.7 else rng.choice(order)
    used.add(key)
    x0, y0, x1, y1 = anchors[key]
    mask = hand_mask(text, pt(rng.uniform(13, 17)), rng)
    if key == "note_left":
        mask = mask.rotate(90, expand=True)
    scale = min(1.0, (x1 - x0) / max(1, mask.width), (y1 - y0) / max(1, mask.height))
    if scale < 1:
        mask = mask.resize((max(1, round(mask.width * scale)), max(1, round(mask.height * scale))))
    cx = rng.uniform(x0 + mask.width / 2, max(x0 + mask.width / 2, x1 - mask.width / 2))
    cy = rng.uniform(y0 + mask.height / 2, max(y0 + mask.height / 2, y1 - mask.height / 2))
    ink = INKS[rng.choice(["pen_blue", "pen_red", "pen_black"])]
    blend(page, texture(mask, nrng, 0.2, 0), _centre(mask, cx, cy), ink, rng.uniform(0.8, 1.0))


def _sign(
    doc: DocSpec,
    page: Image.Image,
    anchors: dict[str, tuple[int, int, int, int]],
    rng: random.Random,
    nrng: np.random.Generator,
) -> None:
    """Signature in blue over the gap above the name; the seal over its left third."""
    x0, y0, x1, y1 = anchors["sig_box"]
    sw, sh = mm(rng.uniform(42, 52)), (y1 - y0)
    sx = round((x0 + x1) / 2 - sw / 2 + mm(rng.uniform(-4, 6)))
    if doc.marks.signature:
        sig = texture(signature_mask(sw, sh, rng), nrng, strength=0.2, blur=0.6)
        blend(page, sig, (sx, y0), INKS["pen_blue"], rng.uniform(0.85, 1.0))
    if doc.marks.seal:
        seal = texture(seal_mask(doc.seal_text, rng), nrng, strength=0.35, blur=0.9)
        right = sx + sw / 3 + mm(rng.uniform(-2, 2))
        cy = (y0 + y1) / 2 + mm(rng.uniform(-3, 3))
        blend(
            page,
            seal,
            (round(right - seal.width), round(cy - seal.height / 2)),
            INKS["seal"],
            rng.uniform(0.85, 0.98),
        )


def apply(doc: DocSpec, layout: DocLayout, images: list[Image.Image], rng: random.Random) -> None:
    """Draw every mark of ``doc`` on its page images (in place).

    Args:
        doc: The document spec (``doc.marks`` lists the marks).
        layout: Its layout (anchors tell where marks go).
        images: One RGB image per page, from ``render.render_page``.
        rng: Random generator.
    """
    nrng = np.random.default_rng(rng.getrandbits(63))
    page, anchors = images[0], layout.pages[0].anchors
    m = doc.marks
    pen = INKS["pen_" + m.pen]
    if m.hand_number and doc.number and "number_slot" in anchors:
        _write(page, doc.number, anchors["number_slot"], pt(rng.uniform(15, 19)), pen, rng, nrng)
    if m.hand_day and doc.date and "day_slot" in anchors:
        day = f"{doc.date.day:02d}" if rng.random() < 0.7 else str(doc.date.day)
        _write(page, day, anchors["day_slot"], pt(rng.uniform(15, 18)), pen, rng, nrng)
    if m.confidentiality and "secret_slot" in anchors:
        _boxed(page, m.confidentiality, anchors["secret_slot"], rng, nrng, double=True)
    if m.urgency and "urgency_slot" in anchors:
        _boxed(page, m.urgency, anchors["urgency_slot"], rng, nrng, double=False)
    if m.stamp is not None and "stamp_box" in anchors:
        _stamp(doc, page, anchors["stamp_box"], rng, nrng)
    used: set[str] = set()
    for text in m.notes:
        _note(page, text, anchors, rng, nrng, used)
    for img, lay in zip(reversed(images), reversed(layout.pages), strict=True):
        if "sig_box" in lay.anchors:
            _sign(doc, img, lay.anchors, rng, nrng)
            break
