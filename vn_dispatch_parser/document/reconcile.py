"""The signature block of a page: choose between the page's reading and second readings of crops.

Full-page segmentation loses or garbles the signature block where a seal or a signature runs over it. The
page stage offers a :class:`~vn_dispatch_parser.core.types.CropReader` (another OCR pass over a rectangle
of the page); this module decides which rectangles are worth reading and which reading to keep, by how
complete the parsed block is (:func:`~vn_dispatch_parser.fields.signer.signature_quality`). It decides which
lines the signer's fields are read from, not their values: :mod:`vn_dispatch_parser.fields.signer` parses the
block and :func:`vn_dispatch_parser.document.build._signer` decides the signer fields.

The steps, in order, each on the lines the step before left:

* :func:`find_block` — a Nơi nhận list but no block beside it: read the block from the crop right of the list.
* :func:`rescue_title` — a name but no title: read the titles above the name from a crop.
* :func:`reread_block` — a poor block: read the whole block from a crop; keep the better reading.
* :func:`find_name` — titles but no name: look for the name below the titles (and read its row again as one
  line when the crop's block reading split it).
* :func:`reread_name` — the name line read again alone: a signature's or seal's stroke through the name
  makes full-page segmentation confuse its marks ("Hiên" for "Hiền", "Tuân" for "Tuấn") or read stray
  letters into it ("Trần À Hoàng Tuân Ấ"); read as one line, with that ink already off the image, it reads
  cleanly. The second reading is kept only when it has the same letters as the page's, ignoring marks and
  stray one-letter words: it chooses between readings, never adds a name no reading supports.
* :func:`find_surname` — a name read without a surname ("Bá Thắng", "XŠ Hồng Hương"): the surname, the
  first word, is the one the seal's rim or the signature's tail runs into; the line read again from a crop
  reaching further left gives it back when that reading is a known surname followed by the page's name.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import replace

import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.headings import is_title_line, snap_title
from vn_dispatch_parser.core.lexicon import correct_text
from vn_dispatch_parser.core.lines import is_name
from vn_dispatch_parser.core.names import is_surname, surname_by_letters, surname_missing_first
from vn_dispatch_parser.core.normalize import fold, normalize_line
from vn_dispatch_parser.core.orthography import is_vietnamese_syllable
from vn_dispatch_parser.core.types import BBox, CropReader, Layout, Line, Zone
from vn_dispatch_parser.fields.lists import NOI_NHAN
from vn_dispatch_parser.fields.signer import parse_signature, signature_quality

__all__ = ["find_block", "find_name", "find_surname", "reconcile_signature", "reread_block", "reread_name", "rescue_title",
           "same_name"]

#: A block this complete (two known title segments and a sure name, or more) is not read again.
GOOD_ENOUGH = 3
SAME_PLACE = 0.3
"""A crop's line is where a page line was when their boxes overlap this much (``BBox.overlap``)."""


def reconcile_signature(lines: list[Line], crops: CropReader) -> list[Line]:
    """The page's lines with its signature block read as completely as crops allow (see the module doc)."""
    lines = find_block(lines, crops)
    lines = rescue_title(lines, crops)
    lines = reread_block(lines, crops)
    lines = find_name(lines, crops)
    lines = reread_name(lines, crops)
    return find_surname(lines, crops)


def _from_crop(line: Line, text: str) -> Line:
    """A line a crop of the block read, as the block's: its ``text`` cleaned, less sure than the page's reading."""
    return replace(line, text=text, conf=(line.conf or 0.0) * CONF.sig_crop_read, zone=Zone.SIGNATURE)


BLOCK_BELOW = 14
"""How far below the Nơi nhận label, in its line heights, a lost signature block is looked for: two or three
title lines, the space for signing (four to six lines) and the name."""


def find_block(lines: list[Line], crops: CropReader) -> list[Line]:
    """Read the signature block from a crop when the page OCR read a Nơi nhận list but no line of the block
    beside it (a seal and a signature over the block make full-page layout analysis take it for a picture).
    The block's first title is level with the "Nơi nhận:" label (nd30.md, 9b level with 7a) and the block
    lies right of the list; lines read there are kept when they parse as a block (a known title or a name)."""
    if any(ln.zone is Zone.SIGNATURE and ln.text.strip() for ln in lines):
        return lines
    label = next((ln for ln in lines if ln.zone is Zone.RECIPIENTS and ln.bbox is not None
                  and NOI_NHAN.match(ln.text)), None)
    if label is None or label.bbox is None:
        return lines
    listed = [ln.bbox for ln in lines if ln.zone is Zone.RECIPIENTS and ln.bbox is not None]
    h = max(10, label.bbox.height)
    x0 = min(crops.width - 1, max(b.x1 for b in listed) + h)
    y0, y1 = max(0, label.bbox.y0 - h), min(crops.height, label.bbox.y1 + BLOCK_BELOW * h)
    read = crops.read(x0, y0, crops.width, y1)
    if not read:
        return lines
    found = [_from_crop(ln, normalize_line(ln.text)) for ln in read if ln.text.strip()]
    if signature_quality(parse_signature(found)) == 0:
        return lines
    k = max(i for i, ln in enumerate(lines) if ln.zone is Zone.RECIPIENTS) + 1
    return lines[:k] + found + lines[k:]


def rescue_title(lines: list[Line], crops: CropReader) -> list[Line]:
    """Re-read the signature block's title from a crop when the page OCR lost it under the seal.

    Full-page segmentation often drops the title lines that a seal (black on bitonal scans) covers; on a
    crop of the block, with a single-block mode, Tesseract reads them.
    """
    sig = [ln for ln in lines if ln.zone is Zone.SIGNATURE and ln.bbox is not None]
    names = [ln for ln in sig if is_name(ln.text)]
    if not names or any(is_title_line(ln.text) for ln in sig):
        return lines
    name = names[-1]
    assert name.bbox is not None
    h = max(20, name.bbox.height)
    x0 = max(0, int(min(name.bbox.x0, name.bbox.cx - 7 * h)))
    x1 = min(crops.width, int(max(name.bbox.x1, name.bbox.cx + 7 * h)))
    y0 = max(0, name.bbox.y0 - 9 * h)
    read = crops.read(x0, y0, x1, name.bbox.y0)
    if read is None:
        return lines
    found = []
    for ln in read:
        text = normalize_line(ln.text)
        if not is_title_line(text):  # a title the seal garbled ("CHỦYỊCH"), snapped to the known one
            snapped = snap_title(text)
            if snapped is None:
                continue
            text, ln = snapped, replace(ln, conf=(ln.conf or 0.0) * CONF.sig_title_snapped)
        found.append(replace(_from_crop(ln, text), words=()))
    if not found:
        return lines
    k = lines.index(name)
    # the ink that hid the title (seal, signature) runs over the name too: it is read less surely
    suspect = replace(name, conf=(name.conf or 0.0) * CONF.sig_name_under_ink)
    return lines[:k] + found + [suspect] + lines[k + 1 :]


def _extent(block: list[Line]) -> tuple[BBox, int]:
    """The box around a block's lines (all with a box) and their median line height (at least 20 px)."""
    boxes = [ln.bbox for ln in block if ln.bbox is not None]
    box = boxes[0]
    for b in boxes[1:]:
        box = box.union(b)
    return box, max(20, int(statistics.median(b.height for b in boxes)))


def reread_block(lines: list[Line], crops: CropReader) -> list[Line]:
    """Read the whole signature block again from a crop when the page OCR garbled it (seal over the
    title and the name), and keep whichever reading gives more known titles and a name."""
    sig = [ln for ln in lines if ln.zone is Zone.SIGNATURE and ln.bbox is not None and ln.text.strip()]
    if not sig:
        return lines
    before = signature_quality(parse_signature(sig))
    if before >= GOOD_ENOUGH:
        return lines
    box, h = _extent(sig)
    x0, x1 = max(0, box.x0 - 2 * h), min(crops.width, box.x1 + 2 * h)
    y0, y1 = max(0, box.y0 - h), min(crops.height, box.y1 + 2 * h)
    read = crops.read(x0, y0, x1, y1)
    if read is None:
        return lines
    again = [replace(ln, text=correct_text(normalize_line(ln.text))[0], conf=(ln.conf or 0.0) * CONF.sig_block_reread,
                     zone=Zone.SIGNATURE)
             for ln in read]
    # the crop may read the name better but lose a title the page had: keep the page's titles then
    kept = [ln for ln in sig if is_title_line(ln.text)] + [ln for ln in again if not is_title_line(ln.text)]
    after, again = max(((signature_quality(parse_signature(c)), c) for c in (again, kept)), key=lambda t: t[0])
    if after <= before:
        return lines
    first = lines.index(sig[0])
    rest = [ln for ln in lines if ln not in sig]
    k = sum(1 for ln in lines[:first] if ln not in sig)
    return rest[:k] + again + rest[k:]


def find_name(lines: list[Line], crops: CropReader) -> list[Line]:
    """Look for the signer's name under the titles when the page OCR read titles but no name: a seal's rim
    or the signature over the printed name makes full-page segmentation drop its line. The name lies
    below the titles, past the space left for signing, centred under them; lines read there are added
    when they make the parsed block more complete."""
    sig = [ln for ln in lines if ln.zone is Zone.SIGNATURE and ln.bbox is not None and ln.text.strip()]
    titles = [ln for ln in sig if is_title_line(ln.text)]
    if not titles or any(is_name(ln.text) for ln in sig):
        return lines
    box, h = _extent(titles)
    x0 = max(0, int(box.cx - 6 * h))
    x1 = min(crops.width, int(box.cx + 6 * h))
    y0, y1 = box.y1, min(crops.height, box.y1 + 9 * h)
    read = crops.read(x0, y0, x1, y1)
    if read is None:
        return lines
    # a crop line where the page read a title is that title again; where the page read scraps (the seal's or
    # the signature's ink over the name) it is new
    seen = [ln.bbox for ln in titles if ln.bbox is not None]
    found = [_from_crop(ln, normalize_line(ln.text))
             for ln in read
             if ln.bbox is not None and regex.search(r"\p{L}{2}", ln.text)
             and not any(ln.bbox.overlap(b) > SAME_PLACE for b in seen)]
    if not found:
        return lines
    last = max(lines.index(ln) for ln in sig) + 1
    before = signature_quality(parse_signature(sig))
    for read_again in (lambda: found, lambda: _name_row(found, crops, x0, x1)):
        extra = read_again()
        # the page's scraps where the crop read the name are that name's ink misread: the crop's reading
        # takes their place
        boxes = [e.bbox for e in extra if e.bbox is not None]
        scraps = [ln for ln in sig if ln not in titles and ln.bbox is not None
                  and any(ln.bbox.overlap(b) > SAME_PLACE for b in boxes)]
        more = [ln for ln in lines[:last] if ln not in scraps] + extra + lines[last:]
        if signature_quality(parse_signature([ln for ln in more if ln.zone is Zone.SIGNATURE])) > before:
            return more
    return lines


def _name_row(found: list[Line], crops: CropReader, x0: int, x1: int) -> list[Line]:
    """The lowest row of a block reading that holds a capitalised word, read again across the block's width as
    one line: a block reading splits a name the signature runs into ("Thị", "Thư", its surname lost)."""
    rows = [ln for ln in found if ln.bbox is not None and _name_words(ln.text)]
    if not rows:
        return []
    low = max(rows, key=lambda ln: ln.bbox.cy if ln.bbox is not None else 0)
    assert low.bbox is not None
    h = max(10, low.bbox.height)
    read = crops.read(x0, max(0, low.bbox.y0 - h // 2), x1, min(crops.height, low.bbox.y1 + h // 2),
                      layout=Layout.LINE)
    names = [_from_crop(ln, " ".join(_read_words(ln.text))) for ln in read or []]  # without a quote's scrap ('“Mai')
    return [ln for ln in names if is_name(ln.text)]


def _read_words(text: str) -> list[str]:
    """The words of a reading, letters only, any case ("__—hạm Bá Thắng": a capital lost under ink)."""
    words = [regex.sub(r"^[^\p{L}]+|[^\p{L}]+$", "", w) for w in normalize_line(text).split()]
    return [w for w in words if w]


def _name_words(text: str) -> list[str]:
    """The words of a name reading that can be part of a name (letters only, capitalised)."""
    return [w for w in _read_words(text) if w[0].isupper()]


def same_name(page: str, again: str) -> list[str] | None:
    """The second reading's words when they spell the page reading's name, ignoring marks and the page
    reading's stray one-letter words; else None.

    >>> same_name("Trần Phước Hiên", "Trần Phước Hiền"), same_name("Trần À Hoàng Tuân Ấ", "Trần Hoàng Tuấn")
    (['Trần', 'Phước', 'Hiền'], ['Trần', 'Hoàng', 'Tuấn'])
    >>> same_name("Trần Phước Hiền", "Trần Phước Hiền"), same_name("Lê Văn An", "Lê Văn Anh")
    (None, None)
    """
    first, second = _name_words(page), _name_words(again)
    if len(first) != len(normalize_line(page).split()):  # a rank or title in the line ("Trung tá"): left as read
        return None
    if len(second) < 2 or first == second or not all(is_vietnamese_syllable(w, name=True) for w in second):
        return None
    kept = [w for w in first if len(w) > 1 or any(fold(w) == fold(x) for x in second)]
    if [fold(w) for w in kept] != [fold(w) for w in second]:
        return None
    return second


def _name_line(lines: list[Line]) -> Line | None:
    """The signature block's (last) name line, with its box; when no line reads as a name, the line the
    signature parser took the name from (a name after scraps of the seal's rim: '" XŠ Hồng Hương')."""
    sig = [ln for ln in lines if ln.zone is Zone.SIGNATURE and ln.bbox is not None]
    named = [ln for ln in sig if is_name(ln.text)]
    if named:
        return named[-1]
    hit = parse_signature(sig)
    box = hit.parts.get("name", (None, None))[1] if hit is not None else None
    return next((ln for ln in reversed(sig) if box is not None and ln.bbox == box), None)


def _reread(lines: list[Line], name: Line, crops: CropReader, left: int,
            choose: Callable[[str, str], list[str] | None]) -> list[Line]:
    """Read the name line ``name`` again alone (one-line mode), from a crop reaching ``left`` line heights left
    of it and one right; its text becomes the words ``choose(page reading, second reading)`` keeps, if any."""
    assert name.bbox is not None
    h = max(10, name.bbox.height)
    x0, x1 = max(0, name.bbox.x0 - left * h), min(crops.width, name.bbox.x1 + h)
    y0, y1 = max(0, name.bbox.y0 - h // 3), min(crops.height, name.bbox.y1 + h // 3)
    read = crops.read(x0, y0, x1, y1, layout=Layout.LINE)
    words = choose(name.text, " ".join(ln.text for ln in read)) if read else None
    if words is None:
        return lines
    again = replace(name, text=" ".join(words), conf=(name.conf or 0.0) * CONF.sig_name_line_reread, words=())
    return [again if ln is name else ln for ln in lines]


def reread_name(lines: list[Line], crops: CropReader) -> list[Line]:
    """Read the signer's name line again alone (see the module doc); keep that reading when it spells the
    same name."""
    name = _name_line(lines)
    return lines if name is None else _reread(lines, name, crops, 1, same_name)


SURNAME_ROOM = 4
"""How far left of the page's name line, in line heights, its crop reaches when the surname is sought: the
longest surname ("Nguyễn", "Trương") is about three line heights wide in bold print."""


def with_surname(page: str, again: str) -> list[str] | None:
    """The second reading's words when they are a known surname followed by the page reading's name words
    (ignoring marks, and the page's words that are no syllable: the scrap the surname was read as); else None.
    The surname may be read without its first letter or without its marks when one common surname fits.

    >>> with_surname("Bá Thắng", "Phạm Bá Thắng"), with_surname('" XŠ Hồng Hương', "HNIN Tạ Hồng Hương")
    (['Phạm', 'Bá', 'Thắng'], ['Tạ', 'Hồng', 'Hương'])
    >>> with_surname("Bá Thắng", "__—hạm Bá Thắng")  # the P lost under the seal's rim
    ['Phạm', 'Bá', 'Thắng']
    >>> with_surname("Quốc Cường", "ta Quốc Cường")  # the surname's letters, its dot below lost
    ['Ta', 'Quốc', 'Cường']
    >>> with_surname("Bá Thắng", "Ba Thắng"), with_surname("Bá Thắng", "Lê Bá Thành"), with_surname("Bá Thắng", "và Bá Thắng")
    (None, None, None)
    """
    first = [w for w in _name_words(page) if is_vietnamese_syllable(w, name=True)]
    second = _read_words(again)
    if not first or is_surname(first[0]) or len(second) <= len(first):
        return None
    tail = second[-len(first):]
    read = second[-len(first) - 1]
    if [fold(w) for w in tail] != [fold(w) for w in first]:
        return None
    head = read if is_surname(read) else surname_missing_first(read)
    if head is None and surname_by_letters(read) is not None:
        head = read[0].upper() + read[1:]  # its marks are the name tables' to restore, and a person's to check
    return None if head is None else [head, *first]


def find_surname(lines: list[Line], crops: CropReader) -> list[Line]:
    """Read the signer's name line again from a crop reaching :data:`SURNAME_ROOM` line heights further
    left when its first word is no surname (see the module doc); keep a reading that is a surname and then
    the page's name."""
    name = _name_line(lines)
    if name is None:
        return lines
    words = [w for w in _name_words(name.text) if is_vietnamese_syllable(w, name=True)]
    if not words or is_surname(words[0]):
        return lines
    for left in (1, SURNAME_ROOM):  # the near crop first (the one reread_name read): the wide one takes in more
        again = _reread(lines, name, crops, left, with_surname)  # of the seal's rim, which can hide the surname
        if again is not lines:
            return again
    return lines
