"""Batch runs over folders: per-file JSON plus ``records.jsonl`` and ``records.csv``.

Every output is written to a temporary name and renamed when complete.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DispatchParserError, InputFileError
from .export import csv_text, flat_row
from .records import FileResult

__all__ = ["SUPPORTED_SUFFIXES", "BatchOptions", "BatchReport", "atomic_write", "iter_inputs", "run_batch"]

log = logging.getLogger(__name__)
SUPPORTED_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".txt", ".md"}


@dataclass
class BatchOptions:
    inputs: list[Path]
    out_dir: Path
    jobs: int = 0
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    force: bool = False
    formats: set[str] = field(default_factory=lambda: {"json", "jsonl", "csv"})
    searchable_pdf: bool = False
    timeout: float | None = None
    dpi: int = 300


@dataclass
class BatchReport:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    documents: int = 0


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def iter_inputs(opts: BatchOptions) -> Iterator[tuple[Path, Path]]:
    """Yield (input path, path relative to its root) for every supported input, sorted."""
    for root in opts.inputs:
        if root.is_dir():
            files = sorted(p for p in root.rglob("*") if p.is_file())
            base = root
        else:
            files, base = [root], root.parent
        for p in files:
            rel = p.relative_to(base)
            if p.name.startswith(".") or p.name.endswith(".json"):
                continue
            if p.suffix.lower() not in SUPPORTED_SUFFIXES and root.is_dir():
                continue
            if opts.include and not any(fnmatch.fnmatch(str(rel), g) for g in opts.include):
                continue
            if any(fnmatch.fnmatch(str(rel), g) for g in opts.exclude):
                continue
            yield p, rel


def run_batch(opts: BatchOptions) -> BatchReport:
    """Parse every input into ``out_dir`` (serially), then rebuild the combined outputs."""
    from .pipeline import parse_file

    report = BatchReport()
    results: list[FileResult] = []
    errors: list[dict[str, str]] = []
    for path, rel in iter_inputs(opts):
        try:
            if not path.exists():
                raise InputFileError("no such file", path)
            result = parse_file(path) if path.suffix.lower() in (".txt", ".md") else parse_file(path, dpi=opts.dpi)
        except DispatchParserError as e:
            report.failed += 1
            errors.append({"path": str(rel), "code": e.code, "message": e.reason})
            log.warning("failed: %s", e)
            continue
        if "json" in opts.formats:
            atomic_write(opts.out_dir / (str(rel) + ".json"), result.to_json())
        results.append(result)
        report.ok += 1
        report.documents += len(result.documents)
    rows = [flat_row(r, i, d) for r in results for i, d in enumerate(r.documents)]
    if "jsonl" in opts.formats:
        atomic_write(opts.out_dir / "records.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    if "csv" in opts.formats:
        atomic_write(opts.out_dir / "records.csv", csv_text(rows))
    atomic_write(opts.out_dir / "errors.jsonl", "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors))
    return report
