"""What a batch run is asked to do, and what it reports: the options, their check, the report and the errors.

:class:`BatchOptions` holds what to read and where to write (``vn-dispatch batch``'s options);
:func:`check_options` refuses, before anything is written, options that cannot work (exit 2,
:class:`BatchUsageError`); :class:`BatchReport` holds the counts of a run. The names the batch reserves in
the output folder (:data:`COMBINED_NAMES`, :data:`FORCE_MARK`) are kept here too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from vn_dispatch_parser.config import TEXT_SUFFIXES
from vn_dispatch_parser.core.fsutil import LOCK_NAME, WORK_DIR_NAME, printable_name
from vn_dispatch_parser.errors import DispatchParserError, ExitCode, OutputError

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
    "check_options",
    "default_jobs",
]

SUPPORTED_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".txt", ".md"}
FORMATS = frozenset({"json", "jsonl", "csv", "xlsx", "register"})
COMBINED_NAMES = frozenset({"records.jsonl", "records.csv", "records.xlsx", "register.xlsx", "register.pdf",
                            "errors.jsonl", LOCK_NAME, WORK_DIR_NAME})
"""Names the batch writes at the top of the output folder: no input folder may mirror onto them."""
FORCE_MARK = ".vn-dispatch.force"
"""Written when a ``--force`` run starts, removed when it completes: results newer than it were already
redone, so rerunning an interrupted ``--force`` run resumes it instead of starting over."""


class BatchUsageError(DispatchParserError):
    """The batch cannot start: bad options, clashing inputs, or the output folder is in use."""

    exit_code = ExitCode.usage
    code = "usage"


class BatchOutputError(OutputError):
    """An output cannot be written (disk full, no permission): the batch stops (exit 11); rerun to resume."""


@dataclass(frozen=True)
class InputProblem:
    """Something under an input folder that looks like an input but cannot be read as one."""

    rel: Path
    code: str
    message: str


@dataclass
class BatchOptions:
    """What to read and where to write; see ``vn-dispatch batch --help``."""

    inputs: list[Path]
    out_dir: Path
    jobs: int = 0
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    force: bool = False
    formats: set[str] = field(default_factory=lambda: {"json", "jsonl", "csv"})
    searchable_pdf: bool = False
    timeout: float | None = None
    dpi: int = 300
    sidecar: bool = False
    pdfa: bool = True
    invalidate_signatures: bool = False
    pages: tuple[int, ...] | None = None
    naming: str = "record"  # "record" or "nd30": the names of records.jsonl / .csv / .xlsx columns
    max_text_bytes: int | None = None
    prune: bool = False
    cluster: str | None = None
    fields_only: bool = False
    page_tasks: int = 8  # on a cluster, a PDF of more pages is read as page tasks (0: never)

    def wants_searchable(self, path: Path) -> bool:
        """True when input ``path`` gets a searchable PDF (asked for, and a scan: a text file has none)."""
        return self.searchable_pdf and path.suffix.lower() not in TEXT_SUFFIXES


@dataclass
class BatchReport:
    """Counts of a run. ``documents``/``needs_review`` cover the records written (this run's files only
    when interrupted); ``errors`` are this run's failures in input order."""

    out_dir: str = ""
    total: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    pages: int = 0
    documents: int = 0
    needs_review: int = 0
    elapsed: float = 0.0
    interrupted: bool = False
    jobs: int = 1
    stale: int = 0
    pruned: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def check_options(opts: BatchOptions) -> None:
    """Refuse options that cannot work, an input that does not exist, and an output folder that is not a
    folder or holds the inputs, with :class:`BatchUsageError` (exit 2) and the fix."""
    _check_values(opts)
    for p in opts.inputs:
        if not p.exists():
            raise BatchUsageError(f"input not found: {printable_name(str(p))}")
    if opts.out_dir.exists() and not opts.out_dir.is_dir():
        raise BatchUsageError(f"--out must be a folder: {printable_name(str(opts.out_dir))}")
    out = opts.out_dir.resolve()
    for p in opts.inputs:
        if p.is_dir() and (p.resolve() == out or p.resolve().is_relative_to(out)):
            raise BatchUsageError(f"--out {printable_name(str(opts.out_dir))} is the input folder or a folder "
                                  f"above it ({printable_name(str(p))}): outputs would be mixed with the scans; "
                                  "choose an output folder outside the inputs")


def _check_values(opts: BatchOptions) -> None:
    """The option values alone (formats, naming, numbers, --prune with filters, dpi)."""
    from vn_dispatch_parser.pipeline import check_dpi

    unknown = set(opts.formats) - FORMATS
    if unknown or not opts.formats:
        raise BatchUsageError(f"unknown output format(s) {sorted(unknown)}; choose from {', '.join(sorted(FORMATS))}")
    if opts.naming not in ("record", "nd30"):
        raise BatchUsageError(f"unknown naming {opts.naming!r}; choose record or nd30")
    if opts.jobs < 0:
        raise BatchUsageError("--jobs must be 0 (all cores) or more")
    if opts.timeout is not None and opts.timeout <= 0:
        raise BatchUsageError("--timeout must be positive (or 0 for no limit)")
    if opts.max_text_bytes is not None and opts.max_text_bytes <= 0:
        raise BatchUsageError("--max-text-mb must be positive")
    if opts.prune and (opts.include or opts.exclude):
        raise BatchUsageError("--prune removes the results of every input not read in this run: it cannot be "
                              "used with --include/--exclude")
    try:
        check_dpi(opts.dpi)
    except DispatchParserError as e:
        raise BatchUsageError(f"--dpi: {e.reason}") from None
