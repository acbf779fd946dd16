"""Batch runs on a Dask distributed cluster: ``vn-dispatch batch IN --out OUT --cluster ADDRESS``.

:class:`DaskRunner` has the shape of the built-in runners (:class:`~vn_dispatch_parser.workers.SerialRunner`,
:class:`~vn_dispatch_parser.workers.WorkerPool`): ``run(tasks, on_pages)`` yields one
:class:`~vn_dispatch_parser.workers.Outcome` per task, so :mod:`vn_dispatch_parser.batch` keeps doing
everything else the same way in every mode: resume, atomic outputs written by the client alone,
``errors.jsonl``, the progress display, the summary and the exit codes.

* ``ADDRESS`` is a running scheduler (``tcp://host:8786``) or ``local``: a ``LocalCluster`` of worker
  *processes* started here, one thread each (``--jobs`` of them; 0: one per core).
* Workers read the inputs by the path the client gives them, so the inputs (and nothing else: results
  come back to the client) must be on storage every worker sees under the same path.
* Each worker process pays its start-up once: imports, the Tesseract model (kept loaded by the C API
  engine, :mod:`vn_dispatch_parser.tess_capi`) and the hand-writing model stay loaded from file to file;
  numpy's BLAS and Tesseract's OpenMP are held to one thread (the cluster's parallelism is its workers).
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
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from .errors import DispatchParserError, ExitCode, MissingDependencyError
from .tess_capi import TIMEOUT_ENV
from .workers import Outcome, Task, process_one

__all__ = ["ClusterError", "DaskRunner", "run_task"]

log = logging.getLogger(__name__)

_THREAD_ENV = {"OMP_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_CONNECT_TIMEOUT = "20s"
_ready = False  # per worker process: set-up done


class ClusterError(DispatchParserError):
    """The Dask scheduler cannot be reached or was lost: the run stops; rerun the same command to resume."""

    exit_code = ExitCode.some_failed
    code = "cluster"


def _set_up_worker() -> None:
    """Once per worker process: one thread for OpenMP and BLAS, and the models loaded before the first file."""
    for k, v in _THREAD_ENV.items():
        os.environ.setdefault(k, v)
    with contextlib.suppress(ImportError):
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # numpy is already imported: the variables above come too late for it
    from . import pipeline  # noqa: F401  (imports paid here, once)
    from .tess_capi import default_engine

    with contextlib.suppress(DispatchParserError):
        engine = default_engine()
        check = getattr(engine, "check", None)
        if check is not None:
            check()


def run_task(task: Task, timeout: float | None = None) -> Outcome:
    """What a cluster worker runs for one input: :func:`~vn_dispatch_parser.workers.process_one`.

    ``timeout`` bounds each OCR call (see the module docstring).
    """
    global _ready
    if not _ready:
        _set_up_worker()
        _ready = True
    if timeout:
        os.environ[TIMEOUT_ENV] = str(timeout)
    return process_one(task)


class DaskRunner:
    """Run batch tasks on a Dask cluster (see the module docstring).

    Args:
        address: ``tcp://host:port`` of a running scheduler, or ``"local"`` for a ``LocalCluster``.
        jobs: Workers of a local cluster (0: one per core); ignored for a remote scheduler.
        timeout: Seconds allowed per OCR call (None: the engine's default).
        retries: How many times a file whose worker died is given to another worker before it fails.
        func: The task function (importable by name on the workers).
    """

    def __init__(self, address: str, *, jobs: int = 0, timeout: float | None = None, retries: int = 2,
                 func: Callable[..., Outcome] = run_task) -> None:
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
        self._cluster: Any = None
        # a task whose worker died is retried by the scheduler on another worker; after this many deaths it
        # fails with KilledWorker (a setting of the scheduler: in force here for a local cluster only)
        self._config = dask.config.set({"distributed.scheduler.allowed-failures": retries,
                                        "distributed.scheduler.work-stealing": True})
        self._config.__enter__()
        try:
            if address == "local":
                from .batch import default_jobs

                for k, v in _THREAD_ENV.items():  # inherited by the worker processes, before their imports
                    os.environ.setdefault(k, v)
                self._cluster = LocalCluster(n_workers=jobs or default_jobs(), threads_per_worker=1, processes=True,
                                             dashboard_address=None, silence_logs=logging.ERROR)
                self.client = Client(self._cluster, set_as_default=False)
            else:
                self.client = Client(address, timeout=_CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as e:
            self.close()
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e}") from e
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self._run_id = uuid.uuid4().hex[:8]

    def run(self, tasks: Iterator[Task], on_pages: Callable[[Task, int], None]) -> Iterator[Outcome]:
        """Submit ``tasks`` (a few per worker ahead) and yield outcomes as they complete."""
        from distributed import as_completed

        window = max(4, 3 * self.workers)
        pending: dict[Any, Task] = {}
        done = as_completed(with_results=False, loop=self.client.loop)

        def submit() -> None:
            while len(pending) < window:
                task = next(tasks, None)
                if task is None:
                    return
                fut = self.client.submit(self.func, task, self.timeout, key=f"vn-dispatch-{self._run_id}-{task.index}",
                                         pure=False)
                pending[fut.key] = task
                done.add(fut)

        submit()
        for fut in done:
            task = pending.pop(fut.key)
            outcome = self._outcome(fut, task)
            fut.release()
            on_pages(task, outcome.pages)
            yield outcome
            submit()

    def _outcome(self, fut: Any, task: Task) -> Outcome:
        from distributed import KilledWorker

        try:
            outcome = fut.result()
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
