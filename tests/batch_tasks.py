"""Task functions for the worker-pool tests, importable cheaply by a spawned worker (stdlib only)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from vn_dispatch_parser.batch.workers import Outcome, Task


def hang_crash_or_work(task: Task, notify: object = None) -> Outcome:
    """``hang``: start a child (like Tesseract) and wait for it forever; ``crash``: die; else succeed."""
    if task.rel == "hang":
        child = subprocess.Popen(["sleep", "60"])
        Path(task.path).write_text(str(child.pid))
        child.wait()
    if task.rel == "crash":
        os._exit(3)
    return Outcome(task.index, True, json_text="{}", pages=1)
