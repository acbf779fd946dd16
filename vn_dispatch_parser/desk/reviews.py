"""Corrections made at the desk: ``<result>.review.json`` beside each machine result, never inside it.

A review file keeps the whole history: one entry per decision (``field``, ``old`` machine value, ``new``
value, ``who``, ``when``, ``action``: ``correct`` or ``accept``). The last entry for a field wins. Applying
a review to a :class:`~vn_dispatch_parser.records.FileResult` gives the *effective* result: corrected values,
those fields out of ``needs_review``. When a rerun of the batch changed a field's machine value, the
correction made on the old value no longer applies: it is left out, the field goes back to
``needs_review`` and the document gets a warning saying so.

Records (``records.jsonl``, ``records.csv``) are patched row by row for the files that have reviews, so
they always show the effective values.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from vn_dispatch_parser.core.fsutil import FolderBusyError, atomic_write, folder_lock
from vn_dispatch_parser.errors import DispatchParserError, ExitCode
from vn_dispatch_parser.outputs.export import csv_text, flat_row
from vn_dispatch_parser.records import Document, FileResult

__all__ = [
    "EDITABLE",
    "REVIEW_SUFFIX",
    "Correction",
    "ReviewError",
    "ReviewFile",
    "apply_review",
    "field_text",
    "load_review",
    "parse_value",
    "patch_records",
    "record_decision",
    "review_items",
    "review_path",
]

REVIEW_SUFFIX = ".review.json"
_STAMP = ("incoming_stamp.number", "incoming_stamp.date", "incoming_stamp.receiver")
EDITABLE = (
    "issuer_parent", "issuer", "doc_type", "number", "symbol", "number_symbol", "place", "issued_date", "subject",
    "addressees", "recipients", "signer_authority", "signer_position", "signer_title", "signer_name", "urgency",
    "confidentiality", *_STAMP,
)
_LISTS = {"addressees", "recipients"}
_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


class ReviewError(DispatchParserError):
    """A correction that cannot be made: an unknown field, or a value the record model refuses."""

    exit_code = ExitCode.usage
    code = "review"


class Correction(BaseModel):
    """One decision on one field of one document (``doc`` is 1-based, as in records.csv)."""

    doc: int
    field: str
    old: Any = None
    new: Any = None
    who: str = ""
    when: dt.datetime
    action: Literal["correct", "accept"] = "correct"


class ReviewFile(BaseModel):
    """The review history of one result file."""

    file: str
    corrections: list[Correction] = Field(default_factory=list)


def review_path(result_path: Path) -> Path:
    """``X.pdf.json`` → ``X.pdf.review.json``."""
    name = result_path.name
    stem = name[: -len(".json")] if name.endswith(".json") else name
    return result_path.with_name(stem + REVIEW_SUFFIX)


def load_review(result_path: Path) -> ReviewFile | None:
    """The review of a result, or None when it has none.

    Raises:
        ReviewError: The review file is damaged (it is never silently dropped).
    """
    path = review_path(result_path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return ReviewFile.model_validate_json(data)
    except ValidationError as e:
        raise ReviewError(f"damaged review file: {e.errors()[0]['msg']}", path) from e


def _get(doc: Document, name: str) -> Any:
    if name.startswith("incoming_stamp."):
        return getattr(doc.incoming_stamp, name.split(".", 1)[1]) if doc.incoming_stamp else None
    return getattr(doc, name, None)


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def field_text(doc: Document, name: str) -> str:
    """A field's value as the desk shows and edits it (lists joined with "; ", dates ISO)."""
    value = _get(doc, name)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(getattr(v, "number_symbol", None) or str(v) for v in value)
    return str(_jsonable(value))


def review_items(doc: Document) -> list[str]:
    """The editable fields a document's ``needs_review`` asks about ("incoming_stamp" → its parts)."""
    items: list[str] = []
    for name in doc.needs_review:
        if name == "incoming_stamp":
            items += [n for n in _STAMP[:2] if n not in items]
        elif name not in items:  # fields the desk cannot edit (references, …) can still be accepted
            items.append(name)
    return items


def parse_value(doc: Document, name: str, text: str) -> Any:
    """Validate ``text`` as the new value of field ``name`` with the record model; return the JSON value.

    Dates may be written ``2025-06-18`` or ``18/6/2025``; list fields as items separated by ";".

    Raises:
        ReviewError: Unknown field, or a value the model refuses (a date that is not a date).
    """
    if name not in EDITABLE:
        raise ReviewError(f"{name!r} cannot be corrected here")
    value: Any = text.strip()
    if name in _LISTS:
        value = [v.strip() for v in value.split(";") if v.strip()]
    elif value == "":
        value = None
    elif name.endswith("date") and (m := _DMY.match(value)):
        value = f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    data = doc.model_dump(mode="json")
    _set_json(data, name, value)
    try:
        checked = Document.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        raise ReviewError(f"{name}: {err['msg']} (got {text!r})") from None
    return _jsonable(_get(checked, name))


def _set_json(data: dict[str, Any], name: str, value: Any) -> None:
    if name.startswith("incoming_stamp."):
        data["incoming_stamp"] = dict(data.get("incoming_stamp") or {})
        data["incoming_stamp"][name.split(".", 1)[1]] = value
    else:
        data[name] = value


def _latest(review: ReviewFile) -> dict[tuple[int, str], Correction]:
    latest: dict[tuple[int, str], Correction] = {}
    for c in review.corrections:
        latest[(c.doc, c.field)] = c
    return latest


def apply_review(result: FileResult, review: ReviewFile | None) -> tuple[FileResult, dict[int, int]]:
    """The effective result: corrections that still apply made, the others flagged.

    Returns:
        The effective result (a copy) and, per 1-based document index, the number of fields decided at
        the desk (corrected or accepted).
    """
    if review is None or not review.corrections:
        return result, {}
    data = result.model_dump(mode="json")
    decided: dict[int, int] = {}
    for (k, name), c in sorted(_latest(review).items()):
        if not 1 <= k <= len(result.documents):
            continue
        machine = result.documents[k - 1]
        now = _jsonable(_get(machine, name))
        doc = data["documents"][k - 1]
        if now != c.old:
            doc["warnings"].append(f"a correction of {name} ({c.old!r} → {c.new!r}, {c.who}) no longer applies: "
                                   f"the machine value is now {now!r}")
            doc["needs_review"] = sorted(set(doc["needs_review"]) | {name.split(".")[0]})
            continue
        _set_json(doc, name, c.new)
        doc["confidence"][name] = 1.0
        decided[k] = decided.get(k, 0) + 1
        if name in ("number", "symbol") and (k, "number_symbol") not in _latest(review):
            num, sym = doc.get("number"), doc.get("symbol")
            doc["number_symbol"] = f"{num}/{sym}" if num and sym else (num or sym)
    for k, doc in enumerate(data["documents"], 1):
        done = {c.field for (dk, _), c in _latest(review).items() if dk == k and _still_applies(result, c)}
        left = []
        for name in doc["needs_review"]:
            parts = list(_STAMP[:2]) if name == "incoming_stamp" else [name]
            if not all(p in done for p in parts):
                left.append(name)
        doc["needs_review"] = left
        reasons = doc.get("review_reasons")
        if isinstance(reasons, dict):  # a decided field's reason for review is answered
            doc["review_reasons"] = {k: v for k, v in reasons.items() if k in left}
    return FileResult.model_validate(data), decided


def _still_applies(result: FileResult, c: Correction) -> bool:
    if not 1 <= c.doc <= len(result.documents):
        return False
    return _jsonable(_get(result.documents[c.doc - 1], c.field)) == c.old


def record_decision(result_path: Path, result: FileResult, doc: int, name: str, text: str | None, who: str,
                    *, now: dt.datetime | None = None) -> Correction:
    """Append a decision to the result's review file (atomically) and return it.

    ``text`` None accepts the machine value; otherwise it is validated as the new value.

    Raises:
        ReviewError: No such document, field not editable, or an invalid value.
    """
    if not 1 <= doc <= len(result.documents):
        raise ReviewError(f"no document {doc} in {result.file}")
    if text is not None and name not in EDITABLE:
        raise ReviewError(f"{name!r} cannot be corrected here, only accepted")
    if name not in EDITABLE and name not in Document.model_fields:
        raise ReviewError(f"no field {name!r}")
    machine = result.documents[doc - 1]
    old = _jsonable(_get(machine, name))
    if text is None:
        new = old
    else:
        effective, _ = apply_review(result, load_review(result_path))
        new = parse_value(effective.documents[doc - 1], name, text)
    review = load_review(result_path) or ReviewFile(file=result.file)
    entry = Correction(doc=doc, field=name, old=old, new=new, who=who, action="accept" if new == old else "correct",
                       when=now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    review.corrections.append(entry)
    atomic_write(review_path(result_path), review.model_dump_json(indent=2) + "\n")
    return entry


def _rows_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _patched(rows: Iterable[dict[str, Any]], effective: dict[str, FileResult]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        result = effective.get(row.get("file") or "")
        k = int(row.get("doc_index") or 0)
        if result is not None and 1 <= k <= len(result.documents):
            row = flat_row(result, k - 1, result.documents[k - 1])
        out.append(row)
    return out


def patch_records(out_dir: Path, effective: dict[str, FileResult], *, lock: bool = True) -> bool:
    """Rewrite the rows of ``effective``'s files in ``records.jsonl`` and ``records.csv`` (those present).

    Args:
        out_dir: The output folder.
        effective: Effective results by ``file``.
        lock: Take the folder's lock (False when the caller, the batch, holds it).

    Returns:
        False when a batch holds the folder (it applies the reviews itself when it ends).
    """
    if not effective:
        return True
    ctx = folder_lock(out_dir) if lock else contextlib.nullcontext()
    try:
        with ctx:
            jsonl = out_dir / "records.jsonl"
            if jsonl.is_file():
                rows = _patched(_rows_jsonl(jsonl), effective)
                atomic_write(jsonl, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
            csv_path = out_dir / "records.csv"
            if csv_path.is_file():
                text = csv_path.read_text(encoding="utf-8-sig")
                rows = _patched(csv.DictReader(io.StringIO(text, newline="")), effective)
                atomic_write(csv_path, csv_text(rows))
    except FolderBusyError:
        return False
    return True

