"""Where things are in a document's lines: the header's end, the issuer's lines, the type heading and V/v
line, the Nơi nhận label and the window that holds the signature block."""

from __future__ import annotations

from dataclasses import replace

import regex

from vn_dispatch_parser.core.headings import is_caps_title
from vn_dispatch_parser.core.lines import is_caps, is_quoc_hieu, is_rule, is_tieu_ngu
from vn_dispatch_parser.core.normalize import fold
from vn_dispatch_parser.core.types import Line, Zone
from vn_dispatch_parser.core.vocab import SO
from vn_dispatch_parser.fields.doc_type import match_heading
from vn_dispatch_parser.fields.issuer import starts_unit
from vn_dispatch_parser.fields.lists import KINH_GUI, NOI_NHAN, find_label
from vn_dispatch_parser.fields.marks import find_mark
from vn_dispatch_parser.fields.number import find_number
from vn_dispatch_parser.fields.place_date import find_place_date
from vn_dispatch_parser.fields.signer import is_signer_title
from vn_dispatch_parser.fields.subject import VV_RE, VV_UNDER_NUMBER

__all__ = ["HEADER_MAX", "header_end", "heading_line", "issuer_lines", "recipients_label", "signature_window",
           "vv_line"]

HEADER_MAX = 45
_BODY_START = regex.compile(r"^\s*(Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Trên cơ sở|Trong thời gian|Để\s)")
_APPENDIX = regex.compile(r"^\s*(PHỤ LỤC|Phụ lục)\b")


def header_end(lines: list[Line]) -> int:
    """Index of the first line after the header (heading, Kính gửi, or a body sentence); 0 when the lines
    have no header at all (a continuation page, the second sheet of a letter photographed apart)."""
    top = lines[:HEADER_MAX]
    if not any(is_quoc_hieu(ln.text) or is_tieu_ngu(ln.text) or find_number([ln]) or find_place_date([ln])
               or match_heading(ln.text) for ln in top):
        return 0
    seen = 0  # lines of the page's own print so far: a ĐẾN stamp's lines, read first, can hold any words
    for i, line in enumerate(top):
        t = line.text
        if line.zone is Zone.INCOMING_STAMP:
            continue
        if seen > 2 and (match_heading(t) or KINH_GUI.match(t) or _BODY_START.match(t)):
            return i
        if seen > 4 and len(t) > 90 and not VV_RE.match(t) and not is_caps(t):
            return i
        seen += 1
    return min(len(lines), HEADER_MAX)


def issuer_lines(header: list[Line], stop: int, skip: set[int]) -> list[Line]:
    """The header lines before ``stop`` that can hold the issuer: caps lines of the left column that are no
    national motto, date, mark, heading or signer's title (``skip``: lines of a ĐẾN stamp)."""
    zoned = any(ln.zone is Zone.HEADER_LEFT for ln in header)
    out = []
    for i, line in enumerate(header[:stop]):
        t = line.text.strip()
        if i in skip or not t or is_quoc_hieu(t) or is_tieu_ngu(t) or is_rule(t):
            continue
        if zoned and line.zone is not Zone.HEADER_LEFT:
            continue
        if not is_caps(t, 2) or regex.search(r"ngày|tháng|/", t, regex.I):
            continue
        if regex.search(r"\d{3,}", t) and not starts_unit(t):  # bodies named by a number stay ("BAN CHỈ ĐẠO
            continue  # 138", "BỆNH VIỆN 175"); other lines with numbers are the Số line or a stamp's
        if find_mark([line], "urgency") or find_mark([line], "confidentiality") or is_signer_title(t):
            continue
        if match_heading(t) or regex.match(r"^(DỰ THẢO|LƯU HÀNH|XEM XONG|SAO\s*Y|SAO\s*LỤC|BẢN SAO|" + SO + r"\s*[:.])", t):
            continue
        out.append(line)
    return out


_BEFORE_MOTTO = regex.compile(r"^(?P<head>.+?)[\s_~.,;:|-]+(?=C[ỘOÔ]NG\s*H(?:[ÒOÓ]A|OÀ)\s+X[ÃA]\s*H[ỘOÔ]I)", regex.V1)


def motto_head(header: list[Line]) -> str | None:
    """The first line of the left header column when the OCR read it joined to the Quốc hiệu beside it
    ("ỦY BAN NHÂN DÂN _CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"): the caps text before the motto, when it starts a
    body's name."""
    for line in header:
        m = _BEFORE_MOTTO.match(line.text.strip())
        if m and is_caps(m["head"], 2) and starts_unit(m["head"]):
            return m["head"].strip()
    return None


def heading_line(lines: list[Line], skip: set[int]) -> tuple[int, tuple[str, str]] | None:
    """The first type heading near the top ("QUYẾT ĐỊNH", "TỜ TRÌNH về …"): its index and its match."""
    for i, line in enumerate(lines[: HEADER_MAX + 10]):
        h = match_heading(line.text)
        if h and i not in skip and not is_quoc_hieu(line.text):
            return i, h
    return None


def vv_line(lines: list[Line]) -> int | None:
    """Index of a letter's "V/v …" line near the top; a "V/v" garbled past recognition (:data:`VV_UNDER_NUMBER`)
    only on the first line with text under the Số line."""
    found = next((i for i, ln in enumerate(lines[:HEADER_MAX]) if VV_RE.match(ln.text)), None)
    if found is not None:
        return found
    number = next((i for i, ln in enumerate(lines[:HEADER_MAX]) if find_number([ln])), None)
    under = next((i for i in range(number + 1, min(len(lines), number + 3)) if lines[i].text.strip()), None) \
        if number is not None else None
    return under if under is not None and VV_UNDER_NUMBER.match(lines[under].text) else None


_LABEL_INSIDE = regex.compile(r"N[ơoóờởớ][ií]\s*nh[ậaâ]n\s*:", regex.IGNORECASE)
LABEL_SCRAPS = 25
"""At most this many characters of scraps before a Nơi nhận label on its line: the label opens its column at
the left margin (NĐ 30), so what OCR put before it is ink of a note or a seal beside it, never an item."""


def _label_behind_scraps(lines: list[Line], start: int) -> int | None:
    """A recipients-zone line holding "Nơi nhận:" behind a few characters of scraps ("®3/.Sw AƯU Nơi nhận:"),
    cut to the label in ``lines``; its index."""
    for i in range(start, len(lines)):
        m = _LABEL_INSIDE.search(lines[i].text) if lines[i].zone is Zone.RECIPIENTS else None
        if m is not None and 0 < m.start() <= LABEL_SCRAPS:
            lines[i] = replace(lines[i], text=lines[i].text[m.start():])
            return i
    return None


_GARBLED_LABEL = regex.compile(r"^\s*[^\s\d]{1,4}\s*nh[ậaâ]n\s*[:;]\s*(?P<rest>.*)$", regex.IGNORECASE)
"""A Nơi nhận label whose first word OCR garbled ("Ai nhận:", "với nhận:"): the label is set in bold italics
(NĐ 30), which the OCR reads worse than the upright items under it; "nhận:" survives."""
LABEL_LOOKBACK = 3
"""Lines above the recipients zone looked at for a garbled label: the layout may put the label and the first
item, read apart from the rest of the list, into the body."""


def _garbled_label(lines: list[Line], start: int, first: int) -> int | None:
    """A garbled Nơi nhận label (:data:`_GARBLED_LABEL`) on one of the few lines just above the recipients
    zone's first line ``first``, short and with nothing but an item after it; rewritten to the label in
    ``lines``; its index."""
    for i in range(first - 1, max(start, first - LABEL_LOOKBACK) - 1, -1):
        m = _GARBLED_LABEL.match(lines[i].text)
        rest = m.group("rest").strip() if m else ""
        if m is None or (rest and not regex.match(r"^[-–+•~]", rest)):
            continue
        lines[i] = replace(lines[i], text=f"Nơi nhận: {rest}".strip(), zone=Zone.RECIPIENTS)
        return i
    return None


_FIRST_ITEM = regex.compile(r"(?<!\S)nhu\s*[-–~]?\s*(?:(?P<tren>tren)|(?P<dieu>dieu)\s*(?P<n>\d{1,2})?)(?!\S)")
"""The usual first item of a Nơi nhận list, letters without marks: "Như trên" (a công văn, a tờ trình) or "Như
Điều N" (a quyết định: those it names carry it out), nd30.md §2.7."""


_CAPITAL_NHU = regex.compile(r"(?<!\p{L})Nh\p{L}{1,2}\s*[-–~]?\s*(?:tr\p{L}n|[ĐDđd]i\p{L}u)", regex.V1)
"""That item as read, with its capital N (any marks)."""


def _first_item(lines: list[Line], start: int, first: int) -> str | None:
    """The list's first item read among scraps on one of the lines just above the recipients zone, where the lost
    label was ("kề ~ ác Như - Điêu" / "3;"), spelt as the standard writes it; None when there is none."""
    for i in range(first - 1, max(start, first - LABEL_LOOKBACK) - 1, -1):
        m = _FIRST_ITEM.search(fold(lines[i].text))
        if m is None or not _CAPITAL_NHU.search(lines[i].text):
            continue  # an item starts with a capital: "… như trên." ends a sentence of the body
        if m.group("tren"):
            return "- Như trên;"
        n = m.group("n") or (regex.match(r"^\s*(\d{1,2})\s*[;,.]?\s*$", lines[i + 1].text) or [None, None])[1]
        return f"- Như Điều {n};" if n else None
    return None


_BODY_END = regex.compile(r"\.\s*/\s*[.,]?\s*$")
"""The mark that ends a body's text, "./." (nd30.md §2.5), as OCR reads it ("./,", "./")."""
_ITEM = regex.compile(r"^\s*[-–+•~]\s*\p{L}", regex.V1)
ITEM_LINE = 80
"""At most this many characters on a Nơi nhận item's line: the list is a narrow column left of the signature."""


def _items_above(lines: list[Line], start: int, first: int) -> int:
    """The index the Nơi nhận list starts at when its label was lost: items the layout left in the body just
    above the recipients zone's first line ``first`` belong to the list when what precedes them is the body's
    closing "./." line (with at most a scrap of the garbled label between); else ``first``."""
    i, top = first - 1, first
    while i >= start and (not lines[i].text.strip() or (_ITEM.match(lines[i].text) and len(lines[i].text) <= ITEM_LINE)):
        top = i if lines[i].text.strip() else top
        i -= 1
    if top == first or i < start:
        return first
    if not _BODY_END.search(lines[i].text) and not (
            len(lines[i].text.strip()) <= LABEL_SCRAPS and i > start and _BODY_END.search(lines[i - 1].text)):
        return first
    for k in range(top, first):
        lines[k] = replace(lines[k], zone=Zone.RECIPIENTS)
    return top


def recipients_label(lines: list[Line], end: int) -> int | None:
    """Index of the Nơi nhận label after the header. A label OCR garbled just above the recipients zone is
    read as the label; when the label itself was lost under a stamp or a seal, a "Nơi nhận:" line is put back
    in ``lines`` before the first line of the recipients zone."""
    nn = find_label(lines, NOI_NHAN, start=min(end, len(lines)))
    if nn is None:
        nn = _label_behind_scraps(lines, min(end, len(lines)))
    if nn is None:
        first = next((i for i, ln in enumerate(lines) if i >= end and ln.zone is Zone.RECIPIENTS and ln.text.strip()),
                     None)
        if first is not None:
            nn = _garbled_label(lines, end, first)
        if first is not None and nn is None:  # the label itself was lost under a stamp or a seal
            first = _items_above(lines, end, first)
            item = _first_item(lines, end, first)
            if item is not None and not _FIRST_ITEM.search(fold(lines[first].text)):
                lines.insert(first, Line(item, page=lines[first].page, zone=Zone.RECIPIENTS))
            lines.insert(first, Line("Nơi nhận:", page=lines[first].page, zone=Zone.RECIPIENTS))
            nn = first
        if first is None:
            nn = _label_above_filing(lines, end)
    return nn


_FILING_ITEM = regex.compile(r"^\s*[-–+•~]\s*luu\s*[:;.,]?\s*(?:vt|van thu)")
"""The last item of every Nơi nhận list, letters without marks: "- Lưu: VT, …" (the file copy, nd30.md §3.8);
no other list of a document files a copy with the văn thư ("- Lưu ý:" is a note)."""
LABEL_SHORT = 20
"""At most this many characters on the line above a Nơi nhận list's first item for it to be the label, garbled
("Ngài HH:" for the bold italic "Nơi nhận:"), and not a sentence of the body."""


_DASH = regex.compile(r"^\s*[-–+•~]")


def _in_list(text: str) -> bool:
    """An item ("- …"), or a scrap of a seal or signature the OCR put between the items ("t )")."""
    return bool(_DASH.match(text)) or 0 < len(text.strip()) <= 4


def _label_above_filing(lines: list[Line], end: int) -> int | None:
    """The Nơi nhận label of a list the layout did not set apart (every line in the body) and whose label the OCR
    garbled past recognition: the dash items ending in the filing item (:data:`_FILING_ITEM`), and the short
    line ending in ":" just above the first of them, rewritten to the label in ``lines``; its index."""
    last = next((i for i in range(len(lines) - 1, end - 1, -1) if _FILING_ITEM.match(fold(lines[i].text))), None)
    if last is None:
        return None
    first = last
    while first - 1 >= end and _in_list(lines[first - 1].text):
        first -= 1
    label = first - 1
    if label < end or first == last:
        return None
    t = lines[label].text.strip()
    if not (t.endswith((":", ";")) and len(t) <= LABEL_SHORT) or _DASH.match(t):
        return None
    lines[label] = replace(lines[label], text="Nơi nhận:", zone=Zone.RECIPIENTS)
    return label


def signature_window(lines: list[Line], nn: int | None, end: int) -> list[Line]:
    """The lines that hold the signature block: from the end of the body ("./.") or the Nơi nhận label,
    without list items, the label and an appendix heading."""
    anchors = [i for i, ln in enumerate(lines) if i >= end and ln.text.rstrip().endswith("./.")]
    candidates = [a for a in ([anchors[0]] if anchors else []) + ([nn] if nn is not None else []) if a is not None]
    start = min(candidates) if candidates else max(end, len(lines) - 30)
    return [ln for ln in lines[start : start + 45]
            if (not regex.match(r"^\s*[-–+•]", ln.text) or is_caps_title(ln.text)) and not NOI_NHAN.match(ln.text)
            and not _APPENDIX.match(ln.text)]
