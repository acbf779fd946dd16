"""Digital-signature text printed on signed PDFs (nd30.md §2.8, §6.6).

    Ký bởi: Ủy ban Nhân dân tỉnh Quảng Ngãi
    Cơ quan: Tỉnh Quảng Ngãi
    Thời gian ký: 15/01/2025 17:10:17

    >>> sig = parse_esign("Ký bởi: UBND tỉnh Quảng Ngãi Cơ quan: Tỉnh Quảng Ngãi Thời gian ký: 15/01/2025 17:10:17")
    >>> sig["organisation"], str(sig["signed_at"])
    ('Tỉnh Quảng Ngãi', '2025-01-15 17:10:17')
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import regex

__all__ = ["parse_esign"]

_SIGNER = regex.compile(r"K[ýy]\s*b[ởo]i\s*:\s*(?P<v>.+?)(?=\s*(?:C[ơo]\s*quan|Th[ờo]i\s*gian|Email|$))", regex.I)
_ORG = regex.compile(r"C[ơo]\s*quan\s*:\s*(?P<v>.+?)(?=\s*(?:Th[ờo]i\s*gian|K[ýy]\s*b[ởo]i|Email|$))", regex.I)
_TIME = regex.compile(
    r"(?:Th[ờo]i\s*gian\s*k[ýy]\s*:\s*)?(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})\s*[;,]?\s*"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?", regex.I)


def parse_esign(text: str) -> dict[str, Any] | None:
    """Parse signature-stamp text; None when it has no signer, organisation or signing time."""
    flat = regex.sub(r"\s+", " ", text)
    signer = _SIGNER.search(flat)
    org = _ORG.search(flat)
    when = _TIME.search(flat) if (signer or org or regex.search(r"Th[ờo]i\s*gian\s*k[ýy]|\+07:?00", flat)) else None
    if not (signer or org or when):
        return None
    signed_at = None
    if when:
        try:
            signed_at = dt.datetime(int(when["y"]), int(when["m"]), int(when["d"]), int(when["H"]),
                                    int(when["M"]), int(when["S"] or 0))
        except ValueError:
            signed_at = None
    return {
        "signer": signer["v"].strip(" ;,") if signer else None,
        "organisation": org["v"].strip(" ;,") if org else None,
        "signed_at": signed_at,
        "raw": flat[:500],
    }
