"""The combined outputs of a complete batch run, rebuilt from the per-file JSON on disk.

``records.jsonl``, ``records.csv``, ``records.xlsx`` and the register (``register.xlsx``,
``register.pdf``), as asked for in ``--formats``, hold every document of the inputs read or skipped as
current, in input order; ``errors.jsonl`` lists the run's failures. Each is written whole (a temporary
name, then a rename), so none ever holds a duplicate or half a line. With ``naming="nd30"`` every
combined output uses the NĐ 30 Phụ lục VI names.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path

from vn_dispatch_parser.batch.options import BatchOptions
from vn_dispatch_parser.batch.results import result_path, write_bytes
from vn_dispatch_parser.core.fsutil import atomic_open, atomic_write, printable_name
from vn_dispatch_parser.outputs.export import (
    CSV_COLUMNS,
    ND30_COLUMNS,
    csv_text,
    flat_row,
    nd30_flat,
    nd30_metadata,
)
from vn_dispatch_parser.records import FileResult

__all__ = ["write_combined"]

log = logging.getLogger(__name__)


def write_combined(opts: BatchOptions, rels: Iterable[Path], errors: list[dict[str, str]]) -> tuple[int, int]:
    """Rebuild the combined outputs from the per-file JSON of inputs ``rels`` (in that order) and write
    ``errors`` to ``errors.jsonl``.

    Returns:
        The documents in the records, and their fields that need review.
    """
    out, formats = opts.out_dir, opts.formats
    results = _write_records(opts, rels)
    atomic_write(out / "errors.jsonl", "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors))
    if "xlsx" in formats:
        from vn_dispatch_parser.outputs.spreadsheet import records_xlsx

        write_bytes(out / "records.xlsx", records_xlsx(results, errors, naming=opts.naming))
    if "register" in formats:
        from vn_dispatch_parser.outputs.register import register_pdf, register_xlsx

        write_bytes(out / "register.xlsx", register_xlsx(results))
        write_bytes(out / "register.pdf", register_pdf(results))
    documents = sum(len(r.documents) for r in results)
    needs_review = sum(len(d.needs_review) for r in results for d in r.documents)
    return documents, needs_review


def _write_records(opts: BatchOptions, rels: Iterable[Path]) -> list[FileResult]:
    """Write ``records.jsonl`` and ``records.csv`` (those asked for); return the results read, in order.
    A result that cannot be read any more (edited or damaged by hand) is left out, with a warning."""
    out, formats, nd30 = opts.out_dir, opts.formats, opts.naming == "nd30"
    columns = ND30_COLUMNS if nd30 else CSV_COLUMNS
    results: list[FileResult] = []
    with contextlib.ExitStack() as stack:
        jsonl = stack.enter_context(atomic_open(out / "records.jsonl")) if "jsonl" in formats else None
        csv = stack.enter_context(atomic_open(out / "records.csv")) if "csv" in formats else None
        if csv is not None:
            csv.write(csv_text([], columns=columns))  # BOM + header
        for rel in rels:
            try:
                result = FileResult.model_validate_json(result_path(out, rel).read_bytes())
            except (OSError, ValueError) as e:  # edited or damaged by hand since it was checked
                log.warning("%s: result left out of the records: %s", printable_name(str(result_path(out, rel))), e)
                continue
            results.append(result)
            rows = [flat_row(result, k, doc) for k, doc in enumerate(result.documents)]
            if jsonl is not None:
                lines = ([nd30_metadata(result, d) for d in result.documents] if nd30 else rows)
                jsonl.writelines(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in lines)
            if csv is not None and rows:
                flat = [nd30_flat(result, d) for d in result.documents] if nd30 else rows
                csv.write(csv_text(flat, bom=False, columns=columns).split("\r\n", 1)[1])  # no header
    return results
