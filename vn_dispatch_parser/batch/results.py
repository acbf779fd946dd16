"""Where a batch's outputs go in the output folder, and how they are written whole.

Per input ``rel``: its ``FileResult`` JSON (:func:`result_path`), searchable PDF (:func:`searchable_path`)
and text (:func:`sidecar_path`), all beside each other, with names shortened past the file system's limit
(:func:`~vn_dispatch_parser.core.fsutil.fit_name`). Also: the ``pipeline_version`` a current result has,
one line of ``errors.jsonl``, writing bytes through a temporary name, making sure the output folder can be
written, and finding results whose input is gone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from vn_dispatch_parser.batch.options import BatchUsageError
from vn_dispatch_parser.core.fsutil import fit_name, printable_name, raw_name, temp_name
from vn_dispatch_parser.records import PIPELINE_VERSION

__all__ = [
    "error_line",
    "prepare_out_dir",
    "result_path",
    "result_version",
    "searchable_path",
    "sidecar_path",
    "stale_results",
    "write_bytes",
]


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


def sidecar_path(out_dir: Path, rel: Path) -> Path:
    """Where the text (``--sidecar``) of input ``rel`` goes (next to its JSON)."""
    return _output_path(out_dir, rel, ".txt")


def error_line(rel: Path | str, code: str, message: str) -> dict[str, str]:
    """One line of ``errors.jsonl``: the printable path, and its exact bytes when it is not UTF-8."""
    name = rel.as_posix() if isinstance(rel, Path) else rel
    line = {"path": printable_name(name), "code": code, "message": printable_name(message)}
    raw = raw_name(name)
    if raw is not None:
        line["path_raw"] = raw
    return line


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary name and a rename (never half a file)."""
    tmp = path.parent / temp_name()  # a name the next run's clean-up recognises
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def prepare_out_dir(out_dir: Path) -> None:
    """Create the output folder and check it can be written (a usage error, exit 2, if not)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".vnd-{os.getpid():016x}.tmp"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise BatchUsageError(f"cannot write to the output folder {printable_name(str(out_dir))}: "
                              f"{e.strerror or e}") from None


def stale_results(out_dir: Path, rels: Iterable[Path]) -> list[Path]:
    """Per-file results in ``out_dir`` whose input is none of ``rels`` (deleted or renamed): files that are
    a ``FileResult`` (never a user's own JSON, nor an archivist's ``*.review.json``)."""
    wanted = {result_path(out_dir, rel) for rel in rels}
    stale = []
    for dirpath, dirnames, files in os.walk(out_dir):
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
