"""Dates: the "ngày … tháng … năm …" line, short dates ("19/6", "14/1/23"), validation.

    >>> make_date("18", "6", "2025")
    datetime.date(2025, 6, 18)
    >>> short_date("14/1/23", default_year=None)
    datetime.date(2023, 1, 14)
    >>> short_date("19/6", default_year=2025)
    datetime.date(2025, 6, 19)
"""

from __future__ import annotations

import datetime as dt

import regex

__all__ = ["SHORT_DATE_RE", "make_date", "short_date", "to_year"]

SHORT_DATE_RE = regex.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}|\d{2}))?(?!\d)")


def to_year(text: str | None) -> int | None:
    """A 2- or 4-digit year as a 4-digit int (``"23"`` → 2023); None for anything but ASCII digits."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    y = int(text)
    if y < 100:
        y += 2000 if y < 70 else 1900
    return y


def make_date(d: str | int | None, m: str | int | None, y: str | int | None) -> dt.date | None:
    """A valid date from its parts, or None (blank part, impossible date, year out of 1945–2099)."""
    try:
        di, mi, yi = int(str(d).strip()), int(str(m).strip()), int(str(y).strip())
    except (TypeError, ValueError):
        return None
    if not 1945 <= yi <= 2099:
        return None
    try:
        return dt.date(yi, mi, di)
    except ValueError:
        return None


def short_date(text: str, default_year: int | None) -> dt.date | None:
    """Parse "d/m[/yy[yy]]"; a date without a year takes ``default_year``."""
    m = SHORT_DATE_RE.search(text)
    if not m:
        return None
    year = to_year(m.group(3)) if m.group(3) else default_year
    if year is None:
        return None
    return make_date(m.group(1), m.group(2), year)
