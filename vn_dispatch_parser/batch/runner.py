"""Batch runs over folders: per-file JSON plus ``records.jsonl``, ``records.csv`` and ``errors.jsonl``.

This module runs a batch (:func:`run_batch`): it holds the run's state, hands the inputs that need work to
the workers and writes what they return. The other modules of :mod:`vn_dispatch_parser.batch` hold the
options (:mod:`~vn_dispatch_parser.batch.options`), the inputs (:mod:`~vn_dispatch_parser.batch.inputs`),
the output paths (:mod:`~vn_dispatch_parser.batch.results`), the resume key
(:mod:`~vn_dispatch_parser.batch.resume`), the combined outputs (:mod:`~vn_dispatch_parser.batch.combined`)
and the work itself (:mod:`~vn_dispatch_parser.batch.workers`, :mod:`~vn_dispatch_parser.batch.cluster`);
their public names are importable from here too.

The contract archivists rely on:

* **Every output is whole.** Each file is written to a temporary name in its folder and renamed when
  complete; only this (parent) process writes, workers just compute. A temporary file left by a killed
  run is removed at the start of the next one. A lock file keeps two runs out of the same folder.
* **One result per input**: ``OUT_DIR/<relative path>.json`` (the ``FileResult``, whose ``file`` is the
  relative path and ``sha256`` the input's), written as soon as that file is done.
* **Combined outputs are derived.** At the end of a complete run, ``records.jsonl`` and ``records.csv``
  are rebuilt from the per-file JSON on disk (in input order), and ``errors.jsonl`` lists this run's
  failures, so they never hold a duplicate or half a line. An interrupted run leaves them as they were.
* **Resume.** An input is skipped when its JSON exists with the input's current ``sha256``, the
  current ``pipeline_version`` and, for a scan, the ``engine`` identity this run would record (Tesseract
  version, traineddata and digit model sha256) (and its searchable PDF exists, if asked for); failed inputs have no JSON
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
import hashlib
import logging
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vn_dispatch_parser.batch import combined
from vn_dispatch_parser.batch.inputs import batch_inputs, iter_inputs
from vn_dispatch_parser.batch.options import (
    COMBINED_NAMES,
    FORCE_MARK,
    FORMATS,
    SUPPORTED_SUFFIXES,
    BatchOptions,
    BatchOutputError,
    BatchReport,
    BatchUsageError,
    InputProblem,
    check_options,
    default_jobs,
)
from vn_dispatch_parser.batch.progress import BatchDisplay, NullDisplay
from vn_dispatch_parser.batch.results import (
    error_line,
    prepare_out_dir,
    result_path,
    result_version,
    searchable_path,
    sidecar_path,
    stale_results,
)
from vn_dispatch_parser.batch.resume import ResumeCheck
from vn_dispatch_parser.batch.workers import Outcome, SerialRunner, Task, WorkerPool, process_one
from vn_dispatch_parser.core.fsutil import (
    WORK_DIR_NAME,
    atomic_open,
    atomic_write,
    folder_lock,
    printable_name,
    remove_temp_files,
)

__all__ = [
    "COMBINED_NAMES",
    "FORCE_MARK",
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
    "result_path",
    "result_version",
    "run_batch",
    "searchable_path",
    "sidecar_path",
]

log = logging.getLogger(__name__)


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
        self.problems = [error_line(p.rel, p.code, p.message) for p in problems or []]
        self.report = BatchReport(out_dir=str(opts.out_dir), total=len(inputs) + len(self.problems),
                                  failed=len(self.problems))
        self.work_dir = opts.out_dir / WORK_DIR_NAME
        self.resume = ResumeCheck(opts)

    def _searchable_tmp(self, index: int, rel: Path) -> Path:
        """The searchable PDF's temporary name: the form ``remove_temp_files`` cleans, fixed per task."""
        token = hashlib.sha256(f"{os.getpid()}-{index}".encode()).hexdigest()[:16]
        return searchable_path(self.opts.out_dir, rel).parent / f".vnd-{token}.tmp"

    def tasks(self) -> Iterator[Task]:
        """The inputs that need work, largest file first (see :func:`_largest_first`); current results are
        skipped as they are met."""
        for i in _largest_first(self.inputs):
            path, rel = self.inputs[i]
            current, digest = self.resume.check(path, rel)
            if current:
                self.states[i] = "skipped"
                self.report.skipped += 1
                self.display.file_skipped(printable_name(rel.as_posix()))
                continue
            tmp = None
            if self.opts.wants_searchable(path):
                tmp = self._searchable_tmp(i, rel)
                tmp.parent.mkdir(parents=True, exist_ok=True)
                self.work_dir.mkdir(exist_ok=True)
            yield Task(i, str(path), rel.as_posix(), self.opts.dpi, str(tmp) if tmp else None,
                       sidecar=self.opts.sidecar, pdfa=self.opts.pdfa,
                       invalidate_signatures=self.opts.invalidate_signatures, pages=self.opts.pages,
                       work_dir=str(self.work_dir), max_text_bytes=self.opts.max_text_bytes,
                       fields_only=self.opts.fields_only, sha256=digest)

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
            self.errors[i] = error_line(rel, outcome.code or "error", outcome.message or "")
            self.report.failed += 1
        self.display.file_done(printable_name(rel.as_posix()), outcome)

    def write_combined(self) -> None:
        """Rebuild the combined outputs from the per-file JSON of the inputs read or current; write
        errors.jsonl (:func:`~vn_dispatch_parser.batch.combined.write_combined`)."""
        self.report.errors = self.all_errors()
        done = [rel for i, (_path, rel) in enumerate(self.inputs) if self.states[i] in ("ok", "skipped")]
        self.report.documents, self.report.needs_review = combined.write_combined(self.opts, done,
                                                                                  self.report.errors)

    def all_errors(self) -> list[dict[str, str]]:
        """This run's failed inputs in input order, then what could not be read as an input at all."""
        return [self.errors[i] for i in sorted(self.errors)] + self.problems

    def finish(self) -> None:
        """After a complete run: report (or with ``prune`` remove) stale results; drop the force mark."""
        stale = stale_results(self.opts.out_dir, (rel for _path, rel in self.inputs))
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
        self.resume.complete()
        shutil.rmtree(self.work_dir, ignore_errors=True)


def _largest_first(inputs: list[tuple[Path, Path]]) -> list[int]:
    """The inputs' indexes, largest file first: the longest files start early and the run does not end with
    one worker reading a long file while the others wait (outputs are written under each input's own
    name and the combined files in input order, so the order of work shows nowhere)."""
    def size(i: int) -> int:
        try:
            return inputs[i][0].stat().st_size
        except OSError:
            return 0  # read (and reported) in its turn

    return sorted(range(len(inputs)), key=lambda i: -size(i))


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
    check_options(opts)
    jobs = opts.jobs or default_jobs()
    if opts.cluster in (None, "local") and not (jobs == 1 and not opts.timeout):
        _check_main_guard()  # spawned worker processes (the pool, a LocalCluster) re-import the script
    t0 = time.monotonic()
    prepare_out_dir(opts.out_dir)
    if "json" not in opts.formats:
        log.info("per-file JSON is always written: it is what resume and records.* are built from")
    with folder_lock(opts.out_dir), _interrupts():
        remove_temp_files(opts.out_dir)
        problems: list[InputProblem] = []
        run = _Run(opts, display, batch_inputs(opts, problems), problems)
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
