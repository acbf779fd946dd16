"""What a batch run shows while it works: a live display on a terminal, one line per file otherwise.

:func:`make_display` picks :class:`RichDisplay` (files and pages done, pages/min, ETA, failures) when
the stream is a terminal and :class:`PlainDisplay` (one line per file, for logs and cron mail) when it
is not. Both end with the same summary (:func:`summary_lines`). The library's default is
:class:`NullDisplay`: nothing is shown unless the caller asks.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from vn_dispatch_parser.batch.options import BatchReport
    from vn_dispatch_parser.batch.workers import Outcome

__all__ = ["BatchDisplay", "NullDisplay", "PlainDisplay", "QuietDisplay", "RichDisplay", "make_display", "summary_lines"]


class BatchDisplay(Protocol):
    """Receives the events of a batch run."""

    def start(self, total: int, jobs: int, out_dir: str) -> None: ...
    def file_started(self, rel: str, pages: int) -> None: ...
    def file_skipped(self, rel: str) -> None: ...
    def file_done(self, rel: str, outcome: Outcome) -> None: ...
    def finish(self, report: BatchReport) -> None: ...


class NullDisplay:
    """Shows nothing."""

    def start(self, total: int, jobs: int, out_dir: str) -> None:
        """Ignore."""

    def file_started(self, rel: str, pages: int) -> None:
        """Ignore."""

    def file_skipped(self, rel: str) -> None:
        """Ignore."""

    def file_done(self, rel: str, outcome: Outcome) -> None:
        """Ignore."""

    def finish(self, report: BatchReport) -> None:
        """Ignore."""


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min {s:02d} s" if m else f"{s} s"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_lines(report: BatchReport) -> list[str]:
    """The end-of-run summary as plain lines (files ok/failed/skipped, documents, review, time)."""
    rate = f", {report.pages / report.elapsed * 60:.0f} pages/min" if report.elapsed > 0 and report.pages else ""
    head = "interrupted" if report.interrupted else "done"
    lines = [
        f"vn-dispatch batch {head} in {_duration(report.elapsed)}: {report.ok} ok, {report.failed} failed, "
        f"{report.skipped} skipped (current result already in {report.out_dir})",
        f"  pages read: {report.pages}{rate}",
    ]
    where = "in records" if not report.interrupted else "read in this run"
    lines.append(f"  documents {where}: {report.documents}; fields to review (needs_review): {report.needs_review}")
    if report.interrupted:
        lines.append("  records.jsonl, records.csv and errors.jsonl were NOT updated; run the same command "
                     "again to resume (finished files are kept and skipped)")
    elif report.failed:
        lines.append(f"  failures: {report.out_dir}/errors.jsonl (rerun the same command to retry them)")
    return lines


@dataclass
class _Counts:
    total: int = 0
    done: int = 0  # ok + failed in this run
    skipped: int = 0
    failed: int = 0
    pages: int = 0
    started: float = 0.0

    def eta(self) -> str:
        """Time left from the rate of files read so far (skipped files excluded)."""
        remaining = self.total - self.done - self.skipped
        elapsed = time.monotonic() - self.started
        if self.done == 0 or remaining <= 0:
            return "--" if remaining > 0 else "0 s"
        return _duration(elapsed / self.done * remaining)

    def pages_per_min(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.pages / elapsed * 60 if elapsed > 0 else 0.0


class PlainDisplay:
    """One line per file on a stream (stderr by default), then the summary: for logs, not terminals."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.counts = _Counts()

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _prefix(self) -> str:
        width = len(str(self.counts.total))
        return f"[{self.counts.done + self.counts.skipped:>{width}}/{self.counts.total}]"

    def start(self, total: int, jobs: int, out_dir: str) -> None:
        """Announce the run."""
        self.counts = _Counts(total=total, started=time.monotonic())
        self._line(f"vn-dispatch batch: {_plural(total, 'input')}, {_plural(jobs, 'worker')}, output in {out_dir}")

    def file_started(self, rel: str, pages: int) -> None:
        """Nothing: one line per file, when it is done."""

    def file_skipped(self, rel: str) -> None:
        """A file whose current result is already on disk."""
        self.counts.skipped += 1
        self._line(f"{self._prefix()} skip    {rel} (current result exists)")

    def file_done(self, rel: str, outcome: Outcome) -> None:
        """A file read, or failed."""
        c = self.counts
        c.done += 1
        c.pages += outcome.pages if outcome.ok else 0
        if outcome.ok:
            self._line(f"{self._prefix()} ok      {rel} ({_plural(outcome.pages, 'page')}, "
                       f"{_plural(outcome.documents, 'document')}, {outcome.needs_review} to review, "
                       f"{outcome.seconds:.1f} s; ETA {c.eta()})")
        else:
            c.failed += 1
            self._line(f"{self._prefix()} FAILED  {rel}: {outcome.code}: {outcome.message}")

    def finish(self, report: BatchReport) -> None:
        """Print the summary."""
        for line in summary_lines(report):
            self._line(line)


class RichDisplay:
    """A live progress bar (rich) on a terminal; failures are printed above it as they happen."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

        self.console = Console(file=stream if stream is not None else sys.stderr)
        self.counts = _Counts()
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("files"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("• {task.fields[pages]} pages • {task.fields[rate]:.0f} pages/min • ETA {task.fields[eta]}"),
            TextColumn("• [red]{task.fields[failed]} failed[/red]" + " • {task.fields[skipped]} skipped"),
            TextColumn("• {task.fields[current]}", markup=False),
            console=self.console,
            transient=False,
        )
        self._task: Any = None
        self._running: list[str] = []  # files being read, latest last
        self._swapped: list[tuple[logging.StreamHandler[Any], Any]] = []

    def _update(self) -> None:
        c = self.counts
        self.progress.update(self._task, completed=c.done + c.skipped, pages=c.pages, rate=c.pages_per_min(),
                             eta=c.eta(), failed=c.failed, skipped=c.skipped, current=self.current())

    def current(self) -> str:
        """The file being read (the latest started), shortened for the bar; "" when none."""
        if not self._running:
            return ""
        name = self._running[-1]
        return name if len(name) <= 40 else "…" + name[-39:]

    def start(self, total: int, jobs: int, out_dir: str) -> None:
        """Show the bar."""
        self.counts = _Counts(total=total, started=time.monotonic())
        self.console.print(f"vn-dispatch batch: {_plural(total, 'input')}, {_plural(jobs, 'worker')}, "
                           f"output in {out_dir}", highlight=False, markup=False)
        self._task = self.progress.add_task("batch", total=total, pages=0, rate=0.0, eta="--", failed=0, skipped=0,
                                            current="")
        self.progress.start()
        self._route_logging(sys.stderr)  # rich's proxy while live: log lines print above the bar

    def _route_logging(self, stream: Any) -> None:
        """Point the root logger's terminal handlers at ``stream`` (undone by ``finish``)."""
        for h in logging.getLogger().handlers:
            if isinstance(h, logging.StreamHandler) and h.stream in (self.console.file, sys.__stderr__):
                self._swapped.append((h, h.setStream(stream)))

    def file_started(self, rel: str, pages: int) -> None:
        """Show the file's name (pages are counted when the file is done)."""
        self._running.append(rel)
        self._update()

    def file_skipped(self, rel: str) -> None:
        """Count a skipped file."""
        self.counts.skipped += 1
        self._update()

    def file_done(self, rel: str, outcome: Outcome) -> None:
        """Count a file; print a failure above the bar."""
        c = self.counts
        c.done += 1
        c.pages += outcome.pages if outcome.ok else 0
        if rel in self._running:
            self._running.remove(rel)
        if not outcome.ok:
            c.failed += 1
            from rich.markup import escape

            self.progress.console.print(f"[red]FAILED[/red] {escape(rel)}: {outcome.code}: {escape(str(outcome.message))}",
                                        highlight=False, soft_wrap=True)
        self._update()

    def finish(self, report: BatchReport) -> None:
        """Stop the bar and print the summary."""
        if self._task is not None:
            self._update()
        for handler, stream in reversed(self._swapped):
            handler.setStream(stream)
        self._swapped.clear()
        self.progress.stop()
        for line in summary_lines(report):
            self.console.print(line, highlight=False, markup=False)


class QuietDisplay(NullDisplay):
    """``-q``: nothing but failed files, one line each."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr

    def file_done(self, rel: str, outcome: Outcome) -> None:
        if not outcome.ok:
            self.stream.write(f"FAILED  {rel}: {outcome.code}: {outcome.message}\n")
            self.stream.flush()


def make_display(stream: TextIO | None = None, *, quiet: bool = False) -> BatchDisplay:
    """A live display when ``stream`` (default stderr) is a terminal, plain lines otherwise; with
    ``quiet``, only failures."""
    stream = stream if stream is not None else sys.stderr
    if quiet:
        return QuietDisplay(stream)
    isatty = getattr(stream, "isatty", None)
    return RichDisplay(stream) if callable(isatty) and isatty() else PlainDisplay(stream)
