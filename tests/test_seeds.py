"""The five real transcriptions in ../shared/seeds: every labelled field must match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vn_dispatch_parser import parse_file

from .conftest import SHARED, compare_doc

SEEDS = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_seed(path: Path) -> None:
    truth = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    result = json.loads(parse_file(path).model_dump_json())
    assert len(result["documents"]) == len(truth["documents"])
    diffs = [f"doc {i}: {d}" for i, (t, p) in enumerate(zip(truth["documents"], result["documents"], strict=True))
             for d in compare_doc(t, p)]
    assert not diffs, "\n".join(diffs)


def test_seeds_present() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    assert len(SEEDS) == 5
