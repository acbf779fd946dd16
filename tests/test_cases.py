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


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_double_spaced(path: Path) -> None:
    """Each case printed one paragraph per line with a blank line between (as vision models print pages)
    reads into the same record."""
    from vn_dispatch_parser import parse_text

    truth = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    doubled = "\f".join("\n\n".join(ln for ln in page.split("\n") if ln.strip()) for page in text.split("\f"))
    result = json.loads(parse_text(doubled, name=path.name).model_dump_json())
    assert len(result["documents"]) == len(truth["documents"])
    diffs = [f"doc {i}: {d}" for i, (t, p) in enumerate(zip(truth["documents"], result["documents"], strict=True))
             for d in compare_doc(t, p)]
    assert not diffs, "\n".join(diffs)
