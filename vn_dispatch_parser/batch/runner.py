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
* **Bad input never stops the batch**; it becomes one line in ``errors.jsonl``. So does anything under an
  input folder that looks like an input but cannot be read: a broken or looping symbolic link, a FIFO or
  device, a sub-folder that cannot be listed. Symbolic links to folders are followed (each folder read once).
* **Names.** An output name that would pass the file system's 255-byte limit is shortened, with a hash of
  the full name (:func:`~vn_dispatch_parser.core.fsutil.fit_name`); the record keeps the full name, and a name
  that is not UTF-8 is kept byte for byte in ``file_raw`` (``file`` and logs show it printably).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import shutil
import signal
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from vn_dispatch_parser.batch.progress import BatchDisplay, NullDisplay
from vn_dispatch_parser.batch.workers import Outcome, SerialRunner, Task, WorkerPool, process_one, sha256_file
from vn_dispatch_parser.core.fsutil import (
    LOCK_NAME,
    WORK_DIR_NAME,
    atomic_open,
    atomic_write,
    fit_name,
    folder_lock,
    is_case_sensitive,
    printable_name,
    raw_name,
    remove_temp_files,
    temp_name,
)
from vn_dispatch_parser.errors import DispatchParserError, ExitCode, OutputError
from vn_dispatch_parser.outputs.export import (
    CSV_COLUMNS,
    ND30_COLUMNS,
    csv_text,
    flat_row,
    nd30_flat,
    nd30_metadata,
)
from vn_dispatch_parser.records import PIPELINE_VERSION, FileResult

__all__ = [
    "FORMATS",
    "SUPPORTED_SUFFIXES",
    "BatchOptions",
    "BatchOutputError",
    "BatchReport",
    "BatchUsageError",
    "InputProblem",
    "atomic_open",
    "atomic_write",
    "default_jobs",
    "iter_inputs",
    "run_batch",
]

log = logging.getLogger(__name__)
SUPPORTED_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".txt", ".md"}
FORMATS = frozenset({"json", "jsonl", "csv", "xlsx", "register"})
TEXT_SUFFIXES = frozenset({".txt", ".md"})
COMBINED_NAMES = frozenset({"records.jsonl", "records.csv", "records.xlsx", "register.xlsx", "register.pdf",
                            "errors.jsonl", LOCK_NAME, WORK_DIR_NAME})
"""Names the batch writes at the top of the output folder: no input folder may mirror onto them."""
FORCE_MARK = ".vn-dispatch.force"
"""Written when a ``--force`` run starts, removed when it completes: results newer than it were already
redone, so rerunning an interrupted ``--force`` run resumes it instead of starting over."""


class BatchUsageError(DispatchParserError):
    """The batch cannot start: bad options, clashing inputs, or the output folder is in use."""

    exit_code = ExitCode.usage
    code = "usage"


class BatchOutputError(OutputError):
    """An output cannot be written (disk full, no permission): the batch stops (exit 11); rerun to resume."""


@dataclass(frozen=True)
class InputProblem:
    """Something under an input folder that looks like an input but cannot be read as one."""

    rel: Path
    code: str
    message: str


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
    sidecar: bool = False
    pdfa: bool = True
    invalidate_signatures: bool = False
    pages: tuple[int, ...] | None = None
    naming: str = "record"  # "record" or "nd30": the names of records.jsonl / .csv / .xlsx columns
    max_text_bytes: int | None = None
    prune: bool = False
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
    stale: int = 0
    pruned: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _walk(root: Path, problems: list[InputProblem]) -> Iterator[Path]:
    """Files under ``root``, sorted; hidden files and folders left out; symbolic links to folders followed,
    each real folder once (a link back to a folder being read is a loop and is not followed).

    A sub-folder that cannot be listed is added to ``problems``; files are yielded whatever they are
    (broken links, FIFOs included) for :func:`iter_inputs` to sort out.
    """
    def ident(path: Path) -> tuple[int, int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino

    seen = {ident(root)}

    def visit(folder: Path) -> Iterator[Path]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            rel = folder.relative_to(root)
            problems.append(InputProblem(rel, "input_file", f"cannot list the folder: {e.strerror or e}; its files "
                                         "were not read"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows a symbolic link
            except OSError:
                is_dir = False
            if not is_dir:
                yield path
                continue
            key = ident(path)
            if key in seen:
                log.warning("%s: a symbolic link to a folder that is read already; not followed again",
                            printable_name(str(path)))
                continue
            seen.add(key)
            yield from visit(path)

    yield from visit(root)


def _unreadable(path: Path) -> InputProblem | None:
    """Why a listed file cannot be read as an input (broken or looping link, FIFO, device), or None."""
    try:
        mode = path.stat().st_mode
    except OSError as e:
        if e.errno == errno.ELOOP:
            return InputProblem(path, "input_file", "symbolic link loop: the link leads back to itself")
        if path.is_symlink():
            return InputProblem(path, "input_file", f"broken symbolic link (its target {os.readlink(path)!r} "
                                                    "does not exist)")
        return InputProblem(path, "input_file", f"cannot read: {e.strerror or e}")
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        return InputProblem(path, "unsupported_format", f"not a regular file ({kind}); not read")
    return None


def iter_inputs(opts: BatchOptions, problems: list[InputProblem] | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (input path, path relative to its root) for every supported input, sorted.

    Folders are searched recursively for supported suffixes; files named explicitly are taken whatever
    their suffix (an unsupported one then fails with its reason). Hidden files, ``*.json`` and anything
    inside the output folder are left out; ``include``/``exclude`` globs match the relative path.
    Supported names that cannot be read (broken or looping symbolic links, FIFOs, devices) and folders
    that cannot be listed go to ``problems`` (relative path, error code, reason) instead.
    """
    out = opts.out_dir.resolve()
    problems = problems if problems is not None else []
    for root in opts.inputs:
        is_dir = root.is_dir()
        found: list[InputProblem] = []
        files, base = (_walk(root, found), root) if is_dir else (iter([root]), root.parent)
        for p in files:
            rel = p.relative_to(base)
            if p.name.startswith(".") or p.name.endswith(".json"):
                continue
            if is_dir and p.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if opts.include and not any(fnmatch(rel.as_posix(), g) for g in opts.include):
                continue
            if any(fnmatch(rel.as_posix(), g) for g in opts.exclude):
                continue
            if is_dir and (problem := _unreadable(p)) is not None:
                found.append(InputProblem(rel, problem.code, problem.message))
                continue
            if is_dir and p.resolve().is_relative_to(out):
                continue
            yield p, rel
        problems.extend(found)


def _output_path(out_dir: Path, rel: Path, suffix: str) -> Path:
    return out_dir / rel.parent / fit_name(rel.name, suffix)


def result_version(fields_only: bool) -> str:
    """The ``pipeline_version`` a current result has: a fields-only result never stands for a full one."""
    return PIPELINE_VERSION + ("+fields-only" if fields_only else "")


def result_path(out_dir: Path, rel: Path) -> Path:
    """Where the per-file JSON of input ``rel`` goes (``<rel>.json``, shortened when too long)."""
    return _output_path(out_dir, rel, ".json")


def searchable_path(out_dir: Path, rel: Path) -> Path:
    """Where the searchable PDF of input ``rel`` goes (next to its JSON)."""
    return _output_path(out_dir, rel, ".searchable.pdf")


def _error_line(rel: Path | str, code: str, message: str) -> dict[str, str]:
    """One line of ``errors.jsonl``: the printable path, and its exact bytes when it is not UTF-8."""
    name = rel.as_posix() if isinstance(rel, Path) else rel
    line = {"path": printable_name(name), "code": code, "message": printable_name(message)}
    raw = raw_name(name)
    if raw is not None:
        line["path_raw"] = raw
    return line


def sidecar_path(out_dir: Path, rel: Path) -> Path:
    """Where the text (``--sidecar``) of input ``rel`` goes (next to its JSON)."""
    return _output_path(out_dir, rel, ".txt")


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

    def __init__(self, opts: BatchOptions, display: BatchDisplay, inputs: list[tuple[Path, Path]],
                 problems: list[InputProblem] | None = None) -> None:
        self.opts = opts
        self.display = display
        self.inputs = inputs
        self.states: list[str | None] = [None] * len(inputs)  # "ok", "skipped", "failed"
        self.errors: dict[int, dict[str, str]] = {}
        self.problems = [_error_line(p.rel, p.code, p.message) for p in problems or []]
        self.report = BatchReport(out_dir=str(opts.out_dir), total=len(inputs) + len(self.problems),
                                  failed=len(self.problems))
        self.work_dir = opts.out_dir / WORK_DIR_NAME
        mark = opts.out_dir / FORCE_MARK
        if opts.force and not mark.exists():
            atomic_write(mark, f"--force run started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        self.force_since = mark.stat().st_mtime_ns if opts.force else None

    def _wants_searchable(self, path: Path) -> bool:
        return self.opts.searchable_pdf and path.suffix.lower() not in TEXT_SUFFIXES

    def _searchable_tmp(self, index: int, rel: Path) -> Path:
        """The searchable PDF's temporary name: the form ``remove_temp_files`` cleans, fixed per task."""
        token = hashlib.sha256(f"{os.getpid()}-{index}".encode()).hexdigest()[:16]
        return searchable_path(self.opts.out_dir, rel).parent / f".vnd-{token}.tmp"

    def is_current(self, path: Path, rel: Path) -> bool:
        """True when ``rel``'s result on disk is for this very input and this pipeline version (and, in a
        resumed ``--force`` run, was written by that run)."""
        json_path = result_path(self.opts.out_dir, rel)
        try:
            if self.force_since is not None and json_path.stat().st_mtime_ns < self.force_since:
                return False
            data = json.loads(json_path.read_bytes())
        except (OSError, ValueError):
            return False
        if not isinstance(data, dict) or data.get("pipeline_version") != result_version(self.opts.fields_only):
            return False
        if self._wants_searchable(path) and not searchable_path(self.opts.out_dir, rel).is_file():
            return False
        if self.opts.sidecar and not sidecar_path(self.opts.out_dir, rel).is_file():
            return False
        try:
            return bool(data.get("sha256")) and data["sha256"] == sha256_file(path)
        except OSError:
            return False

    def tasks(self) -> Iterator[Task]:
        """The inputs that need work, in order; current results are skipped as they are met."""
        for i, (path, rel) in enumerate(self.inputs):
            if self.is_current(path, rel):
                self.states[i] = "skipped"
                self.report.skipped += 1
                self.display.file_skipped(printable_name(rel.as_posix()))
                continue
            tmp = None
            if self._wants_searchable(path):
                tmp = self._searchable_tmp(i, rel)
                tmp.parent.mkdir(parents=True, exist_ok=True)
                self.work_dir.mkdir(exist_ok=True)
            yield Task(i, str(path), rel.as_posix(), self.opts.dpi, str(tmp) if tmp else None,
                       sidecar=self.opts.sidecar, pdfa=self.opts.pdfa,
                       invalidate_signatures=self.opts.invalidate_signatures, pages=self.opts.pages,
                       work_dir=str(self.work_dir), max_text_bytes=self.opts.max_text_bytes,
                       fields_only=self.opts.fields_only)

    def on_pages(self, task: Task, pages: int) -> None:
        """A worker has counted the pages of a scan."""
        self.display.file_started(printable_name(task.rel), pages)

    def handle(self, outcome: Outcome) -> None:
        """Write a finished file's outputs (searchable PDF first, the JSON last), or record its failure."""
        i = outcome.index
        path, rel = self.inputs[i]
        json_path = result_path(self.opts.out_dir, rel)
        tmp = self._searchable_tmp(i, rel)
        if outcome.ok and outcome.json_text is not None:
            if outcome.searchable:
                os.replace(tmp, searchable_path(self.opts.out_dir, rel))
            if outcome.sidecar_text is not None:
                atomic_write(sidecar_path(self.opts.out_dir, rel), outcome.sidecar_text)
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
            sidecar_path(self.opts.out_dir, rel).unlink(missing_ok=True)
            self.states[i] = "failed"
            self.errors[i] = _error_line(rel, outcome.code or "error", outcome.message or "")
            self.report.failed += 1
        self.display.file_done(printable_name(rel.as_posix()), outcome)

    def write_combined(self) -> None:
        """Rebuild records.jsonl / .csv / .xlsx and the register from the per-file JSON on disk; write
        errors.jsonl. With ``naming="nd30"`` every combined output uses the NĐ 30 Phụ lục VI names."""
        out, formats, nd30 = self.opts.out_dir, self.opts.formats, self.opts.naming == "nd30"
        documents = needs_review = 0
        results: list[FileResult] = []
        with contextlib.ExitStack() as stack:
            jsonl = stack.enter_context(atomic_open(out / "records.jsonl")) if "jsonl" in formats else None
            csv = stack.enter_context(atomic_open(out / "records.csv")) if "csv" in formats else None
            columns = ND30_COLUMNS if nd30 else CSV_COLUMNS
            if csv is not None:
                csv.write(csv_text([], columns=columns))  # BOM + header
            for i, (_path, rel) in enumerate(self.inputs):
                if self.states[i] not in ("ok", "skipped"):
                    continue
                try:
                    result = FileResult.model_validate_json(result_path(out, rel).read_bytes())
                except (OSError, ValueError) as e:  # edited or damaged by hand since it was checked
                    log.warning("%s: result left out of the records: %s", printable_name(str(result_path(out, rel))), e)
                    continue
                results.append(result)
                rows = [flat_row(result, k, doc) for k, doc in enumerate(result.documents)]
                documents += len(rows)
                needs_review += sum(len(d.needs_review) for d in result.documents)
                if jsonl is not None:
                    lines = ([nd30_metadata(result, d) for d in result.documents] if nd30 else rows)
                    jsonl.writelines(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in lines)
                if csv is not None and rows:
                    flat = [nd30_flat(result, d) for d in result.documents] if nd30 else rows
                    csv.write(csv_text(flat, bom=False, columns=columns).split("\r\n", 1)[1])  # no header
        self.report.errors = self.all_errors()
        atomic_write(out / "errors.jsonl", "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self.report.errors))
        if "xlsx" in formats:
            from vn_dispatch_parser.outputs.spreadsheet import records_xlsx

            _write_bytes(out / "records.xlsx", records_xlsx(results, self.report.errors, naming=self.opts.naming))
        if "register" in formats:
            from vn_dispatch_parser.outputs.register import register_pdf, register_xlsx

            _write_bytes(out / "register.xlsx", register_xlsx(results))
            _write_bytes(out / "register.pdf", register_pdf(results))
        self.report.documents, self.report.needs_review = documents, needs_review

    def all_errors(self) -> list[dict[str, str]]:
        """This run's failed inputs in input order, then what could not be read as an input at all."""
        return [self.errors[i] for i in sorted(self.errors)] + self.problems

    def stale_results(self) -> list[Path]:
        """Per-file results in the output folder whose input is not in this run (deleted or renamed)."""
        out = self.opts.out_dir
        wanted = {result_path(out, rel) for _p, rel in self.inputs}
        stale = []
        for dirpath, dirnames, files in os.walk(out):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(files):
                path = Path(dirpath, name)
                if not name.endswith(".json") or name.endswith(".review.json") or name.startswith(".") \
                        or path in wanted:
                    continue
                try:
                    data = json.loads(path.read_bytes())
                except (OSError, ValueError):
                    continue
                if isinstance(data, dict) and {"pipeline_version", "documents", "sha256"} <= data.keys():
                    stale.append(path)  # a FileResult: ours, not a user's file
        return stale

    def finish(self) -> None:
        """After a complete run: report (or with ``prune`` remove) stale results; drop the force mark."""
        stale = self.stale_results()
        self.report.stale = len(stale)
        if stale and self.opts.prune:
            for path in stale:
                path.unlink(missing_ok=True)
                Path(str(path)[: -len(".json")] + ".searchable.pdf").unlink(missing_ok=True)
            self.report.pruned = len(stale)
            log.info("removed %d result(s) whose input is gone (--prune)", len(stale))
        elif stale:
            log.warning("%d result(s) in %s have no input in this run (inputs deleted or renamed?), e.g. %s; "
                        "they are not in records.*; rerun with --prune to remove them", len(stale),
                        printable_name(str(self.opts.out_dir)), printable_name(str(stale[0])))
        (self.opts.out_dir / FORCE_MARK).unlink(missing_ok=True)
        shutil.rmtree(self.work_dir, ignore_errors=True)


def _write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary name and a rename (never half a file)."""
    tmp = path.parent / temp_name()  # a name the next run's clean-up recognises
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _check(opts: BatchOptions) -> None:
    from vn_dispatch_parser.pipeline import check_dpi

    unknown = set(opts.formats) - FORMATS
    if unknown or not opts.formats:
        raise BatchUsageError(f"unknown output format(s) {sorted(unknown)}; choose from {', '.join(sorted(FORMATS))}")
    if opts.naming not in ("record", "nd30"):
        raise BatchUsageError(f"unknown naming {opts.naming!r}; choose record or nd30")
    if opts.jobs < 0:
        raise BatchUsageError("--jobs must be 0 (all cores) or more")
    if opts.timeout is not None and opts.timeout <= 0:
        raise BatchUsageError("--timeout must be positive (or 0 for no limit)")
    if opts.max_text_bytes is not None and opts.max_text_bytes <= 0:
        raise BatchUsageError("--max-text-mb must be positive")
    if opts.prune and (opts.include or opts.exclude):
        raise BatchUsageError("--prune removes the results of every input not read in this run: it cannot be "
                              "used with --include/--exclude")
    try:
        check_dpi(opts.dpi)
    except DispatchParserError as e:
        raise BatchUsageError(f"--dpi: {e.reason}") from None
    for p in opts.inputs:
        if not p.exists():
            raise BatchUsageError(f"input not found: {printable_name(str(p))}")
    if opts.out_dir.exists() and not opts.out_dir.is_dir():
        raise BatchUsageError(f"--out must be a folder: {printable_name(str(opts.out_dir))}")
    out = opts.out_dir.resolve()
    for p in opts.inputs:
        if p.is_dir() and (p.resolve() == out or p.resolve().is_relative_to(out)):
            raise BatchUsageError(f"--out {printable_name(str(opts.out_dir))} is the input folder or a folder "
                                  f"above it ({printable_name(str(p))}): outputs would be mixed with the scans; "
                                  "choose an output folder outside the inputs")


def _prepare_out(out_dir: Path) -> None:
    """Create the output folder and check it can be written (a usage error, exit 2, if not)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".vnd-{os.getpid():016x}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise BatchUsageError(f"cannot write to the output folder {printable_name(str(out_dir))}: "
                              f"{e.strerror or e}") from None


def _inputs(opts: BatchOptions, problems: list[InputProblem]) -> list[tuple[Path, Path]]:
    inputs = list(iter_inputs(opts, problems))
    fold = not is_case_sensitive(opts.out_dir)  # Scan.txt and scan.txt only clash where case is folded
    seen: dict[str, Path] = {}
    for path, rel in inputs:
        if len(rel.parts) > 1 and rel.parts[0] in COMBINED_NAMES:
            raise BatchUsageError(f"the input folder {printable_name(rel.parts[0])!r} has the name of a combined "
                                  "output of the batch; rename the folder or batch it separately")
        out_name = result_path(opts.out_dir, rel).relative_to(opts.out_dir).as_posix()
        key = out_name.casefold() if fold else out_name
        if key in seen:
            raise BatchUsageError(f"two inputs would share one output name {printable_name(out_name)!r}: "
                                  f"{printable_name(str(seen[key]))} and {printable_name(str(path))}; put them in "
                                  "separate folders or batch them separately")
        seen[key] = path
    for name in COMBINED_NAMES - {LOCK_NAME, WORK_DIR_NAME}:
        if (opts.out_dir / name).is_dir():
            raise BatchUsageError(f"{printable_name(str(opts.out_dir / name))} is a folder: the batch writes a file "
                                  "of that name; move the folder away")
    return inputs


def _check_main_guard() -> None:
    """Refuse, with the fix, to start worker processes from a script's top level without a main guard.

    Workers are *spawned*: each one imports the main script again, so a script that calls ``run_batch``
    at its top level would start the batch again in every worker, and every file would end as
    ``worker_crashed``. The caller's line is looked up in the script's syntax tree.
    """
    import ast
    import inspect
    import sys

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or not path or not str(path).endswith(".py"):
        return  # python -c, an interactive session, a console script: nothing is re-imported by path
    frame = inspect.currentframe()
    while frame is not None and frame.f_globals.get("__name__") not in ("__main__", "__mp_main__"):
        frame = frame.f_back
    if frame is None or frame.f_code.co_name != "<module>":
        return  # called from a function of the script: only a call at the top level is re-run
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return
    line = frame.f_lineno
    for node in tree.body:
        if isinstance(node, ast.If) and node.lineno <= line <= (node.end_lineno or node.lineno):
            test = ast.unparse(node.test).replace("'", '"')
            if "__name__" in test and '"__main__"' in test:
                return
    raise BatchUsageError(
        f"run_batch() is called at the top level of {path} without an 'if __name__ == \"__main__\":' guard; "
        "its worker processes would each run the script again. Put the call under that guard, or pass "
        "jobs=1 (no worker processes)")


def run_batch(opts: BatchOptions, display: BatchDisplay | None = None) -> BatchReport:
    """Read every input into ``opts.out_dir``, then rebuild the combined outputs.

    With ``jobs == 1`` and no timeout the files are read in this process; otherwise in worker processes
    (``jobs == 0``: one per core), which is also how a per-file timeout is enforced. Workers are
    *spawned*, so a script calling this with workers needs the ``if __name__ == "__main__":`` guard.
    Ctrl-C (or SIGTERM) stops the workers, keeps every result written so far and returns a report with
    ``interrupted`` (the combined outputs are then left as they were).

    Args:
        opts: Inputs, output folder and options.
        display: Progress events sink (:func:`vn_dispatch_parser.batch.progress.make_display`); default: none.

    Returns:
        The counts of the run; ``report.failed > 0`` when some input could not be read.

    Raises:
        BatchUsageError: Bad options, an input that does not exist, an output folder that is an input
            folder or cannot be written, clashing output names, or another run holding the output folder.
        BatchOutputError: An output could not be written (disk full): exit code 11; rerun to resume.
    """
    display = display or NullDisplay()
    _check(opts)
    jobs = opts.jobs or default_jobs()
    if opts.cluster in (None, "local") and not (jobs == 1 and not opts.timeout):
        _check_main_guard()  # spawned worker processes (the pool, a LocalCluster) re-import the script
    t0 = time.monotonic()
    _prepare_out(opts.out_dir)
    if "json" not in opts.formats:
        log.info("per-file JSON is always written: it is what resume and records.* are built from")
    with folder_lock(opts.out_dir), _interrupts():
        remove_temp_files(opts.out_dir)
        problems: list[InputProblem] = []
        run = _Run(opts, display, _inputs(opts, problems), problems)
        runner: Any
        if opts.cluster:
            from vn_dispatch_parser.batch.cluster import DaskRunner

            runner = DaskRunner(opts.cluster, jobs=opts.jobs, timeout=opts.timeout, page_tasks=opts.page_tasks)
            jobs = runner.workers
        elif jobs == 1 and not opts.timeout:
            runner = SerialRunner(process_one)
        else:
            runner = WorkerPool(jobs, timeout=opts.timeout)
        run.report.jobs = jobs
        display.start(len(run.inputs), jobs, printable_name(str(opts.out_dir)))
        for line in run.problems:
            log.warning("%s: %s: %s", line["path"], line["code"], line["message"])
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
                run.finish()
            except OSError as e:
                raise BatchOutputError(f"cannot write records/errors: {e}", opts.out_dir) from e
            from vn_dispatch_parser.desk import (
                update_after_batch,  # corrections kept in the records, catalogue updated
            )

            update_after_batch(opts.out_dir, {rel.as_posix(): path for path, rel in run.inputs})
        else:
            run.report.errors = run.all_errors()
        run.report.elapsed = time.monotonic() - t0
        display.finish(run.report)
    return run.report
