"""Per-file work for batch runs, and the worker processes that do it.

:func:`process_one` reads one input file into the text of its ``FileResult`` JSON (or a typed failure);
it never raises for a bad input. :class:`SerialRunner` calls it in this process; :class:`WorkerPool`
calls it in ``spawn``-ed worker processes, one file per worker at a time, and enforces the per-file
time limit from the parent: a worker that overruns (a hung Tesseract, a pathological page) is killed
with its whole process group (Tesseract included) and replaced, and the file is reported as timed out.

Workers never write outputs: the parent writes every file (see :mod:`vn_dispatch_parser.batch.runner`), so
killing a worker, or the parent, can never leave a half-written result. Each worker starts its own
session, so Ctrl-C at the terminal reaches only the parent, which stops the workers itself; a worker
whose parent has died (``kill -9``) kills its process group within a fraction of a second.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vn_dispatch_parser.config import DEFAULT_MAX_TEXT_BYTES, TEXT_SUFFIXES
from vn_dispatch_parser.core.fsutil import printable_name
from vn_dispatch_parser.ocr.engine import one_thread, single_threaded

if TYPE_CHECKING:
    from vn_dispatch_parser.image.load import InputProbe

__all__ = ["Outcome", "SerialRunner", "Task", "WorkerPool", "process_one"]

log = logging.getLogger(__name__)

Notify = Callable[[int], None]
"""Called by :func:`process_one` with the page count once it is known (before the slow part)."""
TaskFunc = Callable[["Task", "Notify | None"], "Outcome"]

_TICK = 0.25  # seconds between checks of deadlines and of a dead parent


@dataclass(frozen=True)
class Task:
    """One input file to read.

    Attributes:
        index: Position of the input in the batch (results are reported in this order).
        path: The input file.
        rel: Its path relative to its input folder (POSIX form); becomes ``FileResult.file``.
        dpi: Rendering resolution for PDFs.
        searchable_tmp: Where to write the searchable PDF (a temporary name that the parent renames),
            or None for no searchable PDF.
        sidecar: Also return each page's text (``Outcome.sidecar_text``).
        pdfa: The searchable PDF is PDF/A-2b (else a plain PDF).
        invalidate_signatures: Write a searchable PDF of a signed PDF too (its signatures are dropped).
        pages: Read only these 1-based pages (``--pages``); None: all.
        work_dir: Scratch folder owned by the run (emptied by the parent at every start, so nothing a
            killed worker leaves there outlives the next run); None: the system's temporary folder.
        max_text_bytes: Size limit of text inputs (None: the library's default).
        fields_only: Read only the parts of the pages the fields come from (``full_text`` left empty).
        sha256: The input's digest when the parent has just computed it (resume check of a changed
            input): the worker does not read the file again for it.
        probe: The input's probe when the parent has made it (a cluster client splitting a long PDF);
            None: the worker probes the input.
    """

    index: int
    path: str
    rel: str
    dpi: int = 300
    searchable_tmp: str | None = None
    sidecar: bool = False
    pdfa: bool = True
    invalidate_signatures: bool = False
    pages: tuple[int, ...] | None = None
    work_dir: str | None = None
    max_text_bytes: int | None = None
    fields_only: bool = False
    sha256: str | None = None
    probe: InputProbe | None = None


@dataclass
class Outcome:
    """What became of a :class:`Task`: the result JSON, or an error code and message."""

    index: int
    ok: bool
    json_text: str | None = None
    pages: int = 0
    documents: int = 0
    needs_review: int = 0
    seconds: float = 0.0
    code: str | None = None
    message: str | None = None
    searchable: bool = False
    sidecar_text: str | None = None


def process_one(task: Task, notify: Notify | None = None) -> Outcome:
    """Read one input file into its ``FileResult`` JSON; every failure becomes an error ``Outcome``.

    The input is probed first, once (:func:`vn_dispatch_parser.image.load.probe_input`: format, sha256, pages,
    PDF info), and the probe is passed down: a corrupt, encrypted or misnamed file fails with its precise
    reason before any OCR, and the page count reaches the progress display early.
    A file with no document at all (blank pages, empty text) is an ``empty_document`` failure.

    Args:
        task: The file and its options.
        notify: Called with the page count of a scan before it is read.

    Returns:
        The outcome: ``ok`` with ``json_text``, or ``code``/``message`` of the failure.
    """
    from vn_dispatch_parser.errors import DispatchParserError, EmptyDocumentError

    t0 = time.monotonic()
    path = Path(task.path)
    pages = 0
    try:
        from vn_dispatch_parser.image import load as loader
        from vn_dispatch_parser.pipeline import parse_file

        is_text = path.suffix.lower() in TEXT_SUFFIXES
        # empty, unreadable, misnamed, corrupt or encrypted files fail here, with the reason
        probe = task.probe.check(path) if task.probe is not None else loader.probe_input(path, sha256=task.sha256)
        if not is_text:
            pages = probe.pages
            if notify is not None:
                notify(pages)
        if task.searchable_tmp and not is_text and not task.invalidate_signatures:
            from vn_dispatch_parser.outputs.searchable import refuse_signed

            refuse_signed(path, probe=probe)  # before the OCR: a signed PDF would be read for nothing
        wanted = set(task.pages) if task.pages else None
        page_texts: list = []
        if is_text:
            result = parse_file(probe, pages=wanted, max_text_bytes=task.max_text_bytes or DEFAULT_MAX_TEXT_BYTES,
                                fields_only=task.fields_only)
        else:
            result = parse_file(probe, dpi=task.dpi, pages=wanted, page_texts=page_texts,
                                fields_only=task.fields_only)
        if not result.documents:
            raise EmptyDocumentError("no document found: the pages are blank or hold no readable text", path)
        result.set_file(task.rel)
        result.sha256 = probe.sha256
        searchable = False
        if task.searchable_tmp and not is_text:
            from vn_dispatch_parser.outputs.searchable import write_searchable_pdf

            write_searchable_pdf(path, Path(task.searchable_tmp), page_texts=page_texts, dpi=task.dpi,
                                 pdfa=task.pdfa, invalidate_signatures=task.invalidate_signatures,
                                 work_dir=task.work_dir, probe=probe)
            searchable = True
        sidecar = None
        if task.sidecar:
            from vn_dispatch_parser.outputs.searchable import sidecar_text

            sidecar = (path.read_text(encoding="utf-8-sig", errors="replace") if is_text
                       else sidecar_text(page_texts))
        docs = result.documents
        return Outcome(
            task.index, True, result.to_json(), pages=result.pages, documents=len(docs),
            needs_review=sum(len(d.needs_review) for d in docs), seconds=time.monotonic() - t0,
            searchable=searchable, sidecar_text=sidecar,
        )  # fmt: skip
    except DispatchParserError as e:
        return Outcome(task.index, False, pages=pages, seconds=time.monotonic() - t0, code=e.code, message=e.reason)
    except MemoryError:
        return Outcome(task.index, False, pages=pages, seconds=time.monotonic() - t0, code="too_large",
                       message="out of memory while reading this file")
    except Exception as e:  # a bug on one odd file must not stop the batch
        log.exception("unexpected error on %s", printable_name(str(path)))
        return Outcome(task.index, False, pages=pages, seconds=time.monotonic() - t0, code="internal_error",
                       message=f"{type(e).__name__}: {e}")


class SerialRunner:
    """Run tasks one after the other in this process (``--jobs 1`` without ``--timeout``)."""

    def __init__(self, func: TaskFunc = process_one) -> None:
        self.func = func

    def run(self, tasks: Iterator[Task], on_pages: Callable[[Task, int], None]) -> Iterator[Outcome]:
        """Yield the outcome of each task in turn, every library at one thread as in a worker process (one
        job is one core: on samples/ the threads of numpy's and OpenCV's BLAS and of OpenCV took 41 s of CPU
        for 34.5 s of wall time, 34 s of CPU for 35.2 s without; a second job needs those cores)."""
        with one_thread():
            for task in tasks:
                yield self.func(task, lambda pages, t=task: on_pages(t, pages))  # type: ignore[misc]

    def close(self) -> None:
        """Nothing to stop."""


def _watch_parent(parent_pid: int) -> None:
    """Kill this worker's process group (its Tesseract too) once the parent is gone."""
    while True:
        time.sleep(_TICK)
        if os.getppid() != parent_pid:
            try:
                if os.getpgrp() == os.getpid():  # only our own group, never the shell's
                    os.killpg(os.getpid(), signal.SIGKILL)
            finally:
                os._exit(1)


class _PipeLogHandler(logging.Handler):
    """Sends a worker's log records to the parent, which logs them with the file's name."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None]) -> None:
        super().__init__()
        self.send = send

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # never let logging break the work
            self.send(("log", record.levelno, record.name, record.getMessage()))


def _worker_main(conn: Connection, func: TaskFunc, parent_pid: int, log_level: int) -> None:
    """Worker process loop: receive a task, send ``("pages", n)``, ``("log", …)`` and ``("done", outcome)``."""
    single_threaded(libraries=True)  # before anything loads Tesseract, OpenMP or BLAS
    if hasattr(os, "setsid"):
        os.setsid()  # own process group: the parent can kill us with our children; no terminal SIGINT
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            conn.send(message)

    root = logging.getLogger()
    root.handlers[:] = [_PipeLogHandler(send)]
    root.setLevel(log_level)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            send(("started",))  # the time limit counts from here, not from start-up
            outcome = func(task, lambda pages: send(("pages", pages)))
            send(("done", outcome))
        except (BrokenPipeError, EOFError, OSError):
            return


@dataclass
class _Worker:
    proc: Any  # multiprocessing.Process (from a context)
    conn: Connection
    task: Task | None = None
    deadline: float | None = None
    done: int = 0

    def kill(self) -> None:
        """SIGKILL the worker's process group (its Tesseract too), or the worker alone."""
        if self.proc.pid is None or not self.proc.is_alive():
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (AttributeError, ProcessLookupError, PermissionError):
            self.proc.kill()


class WorkerPool:
    """Up to ``jobs`` worker processes, started on demand; one task per worker at a time.

    Args:
        jobs: Number of worker processes.
        timeout: Seconds allowed per task; a worker that overruns is killed and the task fails with
            ``ocr_timeout``. None: no limit.
        func: The task function, importable by name in a spawned process.
        context: ``"spawn"`` (default) or ``"forkserver"``; never ``fork`` (threads, Tesseract pipes).
        max_tasks: A worker is replaced after this many files, so that memory cannot creep up over a
            batch of thousands of scans.
    """

    def __init__(
        self, jobs: int, *, timeout: float | None = None, func: TaskFunc = process_one, context: str = "spawn",
        max_tasks: int = 200,
    ) -> None:  # fmt: skip
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        self.jobs = jobs
        self.timeout = timeout
        self.max_tasks = max_tasks
        self.func = func
        self._ctx = mp.get_context(context)
        self._workers: list[_Worker] = []

    def _start_worker(self) -> _Worker:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(child_conn, self.func, os.getpid(), logging.getLogger().getEffectiveLevel()),
            daemon=True, name="vn-dispatch-worker",
        )
        proc.start()
        child_conn.close()
        worker = _Worker(proc, parent_conn)
        self._workers.append(worker)
        return worker

    def _idle_worker(self) -> _Worker | None:
        for w in self._workers:
            if w.task is None:
                return w
        return self._start_worker() if len(self._workers) < self.jobs else None

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        worker.proc.join(timeout=5)
        worker.conn.close()
        self._workers.remove(worker)

    def _recycle(self, worker: _Worker) -> None:
        """Let an idle worker exit (a fresh one is started when needed)."""
        with contextlib.suppress(OSError):
            worker.conn.send(None)
        worker.proc.join(timeout=5)
        self._retire(worker)

    def run(self, tasks: Iterator[Task], on_pages: Callable[[Task, int], None]) -> Iterator[Outcome]:
        """Feed ``tasks`` to the workers and yield outcomes as they complete (not in task order)."""
        pending: Task | None = None
        exhausted = False
        while True:
            while not exhausted:
                if pending is None:
                    pending = next(tasks, None)
                    if pending is None:
                        exhausted = True
                        break
                worker = self._idle_worker()
                if worker is None:
                    break
                try:
                    worker.conn.send(pending)
                except OSError:  # died while idle: replace it, keep the task
                    self._retire(worker)
                    continue
                worker.task, worker.deadline, pending = pending, None, None
            busy = [w for w in self._workers if w.task is not None]
            if not busy:
                if exhausted:
                    return
                continue
            now = time.monotonic()
            wait_s = min([_TICK] + [w.deadline - now for w in busy if w.deadline is not None])
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=max(0.0, wait_s))
            for w in busy:
                yield from self._check(w, on_pages)

    def _check(self, w: _Worker, on_pages: Callable[[Task, int], None]) -> Iterator[Outcome]:
        """Read a busy worker's messages; fail its task if it died or overran its deadline."""
        task = w.task
        assert task is not None
        try:
            while w.task is not None and w.conn.poll():
                kind, *payload = w.conn.recv()
                if kind == "started":
                    w.deadline = time.monotonic() + self.timeout if self.timeout else None
                elif kind == "pages":
                    on_pages(task, int(payload[0]))
                elif kind == "log":
                    level, name, text = payload
                    logging.getLogger(name).log(level, "%s: %s", printable_name(task.rel), text)
                else:
                    w.task = w.deadline = None
                    w.done += 1
                    if w.done >= self.max_tasks:
                        self._recycle(w)
                    yield payload[0]
        except (EOFError, OSError):
            pass  # the worker died mid-message: handled below
        if w.task is None:
            return
        if not w.proc.is_alive() or w.conn.closed:
            code = w.proc.exitcode
            self._retire(w)
            yield Outcome(task.index, False, code="worker_crashed",
                          message=f"the worker process died (exit code {code}) while reading this file"
                                  + (" — out of memory?" if code == -signal.SIGKILL else ""))
        elif w.deadline is not None and time.monotonic() > w.deadline:
            self._retire(w)
            yield Outcome(task.index, False, seconds=self.timeout or 0.0, code="ocr_timeout",
                          message=f"took longer than the time limit of {self.timeout:g} s (--timeout); stopped")

    def close(self) -> None:
        """Stop every worker: idle ones are asked to exit, busy ones are killed (their file is abandoned)."""
        for w in self._workers:
            if w.task is None and w.proc.is_alive():
                with contextlib.suppress(OSError):
                    w.conn.send(None)
            else:
                w.kill()
        deadline = time.monotonic() + 2.0
        for w in self._workers:
            w.proc.join(timeout=max(0.0, deadline - time.monotonic()))
            if w.proc.is_alive():
                w.kill()
                w.proc.join(timeout=2.0)
            w.conn.close()
        self._workers.clear()
