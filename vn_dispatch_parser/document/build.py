"""Build one ``Document`` from the lines of one document: run every field parser, record evidence,
confidence and review flags. Works on lines alone; boxes and OCR confidences only sharpen it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.esign import parse_stamp
from vn_dispatch_parser.core.lexicon import correct_name, correct_text, is_known_surname
from vn_dispatch_parser.core.lines import (
    is_caps,
    is_quoc_hieu,
    is_rule,
    is_tieu_ngu,
    line_conf,
    lines_box,
    modern_prefix,
    split_columns,
    split_name_title,
)
from vn_dispatch_parser.core.normalize import fold, initials
from vn_dispatch_parser.core.orthography import non_syllables, repair
from vn_dispatch_parser.core.tables import doc_types
from vn_dispatch_parser.core.types import HandHints, HandReading, Hit, Line, Zone
from vn_dispatch_parser.core.vocab import SO
from vn_dispatch_parser.document import checks
from vn_dispatch_parser.document.review import Reasons, decide
from vn_dispatch_parser.fields.dates import make_date, short_date
from vn_dispatch_parser.fields.doc_type import match_heading
from vn_dispatch_parser.fields.issuer import clean_issuer_line, issuer_units, parse_issuer, snap_body
from vn_dispatch_parser.fields.lists import KINH_GUI, NOI_NHAN, find_label, items_after_label
from vn_dispatch_parser.fields.marks import find_mark
from vn_dispatch_parser.fields.number import find_number, symbol_type_code
from vn_dispatch_parser.fields.place_date import find_place_date
from vn_dispatch_parser.fields.references import find_references
from vn_dispatch_parser.fields.signer import is_signer_title, parse_signature
from vn_dispatch_parser.fields.stamp import find_stamp, stamp_line_indexes
from vn_dispatch_parser.fields.subject import VV_RE, typed_subject, vv_subject
from vn_dispatch_parser.records import DigitalSignature, Document, FieldEvidence, IncomingStamp, Reference

__all__ = ["build_document"]

_HEADER_MAX = 45
_BODY_START = regex.compile(r"^\s*(Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Trên cơ sở|Trong thời gian|Để\s)")
_APPENDIX = regex.compile(r"^\s*(PHỤ LỤC|Phụ lục)\b")
FIRST_READING_DOUBT = CONF.first_reading_doubt  # see ConfRules
#: Fields that rule applies to. The issue date is left to its calibration: flagging its re-read days too
#: flagged 28 of 52 dates on ../shared/real and caught no error the calibrated confidence did not.
_REREAD_FLAGGED = ("number", "number_symbol")
PRINTED_HAND_WEIGHT = CONF.printed_hand_weight  # see ConfRules
STAMP_HAND_MIN = CONF.stamp_hand_min
#: A ĐẾN date later than this many days after the document's date is possible but unlikely.
STAMP_USUAL_DAYS = 60
STAMP_MISREAD = CONF.stamp_misread


@dataclass
class _Acc:
    """Accumulates field values with their evidence and confidence."""

    values: dict[str, Any] = field(default_factory=dict)
    conf: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, FieldEvidence] = field(default_factory=dict)
    review: Reasons = field(default_factory=Reasons)
    warnings: list[str] = field(default_factory=list)

    def put(self, name: str, value: Any, hit: Hit, conf: float | None = None) -> None:
        earlier = self.conf.get(name)
        if name in _REREAD_FLAGGED and earlier is not None and earlier < FIRST_READING_DOUBT:
            self.review.add(name, f"read again after a doubtful first reading (score {earlier:.2f})")
        self.values[name] = value
        c = round(hit.conf if conf is None else conf, 3)
        self.conf[name] = c
        self.evidence[name] = FieldEvidence(raw=hit.raw[:500], rule=hit.rule, page=hit.page,
                                            bbox=hit.bbox.as_list() if hit.bbox else None, score=c)


def _header_end(lines: list[Line]) -> int:
    """Index of the first line after the header (heading, Kính gửi, or a body sentence); 0 when the lines
    have no header at all (a continuation page, the second sheet of a letter photographed apart)."""
    top = lines[:_HEADER_MAX]
    if not any(is_quoc_hieu(ln.text) or is_tieu_ngu(ln.text) or find_number([ln]) or find_place_date([ln])
               or match_heading(ln.text) for ln in top):
        return 0
    for i, line in enumerate(top):
        t = line.text
        if i > 2 and (match_heading(t) or KINH_GUI.match(t) or _BODY_START.match(t)):
            return i
        if i > 4 and len(t) > 90 and not VV_RE.match(t) and not is_caps(t):
            return i
    return min(len(lines), _HEADER_MAX)


def _issuer_lines(header: list[Line], stop: int, skip: set[int]) -> list[Line]:
    zoned = any(ln.zone is Zone.HEADER_LEFT for ln in header)
    out = []
    for i, line in enumerate(header[:stop]):
        t = line.text.strip()
        if i in skip or not t or is_quoc_hieu(t) or is_tieu_ngu(t) or is_rule(t):
            continue
        if zoned and line.zone is not Zone.HEADER_LEFT:
            continue
        if not is_caps(t, 2) or regex.search(r"\d{3,}|ngày|tháng|/", t, regex.I):
            continue
        if find_mark([line], "urgency") or find_mark([line], "confidentiality") or is_signer_title(t):
            continue
        if match_heading(t) or regex.match(r"^(DỰ THẢO|LƯU HÀNH|XEM XONG|SAO\s*Y|SAO\s*LỤC|BẢN SAO|" + SO + r"\s*[:.])", t):
            continue
        out.append(line)
    return out


def _whole_stamp(hit: Hit, hints: HandHints) -> Hit:
    """The stamp's hit located on the whole framed stamp its lines were read in (its hand-written number
    and date are inside the frame, beside the labels the lines hold)."""
    frame, box = hints.stamp_box, hit.bbox
    if frame is None or hit.page not in (None, hints.page):
        return hit
    if box is not None and (box.x1 < frame.x0 or frame.x1 < box.x0 or box.y1 < frame.y0 or frame.y1 < box.y0):
        return hit  # lines read elsewhere on the page
    return replace(hit, page=hints.page, bbox=frame if box is None else box.union(frame))


def _locate_issuer(hit: Hit, lines: list[Line]) -> None:
    """Where the issuer was read: all its header lines; the issuer's unit and the parent's apart."""
    units = issuer_units([ln.text.strip() for ln in lines])
    hit.page, hit.bbox = lines_box([lines[i] for unit in units for i in unit] or lines)
    if units:
        hit.parts["issuer"] = lines_box([lines[i] for i in units[-1]])
    if len(units) >= 2:
        hit.parts["parent"] = lines_box([lines[i] for i in units[-2]])


def build_document(lines: list[Line], *, has_seal: bool | None = None, hints: HandHints | None = None,
                   signature_text: str = "") -> Document:
    """Parse the lines of one document into a ``Document``.

    Args:
        lines: The document's lines (plain text, or OCR lines with boxes and zones).
        has_seal: Whether a seal was seen on its pages (None: unknown, e.g. plain text).
        hints: Hand-written number and day read from the ink of its first page.
        signature_text: Digital-signature stamp text of a signed PDF.
    """
    lines = [modern_prefix(ln) for ln in split_columns(lines)]
    acc = _Acc()
    end = _header_end(lines)
    header = lines[:end]

    # ĐẾN stamp first: its lines must not feed the issuer or the number
    stamp_hit = None
    skip: set[int] = set()
    found_stamp = find_stamp(lines, None)
    if found_stamp:
        stamp_hit, used = found_stamp
        skip.update(used)
    skip.update(stamp_line_indexes(lines, 0, end))

    num = find_number([ln if i not in skip else Line("") for i, ln in enumerate(header)])
    number_idx = header.index(num[1]) if num else None
    if num:
        hit = num[0]
        number, symbol, sep = hit.value
        acc.put("number", number, hit, hit.conf if number else CONF.number_blank)
        acc.put("symbol", symbol, hit)
        acc.put("number_symbol", f"{number}{sep}{symbol}" if number else None, hit, hit.conf if number else CONF.number_blank)
        if hints is not None and hints.number is not None:
            _apply_number_hint(acc, hints.number, symbol, sep)
        if not acc.values.get("number"):
            acc.warnings.append("blank number (draft, or written by hand and not read)")

    pd = find_place_date(header) or find_place_date(lines[end : end + 6])
    issue_year = None
    if pd:
        hit = pd[0]
        place, date, parts = hit.value
        acc.put("place", place, hit, min(1.0, hit.conf / CONF.date_missing if date is None else hit.conf))
        acc.put("issued_date", date, hit, hit.conf if date else CONF.issued_date_unread)
        issue_year = int(parts[2])
        if hints is not None and (hints.day is not None or hints.month is not None):
            _apply_day_hint(acc, hints.day, parts, hints.month)
        if acc.values.get("issued_date") is None:
            acc.warnings.append("blank or unreadable day/month in the date line (draft?)")

    if stamp_hit is None and hints is not None and hints.stamp_box is not None:
        # a ĐẾN stamp is on the page whose labels the OCR did not read: its values come from its own reader
        empty = {"receiver": None, "number": None, "date_text": None, "date": None}
        stamp_hit = Hit(empty, "framed stamp found", "stamp_box", CONF.stamp_box_only, hints.page, hints.stamp_box)
    if stamp_hit is not None:
        value = dict(stamp_hit.value)
        conf = stamp_hit.conf
        if hints is not None:
            conf = _apply_stamp_hints(value, hints, acc.values.get("issued_date"), issue_year, conf)
            stamp_hit = _whole_stamp(stamp_hit, hints)
        if value["date"] is None and value["date_text"]:
            value["date"] = short_date(value["date_text"], issue_year)
        acc.put("incoming_stamp", IncomingStamp(**value), stamp_hit, conf)

    stop = number_idx if number_idx is not None else end
    found = _issuer_lines(header, stop, skip)
    if not found and number_idx is not None:
        found = _issuer_lines(header, end, skip | set(range(number_idx + 1)))[:3]
    issuer_lines = [ln.text.strip() for ln in found]
    header_seen = bool(num or pd or any(is_quoc_hieu(ln.text) or is_tieu_ngu(ln.text) for ln in header))
    iss = parse_issuer(issuer_lines) if header_seen else None
    if iss:
        first_line = next((ln for ln in header if ln.text.strip() == issuer_lines[0]), None)
        if first_line is not None:
            _locate_issuer(iss, found)
            iss.conf *= line_conf([ln for ln in header if ln.text.strip() in issuer_lines])
        parent, issuer = iss.value
        acc.put("issuer_parent", parent, iss.at("parent"))
        acc.put("issuer", issuer, iss.at("issuer"))
        abbreviations = [initials(x) for x in (issuer, parent) if x]
        _split_glued_symbol(acc, abbreviations)
        _restore_stroke(acc, abbreviations)

    heading_idx, heading = None, None
    for i, line in enumerate(lines[: _HEADER_MAX + 10]):
        h = match_heading(line.text)
        if h and i not in skip and not is_quoc_hieu(line.text):
            heading_idx, heading = i, h
            break
    vv_idx = next((i for i, ln in enumerate(lines[:_HEADER_MAX]) if VV_RE.match(ln.text)), None)
    if heading and heading_idx is not None:
        hline = lines[heading_idx]
        acc.put("doc_type", heading[0], Hit(heading[0], hline.text, "type_heading", CONF.doc_type_heading, hline.page, hline.bbox))
        _confirm_type_code(acc, heading[0])
        sub = typed_subject(lines, heading_idx, heading[1])
        if sub:
            acc.put("subject", sub.value, sub)
    elif vv_idx is not None or (num and symbol_type_code(acc.values.get("symbol")) is None):
        anchor = lines[vv_idx] if vv_idx is not None else num[1]  # type: ignore[index]
        conf = CONF.cong_van_vv if vv_idx is not None else CONF.cong_van_no_code
        acc.put("doc_type", "CÔNG VĂN", Hit("CÔNG VĂN", anchor.text, "cong_van", conf, anchor.page, anchor.bbox))
    elif num:
        name = symbol_type_code(acc.values.get("symbol"))
        acc.put("doc_type", name, Hit(name, num[1].text, "type_from_symbol", CONF.doc_type_from_symbol, num[1].page, num[1].bbox))
    if vv_idx is not None and "subject" not in acc.values:
        sub = vv_subject(lines, vv_idx)
        if sub:
            acc.put("subject", sub.value, sub)

    kg = find_label(lines[: max(end + 30, 60)], KINH_GUI)
    if kg is not None:
        hit = items_after_label(lines, kg, KINH_GUI)
        acc.put("addressees", [_strip_paren_tail(x) for x in hit.value], hit)

    nn = find_label(lines, NOI_NHAN, start=min(end, len(lines)))
    if nn is None:
        first = next((i for i, ln in enumerate(lines) if i >= end and ln.zone is Zone.RECIPIENTS and ln.text.strip()),
                     None)
        if first is not None:  # the label itself was lost under a stamp or a seal
            lines.insert(first, Line("Nơi nhận:", page=lines[first].page, zone=Zone.RECIPIENTS))
            nn = first
    if nn is not None:
        hit = items_after_label(lines, nn, NOI_NHAN, after_kinh_gui=bool(acc.values.get("addressees")))
        acc.put("recipients", hit.value, hit)

    sig = _signature(lines, nn, end)
    if sig:
        authority, position, name, name_conf = sig.value
        acc.put("signer_authority", authority, sig.at("authority"))
        acc.put("signer_position", position, sig)
        if name and any(ln.bbox is not None for ln in lines):
            fixed, changed = correct_name(name)
            if changed:
                name = fixed
                sig.raw += f" (surname restored: {fixed})"
                name_conf = min(name_conf, CONF.signer_surname_restored)
            if not is_known_surname(name):
                name_conf = min(name_conf, CONF.signer_unknown_surname)  # no common surname: likely misread, a person must look
        if name:
            title, name = split_name_title(name)
            if title:
                acc.put("signer_title", title, sig.at("name"))
        acc.put("signer_name", name, sig.at("name"), name_conf if name else CONF.signer_name_missing)

    for kind, key in (("urgency", "urgency"), ("confidentiality", "confidentiality")):
        mark = find_mark([ln for i, ln in enumerate(header) if i not in skip], kind)
        if mark:
            acc.put(key, mark.value, mark)

    own = {str(acc.values.get("number_symbol") or "").casefold()} - {""}
    body = "\n".join(ln.text for ln in lines[end:])
    refs = find_references(body, exclude=own)
    references = [Reference(**r) for r in refs]

    esign = _digital_signature(signature_text or "\n".join(
        ln.text for ln in lines if regex.search(r"K[ýy] b[ởo]i|Th[ờo]i gian k[ýy]", ln.text)))
    if hints is not None and hints.day is not None and hints.day.options:
        _fit_day(acc, hints.day, references, esign)
    if has_seal is None and regex.search(r"đóng dấu", "\n".join(ln.text for ln in lines[-40:]), regex.I):
        has_seal = True

    doc = Document(
        **{k: v for k, v in acc.values.items() if k in Document.model_fields},
        references=references,
        has_seal=has_seal,
        page_start=min((ln.page for ln in lines if ln.text.strip()), default=1),
        page_end=max((ln.page for ln in lines if ln.text.strip()), default=1),
        full_text="\n".join(ln.text for ln in lines).strip(),
        confidence=acc.conf,
        evidence=acc.evidence,
        warnings=acc.warnings,
        digital_signature=esign,
    )
    if any(ln.bbox is not None and ln.conf is not None for ln in lines):
        _correct_joined(doc)
    _spelling(doc, acc.review)
    has_header = bool(num or pd or any(is_quoc_hieu(ln.text) for ln in header))
    checks.run(doc, acc.review, has_header=has_header)
    scores = dict(doc.confidence)
    doc.needs_review, doc.review_reasons, doc.confidence = decide(scores, acc.review)
    return doc


def _apply_number_hint(acc: _Acc, hint: HandReading, symbol: str, sep: str) -> None:
    """Use a hand-written number when the printed OCR has none, or a doubtful one."""
    printed = acc.values.get("number")
    printed_conf = acc.conf.get("number", 0.0)
    if printed and printed == hint.text:
        conf = max(printed_conf, min(1.0, hint.conf + CONF.hand_number_agrees_bonus))
    elif printed and printed.isdigit():
        # the two readings disagree: a person must look; keep the surer one. Printed-text OCR of
        # hand-writing is rarely right even when it is sure of itself (of the six disagreements on samples/
        # and ../shared/real it was right in none, the ink reader in four), so its confidence counts a fifth
        acc.warnings.append(f"number: printed OCR read {printed}, the hand-writing reader {hint.text}")
        acc.review.flag(("number", "number_symbol"), "printed OCR and the hand-writing reader disagree")
        if printed_conf * PRINTED_HAND_WEIGHT > hint.conf:
            return
        conf = min(hint.conf, CONF.hand_number_disagrees_cap)
    else:
        conf = hint.conf
    h = Hit(hint.text, f"hand-written {hint.text} (printed OCR: {hint.printed or printed or '-'})",
            "handwritten_digits", conf, hint.page, hint.bbox)
    acc.put("number", hint.text, h)
    acc.put("number_symbol", f"{hint.text}{sep}{symbol}", h)


def _apply_day_hint(acc: _Acc, day: HandReading | None, parts: tuple[str, str, str],
                    month: HandReading | None = None) -> None:
    """Use a hand-written day (and month) when the date line's are blank or doubtful."""
    current = acc.values.get("issued_date")
    day_printed, month_printed = parts[0], parts[1]
    d = day_printed if day_printed.isdigit() else (day.text if day else "")
    m = month_printed if month_printed.isdigit() else (month.text if month else "")
    if current is not None and day is not None and day_printed.isdigit() and int(day_printed) == int(day.text):
        return
    date = make_date(d, m, parts[2])
    if date is None:
        return
    used = [h for h, printed in ((day, day_printed), (month, month_printed)) if h is not None and not printed.isdigit()]
    if not used:
        return
    hint = min(used, key=lambda h: h.conf)
    conf = hint.conf
    mixed = (day is not None and day in used and month_printed.isdigit()) or (
        month is not None and month in used and day_printed.isdigit())
    if mixed:  # one part from the ink reader, one from the printed OCR of the same hand-written line
        conf = min(conf, CONF.hand_date_mixed_cap)
    if current is not None:  # the printed day disagrees: keep it, a person must look
        acc.review.add("issued_date", "printed OCR and the hand-writing reader disagree on the day")
        acc.warnings.append(f"issued_date: printed OCR read day {day_printed}, the hand-writing reader {hint.text}")
        return
    raw = ", ".join(f"hand-written {what} {h.text}" for what, h in (("day", day), ("month", month)) if h in used)
    acc.put("issued_date", date, Hit(date, raw, "handwritten_date", conf, hint.page, hint.bbox))


def _fit_day(acc: _Acc, day: HandReading, references: list[Reference], esign: DigitalSignature | None) -> None:
    """Re-read a hand-written day that puts the document outside what the page itself says of its date.

    A document is dated on or after every document it cites, on or before its digital signature and its
    ĐẾN stamp's date. When the day read breaks one of these, the likeliest other day the glyphs can spell
    (``day.options``) that keeps them all is taken instead; it stays flagged for review either way.
    """
    current = acc.values.get("issued_date")
    evidence = acc.evidence.get("issued_date")
    if current is None or evidence is None or evidence.rule != "handwritten_date":
        return
    earliest = max((r.date for r in references if r.date), default=None)
    latest = [d for d in (esign.signed_at.date() if esign and esign.signed_at else None,
                          getattr(acc.values.get("incoming_stamp"), "date", None)) if d is not None]
    high = min(latest, default=None)

    def fits(d: dt.date) -> bool:
        return (earliest is None or d >= earliest) and (high is None or d <= high)

    if fits(current):
        return
    for text, p in day.options:
        try:
            cand = current.replace(day=int(text))
        except ValueError:
            continue
        if fits(cand):
            acc.warnings.append(f"issued_date: hand-written day {day.text} gives {current}, outside the dates of "
                                f"the page (cited {earliest or '-'}, signed or received {high or '-'}); "
                                f"read as {int(text)}")
            acc.values["issued_date"] = cand
            acc.conf["issued_date"] = round(min(acc.conf.get("issued_date", 1.0), p, CONF.hand_day_refit_cap), 3)
            acc.review.add("issued_date", "hand-written day re-read to fit the dates on the page")
            return


def _correct_joined(doc: Document) -> None:
    """Lexicon correction of values joined from several OCR lines (a word pair across a line break)."""
    if doc.subject:
        fixed, n = correct_text(doc.subject)
        if n:
            doc.subject = fixed
    for name in ("addressees", "recipients"):
        items = getattr(doc, name)
        setattr(doc, name, [correct_text(i)[0] for i in items])


_REPAIRED = ("subject", "issuer", "issuer_parent", "place", "signer_position", "addressees")
_SPELT = (*_REPAIRED, "signer_name")


def _spelling(doc: Document, review: Reasons) -> None:
    """Repair words that no Vietnamese spelling allows where one repair is possible (two syllables run
    together, one OCR confusion), and flag the fields that still hold such words (orthography.py).
    Names are only flagged: a rare name is not a misspelling."""
    for name in _SPELT:
        value = getattr(doc, name)
        items = value if isinstance(value, list) else [value] if value else []
        fixed_items, left = [], []
        for item in items:
            fixed, bad = repair(item) if name in _REPAIRED else (item, non_syllables(item))
            fixed_items.append(fixed)
            left += bad
        if fixed_items != items:
            doc.warnings.append(f"{name}: spelling repaired ({'; '.join(items)} -> {'; '.join(fixed_items)})")
            setattr(doc, name, fixed_items if isinstance(value, list) else fixed_items[0])
        if left:
            review.add(name, "holds words that are not Vietnamese: " + ", ".join(repr(w) for w in left[:5]))


def _digital_signature(text: str) -> DigitalSignature | None:
    """The first signature stamp of a signed PDF ("Ký bởi" stamps come first), if any."""
    if not text.strip():
        return None
    stamp = parse_stamp(text.splitlines())
    if not (stamp.signer or stamp.agency or stamp.signed_at):
        return None
    return DigitalSignature(signer=stamp.signer, organisation=stamp.agency, signed_at=stamp.signed_at,
                            raw=stamp.text[:500])


def _clean_receiver(text: str) -> str:
    """The receiving office as printed on the stamp: noise stripped, a known body's name snapped, and
    syllables the OCR garbled ("BỆNH VIÊN") restored from the lexicon."""
    name = clean_issuer_line(text.strip("'\"`‘’“” "))
    words = name.split()
    while words and len(words[-1]) == 1 and words[-1].islower():  # a speck read as "ï" after the name
        words.pop()
    name = " ".join(words)
    if not name:
        return text
    name, snapped = snap_body(name)
    return name if snapped else correct_text(name)[0]


def _apply_stamp_hints(value: dict[str, Any], hints: HandHints, issued: dt.date | None, issue_year: int | None,
                       conf: float) -> float:
    """Fill the ĐẾN stamp's receiver, number and date from its own reader; returns the stamp's confidence.

    The hand-written number and date read from the stamp's ink win over what the page OCR made of them (it
    reads hand-writing poorly). Of the dates the glyphs can spell, the best one that falls on or after the
    document's date, within a year, is kept: a letter is received after it is issued.
    """
    if hints.stamp_receiver and not value.get("receiver"):
        value["receiver"] = hints.stamp_receiver
    if value.get("receiver"):
        value["receiver"] = _clean_receiver(value["receiver"])
    # the stamp's confidence is that of its weakest value: a hand reading's own, else the page OCR's, which
    # reads the hand-writing of a framed stamp poorly (0.3 when it read nothing there)
    reading = hints.stamp_date
    number_conf = date_conf = conf
    if hints.stamp_box is not None:
        number_conf = min(conf, CONF.stamp_page_ocr_cap) if value.get("number") else CONF.stamp_unread
        date_conf = min(conf, CONF.stamp_page_ocr_cap) if value.get("date_text") and reading is None else CONF.stamp_unread
    if hints.stamp_number is not None and hints.stamp_number.conf >= STAMP_HAND_MIN:
        value["number"] = hints.stamp_number.text
        number_conf = hints.stamp_number.conf
    if reading is not None:
        options = list(reading.options) or [(reading.text, reading.conf)]
        fits = []
        for text, p in options:
            when = short_date(text, issue_year)
            if when is not None and issued is not None and when < issued and issue_year and text.count("/") == 1:
                when = short_date(text, issue_year + 1)  # received in the new year
            if when is None or (issued is not None and not issued <= when <= issued + dt.timedelta(days=366)):
                continue
            if issued is None and issue_year and when.year not in (issue_year, issue_year + 1):
                continue  # the day is unread but the year is printed: received that year or the next
            if issued is not None and when > issued + dt.timedelta(days=STAMP_USUAL_DAYS):
                p *= CONF.stamp_late_date  # possible, but letters are mostly received within weeks
            fits.append((text, when, p))
        fits.sort(key=lambda f: -f[2])
        # renormalised over the dates that fit the document's own date (the late ones weighed down), and a
        # misreading: when no reading fits well, the glyphs were probably misread
        total = sum(p for _, _, p in fits) + STAMP_MISREAD
        best = fits[0][2] / total if fits else 0.0
        if best >= STAMP_HAND_MIN:
            value["date_text"], value["date"] = fits[0][0], fits[0][1]
            date_conf = best
    receiver_conf = 1.0
    if hints.stamp_receiver and value.get("receiver") == _clean_receiver(hints.stamp_receiver):
        receiver_conf = hints.stamp_receiver_conf
    return round(min(number_conf, date_conf, receiver_conf), 3)


def _split_glued_symbol(acc: _Acc, abbreviations: list[str]) -> None:
    """Put back the hyphen the OCR lost in a ký hiệu ("STNMTQLĐĐ" → "STNMT-QLĐĐ"): its last group begins
    with the issuer's abbreviation, a type code or UBND and goes on with two or more letters."""
    symbol = acc.values.get("symbol")
    if not symbol:
        return
    head, slash, group = symbol.rpartition("/")
    if "-" in group or len(group) < 5 or not group.isupper():
        return
    codes = [t["code"] for t in doc_types() if t.get("code")]
    for prefix in sorted({*abbreviations, *codes, "UBND"} - {""}, key=len, reverse=True):
        if len(group) - len(prefix) >= 2 and fold(group).startswith(fold(prefix)):
            _replace_symbol(acc, symbol, head + slash + group[: len(prefix)] + "-" + group[len(prefix) :])
            return


def _confirm_type_code(acc: _Acc, type_name: str) -> None:
    """Restore the type code of the ký hiệu from the heading ("QD" under QUYẾT ĐỊNH → "QĐ")."""
    symbol = acc.values.get("symbol")
    code = next((t["code"] for t in doc_types() if t["name"] == type_name), None)
    if not symbol or not code:
        return
    head, sep, tail = symbol.partition("-")
    same = fold(head) == fold(code) and "Đ" in code and "Đ" not in head.upper()  # "QD" under QUYẾT ĐỊNH
    ocr_slip = (len(head) == len(code) >= 2 and head.upper() != code.upper() and head[0].upper() == code[0].upper()
                and sum(a != b for a, b in zip(head.upper().replace("I", "T").replace("L", "T"),
                                               code.upper().replace("I", "T").replace("L", "T"), strict=True)) == 0)
    doubled = head != code and any(head[:i] + head[i + 1:] == code for i in range(1, len(head))
                                   if head[i] == head[i - 1])  # "QĐĐ" under QUYẾT ĐỊNH: one letter read twice
    if head != code and (same or ocr_slip or doubled):  # "TIr" under TỜ TRÌNH
        _replace_symbol(acc, symbol, code + sep + tail)


def _restore_stroke(acc: _Acc, abbreviations: list[str]) -> None:
    """Give back Đ's stroke that the OCR lost inside a ký hiệu group ("SGDDT" → "SGDĐT"): a group that is
    a known abbreviation (the issuer's or its parent's initials, a type code) but for Đ read as D.
    Abbreviations are written from the bodies' names with Đ kept (nd30.md §2.3), so D for Đ is a misreading."""
    symbol = acc.values.get("symbol")
    if not symbol:
        return
    every = {*abbreviations, *(t["code"] for t in doc_types() if t.get("code"))}
    known = {fold(a): a for a in every if "Đ" in a}
    groups = regex.split(r"([-/])", symbol)
    fixed = [known.get(fold(g), g) if "D" in g and "Đ" not in g and g.isupper() and g not in every else g
             for g in groups]  # HD is Hướng dẫn's own code, not HĐ (Hợp đồng) misread
    if fixed != groups:
        _replace_symbol(acc, symbol, "".join(fixed))


def _replace_symbol(acc: _Acc, symbol: str, fixed: str) -> None:
    """Put a repaired ký hiệu in place of ``symbol``, in the number_symbol too."""
    acc.values["symbol"] = fixed
    if acc.values.get("number_symbol"):
        acc.values["number_symbol"] = acc.values["number_symbol"].replace(symbol, fixed)


def _strip_paren_tail(item: str) -> str:
    """Drop an address line in brackets that follows an addressee ("(Địa chỉ: …)")."""
    return regex.sub(r"\s*\((?:Địa chỉ|địa chỉ|ĐC)[^)]*\)?\s*$", "", item).strip()


def _signature(lines: list[Line], nn: int | None, end: int) -> Hit | None:
    """Find the signature block near the end of the body or the Nơi nhận label."""
    anchors = [i for i, ln in enumerate(lines) if i >= end and ln.text.rstrip().endswith("./.")]
    candidates = [a for a in ([anchors[0]] if anchors else []) + ([nn] if nn is not None else []) if a is not None]
    start = min(candidates) if candidates else max(end, len(lines) - 30)
    window = [ln for ln in lines[start : start + 45]
              if not regex.match(r"^\s*[-–+•]", ln.text) and not NOI_NHAN.match(ln.text)
              and not _APPENDIX.match(ln.text)]
    return parse_signature(window)
