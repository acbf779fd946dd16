"""Build one ``Document`` from the lines of one document: one step per field, each deciding its field from
the lines (and the hand-writing hints) into the accumulator with evidence and confidence, then the review.
Works on lines alone; boxes and OCR confidences only sharpen it.

The steps run in this order, each on what the steps before it decided: :func:`_number`,
:func:`_place_date`, :func:`_incoming_stamp`, :func:`_issuer`, :func:`_doc_type`, :func:`_symbol_agreement`,
:func:`_subject`, :func:`_addressees`, :func:`_recipients`, :func:`_signer`, :func:`_marks`,
:func:`_references`, :func:`_digital_signature`, :func:`_refit_issued_date`, :func:`_seal`; :func:`_finish`
makes the record, repairs joined and misspelt words, runs the checks and decides the review.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.esign import parse_stamp
from vn_dispatch_parser.core.lines import (
    is_quoc_hieu,
    is_tieu_ngu,
    line_conf,
    lines_box,
    modern_prefix,
    split_columns,
    split_name_title,
)
from vn_dispatch_parser.core.names import correct_name, doubtful_words, is_known_surname
from vn_dispatch_parser.core.tables import body_codes
from vn_dispatch_parser.core.types import HandHints, Hit, Line
from vn_dispatch_parser.document import checks
from vn_dispatch_parser.document.accumulator import Acc
from vn_dispatch_parser.document.hints import (
    apply_day_hint,
    apply_number_hint,
    apply_stamp_hints,
    fit_day,
    whole_stamp,
)
from vn_dispatch_parser.document.repairs import (
    confirm_type_code,
    correct_joined,
    drop_ink_scraps,
    restore_code,
    restore_small_letter,
    restore_stroke,
    spelling,
    split_glued_symbol,
)
from vn_dispatch_parser.document.review import decide
from vn_dispatch_parser.document.view import (
    header_end,
    heading_line,
    issuer_lines,
    motto_head,
    recipients_label,
    signature_window,
    vv_line,
)
from vn_dispatch_parser.fields.dates import short_date
from vn_dispatch_parser.fields.issuer import (
    body_code,
    clean_issuer_line,
    issuer_units,
    parse_issuer,
    place_only,
    snap_body,
)
from vn_dispatch_parser.fields.lists import KINH_GUI, NOI_NHAN, find_label, items_after_label
from vn_dispatch_parser.fields.marks import find_mark
from vn_dispatch_parser.fields.number import find_number, symbol_agrees, symbol_type_code, well_formed
from vn_dispatch_parser.fields.place_date import find_place_date, find_place_only
from vn_dispatch_parser.fields.references import find_references
from vn_dispatch_parser.fields.signer import parse_signature
from vn_dispatch_parser.fields.stamp import find_stamp, stamp_line_indexes
from vn_dispatch_parser.fields.subject import typed_subject, vv_subject
from vn_dispatch_parser.records import DigitalSignature, Document, IncomingStamp, Reference

__all__ = ["build_document"]

_apply_stamp_hints = apply_stamp_hints  # its name here before document/hints.py (tests import it from here)


@dataclass
class _Reading:
    """What the steps share besides the accumulator: the lines, the header, the lines of a ĐẾN stamp, the
    hand-written hints, and the places one step finds for the steps after it."""

    lines: list[Line]  #: :func:`_recipients` may put back a Nơi nhận label the OCR lost
    end: int  #: the header's end (:func:`~vn_dispatch_parser.document.view.header_end`)
    header: list[Line]
    skip: set[int]  #: lines of a ĐẾN stamp: they feed neither the issuer nor the number
    stamp: Hit | None  #: the ĐẾN stamp read from the lines
    hints: HandHints | None
    number_line: Line | None = None
    number_idx: int | None = None  #: of the number line in the header
    date_line: Line | None = None
    issue_year: int | None = None
    heading: tuple[int, tuple[str, str]] | None = None  #: the type heading's index and match
    vv_idx: int | None = None
    nn: int | None = None  #: the Nơi nhận label's index

    @property
    def header_seen(self) -> bool:
        """A number, a date line, the national motto or its tagline was read: the lines hold a header."""
        return bool(self.number_line is not None or self.date_line is not None
                    or any(is_quoc_hieu(ln.text) or is_tieu_ngu(ln.text) for ln in self.header))


def _reading(lines: list[Line], hints: HandHints | None) -> _Reading:
    """The header and, first, the ĐẾN stamp: its lines must not feed the issuer or the number."""
    end = header_end(lines)
    stamp = None
    skip: set[int] = set()
    found_stamp = find_stamp(lines, None)
    if found_stamp:
        stamp, used = found_stamp
        skip.update(used)
    skip.update(stamp_line_indexes(lines, 0, end))
    return _Reading(lines, end, lines[:end], skip, stamp, hints)


def build_document(lines: list[Line], *, has_seal: bool | None = None, hints: HandHints | None = None,
                   signature_text: str = "") -> Document:
    """Parse the lines of one document into a ``Document``.

    Args:
        lines: The document's lines (plain text, or OCR lines with boxes and zones).
        has_seal: Whether a seal was seen on its pages (None: unknown, e.g. plain text).
        hints: Hand-written number and day read from the ink of its first page.
        signature_text: Digital-signature stamp text of a signed PDF.
    """
    acc = Acc()
    r = _reading([modern_prefix(ln) for ln in split_columns(lines)], hints)
    _number(acc, r)
    _place_date(acc, r)
    _incoming_stamp(acc, r)
    _issuer(acc, r)
    _doc_type(acc, r)
    _symbol_agreement(acc)
    _subject(acc, r)
    _addressees(acc, r)
    _recipients(acc, r)
    _signer(acc, r)
    _marks(acc, r)
    _references(acc, r)
    _digital_signature(acc, r, signature_text)
    _refit_issued_date(acc, r)
    _seal(acc, r, has_seal)
    return _finish(acc, r)


def _number(acc: Acc, r: _Reading) -> None:
    """number, symbol, number_symbol: the header's "Số:" line outside the ĐẾN stamp; the hand-written number
    read from the ink where the printed OCR read none or a doubtful one."""
    found = find_number([ln if i not in r.skip else Line("") for i, ln in enumerate(r.header)])
    if not found:
        return
    hit, r.number_line = found
    r.number_idx = r.header.index(r.number_line)
    number, symbol, sep = hit.value
    acc.put("number", number, hit, hit.conf if number else CONF.number_blank)
    acc.put("symbol", symbol, hit)
    acc.put("number_symbol", f"{number}{sep}{symbol}" if number else None, hit, hit.conf if number else CONF.number_blank)
    if r.hints is not None and r.hints.number is not None:
        apply_number_hint(acc, r.hints.number, symbol, sep)
    if not acc.values.get("number"):
        acc.warnings.append("blank number (draft, or written by hand and not read)")


def _place_date(acc: Acc, r: _Reading) -> None:
    """place, issued_date: the date line of the header (or just under it); a hand-written day and month
    where the printed ones are blank or doubtful."""
    found = find_place_date(r.header) or find_place_date(r.lines[r.end : r.end + 6]) or find_place_only(r.header)
    if not found:
        return
    hit, r.date_line = found
    place, date, parts = hit.value
    year_lost = not parts[2]  # the line's year garbled: its place is read from a garbled line, a person checks
    acc.put("place", place, hit, min(1.0, hit.conf / CONF.date_missing if date is None and not year_lost else hit.conf))
    acc.put("issued_date", date, hit, hit.conf if date else CONF.issued_date_unread)
    if year_lost:
        acc.warnings.append("the date line's year is unreadable")
        return
    r.issue_year = int(parts[2])
    hints = r.hints
    if hints is not None and (hints.day is not None or hints.month is not None):
        apply_day_hint(acc, hints.day, parts, hints.month)
    if acc.values.get("issued_date") is None:
        acc.warnings.append("blank or unreadable day/month in the date line (draft?)")


def _incoming_stamp(acc: Acc, r: _Reading) -> None:
    """incoming_stamp: the ĐẾN stamp read from the lines, or only seen as a frame; its receiver, number and
    date from the stamp's own reader; a date without a year takes the issue year."""
    stamp, hints = r.stamp, r.hints
    if stamp is None and hints is not None and hints.stamp_box is not None:
        # a ĐẾN stamp is on the page whose labels the OCR did not read: its values come from its own reader
        empty = {"receiver": None, "number": None, "date_text": None, "date": None}
        stamp = Hit(empty, "framed stamp found", "stamp_box", CONF.stamp_box_only, hints.page, hints.stamp_box)
    if stamp is None:
        return
    value = dict(stamp.value)
    conf = stamp.conf
    if hints is not None:
        conf = _apply_stamp_hints(value, hints, acc.values.get("issued_date"), r.issue_year, conf)
        stamp = whole_stamp(stamp, hints)
    if value["date"] is None and value["date_text"]:
        value["date"] = short_date(value["date_text"], r.issue_year)
    acc.put("incoming_stamp", IncomingStamp(**value), stamp, conf)


def _issuer(acc: Acc, r: _Reading) -> None:
    """issuer, issuer_parent: the caps lines of the header's left column above the number (below it when
    none are above); then the ký hiệu's groups are checked against their abbreviations (repairs.py)."""
    stop = r.number_idx if r.number_idx is not None else r.end
    found = issuer_lines(r.header, stop, r.skip)
    if not found and r.number_idx is not None:
        found = issuer_lines(r.header, r.end, r.skip | set(range(r.number_idx + 1)))[:3]
    texts = [ln.text.strip() for ln in found]
    iss = parse_issuer(texts) if r.header_seen else None
    if not iss:
        return
    first_line = next((ln for ln in r.header if ln.text.strip() == texts[0]), None)
    if first_line is not None:
        _locate_issuer(iss, found)
        iss.conf *= line_conf([ln for ln in r.header if ln.text.strip() in texts])
    parent, issuer = iss.value
    if parent is None and place_only(issuer) and (head := motto_head(r.header)) is not None:
        issuer, _ = snap_body(f"{clean_issuer_line(head)} {issuer}")  # the name's first line, read by the motto
        iss.conf *= CONF.issuer_snapped
    acc.put("issuer_parent", parent, iss.at("parent"))
    acc.put("issuer", issuer, iss.at("issuer"))
    abbreviations = body_codes([x for x in (issuer, parent) if x])
    split_glued_symbol(acc, abbreviations)
    restore_stroke(acc, abbreviations)
    restore_code(acc, abbreviations)
    restore_small_letter(acc, abbreviations)


def _locate_issuer(hit: Hit, lines: list[Line]) -> None:
    """Where the issuer was read: all its header lines; the issuer's unit and the parent's apart."""
    units = issuer_units([ln.text.strip() for ln in lines])
    hit.page, hit.bbox = lines_box([lines[i] for unit in units for i in unit] or lines)
    if units:
        hit.parts["issuer"] = lines_box([lines[i] for i in units[-1]])
    if len(units) >= 2:
        hit.parts["parent"] = lines_box([lines[i] for i in units[-2]])


def _doc_type(acc: Acc, r: _Reading) -> None:
    """doc_type: the type heading (it confirms the ký hiệu's type code); else CÔNG VĂN for a V/v letter or
    a ký hiệu with no type code; else the type the ký hiệu's code names."""
    r.heading = heading_line(r.lines, r.skip)
    r.vv_idx = vv_line(r.lines)
    code = symbol_type_code(acc.values.get("symbol"))
    if r.heading is not None:
        hline, name = r.lines[r.heading[0]], r.heading[1][0]
        acc.put("doc_type", name, Hit(name, hline.text, "type_heading", CONF.doc_type_heading, hline.page, hline.bbox))
        confirm_type_code(acc, name)
    elif r.vv_idx is not None:
        anchor = r.lines[r.vv_idx]
        acc.put("doc_type", "CÔNG VĂN", Hit("CÔNG VĂN", anchor.text, "cong_van", CONF.cong_van_vv, anchor.page,
                                            anchor.bbox))
    elif r.number_line is not None and code is None:
        anchor = r.number_line
        acc.put("doc_type", "CÔNG VĂN", Hit("CÔNG VĂN", anchor.text, "cong_van", CONF.cong_van_no_code, anchor.page,
                                            anchor.bbox))
    elif r.number_line is not None:
        anchor = r.number_line
        acc.put("doc_type", code, Hit(code, anchor.text, "type_from_symbol", CONF.doc_type_from_symbol, anchor.page,
                                      anchor.bbox))


def _symbol_agreement(acc: Acc) -> None:
    """The ký hiệu and the header it is printed under, read apart, agree: the ký hiệu's score rises to
    ``CONF.symbol_agrees`` when the heading (or a V/v line) and the issuer say the same as its groups
    (:func:`symbol_agrees`; a type taken from the ký hiệu itself is no second reading), and the issuer's to
    ``CONF.issuer_agrees`` when its code is one of them."""
    symbol = acc.values.get("symbol")
    if not symbol or not well_formed(symbol):
        return
    issuer, dtype = acc.values.get("issuer"), acc.evidence.get("doc_type")
    abbreviations = body_codes([x for x in (issuer, acc.values.get("issuer_parent")) if x])
    if (dtype is not None and dtype.rule in ("type_heading", "cong_van") and acc.conf.get("symbol", 0.0) < CONF.symbol_agrees
            and symbol_agrees(symbol, acc.values["doc_type"], abbreviations)):
        acc.conf["symbol"] = acc.evidence["symbol"].score = CONF.symbol_agrees
    if issuer and acc.conf.get("issuer", 0.0) < CONF.issuer_agrees and body_code(issuer) in regex.split(r"[-/]", symbol):
        acc.conf["issuer"] = acc.evidence["issuer"].score = CONF.issuer_agrees


def _subject(acc: Acc, r: _Reading) -> None:
    """subject: the lines under the type heading, else the V/v lines of a letter."""
    if r.heading is not None:
        idx, (_, rest) = r.heading
        sub = typed_subject(r.lines, idx, rest)
        if sub:
            acc.put("subject", sub.value, sub)
    if r.vv_idx is not None and "subject" not in acc.values:
        sub = vv_subject(r.lines, r.vv_idx)
        if sub:
            acc.put("subject", sub.value, sub)
            qh = next((ln for ln in r.header if ln.bbox is not None and is_quoc_hieu(ln.text)), None)
            if sub.bbox is not None and qh is not None and qh.bbox is not None and sub.bbox.x1 > qh.bbox.cx:
                # the V/v lines stand in the left column, under the number (nd30.md §2.4): read across the
                # page, they took in text printed beside them (a pasted note, the right column)
                acc.review.add("subject", "the V/v lines run into the right column: text beside them may be mixed in")


def _addressees(acc: Acc, r: _Reading) -> None:
    """addressees: the items of a Kính gửi label near the top, without an address in brackets."""
    kg = find_label(r.lines[: max(r.end + 30, 60)], KINH_GUI)
    if kg is not None:
        hit = items_after_label(r.lines, kg, KINH_GUI)
        acc.put("addressees", [_strip_paren_tail(x) for x in hit.value], hit)


def _strip_paren_tail(item: str) -> str:
    """Drop an address line in brackets that follows an addressee ("(Địa chỉ: …)")."""
    return regex.sub(r"\s*\((?:Địa chỉ|địa chỉ|ĐC)[^)]*\)?\s*$", "", item).strip()


def _recipients(acc: Acc, r: _Reading) -> None:
    """recipients: the items of the Nơi nhận label after the header (a lost label put back where the
    recipients zone starts)."""
    r.nn = recipients_label(r.lines, r.end)
    if r.nn is not None:
        hit = items_after_label(r.lines, r.nn, NOI_NHAN, after_kinh_gui=bool(acc.values.get("addressees")))
        acc.put("recipients", hit.value, hit)


def _signer(acc: Acc, r: _Reading) -> None:
    """signer_authority, signer_position, signer_title, signer_name: the signature block after the body's
    end or the Nơi nhận label; a scanned name is checked against the common surnames."""
    sig = parse_signature(signature_window(r.lines, r.nn, r.end))
    if not sig:
        return
    authority, position, name, name_conf = sig.value
    acc.put("signer_authority", authority, sig.at("authority"))
    acc.put("signer_position", position, sig)
    if name and any(ln.bbox is not None for ln in r.lines):
        name, name_conf = _checked_name(sig, name, name_conf)
    if name:
        title, name = split_name_title(name)
        if title:
            acc.put("signer_title", title, sig.at("name"))
    acc.put("signer_name", name, sig.at("name"), name_conf if name else CONF.signer_name_missing)


def _checked_name(sig: Hit, name: str, name_conf: float) -> tuple[str, float]:
    """A signer's name OCR read, with a surname or a misread word the name tables restore (noted in
    ``sig.raw``), and its confidence lowered for a restored name, one that is no common surname, or one
    holding a rare reading of a common name word (core/names.py)."""
    fixed, changed = correct_name(name)
    if changed:
        name = fixed
        sig.raw += f" (name restored: {fixed})"
        name_conf = min(name_conf, CONF.signer_surname_restored)
    if not is_known_surname(name):
        name_conf = min(name_conf, CONF.signer_unknown_surname)  # no common surname: likely misread, a person must look
    if doubtful_words(name):
        name_conf = min(name_conf, CONF.signer_rare_name)
    return name, name_conf


def _marks(acc: Acc, r: _Reading) -> None:
    """urgency, confidentiality: the marks printed or stamped in the header, outside the ĐẾN stamp."""
    for kind in ("urgency", "confidentiality"):
        mark = find_mark([ln for i, ln in enumerate(r.header) if i not in r.skip], kind)
        if mark:
            acc.put(kind, mark.value, mark)


def _references(acc: Acc, r: _Reading) -> None:
    """references: the documents the body cites, but for the document's own number."""
    own = {str(acc.values.get("number_symbol") or "").casefold()} - {""}
    body = "\n".join(ln.text for ln in r.lines[r.end :])
    acc.values["references"] = [Reference(**ref) for ref in find_references(body, exclude=own)]


def _digital_signature(acc: Acc, r: _Reading, signature_text: str) -> None:
    """digital_signature: the stamp text of a signed PDF, else the "Ký bởi" / "Thời gian ký" lines read."""
    acc.values["digital_signature"] = _signature_stamp(signature_text or "\n".join(
        ln.text for ln in r.lines if regex.search(r"K[ýy] b[ởo]i|Th[ờo]i gian k[ýy]", ln.text)))


def _signature_stamp(text: str) -> DigitalSignature | None:
    """The first signature stamp of a signed PDF ("Ký bởi" stamps come first), if any."""
    if not text.strip():
        return None
    stamp = parse_stamp(text.splitlines())
    if not (stamp.signer or stamp.agency or stamp.signed_at):
        return None
    return DigitalSignature(signer=stamp.signer, organisation=stamp.agency, signed_at=stamp.signed_at,
                            raw=stamp.text[:500])


def _refit_issued_date(acc: Acc, r: _Reading) -> None:
    """issued_date again: a hand-written day re-read when it dates the document outside the dates of the
    page (its references, its digital signature, its ĐẾN stamp)."""
    if r.hints is not None and r.hints.day is not None and r.hints.day.options:
        fit_day(acc, r.hints.day, acc.values["references"], acc.values["digital_signature"])


def _seal(acc: Acc, r: _Reading, has_seal: bool | None) -> None:
    """has_seal: a seal seen on the pages; unknown (plain text) but "đóng dấu" printed near the end: yes."""
    if has_seal is None and regex.search(r"đóng dấu", "\n".join(ln.text for ln in r.lines[-40:]), regex.I):
        has_seal = True
    acc.values["has_seal"] = has_seal


def _finish(acc: Acc, r: _Reading) -> Document:
    """The record: joined and misspelt words repaired, the consistency checks run, the review decided."""
    lines = r.lines
    doc = Document(
        **{k: v for k, v in acc.values.items() if k in Document.model_fields},
        page_start=min((ln.page for ln in lines if ln.text.strip()), default=1),
        page_end=max((ln.page for ln in lines if ln.text.strip()), default=1),
        full_text="\n".join(ln.text for ln in lines).strip(),
        confidence=acc.conf,
        evidence=acc.evidence,
        warnings=acc.warnings,
    )
    if any(ln.bbox is not None and ln.conf is not None for ln in lines):
        drop_ink_scraps(doc)
        correct_joined(doc)
    spelling(doc, acc.review)
    has_header = bool(r.number_line is not None or r.date_line is not None
                      or any(is_quoc_hieu(ln.text) for ln in r.header))
    checks.run(doc, acc.review, has_header=has_header)
    scores = dict(doc.confidence)
    doc.needs_review, doc.review_reasons, doc.confidence = decide(scores, acc.review)
    return doc
