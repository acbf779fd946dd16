"""Files that are never half-written: atomic writes, leftover temporary files, a folder lock; output
names that every file system takes, and file names that can always be printed and serialised.

A temporary file is named ``.vnd-<16 hex digits>.tmp`` in the final file's folder: the rename is atomic,
the name is short whatever the final name's length, and :func:`remove_temp_files` removes only names of
exactly that form (never a user's own ``.something.tmp``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from vn_dispatch_parser.errors import DispatchParserError, ExitCode

__all__ = [
    "LOCK_NAME",
    "MAX_NAME_BYTES",
    "WORK_DIR_NAME",
    "FolderBusyError",
    "atomic_open",
    "atomic_write",
    "file_sha256",
    "fit_name",
    "folder_lock",
    "is_case_sensitive",
    "printable_name",
    "raw_name",
    "remove_temp_files",
    "temp_name",
]

log = logging.getLogger(__name__)


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (hex), read in chunks: the resume key, the probe's digest, the models' check."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
LOCK_NAME = ".vn-dispatch.lock"
WORK_DIR_NAME = ".vn-dispatch-work"
"""Scratch folder of a batch run inside its output folder (searchable-PDF pages); emptied at every start."""
MAX_NAME_BYTES = 255
"""Longest file name (in bytes) that ext4, XFS, btrfs, APFS and NTFS (in UTF-16 units) all accept."""
_TEMP_RE = re.compile(r"\.vnd-[0-9a-f]{16}\.tmp")
_HASH_LEN = 10  # hex digits of SHA-256 that keep two shortened names apart (40 bits)


def temp_name() -> str:
    """A fresh temporary file name: ``.vnd-<16 hex digits>.tmp`` (22 bytes)."""
    return f".vnd-{secrets.token_hex(8)}.tmp"


SUFFIX_ROOM = 24
"""Bytes kept free after a shortened name for any output suffix (``.searchable.pdf``, ``.review.json``), so
that every output of one input shares one shortened stem."""


def fit_name(name: str, suffix: str, *, limit: int = MAX_NAME_BYTES) -> str:
    """``name + suffix``, with ``name`` shortened when some output suffix could push it over ``limit`` bytes.

    A long name keeps its first characters, whole, then ``~`` and 10 hex digits of the SHA-256 of the
    full name, so two long names that share a beginning still get two outputs, and the outputs of one
    input (``.json``, ``.searchable.pdf``) share one stem. The record keeps the full original name.

    >>> fit_name("scan.pdf", ".json")
    'scan.pdf.json'
    >>> n = fit_name("Công văn " * 40 + ".pdf", ".json")
    >>> len(n.encode()) <= 255, n.endswith(".json"), "~" in n
    (True, True, True)
    >>> fit_name("Công văn " * 40, ".json")[:-5] == fit_name("Công văn " * 40, ".searchable.pdf")[:-15]
    True
    """
    if len(os.fsencode(name)) + SUFFIX_ROOM <= limit:
        return name + suffix
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:_HASH_LEN]
    budget = limit - SUFFIX_ROOM - len(digest) - 1
    head = ""
    for ch in name:  # whole characters only (never half a UTF-8 sequence)
        if len(os.fsencode(head + ch)) > budget:
            break
        head += ch
    return f"{head}~{digest}{suffix}"


def printable_name(name: str) -> str:
    r"""A file name as it can always be printed, logged and written as UTF-8 JSON.

    Bytes that are not UTF-8 (kept by Python as surrogate escapes) are shown as ``\xNN``; control
    characters (a newline in a name) as ``\n``, ``\xNN``. Valid names come back unchanged.

    >>> print(printable_name("b\udce1o c\udce1o.pdf"))
    b\xe1o c\xe1o.pdf
    >>> print(printable_name("hai\ndòng.pdf"))
    hai\ndòng.pdf
    >>> printable_name("Công văn.pdf")
    'Công văn.pdf'
    """
    out = []
    for ch in name:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:  # surrogate escape of a byte that is not UTF-8
            out.append(f"\\x{o - 0xDC00:02x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append(f"\\u{o:04x}")
        elif o < 32 or o == 127:
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, f"\\x{o:02x}"))
        else:
            out.append(ch)
    return "".join(out)


def raw_name(name: str) -> str | None:
    r"""The exact bytes of a file name that is not valid UTF-8, percent-encoded; None for a valid name.

    Lossless: ``urllib.parse.unquote_to_bytes(raw_name(n)) == os.fsencode(n)``.

    >>> raw_name("b\udce1o.pdf")
    'b%E1o.pdf'
    >>> raw_name("báo.pdf") is None
    True
    """
    from urllib.parse import quote_from_bytes

    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return quote_from_bytes(os.fsencode(name), safe="/ ")
    return None


def is_case_sensitive(folder: Path) -> bool:
    """True when ``folder``'s file system tells ``A`` from ``a`` (ext4, XFS: yes; NTFS, APFS: usually no)."""
    probe = folder / f".vnd-case-{secrets.token_hex(4)}.tmp"
    try:
        probe.touch()
        try:
            return not (folder / probe.name.upper()).exists()
        finally:
            probe.unlink(missing_ok=True)
    except OSError:
        return os.path.normcase("A") != os.path.normcase("a")


class FolderBusyError(DispatchParserError):
    """Another process holds the output folder's lock."""

    exit_code = ExitCode.usage
    code = "usage"


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[IO[str]]:
    """Open a temporary text file next to ``path``; on success it is fsync'ed and renamed to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:  # like mkstemp, but the mode follows the umask (outputs are shared, not private)
        tmp = path.parent / temp_name()
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
    """Delete what a killed run left: temporary files named by :func:`temp_name` and the scratch folder.

    Only names of exactly that form are removed, so a user's own hidden ``.*.tmp`` files stay.
    """
    shutil.rmtree(out_dir / WORK_DIR_NAME, ignore_errors=True)
    for dirpath, _dirs, files in os.walk(out_dir):
        for name in files:
            if _TEMP_RE.fullmatch(name):
                Path(dirpath, name).unlink(missing_ok=True)
                log.info("removed a temporary file left by an interrupted run: %s",
                         printable_name(str(Path(dirpath, name))))


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
