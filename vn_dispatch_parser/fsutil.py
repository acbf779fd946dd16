"""Files that are never half-written: atomic writes, leftover temporary files, a folder lock.

A temporary file is named ``.<final name>.<random>.tmp`` in the final file's folder, so the rename is
atomic and :func:`remove_temp_files` can find what a killed process left behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import DispatchParserError, ExitCode

__all__ = ["LOCK_NAME", "FolderBusyError", "atomic_open", "atomic_write", "folder_lock", "remove_temp_files"]

log = logging.getLogger(__name__)
LOCK_NAME = ".vn-dispatch.lock"


class FolderBusyError(DispatchParserError):
    """Another process holds the output folder's lock."""

    exit_code = ExitCode.usage
    code = "usage"


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[IO[str]]:
    """Open a temporary text file next to ``path``; on success it is fsync'ed and renamed to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:  # like mkstemp, but the mode follows the umask (outputs are shared, not private)
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    with atomic_open(path) as fh:
        fh.write(text)


def remove_temp_files(out_dir: Path) -> None:
    """Delete temporary files (``.<name>.<random>.tmp``) and work folders (the searchable PDF's
    ``.<name>.<random>.tmp/``) left by a killed run."""
    import shutil

    for dirpath, dirs, files in os.walk(out_dir):
        for name in [d for d in dirs if d.startswith(".") and d.endswith(".tmp")]:
            shutil.rmtree(Path(dirpath, name), ignore_errors=True)
            dirs.remove(name)
            log.info("removed a work folder left by an interrupted run: %s", Path(dirpath, name))
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                Path(dirpath, name).unlink(missing_ok=True)
                log.info("removed a temporary file left by an interrupted run: %s", Path(dirpath, name))


@contextlib.contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``out_dir`` (released by the OS even on ``kill -9``)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    with open(out_dir / LOCK_NAME, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolderBusyError(f"another vn-dispatch batch is writing to {out_dir}") from None
        yield
