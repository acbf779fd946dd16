"""What the catalogue writes and returns, apart from how it stores it: the ``files`` and ``documents`` rows
of a result, the digest that says a result changed, and the records its reads return (:class:`Match`,
:class:`StoredDocument`, :class:`DuplicateGroup`, :class:`IndexSummary`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vn_dispatch_parser.desk.fold import fold, plain
from vn_dispatch_parser.records import PIPELINE_VERSION, Document, FileResult

__all__ = ["DuplicateGroup", "IndexSummary", "Match", "StoredDocument", "document_row", "file_row",
           "result_digest"]


@dataclass
class DuplicateGroup:
    """Documents in different files sharing (số, ký hiệu, cơ quan ban hành, year) (NĐ 30 registration)."""

    key: str
    number_symbol: str | None
    issuer: str | None
    year: int | None
    documents: list[str]  # "file#doc_index"


@dataclass
class IndexSummary:
    """What ``vn-dispatch index`` did."""

    url: str = ""
    files: int = 0
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)  # JSON files that are not results, with the reason
    documents: int = 0
    needs_review: int = 0
    duplicates: list[DuplicateGroup] = field(default_factory=list)
    seconds: float = 0.0

    def text(self) -> str:
        """The human summary printed by the command."""
        lines = [f"catalogue {self.url}: {self.files} result files ({self.indexed} indexed, {self.unchanged} "
                 f"unchanged, {self.removed} removed), {self.documents} documents, {self.needs_review} with "
                 f"fields to review ({self.seconds:.1f} s)"]
        lines += [f"  not a result, left out: {s}" for s in self.skipped]
        if self.duplicates:
            lines.append(f"duplicates (same số, ký hiệu, cơ quan and year in different files): {len(self.duplicates)}")
            for g in self.duplicates:
                lines.append(f"  {g.number_symbol} · {g.issuer} · {g.year}: {', '.join(g.documents)}")
        return "\n".join(lines)


@dataclass
class Match:
    """One search result."""

    id: int
    file: str
    doc_index: int
    number_symbol: str | None
    issued_date: str | None
    issuer: str | None
    subject: str | None
    doc_type: str | None
    needs_review: list[str]
    score: float
    duplicates: list[str] = field(default_factory=list)

    @classmethod
    def from_row(cls, r: Any, score: float = 0.0, duplicates: list[str] | None = None) -> Match:
        """The match of a row with the ``documents`` columns of a search and its file's ``file``."""
        return cls(id=r.id, file=r.file, doc_index=r.doc_index, number_symbol=r.number_symbol,
                   issued_date=r.issued_date.isoformat() if r.issued_date else None, issuer=r.issuer,
                   subject=r.subject, doc_type=r.doc_type, needs_review=[n for n in r.needs_review.split("; ") if n],
                   score=score, duplicates=duplicates or [])

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` line of this match."""
        return asdict(self)


@dataclass
class StoredDocument:
    """A catalogued document with what the desk needs to show it."""

    id: int
    file: str
    doc_index: int
    result_path: Path
    source_path: Path | None
    source_sha256: str | None
    frames: list[dict[str, Any]]
    produced_at: float
    document: Document


def result_digest(result_bytes: bytes, review_bytes: bytes) -> str:
    """What says a result must be read again: the sha256 of its JSON, its review file and the pipeline version."""
    h = hashlib.sha256(result_bytes)
    h.update(b"\0review\0" + review_bytes + b"\0" + PIPELINE_VERSION.encode())
    return h.hexdigest()


def _dup_key(doc: Document) -> str | None:
    year = doc.issued_date.year if doc.issued_date else None
    if not (doc.number and doc.symbol and doc.issuer and year):
        return None
    return f"{fold(doc.number)}|{fold(doc.symbol)}|{fold(doc.issuer)}|{year}"


def file_row(result: FileResult, rel: str, digest: str, source_path: str | None, produced_at: float) -> dict[str, Any]:
    """The ``files`` row of one result (``rel``: its path in the output folder; ``produced_at``: its mtime)."""
    return {
        "file": result.file, "result_path": rel, "digest": digest, "pipeline_version": result.pipeline_version,
        "source_sha256": result.sha256, "source_path": source_path, "pages": result.pages,
        "frames": json.dumps([f.model_dump() for f in result.frames]), "produced_at": produced_at,
        "indexed_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
    }


def document_row(doc: Document, index: int, decided: int = 0) -> dict[str, Any]:
    """The ``documents`` row of one (effective) document, folded columns included."""
    issuer = " ".join(x for x in (doc.issuer_parent, doc.issuer) if x)
    signer = " ".join(x for x in (doc.signer_name, doc.signer_position, doc.signer_authority) if x)
    number = " ".join(x for x in (doc.number_symbol, doc.number, doc.symbol) if x)
    return {
        "doc_index": index, "number": doc.number, "symbol": doc.symbol, "number_symbol": doc.number_symbol,
        "issuer": doc.issuer, "doc_type": doc.doc_type, "issued_date": doc.issued_date,
        "year": doc.issued_date.year if doc.issued_date else None, "subject": doc.subject,
        "signer_name": doc.signer_name, "needs_review": "; ".join(doc.needs_review),
        "n_review": len(doc.needs_review), "n_corrected": decided, "dup_key": _dup_key(doc),
        "data": doc.model_dump_json(), "f_number": fold(number), "f_subject": fold(doc.subject),
        "f_issuer": fold(issuer), "f_signer": fold(signer), "f_body": fold(doc.full_text),
        "f_type": fold(doc.doc_type),
        "plain": plain(" \n ".join(x for x in (number, doc.subject, issuer, signer, doc.full_text) if x)),
    }
