"""The "ĐẾN" stamp of the receiving office (nd30.md §4.1, §6.5).

    TRUNG TÂM Y TẾ TP. THUẬN AN
    ĐẾN  Số: 963
         Ngày: 19/6
    Chuyển: …
    Số và ký hiệu HS: …

The stamp's "Số:" is digits only (no "/"): that tells it from the header's Số.
"""

from __future__ import annotations

import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.lines import is_caps, is_quoc_hieu, is_tieu_ngu, lines_box
from vn_dispatch_parser.core.types import Hit, Line, Zone
from vn_dispatch_parser.core.vocab import NGAY, SO
from vn_dispatch_parser.fields.dates import SHORT_DATE_RE, short_date

__all__ = ["find_stamp", "stamp_line_indexes"]

_DEN = regex.compile(r"^(?:(?P<pre>.*?)\s+)?(?:CV\s*)?(?i:Đ[ẾEÊ]N)\b\s*[:.]?\s*(?P<rest>.*)$", regex.V1)
_NUM = regex.compile(SO + r"\s*[:.]?\s*(?P<n>\d{1,7})\b(?!\s*/)", regex.IGNORECASE)
_DATE = regex.compile(NGAY + r"\s*[:.]?\s*(?P<d>\d{1,2}\s*[/.-]\s*\d{1,2}(?:\s*[/.-]\s*\d{2,4})?)", regex.IGNORECASE)
_OTHER = regex.compile(r"^(Chuy[ểe]n\s*[:.]|S[ốo]\s*v[àa]\s*k[ýy]\s*hi[ệe]u\s*HS|L[ưu]u\s*h[ồo]\s*s[ơo])", regex.I)


def _is_den_line(text: str) -> regex.Match[str] | None:
    m = _DEN.match(text)
    if not m:
        return None
    rest = m.group("rest")
    # "ĐẾN" in capitals, or "Đến" directly followed by "Số: <digits>" (not the everyday word "đến")
    if not regex.search(r"Đ[ẾEÊ]N", text) and not regex.match(rf"^{SO}\s*[:.]?\s*\d", rest, regex.I):
        return None
    if rest and not regex.match(rf"^{SO}", rest, regex.I) and len(rest) > 3:
        return None
    pre = m.group("pre") or ""
    if pre and not is_caps(pre, 3):
        return None
    return m


def find_stamp(lines: list[Line], issue_year: int | None, limit: int = 60) -> tuple[Hit, list[int]] | None:
    """Find the ĐẾN stamp in the first ``limit`` lines; value = dict(receiver, number, date_text, date).

    Returns the hit and the indexes of the lines it used, so the header parsers can skip them.
    """
    for i, line in enumerate(lines[:limit]):
        m = _is_den_line(line.text)
        if not m:
            continue
        used = [i]
        receiver = None
        pre = (m.group("pre") or "").strip()
        if pre:
            receiver = pre
        else:
            for j in range(i - 1, max(-1, i - 3), -1):
                t = lines[j].text
                if not t:
                    continue
                if is_caps(t, 6) and not is_quoc_hieu(t) and not is_tieu_ngu(t) and not regex.search(r"\d{2,}", t):
                    receiver = t
                    used.append(j)
                break
        number = date_text = None
        for j in range(i, min(len(lines), i + 6)):
            t = lines[j].text if j > i else m.group("rest")
            if number is None:
                nm = _NUM.search(t)
                if nm and (j == i or regex.match(rf"^\s*{SO}", t, regex.I)):
                    number = nm.group("n")
                    used.append(j)
            if date_text is None:
                dm = _DATE.search(t)
                if dm:
                    date_text = regex.sub(r"\s+", "", dm.group("d"))
                    used.append(j)
                elif j > i and number is not None and regex.fullmatch(r"\s*" + SHORT_DATE_RE.pattern + r"\s*", t):
                    date_text = t.strip()
                    used.append(j)
            if j > i and _OTHER.match(lines[j].text):
                used.append(j)
        date = short_date(date_text, issue_year) if date_text else None
        value = {"receiver": receiver, "number": number, "date_text": date_text, "date": date}
        conf = CONF.stamp_full if number and date else CONF.stamp_partial
        page, box = lines_box([lines[k] for k in sorted(set(used))])
        hit = Hit(value=value, raw=" | ".join(lines[k].text for k in sorted(set(used))), rule="den_stamp",
                  conf=conf, page=page, bbox=box)
        return hit, sorted(set(used))
    return _stamp_block(lines[:limit], issue_year)


def _stamp_block(lines: list[Line], issue_year: int | None) -> tuple[Hit, list[int]] | None:
    """A stamp read from its own crop (zone INCOMING_STAMP) whose "ĐẾN" was not read, known by its labels."""
    runs: list[list[int]] = []
    for i, ln in enumerate(lines):
        if ln.zone is Zone.INCOMING_STAMP and ln.text.strip():
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    for run in runs:
        texts = [lines[i].text for i in run]
        if not any(_OTHER.match(t) for t in texts) or not any(regex.match(r"^\s*(Số|Ngày)\b", t) for t in texts):
            continue
        receiver = next((t for t in texts if is_caps(t, 6) and not _OTHER.match(t)), None)
        number = next((m.group("n") for t in texts if (m := _NUM.search(t)) and regex.match(rf"^\s*{SO}", t)), None)
        date_text = next((regex.sub(r"\s+", "", m.group("d")) for t in texts if (m := _DATE.search(t))), None)
        date = short_date(date_text, issue_year) if date_text else None
        value = {"receiver": receiver, "number": number, "date_text": date_text, "date": date}
        page, box = lines_box([lines[i] for i in run])
        hit = Hit(value=value, raw=" | ".join(texts), rule="stamp_block",
                  conf=CONF.stamp_block_full if number and date else CONF.stamp_block_partial, page=page, bbox=box)
        return hit, run
    return None


def stamp_line_indexes(lines: list[Line], start: int = 0, limit: int = 60) -> list[int]:
    """Indexes of the stamp's secondary lines ("Chuyển:", "Số và ký hiệu HS:") anywhere in the header."""
    return [i for i, ln in enumerate(lines[start:limit], start) if _OTHER.match(ln.text)]
