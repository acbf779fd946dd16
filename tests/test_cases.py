"""Text-in, record-out cases in tests/cases (see tests/cases/README.md for what each covers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vn_dispatch_parser import parse_file

from .conftest import compare_doc

CASES = sorted((Path(__file__).parent / "cases").glob("*.txt"))


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    truth = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    result = json.loads(parse_file(path).model_dump_json())
    assert len(result["documents"]) == len(truth["documents"]), [d.get("number_symbol") for d in result["documents"]]
    diffs = [f"doc {i}: {d}" for i, (t, p) in enumerate(zip(truth["documents"], result["documents"], strict=True))
             for d in compare_doc(t, p)]
    assert not diffs, "\n".join(diffs)


def test_enough_cases() -> None:
    assert len(CASES) >= 40
