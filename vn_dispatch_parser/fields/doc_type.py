"""Tên loại văn bản: the centred caps heading (nd30.md §2.4), else "CÔNG VĂN" from a V/v line.

    >>> match_heading("QUYẾT  ĐỊNH")
    ('QUYẾT ĐỊNH', '')
    >>> match_heading("QUYET DINH")
    ('QUYẾT ĐỊNH', '')
    >>> match_heading("QUYẾT ĐỊNH:") is None
    True
    >>> match_heading("BÁO CÁO NGÀY 11 THÁNG 9 NĂM 2025 VỀ TÌNH HÌNH")
    ('BÁO CÁO', 'NGÀY 11 THÁNG 9 NĂM 2025 VỀ TÌNH HÌNH')
"""

from __future__ import annotations

from vn_dispatch_parser.core.headings import match_heading

__all__ = ["match_heading"]
