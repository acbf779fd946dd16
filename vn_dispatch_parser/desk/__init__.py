"""The archivist's desk: a catalogue of an output folder (search, duplicates) and a local web page to
review flagged fields, on SQLite by default or PostgreSQL.

``vn-dispatch index``/``search``/``serve`` are its commands; :func:`update_after_batch` is what a complete
batch run calls at its end.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from vn_dispatch_parser.desk.catalogue import Catalogue, IndexSummary, Match
from vn_dispatch_parser.desk.schema import CatalogueError

__all__ = ["Catalogue", "CatalogueError", "IndexSummary", "Match", "update_after_batch"]

log = logging.getLogger(__name__)


def update_after_batch(out_dir: Path, sources: dict[str, Path]) -> IndexSummary | None:
    """Re-apply the desk's corrections to records.jsonl / records.csv and update the catalogue.

    Called by the batch at the end of a complete run, while it holds the folder's lock. The catalogue is
    ``OUT_DIR/catalogue.sqlite``, or the URL in ``VN_DISPATCH_DB``. A catalogue that cannot be updated is a
    warning, never a failed batch (``vn-dispatch index`` can be run again).
    """
    from vn_dispatch_parser.desk.catalogue import result_files
    from vn_dispatch_parser.desk.reviews import (
        ReviewError,
        apply_review,
        load_review,
        patch_records,
        review_path,
    )
    from vn_dispatch_parser.records import FileResult

    try:
        effective = {}
        for path in result_files(out_dir):
            if review_path(path).exists():
                try:
                    result = FileResult.model_validate_json(path.read_bytes())
                    effective[result.file] = apply_review(result, load_review(path))[0]
                except (OSError, ValueError, ReviewError) as e:  # that file's records stay as the machine's
                    log.warning("%s: corrections not applied to the records: %s", path, e)
        patch_records(out_dir, effective, lock=False)
        cat = Catalogue(out_dir, os.environ.get("VN_DISPATCH_DB") or None)
        try:
            return cat.index(sources=sources)
        finally:
            cat.close()
    except Exception as e:  # noqa: BLE001 - the batch's own outputs are complete; the desk is extra
        log.warning("catalogue not updated (run `vn-dispatch index %s`): %s", out_dir, e)
        return None
