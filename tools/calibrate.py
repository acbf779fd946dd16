"""Measure how well confidences and review flags separate right values from wrong ones, field by field.

    python tools/calibrate.py TRUTH_DIR PRED_DIR [TRUTH_DIR PRED_DIR ...] [--score ../shared/tools/score.py]
                              [--holdout GLOB] [--thresholds] [--reasons] [--rows OUT.jsonl]

Each pair is a truth folder and the batch output made from its inputs; values are scored exactly as
``score.py`` scores them (its module is loaded, not copied). For every scored cell the tool keeps the field,
the record's confidence for it, whether the record flagged it (``needs_review``) and whether it is right.
It prints, per field: cells, error rate, share flagged, share of flagged that are wrong (precision), share
of wrong that are flagged (caught), and silent errors; with ``--thresholds`` also, for a confidence
threshold t per field, the flags and catches that "flag when confidence < t" would give, which is how the
thresholds in ``vn_dispatch_parser/data/review.yaml`` are chosen. ``--holdout GLOB`` leaves matching truth
files out of the fit and reports them apart (the check set).

``--fit OUT.yaml`` writes the calibration table that ``review.py`` reads: for each field, the parser's score
(``evidence[field].score``) is mapped to the share of values with that score that were right, by isotonic
regression (pool-adjacent-violators: a higher score is never less likely right), with blocks of at least
``MIN_BLOCK`` cells and Laplace smoothing ((right + 1) / (cells + 2)) so that a handful of cells cannot say
"always right". Fit on some sets, then score the held-out ones with the table before keeping it.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vn_dispatch_parser.document.review import SCORE_REASONS, SCORE_REVIEW_BELOW  # noqa: E402

GRID = [round(0.05 * i, 2) for i in range(0, 21)]
MIN_BLOCK = 8  # cells per isotonic step: fewer is noise on sets of ~50 documents


def load_score(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def rows(score: ModuleType, truth_dir: Path, pred_dir: Path) -> list[dict[str, Any]]:
    """One row per scored field cell: set, file, field, top field, confidence, flagged, right."""
    out = []
    for tf in sorted(truth_dir.rglob("*.json")):
        truth = json.loads(tf.read_text(encoding="utf-8"))
        if "documents" not in truth or "file" not in truth:
            continue
        pf = score.find_pred(pred_dir, truth["file"])
        pred = json.loads(pf.read_text(encoding="utf-8")) if pf else {"documents": []}
        pdocs = pred.get("documents") or []
        for i, t in enumerate(truth["documents"]):
            p = pdocs[i] if i < len(pdocs) else {}
            flagged = set(p.get("needs_review") or [])
            conf = p.get("confidence") or {}
            evidence = p.get("evidence") or {}
            reasons = p.get("review_reasons") or {}
            for k, v in score.score_doc(t, p).items():
                if k in ("full_text", "document_count"):
                    continue
                top = k.split(".")[0]
                ev = evidence.get(top) or {}
                why = reasons.get(top, "")
                out.append({"set": str(truth_dir), "file": truth["file"], "doc": i, "field": k, "top": top,
                            "level": truth.get("degradation", "real"), "conf": conf.get(top),
                            "raw": ev.get("score", conf.get(top)), "flagged": top in flagged,
                            "rule": bool(why) and not why.startswith(SCORE_REASONS), "why": why, "right": v >= 1.0,
                            "value_score": v})
    return out


def table(cells: list[dict[str, Any]], title: str) -> None:
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in cells:
        by[c["field"]].append(c)
    print(f"\n== {title}: {len(cells)} cells")
    print(f"{'field':24}{'n':>5}{'wrong':>7}{'flag':>7}{'prec':>7}{'caught':>8}{'silent':>8}")
    for field in sorted(by) + ["ALL"]:
        cs = cells if field == "ALL" else by[field]
        n = len(cs)
        wrong = [c for c in cs if not c["right"]]
        flagged = [c for c in cs if c["flagged"]]
        prec = sum(not c["right"] for c in flagged) / len(flagged) if flagged else float("nan")
        caught = sum(c["flagged"] for c in wrong) / len(wrong) if wrong else float("nan")
        silent = sum(not c["flagged"] for c in wrong) / n
        print(f"{field:24}{n:5d}{len(wrong) / n:7.3f}{len(flagged) / n:7.3f}{prec:7.3f}{caught:8.3f}{silent:8.3f}")


def thresholds(cells: list[dict[str, Any]]) -> None:
    """For each top-level field: flags and catches of "flag when confidence < t"."""
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in cells:
        by[c["top"]].append(c)
    print("\n== flag when confidence < t (per top-level field): t -> flagged share / caught share")
    for field in sorted(by):
        cs = by[field]
        wrong = [c for c in cs if not c["right"]]
        parts = []
        for t in GRID:
            fl = [c for c in cs if c["conf"] is None or c["conf"] < t]
            caught = sum(1 for c in wrong if c["conf"] is None or c["conf"] < t)
            parts.append(f"{t:.2f}:{len(fl) / len(cs):.2f}/{caught / len(wrong) if wrong else 1:.2f}")
        print(f"{field:20} n={len(cs):4d} wrong={len(wrong):3d}  " + " ".join(parts[6:20]))


def reasons(cells: list[dict[str, Any]]) -> None:
    """For each field and rule reason (numbers left out): how often it fired, and how often on a wrong value.

    A reason that fires often on right values is a rule to refine: its flags cost the archivist's time."""
    by: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for c in cells:
        if c["flagged"] and c["field"] == c["top"]:
            by[(c["top"], re.sub(r"\d+(\.\d+)?%?", "N", c.get("why") or "")[:70])].append(c)
    print("\n== flags by reason: fired / on a wrong value (precision)")
    for (field, why), cs in sorted(by.items(), key=lambda kv: -len(kv[1])):
        wrong = sum(not c["right"] for c in cs)
        print(f"{len(cs):5d} {wrong:4d} {wrong / len(cs):6.2f}  {field:18} {why}")


def apply(cells: list[dict[str, Any]], table_path: Path, below: float | None = None) -> None:
    """Re-decide ``flagged`` and ``conf`` of every cell with the calibration table at ``table_path``."""
    import bisect

    import yaml

    data = yaml.safe_load(table_path.read_text(encoding="utf-8")) or {}
    fields = data.get("fields") or {}
    score_limits = data.get("score_thresholds") or {}
    for c in cells:
        steps = sorted(fields.get(c["top"], {}).get("steps") or [])
        raw = c["raw"]
        if raw is None:
            p = c["conf"] if c["conf"] is not None else 1.0
        elif steps:
            i = bisect.bisect_right([x for x, _ in steps], raw) - 1
            p = steps[max(i, 0)][1]
        else:
            p = raw
        c["conf"] = p
        limit = (below if below is not None else 0.8 if steps  # as review.threshold()
                 else float(score_limits.get(c["top"], SCORE_REVIEW_BELOW)))
        c["flagged"] = c["rule"] or p < limit


def isotonic(points: list[tuple[float, bool]]) -> list[tuple[float, float]]:
    """Steps (lowest score of the block, smoothed share right) of the isotonic fit of right ~ score.

    >>> isotonic([(0.1, False)] * 8 + [(0.9, True)] * 8)
    [(0.1, 0.1), (0.9, 0.9)]
    """
    pts = sorted(points)
    blocks: list[list[float]] = []  # [lowest score, right, cells]
    for x, ok in pts:
        blocks.append([x, float(ok), 1.0])
        while len(blocks) > 1 and (blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]
                                   or blocks[-2][2] < MIN_BLOCK):
            x2, r2, n2 = blocks.pop()
            blocks[-1][1] += r2
            blocks[-1][2] += n2
    while len(blocks) > 1 and blocks[-1][2] < MIN_BLOCK:  # a short last block joins the one before
        x2, r2, n2 = blocks.pop()
        blocks[-1][1] += r2
        blocks[-1][2] += n2
    steps, best = [], 0.0
    for x, right, n in blocks:  # smoothing can undo monotonicity by a hair: keep it non-decreasing
        best = max(best, (right + 1) / (n + 2))
        steps.append((round(x, 3), round(best, 3)))
    return steps


def fit(cells: list[dict[str, Any]], out: Path, sources: list[str]) -> None:
    """Write the per-field calibration table (see the module docstring)."""
    by: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    seen: set[tuple[str, str, int, str]] = set()
    for c in cells:
        key = (c["set"], c["file"], c["doc"], c["top"])
        if c["raw"] is None or key in seen:
            continue
        seen.add(key)  # one point per field value (incoming_stamp's parts share one score)
        right = all(x["right"] for x in cells if (x["set"], x["file"], x["doc"], x["top"]) == key)
        by[c["top"]].append((float(c["raw"]), right))
    lines = ["# Parser score -> measured chance that the value is right, per field (review.py).",
             "# Written by tools/calibrate.py --fit: isotonic steps [score, P(right)] (at or above the score),",
             f"# blocks of at least {MIN_BLOCK} values, Laplace-smoothed. Fitted on: " + ", ".join(sources) + ".",
             "# Fields with fewer than 2 blocks' worth of values keep their parser score.", "fields:"]
    for field in sorted(by):
        pts = by[field]
        if len(pts) < 2 * MIN_BLOCK:
            continue
        steps = isotonic(pts)
        wrong = sum(not ok for _, ok in pts)
        lines.append(f"  {field}:  # {len(pts)} values, {wrong} wrong")
        lines.append("    steps: [" + ", ".join(f"[{x}, {p}]" for x, p in steps) + "]")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pairs", nargs="+", type=Path, help="TRUTH_DIR PRED_DIR [TRUTH_DIR PRED_DIR ...]")
    ap.add_argument("--score", type=Path, default=Path(__file__).resolve().parents[2] / "shared/tools/score.py")
    ap.add_argument("--holdout", action="append", default=[], help="truth files (glob on the name) kept apart")
    ap.add_argument("--holdout-every", type=int, default=0, metavar="N",
                    help="also keep apart every N-th truth file of each set (sorted by name, the N-th, 2N-th…)")
    ap.add_argument("--thresholds", action="store_true")
    ap.add_argument("--reasons", action="store_true", help="flags by field and reason, with their precision")
    ap.add_argument("--rows", type=Path, help="write every cell as JSON Lines here")
    ap.add_argument("--fit", type=Path, help="write the calibration table (review.yaml) fitted on the fit set")
    ap.add_argument("--below", type=float, help="with --apply: the review threshold to try (default REVIEW_BELOW)")
    ap.add_argument("--apply", type=Path, metavar="TABLE.yaml",
                    help="before printing, re-decide every flag as review.py would with this table (from each "
                         "cell's raw score and rule reasons), to see a table's effect without rerunning")
    a = ap.parse_args()
    if len(a.pairs) % 2:
        ap.error("give TRUTH_DIR PRED_DIR pairs")
    score = load_score(a.score)
    cells: list[dict[str, Any]] = []
    for truth_dir, pred_dir in zip(a.pairs[::2], a.pairs[1::2], strict=True):
        cells += rows(score, truth_dir, pred_dir)
    if a.apply:
        apply(cells, a.apply, a.below)
    if a.holdout_every:
        for truth_dir in a.pairs[::2]:
            names = sorted(json.loads(f.read_text(encoding="utf-8")).get("file", "") for f in truth_dir.rglob("*.json"))
            a.holdout += [n for i, n in enumerate(n for n in names if n) if i % a.holdout_every == a.holdout_every - 1]
    held = [c for c in cells if any(fnmatch.fnmatch(c["file"], g) for g in a.holdout)]
    if held:
        print("held out:", ", ".join(sorted({c["file"] for c in held})))
    fit_cells = [c for c in cells if c not in held]
    table(fit_cells, "fit set" if held else "all")
    if held:
        table(held, "held-out check set")
    if a.thresholds:
        thresholds(fit_cells)
    if a.reasons:
        reasons(fit_cells)
    if a.fit:
        fit(fit_cells, a.fit, [str(p) for p in a.pairs[::2]])
    if a.rows:
        a.rows.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cells), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
