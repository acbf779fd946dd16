"""Fixtures of the desk's tests: an output folder made by the real batch from OCR text, a PostgreSQL server
started in a temporary folder (Debian's ``initdb`` + ``pg_ctl``), and a desk server in a thread."""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CONG_VAN_TEXT
from vn_dispatch_parser.batch.runner import BatchOptions, run_batch

FLAGGED = CONG_VAN_TEXT.replace("1865 /SYT-VP", "/SYT-VP")  # the number is missing: flagged
DUPLICATE = CONG_VAN_TEXT.replace("V/v chấn chỉnh thực thi công vụ", "V/v tăng cường kỷ luật hành chính")
DECISION = """UBND TỈNH BẾN TRE
Số: 303/QĐ-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Bến Tre, ngày 5 tháng 4 năm 2019
QUYẾT ĐỊNH
Về việc ban hành Quy chế làm việc của Ủy ban nhân dân tỉnh
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH BẾN TRE
Quyết định này có hiệu lực kể từ ngày ký; đường sá được sửa chữa./.
Nơi nhận:
- Như Điều 3;
- Lưu: VT.
CHỦ TỊCH
Trần Ngọc Tam
"""
INPUTS = {"a_flagged.txt": FLAGGED, "b_cong_van.txt": CONG_VAN_TEXT, "c_duplicate.txt": DUPLICATE,
          "d_decision.txt": DECISION}


def make_outputs(root: Path, inputs: dict[str, str] | None = None) -> tuple[Path, Path]:
    """Input texts in ``root/in``, read by the real batch (one process) into ``root/out``."""
    src, out = root / "in", root / "out"
    src.mkdir(parents=True, exist_ok=True)
    for name, text in (inputs or INPUTS).items():
        (src / name).write_text(text, encoding="utf-8")
    report = run_batch(BatchOptions(inputs=[src], out_dir=out, jobs=1))
    assert report.ok + report.skipped == len(inputs or INPUTS) and not report.failed
    return src, out


@pytest.fixture()
def desk_out(tmp_path: Path) -> Path:
    return make_outputs(tmp_path)[1]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server of our own (Unix socket only); yields the URL of its ``postgres`` database."""
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (make system-deps installs it)")
    root = Path(tempfile.mkdtemp(prefix="vn-desk-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as an unprivileged user
        user = next((u for u in ("postgres", "nobody") if _has_user(u)), None)
        assert user, "no unprivileged user to run PostgreSQL"
        os.chmod(root, 0o755)
        shutil.chown(root, user)
        prefix = ["runuser", "-u", user, "--"]
    data, sock, port = root / "data", root / "sock", free_port()
    run = [*prefix]  # every server command as that user
    subprocess.run([*run, "mkdir", "-p", str(sock)], check=True)
    subprocess.run([*run, str(bindir / "initdb"), "-D", str(data), "-U", "desk", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8"], check=True, capture_output=True)
    opts = f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off"

    def stop() -> None:  # idempotent: from the fixture's teardown, and at exit should that be skipped
        if data.exists():
            subprocess.run([*run, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(stop)
    subprocess.run([*run, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", opts, "-w",
                    "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://desk@/postgres?host={sock}&port={port}"
    finally:
        stop()


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture()
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh database on the test server."""
    import psycopg

    name = "t" + uuid.uuid4().hex[:12]
    base = pg_server.replace("postgresql://", "postgresql+psycopg://")
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.replace("/postgres?", f"/{name}?")
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str | None:
    """Each back end in turn: None (SQLite in the output folder) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("pg_url"))


class ServerThread:
    """A desk app served by uvicorn in a thread."""

    def __init__(self, app: object, host: str = "127.0.0.1", port: int | None = None) -> None:
        import uvicorn

        self.host, self.port = host, port or free_port(host)
        self.server = uvicorn.Server(uvicorn.Config(app, host=self.host, port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the desk server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        with contextlib.suppress(Exception):
            self.thread.join(timeout=10)
