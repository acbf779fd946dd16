"""Compare two batch output folders record by record (the refactoring check of issue 11).

    python tools/compare_records.py BEFORE_DIR AFTER_DIR [--ignore KEY ...]

Every ``<input>.json`` under BEFORE_DIR is compared with the same path under AFTER_DIR; differences are
printed as JSON paths (``cv_004_mild.pdf.json: documents[0].fields.number.value: '12' != '13'``). Keys named
by ``--ignore`` are left out wherever they occur (e.g. a field added on purpose). Exit status 0 when every
record is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

#: Files of a batch folder that are not per-input records.
NOT_RECORDS = {"errors.jsonl", "records.jsonl", "records.csv", "catalogue.sqlite", "summary.json"}


def diff(a: Any, b: Any, path: str, ignore: set[str]) -> list[str]:
    """The JSON paths where ``a`` and ``b`` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b)):
            if key in ignore:
                continue
            sub = f"{path}.{key}" if path else key
            if key not in a or key not in b:
                out.append(f"{sub}: only in {'after' if key not in a else 'before'}")
            else:
                out += diff(a[key], b[key], sub, ignore)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += diff(x, y, f"{path}[{i}]", ignore)
        return out
    return [] if a == b else [f"{path}: {a!r:.80} != {b!r:.80}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--ignore", action="append", default=[], help="a key left out wherever it occurs")
    args = ap.parse_args(argv)
    ignore = set(args.ignore)
    differing = 0
    files = sorted(p for p in args.before.rglob("*.json") if p.name not in NOT_RECORDS and ".review" not in p.name)
    for old in files:
        rel = old.relative_to(args.before)
        new = args.after / rel
        if not new.exists():
            print(f"{rel}: missing after")
            differing += 1
            continue
        found = diff(json.loads(old.read_text("utf-8")), json.loads(new.read_text("utf-8")), "", ignore)
        if found:
            differing += 1
            for line in found[:20]:
                print(f"{rel}: {line}")
    print(f"{len(files)} records compared, {differing} differ", file=sys.stderr)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
