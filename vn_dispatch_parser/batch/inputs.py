"""Which files a batch reads: the input folders walked, filtered and checked before any is read.

Folders are searched recursively (hidden names left out, symbolic links to folders followed, each real
folder once); what looks like an input but cannot be read (a broken or looping link, a FIFO or device, a
sub-folder that cannot be listed) becomes an :class:`~vn_dispatch_parser.batch.options.InputProblem`, one
line of ``errors.jsonl``, instead of stopping the batch. :func:`batch_inputs` also refuses inputs whose
outputs would clash.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path

from vn_dispatch_parser.batch.options import (
    COMBINED_NAMES,
    SUPPORTED_SUFFIXES,
    BatchOptions,
    BatchUsageError,
    InputProblem,
)
from vn_dispatch_parser.batch.results import result_path
from vn_dispatch_parser.core.fsutil import LOCK_NAME, WORK_DIR_NAME, is_case_sensitive, printable_name

__all__ = ["batch_inputs", "iter_inputs"]

log = logging.getLogger(__name__)


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


def batch_inputs(opts: BatchOptions, problems: list[InputProblem]) -> list[tuple[Path, Path]]:
    """The inputs of a run (:func:`iter_inputs`), refused with :class:`BatchUsageError` when an input folder
    has the name of a combined output, two inputs would share one output name (case folded where the output
    folder folds it), or a combined output's name is taken by a folder."""
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
