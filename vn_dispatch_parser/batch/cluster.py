"""Batch runs on a Dask distributed cluster: ``vn-dispatch batch IN --out OUT --cluster ADDRESS``.

:class:`DaskRunner` has the shape of the built-in runners (:class:`~vn_dispatch_parser.batch.workers.SerialRunner`,
:class:`~vn_dispatch_parser.batch.workers.WorkerPool`): ``run(tasks, on_pages)`` yields one
:class:`~vn_dispatch_parser.batch.workers.Outcome` per task, so :mod:`vn_dispatch_parser.batch.runner` keeps doing
everything else the same way in every mode: resume, atomic outputs written by the client alone,
``errors.jsonl``, the progress display, the summary and the exit codes.

* ``ADDRESS`` is a running scheduler (``tcp://host:8786``) or ``local``: a ``LocalCluster`` of worker
  *processes* started here, one thread each (``--jobs`` of them; 0: one per core).
* Workers read the inputs by the path the client gives them, so the inputs (and nothing else: results
  come back to the client) must be on storage every worker sees under the same path.
* Each worker process pays its start-up once: imports, the Tesseract model (kept loaded by the C API
  engine, :mod:`vn_dispatch_parser.ocr.capi`) and the hand-writing model stay loaded from file to file;
  numpy's BLAS and Tesseract's OpenMP are held to one thread (the cluster's parallelism is its workers).
* Long files do not hold up a run: a PDF of more than ``page_tasks`` pages is read as page tasks of its own
  (:func:`run_pages`), spread over the workers, and joined in the client (:func:`vn_dispatch_parser.pipeline.join_scan`)
  into the very record one task would have given.
* A worker that dies mid-file (killed, out of memory): the scheduler gives the file to another worker;
  after ``retries`` such deaths it is a ``worker_crashed`` failure in ``errors.jsonl``. A scheduler that
  cannot be reached, or is lost mid-run, stops the run with :class:`ClusterError`; results written so far
  are kept and a rerun of the same command resumes.
* ``--timeout`` on a cluster: workers are not the client's children, so a file is not killed at the
  limit; the limit is applied to each OCR call instead, and a file whose OCR overruns fails with
  ``ocr_timeout``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from vn_dispatch_parser.batch.options import default_jobs
from vn_dispatch_parser.batch.workers import Outcome, Task, process_one
from vn_dispatch_parser.errors import DispatchParserError, ExitCode, MissingDependencyError
from vn_dispatch_parser.ocr.capi import TIMEOUT_ENV
from vn_dispatch_parser.ocr.engine import THREAD_ENV, hold_one_thread, single_threaded

__all__ = ["ClusterError", "DaskRunner", "run_pages", "run_task"]

log = logging.getLogger(__name__)

_CONNECT_TIMEOUT = "20s"
PAGE_TASKS = 8  # a PDF of more pages is split into page tasks of at most this many pages
_ready = False  # per worker process: set-up done


QUIET = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s",
         "distributed.admin.system-monitor.interval": "5s", "distributed.worker.memory.monitor-interval": "1s"}
"""Dask's own periodic work, turned down in this process and a local cluster's workers (a remote cluster's
workers keep their own settings). The worker's statistical profiler (a stack sample every 10 ms) cost ~15% of
a file's CPU; the event loops' 20 ms tick, the 0.5 s system monitor and the nanny's 0.1 s look at the
worker's memory cost 1.9 s of the workers' CPU and 0.7 s of the client's on samples/ with a LocalCluster of 2
(37.1 → 35.2 s and 2.1 → 1.4 s; the built-in pool's workers: 35.1 s). Nothing here reads them more often
than the new intervals: the tick only detects a blocked event loop, the memory limit is still enforced."""


class ClusterError(DispatchParserError):
    """The Dask scheduler cannot be reached or was lost: the run stops; rerun the same command to resume."""

    exit_code = ExitCode.some_failed
    code = "cluster"


MMAP_THRESHOLD = 32 * 2**20
"""Blocks under this come from the heap in a worker (glibc's own ceiling for its dynamic threshold)."""
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD
"""Free heap kept up to this before it is given back to the system (glibc's dynamic rule: twice the above)."""


def _malloc_like_a_process() -> None:
    """Undo the Dask nanny's ``MALLOC_TRIM_THRESHOLD_=65536`` (its ``pre-spawn-environ``): a fixed trim
    threshold turns off glibc's dynamic mmap threshold, so every page-sized array (tens of MB, a few per page
    and step) was mapped, faulted in and unmapped again. Measured on samples/ with a LocalCluster of 2: 3.8 s
    of system time per worker against 0.8 s in the built-in pool's workers, and 1.3 s more user time. The
    thresholds are set where glibc's dynamic rule settles in a plain process; not glibc: nothing to do."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if not name or "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    try:
        libc = ctypes.CDLL(name)
        m_trim_threshold, m_mmap_threshold = -1, -3  # <malloc.h>
        libc.mallopt(m_mmap_threshold, MMAP_THRESHOLD)
        libc.mallopt(m_trim_threshold, TRIM_THRESHOLD)
    except (OSError, AttributeError):
        return


def _set_up_worker() -> None:
    """Once per worker process: one thread for OpenMP, BLAS and OpenCV, glibc's allocator as in a plain
    process, and the models loaded before the first file."""
    single_threaded(libraries=True, override=False)
    _malloc_like_a_process()
    from vn_dispatch_parser import pipeline  # noqa: F401  (imports paid here, once)

    hold_one_thread()  # for good: numpy or OpenCV may have loaded before the variables above were set
    from vn_dispatch_parser.ocr.capi import default_engine

    with contextlib.suppress(DispatchParserError):
        engine = default_engine()
        check = getattr(engine, "check", None)
        if check is not None:
            check()


def _prepare(timeout: float | None) -> None:
    global _ready
    if not _ready:
        _set_up_worker()
        _ready = True
    if timeout:
        os.environ[TIMEOUT_ENV] = str(timeout)


def run_task(task: Task, timeout: float | None = None) -> Outcome:
    """What a cluster worker runs for one input: :func:`~vn_dispatch_parser.batch.workers.process_one`.

    ``timeout`` bounds each OCR call (see the module docstring).
    """
    _prepare(timeout)
    return process_one(task)


def run_pages(task: Task, pages: list[int], timeout: float | None = None) -> list[Any] | tuple[str, str]:
    """What a cluster worker runs for some pages of a long PDF: their readings, joined by the client
    (:func:`vn_dispatch_parser.pipeline.join_scan`); a failure comes back as ``(code, message)``."""
    _prepare(timeout)
    try:
        from vn_dispatch_parser.pipeline import read_pages

        return read_pages(task.path, dpi=task.dpi, fields_only=task.fields_only, only=pages, probe=task.probe)
    except DispatchParserError as e:
        return e.code, e.reason
    except MemoryError:
        return "too_large", "out of memory while reading this file"
    except Exception as e:  # a bug on one odd file must not stop the batch
        log.exception("unexpected error on %s", task.path)
        return "internal_error", f"{type(e).__name__}: {e}"


class DaskRunner:
    """Run batch tasks on a Dask cluster (see the module docstring).

    Args:
        address: ``tcp://host:port`` of a running scheduler, or ``"local"`` for a ``LocalCluster``.
        jobs: Workers of a local cluster (0: one per core); ignored for a remote scheduler.
        timeout: Seconds allowed per OCR call (None: the engine's default).
        retries: How many times a file whose worker died is given to another worker before it fails.
        func: The task function (importable by name on the workers).
        page_tasks: A PDF of more pages than this is read as page tasks of at most this many pages (and at
            most its pages shared out over the workers), joined here; 0: never split.
    """

    def __init__(self, address: str, *, jobs: int = 0, timeout: float | None = None, retries: int = 2,
                 func: Callable[..., Outcome] = run_task, page_tasks: int = PAGE_TASKS) -> None:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as e:
            raise MissingDependencyError(
                "--cluster needs Dask: pip install 'vn-dispatch-parser[cluster]' (dask[distributed])"
            ) from e
        self.address = address
        self.timeout = timeout
        self.func = func
        self.page_tasks = page_tasks
        self._cluster: Any = None
        # a task whose worker died is retried by the scheduler on another worker; after this many deaths it
        # fails with KilledWorker (a setting of the scheduler: in force here for a local cluster only)
        self._config = dask.config.set({"distributed.scheduler.allowed-failures": retries,
                                        "distributed.scheduler.work-stealing": True, **QUIET})
        self._config.__enter__()
        try:
            if address == "local":
                quiet = {"DASK_" + k.upper().replace(".", "__").replace("-", "_"): str(v) for k, v in QUIET.items()}
                for k, v in {**THREAD_ENV, **quiet}.items():
                    os.environ.setdefault(k, v)  # inherited by the worker processes, before their imports
                # its HTTP server (health routes) on a free port: two runs at once must not clash on 8787
                self._cluster = LocalCluster(n_workers=jobs or default_jobs(), threads_per_worker=1, processes=True,
                                             dashboard_address=":0", scheduler_kwargs={"dashboard": False},
                                             silence_logs=logging.ERROR)
                self.client = Client(self._cluster, set_as_default=False)
            else:
                self.client = Client(address, timeout=_CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as e:
            self.close()
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e}") from e
        # a lost scheduler is reported once, by ClusterError: not also by Dask's tracebacks on the terminal
        for name in ("distributed.client", "distributed.comm", "distributed.core", "distributed.batched"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self._run_id = uuid.uuid4().hex[:8]

    def _splittable(self, task: Task) -> bool:
        return self.page_tasks > 0 and not task.searchable_tmp and task.path.lower().endswith(".pdf")

    def _probed(self, task: Task) -> Task:
        """A PDF that may be split is probed here, on the client, once: the probe goes with the task (its
        page tasks, or the whole-file task, and the join use it)."""
        if task.probe is not None or not self._splittable(task):
            return task
        from vn_dispatch_parser.image.load import probe_input

        try:
            return replace(task, probe=probe_input(task.path, sha256=task.sha256))
        except DispatchParserError:
            return task  # the whole-file task reports why

    def _chunks(self, task: Task) -> list[list[int]]:
        """The page tasks of a long PDF (none: the file is one task), from its probe."""
        probe = self._probed(task).probe if self._splittable(task) else None
        if probe is None or probe.pages <= self.page_tasks:
            return []
        pages = probe.pages
        size = max(1, min(self.page_tasks, math.ceil(pages / self.workers)))
        return [list(range(a, min(pages, a + size - 1) + 1)) for a in range(1, pages + 1, size)]

    def run(self, tasks: Iterator[Task], on_pages: Callable[[Task, int], None]) -> Iterator[Outcome]:
        """Submit ``tasks`` (a few per worker ahead) and yield outcomes as they complete."""
        from distributed import as_completed

        window = max(4, 3 * self.workers)
        pending: dict[Any, tuple[Task, list[int] | None]] = {}
        parts: dict[int, list[Any]] = {}  # task index -> [page tasks left, readings, first failure]
        done = as_completed(with_results=False, loop=self.client.loop)
        key = f"vn-dispatch-{self._run_id}"

        def submit() -> None:
            while len(pending) < window:
                task = next(tasks, None)
                if task is None:
                    return
                task = self._probed(task)
                chunks = self._chunks(task)
                if chunks:
                    parts[task.index] = [len(chunks), [], None]
                batches: list[list[int] | None] = [*chunks] or [None]
                for pages in batches:
                    fut = (self.client.submit(self.func, task, self.timeout, key=f"{key}-{task.index}", pure=False)
                           if pages is None else
                           self.client.submit(run_pages, task, pages, self.timeout, key=f"{key}-{task.index}-p{pages[0]}",
                                              pure=False))
                    pending[fut.key] = (task, pages)
                    done.add(fut)

        submit()
        for fut in done:
            task, pages = pending.pop(fut.key)
            outcome: Outcome | None
            if pages is None:
                outcome = self._outcome(fut, task)
            else:
                outcome = self._page_part(fut, task, parts[task.index])
            fut.release()
            if outcome is not None:
                on_pages(task, outcome.pages)
                yield outcome
            submit()

    def _page_part(self, fut: Any, task: Task, part: list[Any]) -> Outcome | None:
        """Take in one page task of ``task``; once all are in, the file's outcome (joined here)."""
        got = self._outcome(fut, task, pages=True)
        if isinstance(got, Outcome):
            part[2] = part[2] or got
        elif isinstance(got, tuple):
            part[2] = part[2] or Outcome(task.index, False, code=got[0], message=got[1])
        else:
            part[1].extend(got)
        part[0] -= 1
        if part[0]:
            return None
        return part[2] or _join(task, part[1])

    def _outcome(self, fut: Any, task: Task, *, pages: bool = False) -> Any:
        """The task's result (page tasks: readings or ``(code, message)``), or a failure ``Outcome``."""
        from distributed import KilledWorker

        try:
            outcome = fut.result()
            if pages:
                return outcome
        except KilledWorker:
            return Outcome(task.index, False, code="worker_crashed",
                           message="the worker reading this file died, and so did the workers it was given to "
                                   "next (killed, or out of memory?)")
        except DispatchParserError as e:
            return Outcome(task.index, False, code=e.code, message=e.reason)
        except Exception as e:
            if fut.status == "cancelled" or self.client.status not in ("running", "connecting"):
                raise ClusterError(f"lost the Dask scheduler at {self.address} ({type(e).__name__}: {e}); results "
                                   "written so far are kept: rerun the same command to resume") from e
            return Outcome(task.index, False, code="internal_error", message=f"{type(e).__name__}: {e}")
        return replace(outcome, index=task.index)

    def close(self) -> None:
        """Disconnect; a local cluster is shut down (a remote one keeps running)."""
        client = getattr(self, "client", None)
        with contextlib.suppress(Exception):
            if client is not None:
                client.close(timeout=5)
        with contextlib.suppress(Exception):
            if self._cluster is not None:
                self._cluster.close(timeout=10)
        with contextlib.suppress(Exception):
            self._config.__exit__(None, None, None)


def _engine_identity() -> Any:
    """The identity of the engine and models the workers use (the client's: a cluster's machines are expected
    to run the same image, see ``Containerfile``)."""
    from vn_dispatch_parser.ocr.capi import default_engine
    from vn_dispatch_parser.ocr.model_files import engine_identity

    return engine_identity(default_engine())


def _join(task: Task, readings: list[Any]) -> Outcome:
    """A long PDF's outcome from the readings of all its pages, as :func:`process_one` would give it."""
    from vn_dispatch_parser.errors import EmptyDocumentError
    from vn_dispatch_parser.pipeline import join_scan, mark_fields_only

    pages = len(readings)
    try:
        result = join_scan(task.path, readings, probe=task.probe)
        result.engine = _engine_identity()
        if not result.documents:
            raise EmptyDocumentError("no document found: the pages are blank or hold no readable text", task.path)
        result.file = task.rel
        if task.fields_only:
            result = mark_fields_only(result)
        docs = result.documents
        return Outcome(task.index, True, result.to_json(), pages=result.pages, documents=len(docs),
                       needs_review=sum(len(d.needs_review) for d in docs))
    except DispatchParserError as e:
        return Outcome(task.index, False, pages=pages, code=e.code, message=e.reason)
