"""Batch runs on Dask: a LocalCluster, and a real ``dask scheduler`` with two ``dask worker`` processes on
127.0.0.1, give the records of the built-in pool, byte for byte; a worker killed mid-file changes nothing;
resume, errors.jsonl and exit codes work as with the pool; a scheduler that cannot be reached is a clear error."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from tests.test_batch import make_bad_files, make_good_files, read_errors  # noqa: E402
from vn_dispatch_parser.batch.cluster import ClusterError  # noqa: E402
from vn_dispatch_parser.batch.runner import BatchOptions, run_batch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCANS = ["cv_001_clean.png", "cv_017_heavy.png", "ttr_010_clean.png", "draft_016_mild.jpg"]
DASK = Path(sys.executable).parent / "dask"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed"),
]


def outputs(out: Path) -> dict[str, bytes]:
    """Every output a batch leaves: per-file JSON, records.jsonl, records.csv, errors.jsonl (the desk's
    catalogue is left out: an SQLite file records when it was written, so two runs never match byte for byte)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
            and not p.name.startswith(".") and ".sqlite" not in p.name}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("cluster") / "in"
    make_good_files(src, n=4, lines=30)
    make_bad_files(src / "bad")
    for name in SCANS:
        shutil.copy(ROOT / "samples" / name, src / name)
    return src


@pytest.fixture(scope="module")
def pool_outputs(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The reference: the built-in pool of two workers."""
    out = tmp_path_factory.mktemp("pool") / "out"
    report = run_batch(BatchOptions(inputs=[inputs], out_dir=out, jobs=2))
    assert report.ok == len(SCANS) + 4 and report.failed == 6
    return outputs(out)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``dask scheduler`` and two ``dask worker`` processes (one thread each) on 127.0.0.1."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "2"}
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=(logs / "scheduler.log").open("w"), env=env, start_new_session=True)]
    for k in range(2):
        procs.append(subprocess.Popen([str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard",
                                       "--name", f"w{k}"], stdout=subprocess.DEVNULL, cwd=ROOT,
                                      stderr=(logs / f"worker{k}.log").open("w"), env=env, start_new_session=True))
    from distributed import Client

    try:
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def test_local_cluster_gives_the_pools_records_and_resumes(inputs: Path, pool_outputs: dict[str, bytes],
                                                           tmp_path: Path) -> None:
    out = tmp_path / "out"
    opts = BatchOptions(inputs=[inputs], out_dir=out, jobs=2, cluster="local")
    report = run_batch(opts)
    assert (report.ok, report.failed, report.jobs) == (len(SCANS) + 4, 6, 2)
    assert outputs(out) == pool_outputs
    assert {e["code"] for e in read_errors(out)} >= {"input_file", "encrypted_pdf", "too_large"}
    again = run_batch(opts)  # resume: every good input is current, the bad ones are retried
    assert (again.skipped, again.ok, again.failed) == (len(SCANS) + 4, 0, 6)
    assert outputs(out) == pool_outputs


def test_real_scheduler_with_two_workers_from_the_cli(inputs: Path, pool_outputs: dict[str, bytes], scheduler: str,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(inputs), "--out", str(out),
                           "--cluster", scheduler], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 1, proc.stderr  # some inputs failed: the bad files
    assert "8 ok, 6 failed" in proc.stderr
    assert outputs(out) == pool_outputs


def test_worker_killed_mid_file_changes_nothing(inputs: Path, pool_outputs: dict[str, bytes], scheduler: str,
                                                tmp_path: Path) -> None:
    from distributed import Client

    out = tmp_path / "out"
    batch = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(inputs), "--out", str(out),
                              "--cluster", scheduler], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    killed = None
    with Client(scheduler, timeout="30s") as client:
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline and batch.poll() is None:
            busy = {w: ts for w, ts in client.processing().items() if any("vn-dispatch" in str(t) for t in ts)}
            for worker in busy:
                pid = client.run(os.getpid, workers=[worker])[worker]
                os.kill(pid, signal.SIGKILL)  # the worker process, mid-file (its nanny starts a new one)
                killed = worker
                break
            time.sleep(0.05)
        _, err = batch.communicate(timeout=300)
        client.wait_for_workers(2, timeout=60)
    assert killed is not None, "no file was seen running on a worker"
    assert batch.returncode == 1, err
    assert outputs(out) == pool_outputs


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vn_dispatch_parser.batch.cluster._CONNECT_TIMEOUT", "2s")  # 20 s in use
    src = tmp_path / "in"
    make_good_files(src, n=1, lines=10)
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler"):
        run_batch(BatchOptions(inputs=[src], out_dir=tmp_path / "out", cluster=f"tcp://127.0.0.1:{_free_port()}"))


def test_pages_of_a_long_pdf_as_tasks_joined_in_the_client(tmp_path: Path) -> None:
    from vn_dispatch_parser.batch.cluster import DaskRunner
    from vn_dispatch_parser.batch.workers import Task

    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ROOT / "samples" / "bundle_013_mild.pdf", src / "bundle.pdf")  # 3 pages, 2 documents
    whole = run_batch(BatchOptions(inputs=[src], out_dir=tmp_path / "whole", jobs=1))
    assert whole.documents == 2
    runner = DaskRunner.__new__(DaskRunner)  # the split alone, without a cluster
    runner.page_tasks, runner.workers = 1, 2
    assert runner._chunks(Task(0, str(src / "bundle.pdf"), "bundle.pdf")) == [[1], [2], [3]]
    runner.page_tasks, runner.workers = 2, 2
    assert runner._chunks(Task(0, str(src / "bundle.pdf"), "bundle.pdf")) == [[1, 2], [3]]
    assert runner._chunks(Task(0, str(src / "bundle.pdf"), "bundle.pdf", searchable_tmp="x")) == []
    split = run_batch(BatchOptions(inputs=[src], out_dir=tmp_path / "split", jobs=2, cluster="local", page_tasks=1))
    assert (split.ok, split.pages, split.documents) == (1, 3, 2)
    assert outputs(tmp_path / "split") == outputs(tmp_path / "whole")
