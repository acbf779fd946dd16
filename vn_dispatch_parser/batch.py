"""Batch runs over folders: per-file JSON plus ``records.jsonl``, ``records.csv`` and ``errors.jsonl``.

The contract archivists rely on:

* **Every output is whole.** Each file is written to a temporary name in its folder and renamed when
  complete; only this (parent) process writes, workers just compute. A temporary file left by a killed
  run is removed at the start of the next one. A lock file keeps two runs out of the same folder.
* **One result per input**: ``OUT_DIR/<relative path>.json`` (the ``FileResult``, whose ``file`` is the
  relative path and ``sha256`` the input's), written as soon as that file is done.
* **Combined outputs are derived.** At the end of a complete run, ``records.jsonl`` and ``records.csv``
  are rebuilt from the per-file JSON on disk (in input order), and ``errors.jsonl`` lists this run's
  failures, so they never hold a duplicate or half a line. An interrupted run leaves them as they were.
* **Resume.** An input is skipped when its JSON exists with the input's current ``sha256`` and the
  current ``pipeline_version`` (and its searchable PDF exists, if asked for); failed inputs have no JSON
  and are retried; ``force`` redoes everything. So "interrupt, rerun" ends exactly like one clean run.
* **Bad input never stops the batch**; it becomes one line in ``errors.jsonl``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from .errors import DispatchParserError, ExitCode
from .export import csv_text, flat_row
from .fsutil import atomic_open, atomic_write, folder_lock, remove_temp_files
from .progress import BatchDisplay, NullDisplay
from .records import PIPELINE_VERSION, FileResult
from .workers import Outcome, SerialRunner, Task, WorkerPool, process_one, sha256_file

__all__ = [
    "FORMATS",
    "SUPPORTED_SUFFIXES",
    "BatchOptions",
    "BatchOutputError",
    "BatchReport",
    "BatchUsageError",
    "atomic_open",
    "atomic_write",
    "default_jobs",
    "iter_inputs",
    "run_batch",
]

log = logging.getLogger(__name__)
SUPPORTED_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".txt", ".md"}
FORMATS = frozenset({"json", "jsonl", "csv"})
TEXT_SUFFIXES = frozenset({".txt", ".md"})


class BatchUsageError(DispatchParserError):
    """The batch cannot start: bad options, clashing inputs, or the output folder is in use."""

    exit_code = ExitCode.usage
    code = "usage"


class BatchOutputError(DispatchParserError):
    """An output cannot be written (disk full, no permission): the batch stops; rerun to resume."""

    exit_code = ExitCode.some_failed
    code = "output"


@dataclass
class BatchOptions:
    """What to read and where to write; see ``vn-dispatch batch --help``."""

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
    cluster: str | None = None
    fields_only: bool = False
    page_tasks: int = 8  # on a cluster, a PDF of more pages is read as page tasks (0: never)


@dataclass
class BatchReport:
    """Counts of a run. ``documents``/``needs_review`` cover the records written (this run's files only
    when interrupted); ``errors`` are this run's failures in input order."""

    out_dir: str = ""
    total: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    documents: int = 0
    needs_review: int = 0
    elapsed: float = 0.0
    interrupted: bool = False
    jobs: int = 1
    errors: list[dict[str, str]] = field(default_factory=list)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _walk(root: Path) -> Iterator[Path]:
    """Files under ``root``, sorted, not following symlinked folders, hidden folders left out."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            yield Path(dirpath) / name


def iter_inputs(opts: BatchOptions) -> Iterator[tuple[Path, Path]]:
    """Yield (input path, path relative to its root) for every supported input, sorted.

    Folders are searched recursively for supported suffixes; files named explicitly are taken whatever
    their suffix (an unsupported one then fails with its reason). Hidden files, ``*.json`` and anything
    inside the output folder are left out; ``include``/``exclude`` globs match the relative path.
    """
    out = opts.out_dir.resolve()
    for root in opts.inputs:
        is_dir = root.is_dir()
        files, base = (_walk(root), root) if is_dir else (iter([root]), root.parent)
        for p in files:
            rel = p.relative_to(base)
            if p.name.startswith(".") or p.name.endswith(".json") or (is_dir and not p.is_file()):
                continue
            if is_dir and p.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if is_dir and p.resolve().is_relative_to(out):
                continue
            if opts.include and not any(fnmatch(rel.as_posix(), g) for g in opts.include):
                continue
            if any(fnmatch(rel.as_posix(), g) for g in opts.exclude):
                continue
            yield p, rel


def result_version(fields_only: bool) -> str:
    """The ``pipeline_version`` a current result has: a fields-only result never stands for a full one."""
    return PIPELINE_VERSION + ("+fields-only" if fields_only else "")


def result_path(out_dir: Path, rel: Path) -> Path:
    """Where the per-file JSON of input ``rel`` goes."""
    return out_dir / (rel.as_posix() + ".json")


def searchable_path(out_dir: Path, rel: Path) -> Path:
    """Where the searchable PDF of input ``rel`` goes (next to its JSON)."""
    return out_dir / (rel.as_posix() + ".searchable.pdf")


@contextlib.contextmanager
def _interrupts() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt, and ignore further Ctrl-C while shutting down."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, frame: Any) -> None:
        for s in old:
            signal.signal(s, signal.SIG_IGN)
        raise KeyboardInterrupt

    for s in old:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


class _Run:
    """The state of one batch run (the parent's side)."""

    def __init__(self, opts: BatchOptions, display: BatchDisplay, inputs: list[tuple[Path, Path]]) -> None:
        self.opts = opts
        self.display = display
        self.inputs = inputs
        self.states: list[str | None] = [None] * len(inputs)  # "ok", "skipped", "failed"
        self.errors: dict[int, dict[str, str]] = {}
        self.report = BatchReport(out_dir=str(opts.out_dir), total=len(inputs))

    def _wants_searchable(self, path: Path) -> bool:
        return self.opts.searchable_pdf and path.suffix.lower() not in TEXT_SUFFIXES

    def _searchable_tmp(self, index: int, rel: Path) -> Path:
        dest = searchable_path(self.opts.out_dir, rel)
        return dest.parent / f".{dest.name}.{os.getpid()}-{index}.tmp"

    def is_current(self, path: Path, rel: Path) -> bool:
        """True when ``rel``'s result on disk is for this very input and this pipeline version."""
        try:
            data = json.loads(result_path(self.opts.out_dir, rel).read_bytes())
        except (OSError, ValueError):
            return False
        if not isinstance(data, dict) or data.get("pipeline_version") != result_version(self.opts.fields_only):
            return False
        if self._wants_searchable(path) and not searchable_path(self.opts.out_dir, rel).is_file():
            return False
        try:
            return bool(data.get("sha256")) and data["sha256"] == sha256_file(path)
        except OSError:
            return False

    def tasks(self) -> Iterator[Task]:
        """The inputs that need work, in order; current results are skipped as they are met."""
        for i, (path, rel) in enumerate(self.inputs):
            if not self.opts.force and self.is_current(path, rel):
                self.states[i] = "skipped"
                self.report.skipped += 1
                self.display.file_skipped(rel.as_posix())
                continue
            tmp = None
            if self._wants_searchable(path):
                tmp = self._searchable_tmp(i, rel)
                tmp.parent.mkdir(parents=True, exist_ok=True)
            yield Task(i, str(path), rel.as_posix(), self.opts.dpi, str(tmp) if tmp else None, self.opts.fields_only)

    def on_pages(self, task: Task, pages: int) -> None:
        """A worker has counted the pages of a scan."""
        self.display.file_started(task.rel, pages)

    def handle(self, outcome: Outcome) -> None:
        """Write a finished file's outputs (searchable PDF first, the JSON last), or record its failure."""
        i = outcome.index
        path, rel = self.inputs[i]
        json_path = result_path(self.opts.out_dir, rel)
        tmp = self._searchable_tmp(i, rel)
        if outcome.ok and outcome.json_text is not None:
            if outcome.searchable:
                os.replace(tmp, searchable_path(self.opts.out_dir, rel))
            atomic_write(json_path, outcome.json_text)
            self.states[i] = "ok"
            self.report.ok += 1
            self.report.pages += outcome.pages
            self.report.documents += outcome.documents
            self.report.needs_review += outcome.needs_review
        else:
            tmp.unlink(missing_ok=True)
            json_path.unlink(missing_ok=True)  # a stale result of an older version of this input
            searchable_path(self.opts.out_dir, rel).unlink(missing_ok=True)
            self.states[i] = "failed"
            self.errors[i] = {"path": rel.as_posix(), "code": outcome.code or "error", "message": outcome.message or ""}
            self.report.failed += 1
        self.display.file_done(rel.as_posix(), outcome)

    def write_combined(self) -> None:
        """Rebuild records.jsonl / records.csv from the per-file JSON on disk; write errors.jsonl."""
        out, formats = self.opts.out_dir, self.opts.formats
        documents = needs_review = 0
        with contextlib.ExitStack() as stack:
            jsonl = stack.enter_context(atomic_open(out / "records.jsonl")) if "jsonl" in formats else None
            csv = stack.enter_context(atomic_open(out / "records.csv")) if "csv" in formats else None
            if csv is not None:
                csv.write(csv_text([]))  # BOM + header
            for i, (_path, rel) in enumerate(self.inputs):
                if self.states[i] not in ("ok", "skipped"):
                    continue
                try:
                    result = FileResult.model_validate_json(result_path(out, rel).read_bytes())
                except (OSError, ValueError) as e:  # edited or damaged by hand since it was checked
                    log.warning("%s: result left out of the records: %s", result_path(out, rel), e)
                    continue
                rows = [flat_row(result, k, doc) for k, doc in enumerate(result.documents)]
                documents += len(rows)
                needs_review += sum(len(d.needs_review) for d in result.documents)
                if jsonl is not None:
                    jsonl.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
                if csv is not None and rows:
                    csv.write(csv_text(rows, bom=False).split("\r\n", 1)[1])  # rows without the header
        self.report.errors = [self.errors[i] for i in sorted(self.errors)]
        atomic_write(out / "errors.jsonl", "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self.report.errors))
        self.report.documents, self.report.needs_review = documents, needs_review


def _check(opts: BatchOptions) -> None:
    unknown = set(opts.formats) - FORMATS
    if unknown or not opts.formats:
        raise BatchUsageError(f"unknown output format(s) {sorted(unknown)}; choose from json, jsonl, csv")
    if opts.jobs < 0:
        raise BatchUsageError("--jobs must be 0 (all cores) or more")
    if opts.timeout is not None and opts.timeout <= 0:
        raise BatchUsageError("--timeout must be positive (or 0 for no limit)")
    for p in opts.inputs:
        if not p.exists():
            raise BatchUsageError(f"input not found: {p}")
    if opts.out_dir.exists() and not opts.out_dir.is_dir():
        raise BatchUsageError(f"--out must be a folder: {opts.out_dir}")


def _inputs(opts: BatchOptions) -> list[tuple[Path, Path]]:
    inputs = list(iter_inputs(opts))
    seen: dict[str, Path] = {}
    for path, rel in inputs:
        key = rel.as_posix().casefold()
        if key in seen:
            raise BatchUsageError(f"two inputs would share one output name {rel.as_posix()!r}: {seen[key]} and "
                                  f"{path}; put them in separate folders or batch them separately")
        seen[key] = path
    return inputs


def run_batch(opts: BatchOptions, display: BatchDisplay | None = None) -> BatchReport:
    """Read every input into ``opts.out_dir``, then rebuild the combined outputs.

    With ``jobs == 1`` and no timeout the files are read in this process; otherwise in worker processes
    (``jobs == 0``: one per core), which is also how a per-file timeout is enforced. Workers are
    *spawned*, so a script calling this with workers needs the ``if __name__ == "__main__":`` guard.
    Ctrl-C (or SIGTERM) stops the workers, keeps every result written so far and returns a report with
    ``interrupted`` (the combined outputs are then left as they were).

    Args:
        opts: Inputs, output folder and options.
        display: Progress events sink (:func:`vn_dispatch_parser.progress.make_display`); default: none.

    Returns:
        The counts of the run; ``report.failed > 0`` when some input could not be read.

    Raises:
        BatchUsageError: Bad options, an input that does not exist, clashing output names, or another
            run holding the output folder.
    """
    display = display or NullDisplay()
    _check(opts)
    t0 = time.monotonic()
    opts.out_dir.mkdir(parents=True, exist_ok=True)
    if "json" not in opts.formats:
        log.info("per-file JSON is always written: it is what resume and records.* are built from")
    with folder_lock(opts.out_dir), _interrupts():
        remove_temp_files(opts.out_dir)
        run = _Run(opts, display, _inputs(opts))
        jobs = opts.jobs or default_jobs()
        runner: Any
        if opts.cluster:
            from .cluster import DaskRunner

            runner = DaskRunner(opts.cluster, jobs=opts.jobs, timeout=opts.timeout, page_tasks=opts.page_tasks)
            jobs = runner.workers
        elif jobs == 1 and not opts.timeout:
            runner = SerialRunner(process_one)
        else:
            runner = WorkerPool(jobs, timeout=opts.timeout)
        run.report.jobs = jobs
        display.start(len(run.inputs), jobs, str(opts.out_dir))
        try:
            for outcome in runner.run(run.tasks(), run.on_pages):
                run.handle(outcome)
        except KeyboardInterrupt:
            run.report.interrupted = True
            log.warning("interrupted: stopping the workers; results written so far are kept")
        except OSError as e:
            raise BatchOutputError(f"cannot write the outputs: {e}", opts.out_dir) from e
        finally:
            runner.close()
        if not run.report.interrupted:
            try:
                run.write_combined()
            except OSError as e:
                raise BatchOutputError(f"cannot write records/errors: {e}", opts.out_dir) from e
        else:
            run.report.errors = [run.errors[i] for i in sorted(run.errors)]
        run.report.elapsed = time.monotonic() - t0
        display.finish(run.report)
    return run.report
