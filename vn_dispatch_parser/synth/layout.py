"""Typeset a ``DocSpec`` into A4 pages of drawing operations (NĐ 30 Phụ lục I layout).

Pages are laid out at ``DPI`` (300). Each page records *anchors*: where hand-written values,
the seal, the signature, stamps and notes go. ``DocLayout.lines`` is the printed text of the
document in reading order (header left column, right column, then the body), one entry per
printed line, blanks collapsed: the truth ``full_text``. Page numbers are not included.
"""

from __future__ import annotations

import random

from vn_dispatch_parser.synth.model import DocSpec
from vn_dispatch_parser.synth.typeset import (
    BOTTOM,
    CX,
    LCX,
    LEFT,
    LW,
    RCX,
    RIGHT,
    SIG_CX,
    TOP,
    DocLayout,
    RuleOp,
    Setter,
    TextOp,
    balanced,
    mm,
    pt,
    width,
    wrap,
)

__all__ = ["layout_document"]


def _number_line(doc: DocSpec, s: Setter, y: int) -> None:
    size = pt(13)
    left, right = "Số: ", "/" + doc.symbol
    if doc.number and not doc.marks.hand_number:
        mid = doc.number + (" " if doc.number_gap else "")
        text = left + mid + right
        s.page.ops.append(TextOp(LCX - width(text, "regular", size) // 2, y, text, "regular", size))
        s.lines.append(text)
        return
    gap = mm(17)
    total = width(left, "regular", size) + gap + width(right, "regular", size)
    x = LCX - total // 2
    s.page.ops.append(TextOp(x, y, left, "regular", size))
    x_gap = x + width(left, "regular", size)
    s.page.ops.append(TextOp(x_gap + gap, y, right, "regular", size))
    s.page.anchors["number_slot"] = (x_gap, y - size, x_gap + gap, y + size // 4)
    s.lines.append(f"Số: {right}")


def _date_line(doc: DocSpec, s: Setter, y: int) -> None:
    size = pt(13.5)
    year = doc.date.year if doc.date else doc.year
    blank_day = doc.day_blank or doc.marks.hand_day
    day = "" if blank_day else f"{doc.date.day:02d}" if doc.date else ""
    month_num = doc.date.month if doc.date else None
    month = (
        ""
        if doc.month_blank or month_num is None
        else f"{month_num:02d}"
        if month_num <= 2
        else str(month_num)
    )
    head, mid, tail = f"{doc.place}, ngày ", f"tháng {month} " if month else "tháng ", f"năm {year}"
    gap_day, gap_month = (mm(11) if not day else 0), (mm(9) if not month else 0)
    parts = [head, day + (" " if day else ""), mid, tail]
    total = sum(width(p, "italic", size) for p in parts) + gap_day + gap_month
    x = RCX - total // 2
    for i, part in enumerate(parts):
        if part:
            s.page.ops.append(TextOp(x, y, part, "italic", size))
        x += width(part, "italic", size)
        if i == 0 and gap_day:
            s.page.anchors["day_slot"] = (x, y - size, x + gap_day, y + size // 4)
            x += gap_day
        if i == 2 and gap_month:
            x += gap_month
    s.lines.append(" ".join("".join(parts).split()))


def _header(doc: DocSpec, s: Setter, rng: random.Random) -> None:
    size, lead = pt(13), round(pt(13) * 1.22)
    if doc.draft_label:
        label, dsize = "DỰ THẢO", pt(12)
        w = width(label, "bold", dsize)
        s.page.ops.append(TextOp(LEFT - mm(8), mm(12), label, "bold", dsize))
        s.page.ops.append(
            RuleOp(0, 0, 0, 3, (LEFT - mm(10), mm(12) - dsize, LEFT - mm(6) + w, mm(12) + mm(2.5)))
        )
        s.lines.append(label)
    y = TOP
    left_lines = [(t, "regular") for t in (balanced(doc.parent, "regular", size, LW) if doc.parent else [])]
    issuer = doc.issuer_lines or balanced(doc.issuer, "bold", size, LW)
    left_lines += [(t, "bold") for t in issuer]
    for text, style in left_lines:
        s.page.ops.append(
            TextOp(LCX - width(text, style, size) // 2, y + round(size * 0.9), text, style, size)
        )
        s.lines.append(text)
        y += lead
    rule = max(mm(18), round(max(width(t, "bold", size) for t in issuer) * rng.uniform(0.35, 0.5)))
    s.page.ops.append(RuleOp(LCX - rule // 2, y - lead + round(size * 1.32), LCX + rule // 2, 3))
    s.page.anchors["issuer"] = (LCX - LW // 2, TOP, LCX + LW // 2, y)
    yr = TOP
    for text, sz in (
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", pt(12.5)),
        ("Độc lập - Tự do - Hạnh phúc", pt(13.5)),
    ):
        w = width(text, "bold", sz)
        s.page.ops.append(TextOp(RCX - w // 2, yr + round(sz * 0.9), text, "bold", sz))
        yr += round(sz * 1.22)
    s.page.ops.append(
        RuleOp(RCX - w // 2, yr - round(pt(13.5) * 1.22) + round(pt(13.5) * 1.3), RCX + w // 2, 3)
    )
    base = max(y, yr) + mm(7)
    _number_line(doc, s, base)
    quoc = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    yl = base + round(size * 0.5)
    if doc.kind == "CV":
        vsize = pt(12.5)
        for text in balanced(doc.subject_printed, "regular", vsize, mm(66)):
            yl += round(vsize * 1.18)
            s.page.ops.append(TextOp(LCX - width(text, "regular", vsize) // 2, yl, text, "regular", vsize))
            s.lines.append(text)
    s.lines.extend(quoc)
    _date_line(doc, s, base)
    yl += mm(3)
    for key, flag, h in (
        ("secret_slot", doc.marks.confidentiality, mm(10)),
        ("urgency_slot", doc.marks.urgency, mm(9)),
    ):
        if flag:
            s.page.anchors[key] = (LCX - mm(22), yl, LCX + mm(22), yl + h)
            yl += h + mm(2)
    s.y = max(yl, base + mm(4)) + mm(5)


def _stamp_gap(doc: DocSpec, s: Setter, rng: random.Random) -> None:
    if doc.marks.stamp is None:
        return
    w, h = mm(50), mm(35)
    if rng.random() < 0.5:
        x0 = LEFT - mm(12) + rng.randint(0, mm(10))
        other = (x0 + w + mm(8), s.y, RIGHT, s.y + h)
    else:
        x0 = RIGHT - w - rng.randint(0, mm(15))
        other = (LEFT, s.y, x0 - mm(8), s.y + h)
    s.page.anchors["stamp_box"] = (x0, s.y, x0 + w, s.y + h)
    s.page.anchors["note_gap"] = other
    s.y += h + mm(4)


def _addressees(doc: DocSpec, s: Setter) -> None:
    if doc.addressee_form == "none":
        return
    size, label = pt(14), "Kính gửi:"
    lead = round(size * 1.3)
    if doc.addressee_form == "single":
        text = f"{label} {doc.addressees[0]}" + ("." if len(doc.addressees[0]) % 3 == 0 else "")
        if width(text, "regular", size) < mm(140):
            s.centred(CX, text, "regular", size, 1.3)
        else:
            x = LEFT + mm(20)
            hang = x + width(label + " ", "regular", size)
            for i, part in enumerate(wrap(text, "regular", size, RIGHT - hang, RIGHT - x)):
                s.need(lead)
                s.text(x if i == 0 else hang, part, "regular", size)
                s.y += lead
    else:
        x = LEFT + mm(rng_free(doc, 18, 34))
        s.need(lead * 2)
        s.text(x, label, "regular", size)
        hang = x + width(label + " ", "regular", size)
        for i, item in enumerate(doc.addressees):
            text = f"- {item}" + ("." if i == len(doc.addressees) - 1 else ";")
            for part in wrap(text, "regular", size, RIGHT - hang - mm(3)):
                s.need(lead)
                s.text(hang, part, "regular", size)
                s.y += lead
    s.y += pt(8)


def rng_free(doc: DocSpec, lo: int, hi: int) -> int:
    """A stable pseudo-random offset derived from the document (keeps layout pure)."""
    return lo + sum(map(ord, doc.symbol + doc.signer.name)) % (hi - lo + 1)


def _title(doc: DocSpec, s: Setter) -> None:
    if doc.kind == "CV":
        return
    size = pt(14)
    s.centred(CX, doc.doc_type, "bold", size, 1.2)
    for text in balanced(doc.subject_printed, "bold", size, mm(135)):
        s.centred(CX, text, "bold", size, 1.2)
    s.page.ops.append(RuleOp(CX - mm(22), s.y + round(size * 0.1), CX + mm(22), 3))
    s.y += mm(6)
    if doc.authority_line:
        for text in balanced(doc.authority_line, "bold", size, mm(150)):
            s.centred(CX, text, "bold", size, 1.2)
        s.y += mm(3)


def _closing(doc: DocSpec, s: Setter) -> None:
    rsize, isize, ssize, nsize = pt(12), pt(11), pt(13.5), pt(14)
    rec: list[str] = []
    for i, item in enumerate(doc.recipients):
        text = f"- {item}" + ("." if i == len(doc.recipients) - 1 else ";")
        rec += wrap(text, "regular", isize, mm(74))
    sig_h = len(doc.signer.lines) * round(ssize * 1.25) + mm(30) + nsize
    rec_h = round(rsize * 1.3) + len(rec) * round(isize * 1.22)
    s.y += pt(6)
    s.need(max(sig_h, rec_h) + mm(2))
    y0 = s.y
    s.text(LEFT - mm(2), "Nơi nhận:", "bolditalic", rsize)
    y = y0 + round(rsize * 1.3)
    for text in rec:
        s.page.ops.append(
            TextOp(
                LEFT - mm(2) + (0 if text.startswith("- ") else mm(2)),
                y + round(isize * 0.9),
                text,
                "regular",
                isize,
            )
        )
        s.lines.append(text)
        y += round(isize * 1.22)
    ys = y0
    wmax = 0
    for text in doc.signer.lines:
        w = width(text, "bold", ssize)
        wmax = max(wmax, w)
        s.page.ops.append(TextOp(SIG_CX - w // 2, ys + round(ssize * 0.9), text, "bold", ssize))
        s.lines.append(text)
        ys += round(ssize * 1.25)
    name_top = ys + mm(30)
    w = width(doc.signer.name, "bold", nsize)
    s.page.ops.append(TextOp(SIG_CX - w // 2, name_top + round(nsize * 0.9), doc.signer.name, "bold", nsize))
    s.lines.append(doc.signer.name)
    s.page.anchors["title_box"] = (SIG_CX - wmax // 2, y0, SIG_CX + wmax // 2, ys)
    s.page.anchors["sig_box"] = (SIG_CX - mm(32), ys + mm(2), SIG_CX + mm(30), name_top - mm(1))
    s.page.anchors["name_box"] = (SIG_CX - w // 2, name_top, SIG_CX + w // 2, name_top + nsize)
    s.y = max(y, name_top + nsize) + mm(4)
    if BOTTOM - s.y > mm(25):
        s.page.anchors["note_bottom"] = (LEFT, s.y, RIGHT - mm(10), min(BOTTOM, s.y + mm(30)))


def layout_document(doc: DocSpec, rng: random.Random) -> DocLayout:
    """Typeset one document.

    Args:
        doc: The document spec.
        rng: Random generator for small layout variations (rule lengths, stamp side).

    Returns:
        The pages (page 1 has the header) and the printed lines.
    """
    s = Setter()
    _header(doc, s, rng)
    s.page.anchors["note_top"] = (mm(100), mm(3), RIGHT, TOP - mm(2))
    s.page.anchors["note_left"] = (mm(3), mm(120), LEFT - mm(4), mm(220))
    _stamp_gap(doc, s, rng)
    if doc.kind == "CV":
        _addressees(doc, s)
    _title(doc, s)
    for para in doc.preamble:
        s.paragraph(para, pt(14))
    if doc.kind != "CV":
        _addressees(doc, s)
    for para in doc.body:
        s.paragraph(para, pt(14))
    _closing(doc, s)
    return DocLayout(s.pages, s.lines)
