"""Shared fixtures: paths to ../shared (skipped when absent) and a field-by-field comparison helper."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# a short công văn as OCR text, for tests of the CLI and the benchmark
CONG_VAN_TEXT = """UBND TỈNH BÌNH DƯƠNG
SỞ Y TẾ
Số: 1865 /SYT-VP
V/v chấn chỉnh thực thi công vụ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bình Dương, ngày 18 tháng 6 năm 2025
Kính gửi: Các đơn vị trực thuộc Sở.
Nội dung công văn./.
Nơi nhận:
- Như trên;
- Lưu: VT, VP.
GIÁM ĐỐC
Nguyễn Hồng Chương
"""



def norm(v: Any) -> Any:
    """The scorer's normalisation (../shared/tools/score.py): NFC, spaces, trailing ;,.: and case."""
    if v is None:
        return None
    s = unicodedata.normalize("NFC", str(v))
    s = re.sub(r"\s+", " ", s).strip().rstrip(";,.:").strip()
    return s.casefold() or None


def compare_doc(truth: dict[str, Any], pred: dict[str, Any]) -> list[str]:
    """Differences between a truth document and a predicted one, for the keys the truth has."""
    diffs = []
    for key, tv in truth.items():
        if key in ("notes", "handwritten_fields", "full_text", "needs_review_includes", "warnings_include"):
            continue
        pv = pred.get(key)
        if key == "references":
            a = sorted((r["number_symbol"], r["date"]) for r in tv or [])
            b = sorted((r["number_symbol"], r["date"]) for r in pv or [])
            if [(norm(x), y) for x, y in a] != [(norm(x), y) for x, y in b]:
                diffs.append(f"references: {a} != {b}")
        elif key == "incoming_stamp":
            if (tv is None) != (pv is None) or (
                tv and any(norm(tv.get(k)) != norm(pv.get(k)) for k in tv)
            ):
                diffs.append(f"incoming_stamp: {tv} != {pv}")
        elif isinstance(tv, list):
            if [norm(x) for x in tv] != [norm(x) for x in pv or []]:
                diffs.append(f"{key}: {tv} != {pv}")
        elif norm(tv) != norm(pv):
            diffs.append(f"{key}: {tv!r} != {pv!r}")
    for name in truth.get("needs_review_includes", []):
        if name not in pred.get("needs_review", []):
            diffs.append(f"needs_review lacks {name}")
    for sub in truth.get("warnings_include", []):
        if not any(sub in w for w in pred.get("warnings", [])):
            diffs.append(f"no warning containing {sub!r}")
    return diffs


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED
