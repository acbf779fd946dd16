"""The resume key: whether an input's result on disk is current, so a rerun skips it.

A result is current when its JSON holds the input's ``sha256``, this run's ``pipeline_version``
(:func:`~vn_dispatch_parser.batch.results.result_version`) and, for a scan, the ``engine`` identity this
run's workers would record (Tesseract version, traineddata and digit model sha256), and the searchable PDF
and text asked for are beside it. A ``--force`` run redoes everything, but a rerun of an interrupted one
keeps what it had already redone (the results newer than its mark,
:data:`~vn_dispatch_parser.batch.options.FORCE_MARK`).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from vn_dispatch_parser.batch.options import FORCE_MARK, BatchOptions
from vn_dispatch_parser.batch.results import result_path, result_version, searchable_path, sidecar_path
from vn_dispatch_parser.config import TEXT_SUFFIXES
from vn_dispatch_parser.core.fsutil import atomic_write
from vn_dispatch_parser.core.fsutil import file_sha256 as sha256_file
from vn_dispatch_parser.errors import DispatchParserError

__all__ = ["ResumeCheck", "sha256_file"]

log = logging.getLogger(__name__)


class ResumeCheck:
    """The resume check of one run. Starting a ``--force`` run writes its mark (unless a rerun finds it
    there already); :meth:`complete` removes it once the run is complete."""

    def __init__(self, opts: BatchOptions) -> None:
        self.opts = opts
        mark = opts.out_dir / FORCE_MARK
        if opts.force and not mark.exists():
            atomic_write(mark, f"--force run started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        self.force_since = mark.stat().st_mtime_ns if opts.force else None
        self._engine_key: dict[str, Any] | None = None
        self._engine_checked = False

    def is_current(self, path: Path, rel: Path) -> bool:
        """True when ``rel``'s result on disk is for this very input and this pipeline version (and, in a
        resumed ``--force`` run, was written by that run)."""
        return self.check(path, rel)[0]

    def check(self, path: Path, rel: Path) -> tuple[bool, str | None]:
        """:meth:`is_current`, and the input's sha256 when it was computed for the check (passed to the
        task, so a changed input is not read again for it). Only the digest is computed here: a current
        input is read once, and never sniffed or probed."""
        json_path = result_path(self.opts.out_dir, rel)
        try:
            if self.force_since is not None and json_path.stat().st_mtime_ns < self.force_since:
                return False, None
            data = json.loads(json_path.read_bytes())
        except (OSError, ValueError):
            return False, None
        if not isinstance(data, dict) or data.get("pipeline_version") != result_version(self.opts.fields_only):
            return False, None
        if not data.get("sha256"):
            return False, None
        if path.suffix.lower() not in TEXT_SUFFIXES and (
                self.engine_key() is None or data.get("engine") != self.engine_key()):
            return False, None  # read with another Tesseract, traineddata or digit model (or before they were recorded)
        try:
            digest = sha256_file(path)
        except OSError:
            return False, None
        if data["sha256"] != digest:
            return False, digest
        if self.opts.wants_searchable(path) and not searchable_path(self.opts.out_dir, rel).is_file():
            return False, digest
        if self.opts.sidecar and not sidecar_path(self.opts.out_dir, rel).is_file():
            return False, digest
        return True, digest

    def engine_key(self) -> dict[str, Any] | None:
        """The engine identity (JSON) a current result of a scan records: the engine and models this run's
        workers use. None when they cannot be found: nothing is current then, and the workers say why."""
        if not self._engine_checked:
            self._engine_checked = True
            try:
                from vn_dispatch_parser.ocr.capi import default_engine
                from vn_dispatch_parser.ocr.model_files import engine_identity

                self._engine_key = engine_identity(default_engine()).model_dump(mode="json")
            except DispatchParserError as e:
                log.info("engine identity unknown (%s): scans are read again", e)
        return self._engine_key

    def complete(self) -> None:
        """The run is complete: a rerun starts afresh (a ``--force`` rerun redoes everything again)."""
        (self.opts.out_dir / FORCE_MARK).unlink(missing_ok=True)
