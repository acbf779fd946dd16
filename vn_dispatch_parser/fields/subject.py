"""Trích yếu (nd30.md §2.4, §6.10): "V/v …" for a công văn; the lines under the heading otherwise.

    >>> vv_subject([Line("V/v chấn chỉnh thực thi công vụ,"), Line("phòng, chống tham nhũng.")], 0).value
    'chấn chỉnh thực thi công vụ, phòng, chống tham nhũng'
"""

from __future__ import annotations

import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.lines import (
    DATE_ONLY_RE,
    SO_RE,
    is_caps,
    is_quoc_hieu,
    is_rule,
    is_tieu_ngu,
    line_conf,
    lines_box,
)
from vn_dispatch_parser.core.types import Hit, Line
from vn_dispatch_parser.core.vocab import KINH_GUI
from vn_dispatch_parser.fields.marks import find_mark

__all__ = ["VV_RE", "VV_UNDER_NUMBER", "typed_subject", "vv_subject"]

VV_RE = regex.compile(r"^\s*[^\p{L}\d\s]{0,2}\s*[Vv]\s*(?:[/l|1\\]\s*(?:[vVy]\b\s*[.:]?|(?=\s+\p{Ll}))|[#íìi]\s*[vVy]\b\s*[.:]?"
                   r"|4(?=\s+\p{Ll}))\s*(?P<ty>.*)$", regex.V1)  # "V4": the "/v" of a small blurred print run together
VV_UNDER_NUMBER = regex.compile(r"^\s*[^\p{L}\d\s]{0,2}\s*V(?![eêéèẻẽẹềếểễệ]\s)\S{0,3}\s+(?P<ty>\p{Ll}.*)$", regex.V1)
"""The "V/v" garbled past :data:`VV_RE` ("V/Y", "VA", "V2%") on the line right under the Số line, where a
công văn's trích yếu stands (NĐ 30): there, a "V" and at most three marks before a lower-case word is it
(not "Về việc …", which the subject readers take whole)."""
_STOP = regex.compile(
    r"^\s*(Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Trên cơ sở|Kính gửi|Nơi nhận|Điều\s+\d|"
    r"Phần\s+[IVX\d]|Chương\s+[IVX\d]|[IVX]+\s*[.-]\s|\d+\s*[.)]\s+\p{Lu}|QUYẾT ĐỊNH\s*:|QUYẾT NGHỊ\s*:)",
    regex.V1,
)


def _clean(parts: list[str]) -> str:
    s = " ".join(p.strip() for p in parts if p.strip())
    s = regex.sub(r"\s+", " ", s).strip()
    s = regex.sub(r"(?<=\p{Ll}{2})\.\s+(?=\p{Ll})", " ", s, flags=regex.V1)  # a speck: no sentence starts in lower case
    s = regex.sub(r"[\s.;,]+$", "", s)
    s = regex.sub(r"^[\s\-–:_.,*'\"`~|]+", "", s)
    s = regex.sub(r"^[VvỰựỀề]\S{0,2}\s+việc\b", "Về việc", s)  # "và việc", "Vẻ việc": OCR of "Về việc"
    return s


_BODY_OPENER = regex.compile(
    r"^\s*(Trong thời gian|Nhằm\s|Ngày\s+\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}\s*,)", regex.V1)
"""Openings of a body's first sentence ("Ngày 20/8/2025, …", "Trong thời gian qua, …"): a trích yếu is a
noun phrase and never holds one."""
_MARKS_ONLY = regex.compile(r"^\s*((HỎA|HOẢ|THƯỢNG)?\s*(TỐC|KHẨN|MẬT)|TỐI|HẸN GIỜ|\s)+\s*$", regex.V1)
_SENTENCE_LINE = 80
"""A line this long ending with "." is a body paragraph printed on one line, not part of a trích yếu (which
ends without a full stop, nd30.md §2.4)."""


def _ends_title(text: str) -> bool:
    """True for a line that starts the body after a title: a lead-in ending with ":", a one-line paragraph,
    a body opener, or a line of urgency/secrecy marks (as :func:`find_mark` reads them: "KUAN" is KHẨN).
    Needed where no blank line ends the title (text printed one paragraph per line)."""
    t = text.strip()
    return bool(t.endswith(":") or (t.endswith(".") and len(t) >= _SENTENCE_LINE) or _BODY_OPENER.match(t)
                or _MARKS_ONLY.match(t) or find_mark([Line(t)], "urgency") or find_mark([Line(t)], "confidentiality"))


def _no_text(text: str) -> bool:
    """A line without a letter or a digit ("-", "~ ."): a rule's or a speck's reading, like a blank line."""
    return not regex.search(r"[\p{L}\d]", text, regex.V1)


def _is_stop(text: str) -> bool:
    return bool(
        _STOP.match(text) or is_quoc_hieu(text) or is_tieu_ngu(text) or is_rule(text)
        or DATE_ONLY_RE.search(text) or KINH_GUI.match(text) or _number_line(text)
    )


def _number_line(text: str) -> bool:
    """A header's "Số: N/KH" line: it holds the number and ký hiệu only (nd30.md §2.2), so a "Số 126/KH-UBND
    của UBND tỉnh" followed by words in lower case is a cited document wrapped into the trích yếu."""
    m = SO_RE.match(text)
    return bool(m) and not regex.match(r"\s+\p{Ll}", text[m.end():], regex.V1)


def vv_subject(lines: list[Line], idx: int) -> Hit | None:
    """The công văn trích yếu from the "V/v" line at ``idx`` and its continuation lines (``idx`` from
    :func:`~vn_dispatch_parser.document.view.vv_line`: a garbled "V/v" only right under the Số line)."""
    m = VV_RE.match(lines[idx].text) or VV_UNDER_NUMBER.match(lines[idx].text)
    if not m:
        return None
    parts = [m.group("ty")]
    used = [lines[idx]]
    for line in lines[idx + 1 : idx + 8]:
        t = line.text.strip()
        if t and _no_text(t):
            continue
        if not t or _is_stop(t) or _ends_title(t) or (is_caps(t) and len(t.split()) >= 2):
            break
        if parts[-1].rstrip().endswith(".") and not regex.match(r"^\p{Ll}", t, regex.V1):
            break
        parts.append(t)
        used.append(line)
    value = _clean(parts)
    if not value:
        return None
    page, box = lines_box(used)  # the V/v line and its continuations
    return Hit(value=value, raw="\n".join([lines[idx].text, *parts[1:]]), rule="vv_line",
               conf=CONF.subject * line_conf(used), page=page, bbox=box)


def _centred_like(line: Line | None, ref: Line | None) -> bool:
    """True when a line sits under ``ref`` like a centred title continues (always true without boxes)."""
    if line is None or ref is None or line.bbox is None or ref.bbox is None:
        return True
    return abs(line.bbox.cx - ref.bbox.cx) < 0.15 * ref.bbox.width and line.bbox.width < 1.25 * ref.bbox.width


def typed_subject(lines: list[Line], idx: int, rest: str = "") -> Hit | None:
    """The trích yếu under a type heading at ``idx`` (``rest``: title text merged into the heading)."""
    parts = [rest] if rest else []
    last: Line | None = lines[idx]
    used: list[Line] = [lines[idx]]
    read = [lines[idx]] if rest else []  # the lines the title was read from
    for k in range(idx + 1, min(len(lines), idx + 10)):
        t = lines[k].text.strip()
        if _no_text(t):
            if parts:
                # a blank line ends the title unless the next line clearly continues it
                nxt_line = next((ln for ln in lines[k + 1 :] if not _no_text(ln.text)), None)
                nxt = nxt_line.text if nxt_line else ""
                if not regex.match(r"^\p{Ll}", nxt, regex.V1) or not _centred_like(nxt_line, last):
                    break
            continue
        first = not parts and not rest
        if first and len(t) < 160 and regex.match(r"^(Thực hiện|Theo|Triển khai|Để)\b", t):
            parts.append(t)  # a trích yếu may itself start like a body sentence
            read.append(lines[k])
            continue
        if _is_stop(t) or (parts and is_caps(t) and len(t.split()) >= 3) or (parts and _ends_title(t)):
            break
        if is_caps(t) and not parts and len(t.split()) >= 3 and not rest:
            # a caps line right under the heading: the thẩm quyền line of a QĐ, no trích yếu
            break
        parts.append(t)
        last = lines[k]
        used.append(lines[k])
        read.append(lines[k])
        if len(" ".join(parts)) > 600:
            break
    value = _clean(parts)
    if not value:
        return None
    page, box = lines_box(read or [lines[idx]])
    return Hit(value=value, raw="\n".join(parts), rule="typed_title", conf=CONF.subject * line_conf(used),
               page=page, bbox=box)
