"""Hand-written readings (the ink reader's number, day and month, and the ĐẾN stamp's own reader) merged
with what the printed-text OCR read: which reading a field keeps, with what confidence, and when a person
must look."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from vn_dispatch_parser.config import CONF
from vn_dispatch_parser.core.lexicon import correct_text
from vn_dispatch_parser.core.normalize import fold, one_letter_changed
from vn_dispatch_parser.core.orthography import is_vietnamese_syllable
from vn_dispatch_parser.core.tables import load
from vn_dispatch_parser.core.types import HandHints, HandReading, Hit
from vn_dispatch_parser.document.accumulator import Acc
from vn_dispatch_parser.document.review import HAND_DISAGREES
from vn_dispatch_parser.fields.dates import SHORT_DATE_RE, make_date, short_date, to_year
from vn_dispatch_parser.fields.issuer import clean_issuer_line, snap_body
from vn_dispatch_parser.fields.place_date import restore_ending_place
from vn_dispatch_parser.records import DigitalSignature, Reference

__all__ = ["apply_day_hint", "apply_number_hint", "apply_stamp_hints", "fit_day", "whole_stamp"]

PRINTED_HAND_WEIGHT = CONF.printed_hand_weight  # see ConfRules
STAMP_HAND_MIN = CONF.stamp_hand_min
#: A printed reading of this many digits or more that the ink reader's reading begins or ends with is the
#: number: over six visible sets it was, 4 times of 4 (310, 236, 270, 844); one or two printed digits are often
#: a fragment of wide hand-writing ("0" for 04, 09 and 90 on real scans, "4" for 46, "22" for 226).
PRINTED_WHOLE_DIGITS = 3
#: A ĐẾN date later than this many days after the document's date is possible but unlikely: a letter goes by
#: post or courier within the country in days, and is registered the day it comes (all 44 ĐẾN stamps of the
#: visible sets' truth are dated 18 days before to 8 days after their document; 60 let a day misread as a
#: date seven weeks later through unflagged).
STAMP_USUAL_DAYS = 30
STAMP_MISREAD = CONF.stamp_misread


def apply_number_hint(acc: Acc, hint: HandReading, symbol: str, sep: str) -> None:
    """Use a hand-written number when the printed OCR has none, or a doubtful one."""
    printed = acc.values.get("number")
    printed_conf = acc.conf.get("number", 0.0)
    if printed and printed == hint.text:
        conf = max(printed_conf, min(1.0, hint.conf + CONF.hand_number_agrees_bonus))
    elif printed and printed.isdigit():
        # the two readings disagree: a person must look; keep the surer one. Printed-text OCR of
        # hand-writing is rarely right even when it is sure of itself (of the six disagreements on samples/
        # and ../shared/real it was right in none, the ink reader in four), so its confidence counts a fifth
        # A third and fourth reading (the engine's digit reader on the blank as printed and on the cleaned
        # ink, hint.witnesses) break the tie when one side has a witness and the other none. Measured over
        # the four sets: the printed OCR, outvoted until then, was right in 6 of 19 disagreements (hand-writing
        # fonts the printed model reads, and glyphs the ink reader split or lost); no witness ever backed a
        # wrong side against a right one.
        acc.warnings.append(f"number: printed OCR read {printed}, the hand-writing reader {hint.text}"
                            + (f", the digit reader {' and '.join(hint.witnesses)}" if hint.witnesses else ""))
        acc.review.flag(("number", "number_symbol"), HAND_DISAGREES)
        backs_printed, backs_hand = printed in hint.witnesses, hint.text in hint.witnesses
        # the ink reader's number the printed one begins or ends with: the ink reader's box lost glyphs ("122"
        # read "1", "03" read "0"; class 4 of the unseen scans), and the witnesses, reading the same box, lost
        # them too: over the five sets the printed reading was right all four times
        lost = len(printed) > len(hint.text) and (printed.startswith(hint.text) or printed.endswith(hint.text))
        # and the other way round: the ink reader's number begins or ends with a printed one of several digits
        # ("8445" for a printed 844): its box took in a glyph of the print beside the blank
        gained = (len(printed) >= PRINTED_WHOLE_DIGITS and len(hint.text) > len(printed)
                  and (hint.text.startswith(printed) or hint.text.endswith(printed)))
        if lost or gained or (not backs_hand and (backs_printed or printed_conf * PRINTED_HAND_WEIGHT > hint.conf)):
            return  # the printed reading stays, flagged
        conf = min(hint.conf, CONF.hand_number_disagrees_cap)
    else:
        conf = hint.conf
    h = Hit(hint.text, f"hand-written {hint.text} (printed OCR: {hint.printed or printed or '-'})",
            "handwritten_digits", conf, hint.page, hint.bbox)
    agreed = printed == hint.text  # two readers, the printed OCR and the ink's, read the same number
    acc.put("number", hint.text, h, agreed=agreed)
    acc.put("number_symbol", f"{hint.text}{sep}{symbol}", h, agreed=agreed)


def apply_day_hint(acc: Acc, day: HandReading | None, parts: tuple[str, str, str],
                    month: HandReading | None = None) -> None:
    """Use a hand-written day (and month) when the date line's are blank or doubtful."""
    current = acc.values.get("issued_date")
    day_printed, month_printed = parts[0], parts[1]
    d = day_printed if day_printed.isdigit() else (day.text if day else "")
    m = month_printed if month_printed.isdigit() else (month.text if month else "")
    if current is not None and day is not None and day_printed.isdigit() and int(day_printed) == int(day.text):
        return
    if current is not None and day is not None and day_printed.isdigit():
        # the printed OCR read a day the ink reader reads otherwise: a person looks, as for a number
        # (apply_number_hint); the ink reader's day is taken when it is sure (CONF.hand_day_sure)
        acc.review.add("issued_date", f"{HAND_DISAGREES} on the day")
        acc.warnings.append(f"issued_date: printed OCR read day {day_printed}, the hand-writing reader {day.text}"
                            f" ({day.conf:.2f})")
        date = make_date(day.text, m, parts[2])
        if day.conf >= CONF.hand_day_sure and date is not None:
            acc.put("issued_date", date, Hit(date, f"hand-written day {day.text} (printed OCR: {day_printed})",
                                             "handwritten_date", min(day.conf, CONF.hand_number_disagrees_cap),
                                             day.page, day.bbox))
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
        acc.review.add("issued_date", f"{HAND_DISAGREES} on the day")
        acc.warnings.append(f"issued_date: printed OCR read day {day_printed}, the hand-writing reader {hint.text}")
        return
    raw = ", ".join(f"hand-written {what} {h.text}" for what, h in (("day", day), ("month", month)) if h in used)
    acc.put("issued_date", date, Hit(date, raw, "handwritten_date", conf, hint.page, hint.bbox))


def fit_day(acc: Acc, day: HandReading, references: list[Reference], esign: DigitalSignature | None) -> None:
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


_ROMAN = frozenset("IVXLC")


def _restored_head(name: str) -> str:
    """``name`` with its first word restored to the first word of the one head of a body's name
    (``organisations.yaml`` ``unit_starts``: SỞ, ĐẢNG ỦY, BỆNH VIỆN …) it is with one letter misread: every
    body's name starts with such a head, and a stamp's small print on a worn scan loses a letter of it ("BẰNG
    ỦY CÁC CƠ QUAN TỈNH", "S3 TƯ PHÁP"). The head's other words must follow as printed; a head of one word
    is restored only from a word no Vietnamese syllable spells ("BAN" is a word, "S3" is not)."""
    words = name.split()
    heads = [h.split() for h in load("organisations")["unit_starts"]]
    if not words or fold(words[0]) in {fold(h[0]) for h in heads}:
        return name
    syllable = is_vietnamese_syllable(words[0])
    found = {h[0] for h in heads if one_letter_changed(fold(h[0]), fold(words[0]))
             and [w.upper() for w in words[1 : len(h)]] == h[1:] and not (len(h) == 1 and syllable)}
    return " ".join([found.pop(), *words[1:]]) if len(found) == 1 else name


def _clean_receiver(text: str) -> str:
    """The receiving office as printed on the stamp: noise stripped, a known body's name snapped, and
    syllables the OCR garbled ("BỆNH VIÊN") restored from the lexicon."""
    name = clean_issuer_line(text.strip("'\"`‘’“” "))
    words = name.split()
    # a speck read as a letter before or after the name ("Ì BẰNG ỦY …", "… QUY NHƠN Ô"): no word of a body's
    # name is one letter but a Roman numeral ("KHU VỰC V") or a level's abbreviation inside it ("H.")
    while words and len(words[-1]) == 1 and words[-1].isalpha() and words[-1] not in _ROMAN:
        words.pop()
    while len(words) > 1 and len(words[0]) == 1 and words[0].isalpha():
        words.pop(0)
    name = _restored_head(" ".join(words))
    if not name:
        return text
    name, snapped = snap_body(name)
    return name if snapped else restore_ending_place(correct_text(name)[0])


def apply_stamp_hints(value: dict[str, Any], hints: HandHints, issued: dt.date | None, issue_year: int | None,
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
        fits: list[tuple[str, dt.date, float]] = []
        # a misread year is only set right against the document's full date, which bounds the day and month
        for text, p in (options if issued is None else [_year_misread(o, issued.year) for o in options]):
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
        merged: dict[dt.date, tuple[str, float]] = {}
        for text, when, p in fits:  # "27/6/2073" and "27/6/2072", their years misread, are one date
            first = merged.get(when, (text, 0.0))
            merged[when] = (first[0], first[1] + p)
        fits = sorted(((text, when, p) for when, (text, p) in merged.items()), key=lambda f: -f[2])
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
    elif hints.stamp_box is not None and not value.get("receiver"):
        receiver_conf = CONF.stamp_unread
    return round(min(number_conf, date_conf, receiver_conf), 3)


def _year_misread(option: tuple[str, float], issue_year: int | None) -> tuple[str, float]:
    """A stamp date whose year no letter of this year could be received in ("27/6/2073" on a letter of 2023):
    its year was misread, its day and month may not be; kept as "27/6", weighed down by ``stamp_year_misread``.

    >>> _year_misread(("27/6/2073", 0.5), 2023), _year_misread(("27/6/2024", 0.5), 2023)
    (('27/6', 0.15), ('27/6/2024', 0.5))
    """
    text, p = option
    m = SHORT_DATE_RE.search(text)
    if issue_year is None or m is None or not m.group(3) or to_year(m.group(3)) in (issue_year, issue_year + 1):
        return option
    return f"{m.group(1)}/{m.group(2)}", round(p * CONF.stamp_year_misread, 4)


def whole_stamp(hit: Hit, hints: HandHints) -> Hit:
    """The stamp's hit located on the whole framed stamp its lines were read in (its hand-written number
    and date are inside the frame, beside the labels the lines hold)."""
    frame, box = hints.stamp_box, hit.bbox
    if frame is None or hit.page not in (None, hints.page):
        return hit
    if box is not None and (box.x1 < frame.x0 or frame.x1 < box.x0 or box.y1 < frame.y0 or frame.y1 < box.y0):
        return hit  # lines read elsewhere on the page
    return replace(hit, page=hints.page, bbox=frame if box is None else box.union(frame))
