"""Digital-signature stamps found in PDF text layers (and in OCR text of e-signed scans).

Signed PDFs from Vietnamese e-government systems carry small text stamps, usually top right::

    Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi      TRUNG TÂM CÔNG BÁO VÀ TIN HỌC
    Cơ quan: Tỉnh Quảng Ngãi                     ttcbth@quangngai.gov.vn
    Thời gian ký: 15/01/2025 17:10:17            16.01.2025 07:46:10 +07:00

    SAO Y
    Ủy ban nhân dân thành phố Đà Nẵng
    Thời gian ký: 19/10/2023 10:56:22 +07:00

and the e-sign form ``Org; dd/mm/yyyy; hh:mm:ss; +07:00``. They are not the document's text (a scan
with only a stamp must still be OCR'd), but they tell who signed and when.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from vn_dispatch_parser.core.types import BBox

__all__ = ["SignatureStamp", "is_signature_block", "parse_datetime", "parse_stamp"]

_DATETIME = re.compile(
    r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4})[\s;,]*(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:[\s;,]*(?:GMT|UTC)?\s*([+-])(\d{1,2}):?(\d{2}))?"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MARKERS = re.compile(
    r"ký bởi\s*:|thời gian ký\s*:|người ký\s*:|ngày ký\s*:|\bsao y\b|\bsao lục\b|signed by|signature valid",
    re.I,
)
_KEYS = re.compile(r"(ký bởi|cơ quan|thời gian ký|ngày ký|người ký|email|chức vụ)\s*:", re.I)


@dataclass(frozen=True)
class SignatureStamp:
    """One stamp: its text and what could be read from it.

    Attributes:
        text: The stamp's lines joined with newlines.
        page: 1-based page number.
        bbox: Box in the page's pixel frame, if known.
        kind: "signature" (Ký bởi …), "copy" (SAO Y / SAO LỤC) or "timestamp" (relay/publication
            stamp: organisation, e-mail, time).
        signer: Who signed ("Ký bởi"), the copying organisation, or the relaying organisation.
        agency: "Cơ quan" when present.
        email: An e-mail address when present.
        signed_at: Signing time; timezone-aware when the stamp gives an offset.
    """

    text: str
    page: int
    bbox: BBox | None = None
    kind: str = "signature"
    signer: str | None = None
    agency: str | None = None
    email: str | None = None
    signed_at: datetime | None = None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def is_signature_block(lines: Sequence[str], *, max_lines: int = 10, max_words: int = 60) -> bool:
    """Tell whether a small block of text lines is an e-signature/copy/timestamp stamp.

    >>> is_signature_block(["Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi", "Thời gian ký: 15/01/2025 17:10:17"])
    True
    >>> is_signature_block(["Trung tâm Công báo và Tin học", "ttcbth@quangngai.gov.vn", "21.03.2018 16:41:00 +07:00"])
    True
    >>> is_signature_block(["Quảng Ngãi, ngày 08 tháng 01 năm 2025"])
    False
    """
    text = _nfc(" ".join(lines))
    if not text or len(lines) > max_lines or len(text.split()) > max_words:
        return False
    if _MARKERS.search(text):
        return True
    m = _DATETIME.search(text)
    return bool(m and (m[7] or _EMAIL.search(text) or ";" in text))


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip(" ;,.-/")
    return value or None


def parse_datetime(text: str) -> datetime | None:
    """Find the first ``dd/mm/yyyy hh:mm[:ss] [+hh:mm]`` (also with dots or ``;``) in ``text``.

    >>> parse_datetime("Thời gian ký: 19/10/2023 10:56:22 +07:00").isoformat()
    '2023-10-19T10:56:22+07:00'
    """
    m = _DATETIME.search(text)
    if not m:
        return None
    tz = None
    if m[7]:
        sign = -1 if m[7] == "-" else 1
        tz = timezone(sign * timedelta(hours=int(m[8]), minutes=int(m[9])))
    try:
        return datetime(int(m[3]), int(m[2]), int(m[1]), int(m[4]), int(m[5]), int(m[6] or 0), tzinfo=tz)
    except ValueError:
        return None


def parse_stamp(lines: Sequence[str], *, page: int = 1, bbox: BBox | None = None) -> SignatureStamp:
    """Read signer, agency, e-mail and time from a stamp's lines.

    >>> s = parse_stamp(["Ký bởi: Ủy ban nhân dân", "tỉnh Quảng Ngãi", "Thời gian ký: 05/01/2021", "08:15:24"])
    >>> s.signer, s.signed_at.isoformat()
    ('Ủy ban nhân dân tỉnh Quảng Ngãi', '2021-01-05T08:15:24')
    """
    merged: list[str] = []
    for ln in (_nfc(x).strip() for x in lines):
        if merged and "@" in merged[-1] and re.fullmatch(r"[\w.-]{1,6}", ln):
            merged[-1] += ln  # an e-mail address wrapped in a narrow stamp: "…gov.v" + "n"
        elif ln:
            merged.append(ln)
    lines = merged
    text = " ".join(lines)
    email_m = _EMAIL.search(text)
    email = email_m.group(0) if email_m else None
    fields: dict[str, str] = {}
    keys = list(_KEYS.finditer(text))
    for i, k in enumerate(keys):
        end = keys[i + 1].start() if i + 1 < len(keys) else len(text)
        fields[k[1].lower()] = text[k.end() : end]
    signer = _clean(fields.get("ký bởi") or fields.get("người ký"))
    upper = text.upper()
    if "SAO Y" in upper or "SAO LỤC" in upper:
        kind = "copy"
        m = re.search(
            r"SAO (?:Y|LỤC)\s*[:;,]?\s*(.*?)(?=thời gian ký|ngày ký|\d{1,2}[./]\d{1,2}[./]\d{4}|$)",
            text,
            re.I,
        )
        signer = signer or _clean(m[1] if m else None)
    elif signer is not None:
        kind = "signature"
    else:
        kind = "timestamp" if email else "signature"
        head = text[: email_m.start()] if email_m else text
        dt = _DATETIME.search(head)
        signer = _clean(head[: dt.start()] if dt else head)
    return SignatureStamp(
        text="\n".join(lines),
        page=page,
        bbox=bbox,
        kind=kind,
        signer=signer,
        agency=_clean(fields.get("cơ quan")),
        email=email,
        signed_at=parse_datetime(fields.get("thời gian ký") or fields.get("ngày ký") or text),
    )
