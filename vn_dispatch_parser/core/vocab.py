"""The labels of a NĐ 30 document, each written once, with the OCR variants it is read in.

Field parsers, the layout and the hand-writing readers build their patterns from these pieces, so that a
variant learnt on one page ("S6:" for "Số:") is known everywhere the label is looked for.

* :data:`SO_HEADER`, :data:`SO`, :data:`SO_GLYPH`, :data:`SO_CELL`: the "Số" label, in the header, on a stamp,
  as a lone word, as the word in a ĐẾN stamp's cell.
* :data:`NGAY`, :data:`THANG`, :data:`NAM`: the words of a date ("ngày … tháng … năm …").
* :data:`KINH_GUI`, :data:`NOI_NHAN`: the addressee and recipient labels (nd30.md §2.5, §2.7).
* :func:`signer_prefixes` and the patterns built on them (:data:`SIGNER_PREFIX`, …): TM., KT., TL., TUQ., Q.,
  from ``data/positions.yaml``.

    >>> bool(regex.match(SO_HEADER, "S6: /KH-UBND")), bool(regex.match(SO, "Sô"))
    (True, True)
    >>> bool(KINH_GUI.match("Kinh gui: Sở Y tế")), bool(NOI_NHAN.match("Noi nhận:"))
    (True, True)
    >>> signer_prefixes()
    ('TM', 'KT', 'TL', 'TUQ', 'Q')
    >>> SIGNER_PREFIX.match("KT. GIÁM ĐỐC").group("p")
    'KT'
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, cast

import regex

from vn_dispatch_parser.core.tables import load

__all__ = ["KINH_GUI", "NAM", "NGAY", "NOI_NHAN", "SIGNER_PREFIX", "SIGNER_PREFIX_DOT", "SIGNER_TAIL", "SO", "SO_CELL",
           "SO_GLYPH", "SO_HEADER", "THANG", "signer_prefixes"]

# --- "Số" ---
SO_HEADER = r"(?:S[ốôoó0ổ6ỗồộơớờởỡợ]|Sô|So|(?<=^\s*)s[ốô6ẽẻếểõ](?=\s*:)|(?<=^\s*)S[ỐÔÓỔ](?=\s*:))"
"""The header's "Số" before a number and ký hiệu: "Số", "Sô", "So", "S6", "Sổ", "S0", …; in lower case ("sẽ:") or in
capitals ("SỐ:", a header read in capitals) only at a line's start before a colon, where no other word is ("THÔNG
BÁO SỐ 496-TB/TU" in a heading cites a document). Case-sensitive (``lines.SO_RE``)."""
SO = r"S[ốoô6]"
"""The "Số" label of a ĐẾN stamp or a stamp-like row ("Số: 1234"), as the OCR reads it there: "Số", "So", "Sô",
"S6"; used with IGNORECASE."""
SO_GLYPH = r"S[ốoô6ổóòẽẻếểõ]"
"""A lone "Số" word whose tone mark the OCR misread ("Sổ", "Só", "Sẽ", "Sế"); used with IGNORECASE and a check
that no letter follows (not "SÓC", "SỞ"): the printed label before a hand-written number (handfill)."""
SO_CELL = r"S[ốoô6ổóò]"
"""The "Số" label as a whole word in a ĐẾN stamp's cell (den_stamp): :data:`SO_GLYPH` without the ẽ/ẻ/ế/ể/õ
misreadings, as the stamp reader has always matched it (the cell's hand-writing is read there too; widening it
is a change to measure on ../shared/real, whose stamp lines vary from run to run on 5 signed PDFs)."""

# --- "ngày … tháng … năm …" ---
_A = "aàáảãạăằắẳẵặâầấẩẫậ"
"""Every "a" with its vowel and tone marks: the OCR confuses the breve, the circumflex and the tones of the "a"
in the three fixed words of a date line ("thắng", "nằm", "ngảy" on degraded scans), and no other word stands
in their places between a day, a month and a year."""
NGAY = rf"ng[{_A}]y"
"""The date's "ngày" with any mark on its "a" ("ngay", "ngáy"); used with IGNORECASE (also for a stamp's
"Ngày:")."""
THANG = rf"th[{_A}oòóỏõọuùúủũụ]ng"
"""The date's "tháng" with any mark on its "a" ("thang", "thắng"), or its blurred "a" read as an "o" or a "u"
("thóng", "thúng": the bowl of a blurred italic "á" closes)."""
NAM = rf"n[{_A}]m"
"""The date's "năm" with any mark on its "a" ("nam", "nâm", "nằm")."""
YEAR_GAP = r"\s*[:.,]?\s*"
"""What may stand between "năm" and the year: spaces, and one stray stop, comma or colon (a typewriter's
"năm: 1999", a speck of the paper read as a stop)."""

# --- Kính gửi, Nơi nhận ---
KINH_GUI = regex.compile(r"^\s*K[íiì]nh\s*g[ửưu][ií]\s*[:;.]?\s*(?P<rest>.*)$", regex.IGNORECASE)
"""The "Kính gửi:" label and what follows it on the line (``rest``): "Kinh gui", "Kính gưi", "Kìnhgửi"."""
NOI_NHAN = regex.compile(
    r"^\s*(?:N[ơoóờởớ][ií]\s*(?:nh[ậaâ]n\s*[:;.]?|nh\S{0,3}\s+nh[ậaâ]n\s*[:;.]?|nh\S{1,3}\s*:)"
    r"|[(\[|]?[ơờớở][ií]\s*nh[ậaâ]n\s*:)\s*(?P<rest>.*)$",  # the N lost: "(ơi nhận:"
    regex.IGNORECASE)
"""The "Nơi nhận:" label and what follows it (``rest``): "Noi nhan", "Nới nhận", "Nơi nh4 nhận", "(ơi nhận:"."""


# --- signing prefixes ---
@cache
def signer_prefixes() -> tuple[str, ...]:
    """The signing prefixes without their dot, in the order of ``data/positions.yaml``: TM (thay mặt), KT (ký
    thay), TL (thừa lệnh), TUQ (thừa ủy quyền), Q (quyền)."""
    return tuple(p.rstrip(".") for p in load("positions")["prefixes"])


class _LazyPattern:
    """A pattern compiled on first use (the prefixes come from the data tables, not loaded at import)."""

    def __init__(self, build: Callable[[str], str]) -> None:
        self._build = build
        self._pattern: regex.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._pattern is None:
            self._pattern = regex.compile(self._build("|".join(signer_prefixes())), regex.V1)
        return getattr(self._pattern, name)


SIGNER_PREFIX = cast("regex.Pattern[str]", _LazyPattern(lambda alt: rf"^(?P<p>{alt})\s*[.,]\s*(?P<rest>\p{{Lu}}.*)$"))
"""A line that starts with a signing prefix ("KT. GIÁM ĐỐC", "TM, UBND"): ``p`` the prefix, ``rest`` the title."""
SIGNER_PREFIX_DOT = cast("regex.Pattern[str]", _LazyPattern(lambda alt: rf"^({alt})\s*\.\s*\p{{Lu}}"))
"""The same with its dot only (how the Nơi nhận list tells the signature block's first line from an item)."""
SIGNER_TAIL = cast("regex.Pattern[str]", _LazyPattern(
    lambda alt: rf"(?:(?<=[;.,:])\s*|\s+)(?=(?:{alt})\s*\.\s*[\p{{Lu}}]{{2}})"))
"""Where a signature title begins inside a line that OCR joined to the Nơi nhận item beside it."""
