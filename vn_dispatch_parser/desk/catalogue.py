"""The catalogue of an output folder: every document of every result, searchable, in SQLite or PostgreSQL.

:class:`Catalogue` is the one code path for both back ends (SQLAlchemy Core). Indexing is incremental: a
result file is read again only when its digest changed (the sha256 of the per-file JSON, of its review
file and of the program's pipeline version), so a second ``vn-dispatch index`` over an unchanged folder
reads nothing but the file list. Documents are stored with the desk's corrections applied.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    column,
    create_engine,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy import table as sql_table
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from vn_dispatch_parser.desk.fold import Query, fold, parse_query
from vn_dispatch_parser.desk.reviews import REVIEW_SUFFIX, ReviewError, apply_review, load_review, review_path
from vn_dispatch_parser.desk.rows import (
    DuplicateGroup,
    IndexSummary,
    Match,
    StoredDocument,
    document_row,
    file_row,
    result_digest,
)
from vn_dispatch_parser.desk.schema import CatalogueError, documents, files, migrate
from vn_dispatch_parser.records import Document, FileResult

# the records of rows.py are named here too: they are what a Catalogue returns
__all__ = ["DEFAULT_NAME", "Catalogue", "DuplicateGroup", "IndexSummary", "Match", "StoredDocument", "default_url",
           "result_files"]

log = logging.getLogger(__name__)
DEFAULT_NAME = "catalogue.sqlite"
_CHUNK = 1000  # result files per transaction while indexing
_FILTER_CHUNK = 400  # candidates read per step when a search has filters (SQLite)
_WEIGHTS = (10.0, 4.0, 3.0, 3.0, 1.0)  # bm25 weights of number, subject, issuer, signer, full text


def default_url(out_dir: Path) -> str:
    """The default catalogue: ``OUT_DIR/catalogue.sqlite``."""
    return f"sqlite:///{(out_dir / DEFAULT_NAME).resolve()}"


def result_files(out_dir: Path) -> Iterator[Path]:
    """The per-file results under ``out_dir`` (``*.json`` but not ``*.review.json``; hidden ones left out)."""
    for dirpath, dirnames, filenames in os.walk(out_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(".json") and not name.endswith(REVIEW_SUFFIX) and not name.startswith("."):
                yield Path(dirpath) / name


def _find_source(file: str, sources: dict[str, Path], source_dirs: Sequence[Path]) -> Path | None:
    source = sources.get(file)
    if source is None:
        source = next((d / file for d in source_dirs if (d / file).is_file()), None)
    return source.resolve() if source is not None else None


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA cache_size=-65536")  # 64 MB: the full-text index merges in memory while indexing
    cur.close()


def _read_result(path: Path) -> tuple[bytes, bytes, float]:
    """A result's JSON, its review file's (empty when it has none) and its mtime."""
    data = path.read_bytes()
    rpath = review_path(path)
    review_bytes = rpath.read_bytes() if rpath.exists() else b""
    return data, review_bytes, path.stat().st_mtime


def _with_review(path: Path, result: FileResult) -> tuple[FileResult, dict[int, int]]:
    """The result with the desk's corrections applied, and how many were decided per document; a review
    file that cannot be applied is a warning and the machine's result is catalogued."""
    try:
        return apply_review(result, load_review(path))
    except ReviewError as e:
        log.warning("%s", e)
        return result, {}


def _follow_source(conn: Connection, known: tuple[Any, ...], sources: dict[str, Path],
                   source_dirs: Sequence[Path]) -> None:
    """Record where the original file of an unchanged result is now, when it is found somewhere new."""
    file = conn.execute(select(files.c.file).where(files.c.id == known[0])).scalar_one()
    found = _find_source(file, sources, source_dirs)
    if found is not None and str(found) != known[2]:
        conn.execute(files.update().where(files.c.id == known[0]).values(source_path=str(found)))


def _replace_file(conn: Connection, file_id: int, values: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """Update a changed result; its documents keep their ids (the desk's links), by position."""
    conn.execute(files.update().where(files.c.id == file_id).values(**values))
    ids = dict(conn.execute(select(documents.c.doc_index, documents.c.id)
                            .where(documents.c.file_id == file_id)).all())
    for row in rows:
        row["file_id"] = file_id
        if row["doc_index"] in ids:
            conn.execute(documents.update().where(documents.c.id == ids.pop(row["doc_index"])).values(**row))
        else:
            conn.execute(documents.insert().values(**row))
    if ids:
        conn.execute(documents.delete().where(documents.c.id.in_(list(ids.values()))))


def _insert_file(conn: Connection, values: dict[str, Any], rows: list[dict[str, Any]],
                 pending: list[dict[str, Any]] | None, taken: dict[str, str] | None) -> str:
    """Insert a new result and its documents (into ``pending`` when given); refused when its ``file`` is
    already catalogued from another result."""
    file = values["file"]
    if taken is not None:
        clash = taken.get(file)
    else:
        clash = conn.execute(select(files.c.result_path).where(files.c.file == file)).scalar()
    if clash is not None:
        return f"its file {file!r} is already catalogued from {clash}"
    inserted = conn.execute(files.insert(), values).inserted_primary_key
    assert inserted is not None
    if taken is not None:
        taken[file] = values["result_path"]
    for row in rows:
        row["file_id"] = inserted[0]
    if pending is not None:
        pending.extend(rows)
    elif rows:
        conn.execute(documents.insert(), rows)
    return "indexed"


def _sqlite_fts(q: Query) -> tuple[Any, Any, Any]:
    """SQLite's full-text table, the bm25 score of a row (higher is better) and the MATCH condition of ``q``."""
    parts = [f'"{t}"' for t in q.terms] + ['"' + " ".join(p) + '"' for p in q.phrases]
    fts = sql_table("documents_fts", column("rowid"), column("documents_fts"))
    bm25 = -func.bm25(literal_column("documents_fts"), *_WEIGHTS)
    return fts, bm25, fts.c.documents_fts.op("MATCH")(bindparam("fts", " AND ".join(parts)))


class Catalogue:
    """The catalogue of one output folder.

    Args:
        out_dir: The output folder of ``vn-dispatch batch``.
        url: A SQLAlchemy URL (``postgresql://user@host/db``); default ``OUT_DIR/catalogue.sqlite``.

    Raises:
        CatalogueError: The database cannot be reached or migrated.
    """

    def __init__(self, out_dir: Path, url: str | None = None) -> None:
        self.out_dir = out_dir
        self.url = url or default_url(out_dir)
        try:
            if self.url.startswith("sqlite"):
                self.engine: Engine = create_engine(self.url, poolclass=NullPool)
                event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                url = self.url.replace("postgresql://", "postgresql+psycopg://", 1)
                self.engine = create_engine(url, pool_pre_ping=True)
            with self.engine.begin() as conn:
                migrate(conn)
        except ImportError as e:
            raise CatalogueError(f"the driver for {self.display_url} is missing ({e.name}): "
                                 "pip install 'vn-dispatch-parser[desk]'") from e
        except SQLAlchemyError as e:
            raise CatalogueError(f"cannot open the catalogue {self.display_url}: {e.__class__.__name__}: "
                                 f"{str(e).splitlines()[0]}") from e
        self.dialect = self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL without its password."""
        try:
            from sqlalchemy.engine import make_url

            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot read is shown as given
            return self.url

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # ---- indexing -------------------------------------------------------------------------------------

    def index(self, *, sources: dict[str, Path] | None = None, source_dirs: Sequence[Path] = ()) -> IndexSummary:
        """Bring the catalogue up to date with the results in the output folder.

        Args:
            sources: The original file of each result, by ``file`` (what the batch read).
            source_dirs: Folders where the original files are found by their relative path.
        """
        t0 = dt.datetime.now()
        summary = IndexSummary(url=self.display_url)
        paths = list(result_files(self.out_dir))
        summary.files = len(paths)
        with self.engine.connect() as conn:
            known, taken = {}, {}
            for r in conn.execute(select(files.c.result_path, files.c.id, files.c.digest, files.c.source_path,
                                         files.c.file)):
                known[r.result_path] = (r.id, r.digest, r.source_path)
                taken[r.file] = r.result_path
        seen: set[str] = set()
        for start in range(0, len(paths), _CHUNK):
            with self.engine.begin() as conn:
                pending: list[dict[str, Any]] = []  # new documents, inserted together at the end of the chunk
                for path in paths[start:start + _CHUNK]:
                    rel = path.relative_to(self.out_dir).as_posix()
                    seen.add(rel)
                    outcome = self._index_one(conn, path, rel, known.get(rel), sources or {}, source_dirs,
                                              pending, taken)
                    if outcome == "unchanged":
                        summary.unchanged += 1
                    elif outcome == "indexed":
                        summary.indexed += 1
                    else:
                        summary.skipped.append(f"{rel}: {outcome}")
                if pending:
                    conn.execute(documents.insert(), pending)
        gone = [v[0] for k, v in known.items() if k not in seen]
        with self.engine.begin() as conn:
            for i in range(0, len(gone), 500):
                ids = gone[i:i + 500]
                conn.execute(documents.delete().where(documents.c.file_id.in_(ids)))
                conn.execute(files.delete().where(files.c.id.in_(ids)))
            summary.removed = len(gone)
            summary.documents = conn.execute(select(func.count()).select_from(documents)).scalar_one()
            summary.needs_review = conn.execute(
                select(func.count()).select_from(documents).where(documents.c.n_review > 0)).scalar_one()
        summary.duplicates = self.duplicates()
        summary.seconds = (dt.datetime.now() - t0).total_seconds()
        return summary

    def index_result(self, path: Path) -> None:
        """Index (again) one result file, e.g. after a correction."""
        rel = path.relative_to(self.out_dir).as_posix()
        with self.engine.begin() as conn:
            row = conn.execute(select(files.c.id, files.c.digest, files.c.source_path)
                               .where(files.c.result_path == rel)).first()
            outcome = self._index_one(conn, path, rel, tuple(row) if row else None, {}, ())
        if outcome not in ("indexed", "unchanged"):
            raise CatalogueError(f"cannot index {rel}: {outcome}")

    def _index_one(self, conn: Connection, path: Path, rel: str, known: tuple[Any, ...] | None,
                   sources: dict[str, Path], source_dirs: Sequence[Path], pending: list[dict[str, Any]] | None = None,
                   taken: dict[str, str] | None = None) -> str:
        """Index one result file; new documents go to ``pending`` when given (inserted by the caller).

        ``known``: (id, digest, source_path) of its ``files`` row, if any; ``taken``: the result path of each
        catalogued ``file`` (else the database is asked). Returns "indexed", "unchanged" or why it was left out.
        """
        try:
            data, review_bytes, produced_at = _read_result(path)
        except OSError as e:
            return f"cannot read: {e}"
        digest = result_digest(data, review_bytes)
        if known is not None and known[1] == digest:
            if sources or source_dirs:  # only where the original file is may have changed
                _follow_source(conn, known, sources, source_dirs)
            return "unchanged"
        try:
            result = FileResult.model_validate_json(data)
        except ValueError:
            return "not a vn-dispatch result"
        effective, decided = _with_review(path, result)
        source = _find_source(result.file, sources, source_dirs)
        source_path = str(source) if source is not None else (known[2] if known else None)
        values = file_row(result, rel, digest, source_path, produced_at)
        rows = [dict(document_row(doc, k, decided.get(k, 0)), file_id=None)
                for k, doc in enumerate(effective.documents, 1)]
        if known is not None:
            _replace_file(conn, known[0], values, rows)
            return "indexed"
        return _insert_file(conn, values, rows, pending, taken)

    # ---- reading --------------------------------------------------------------------------------------

    def duplicates(self) -> list[DuplicateGroup]:
        """Every (số, ký hiệu, cơ quan, year) found in more than one file."""
        d, f = documents, files
        with self.engine.connect() as conn:
            keys = select(d.c.dup_key).where(d.c.dup_key.is_not(None)).group_by(d.c.dup_key).having(
                func.count(func.distinct(d.c.file_id)) > 1).subquery()
            rows = conn.execute(
                select(d.c.dup_key, d.c.number_symbol, d.c.issuer, d.c.year, f.c.file, d.c.doc_index)
                .join(f, f.c.id == d.c.file_id).where(d.c.dup_key.in_(select(keys.c.dup_key)))
                .order_by(d.c.dup_key, f.c.file, d.c.doc_index)).all()
        groups: dict[str, DuplicateGroup] = {}
        for r in rows:
            g = groups.setdefault(r.dup_key, DuplicateGroup(r.dup_key, r.number_symbol, r.issuer, r.year, []))
            g.documents.append(f"{r.file}#{r.doc_index}")
        return list(groups.values())

    def search(self, query: str = "", *, issuer: str | None = None, doc_type: str | None = None,
               date_from: dt.date | None = None, date_to: dt.date | None = None, needs_review: bool = False,
               limit: int = 50, offset: int = 0) -> list[Match]:
        """Search the catalogue (see :func:`.fold.parse_query` for the query language); filters combine.

        Best matches first; without a query, the newest documents first.
        """
        d, f = documents, files
        q = parse_query(query)
        cols = [d.c.id, f.c.file, d.c.doc_index, d.c.number_symbol, d.c.issued_date, d.c.issuer, d.c.subject,
                d.c.doc_type, d.c.needs_review, d.c.dup_key]
        source = d.join(f, f.c.id == d.c.file_id)
        conds: list[Any] = [d.c.plain.contains(p, autoescape=True) for p in q.exact]
        filtered = bool(conds or issuer or doc_type or date_from or date_to or needs_review)
        if q:
            stmt, score = self._fts(q, cols, source, None if filtered else limit + offset)
        else:
            score = literal_column("0.0")
            stmt = select(*cols, score.label("score")).select_from(source)
        if issuer and fold(issuer):
            conds.append(d.c.f_issuer.contains(fold(issuer), autoescape=True))
        if doc_type and fold(doc_type):
            conds.append(d.c.f_type.contains(fold(doc_type), autoescape=True))
        if date_from:
            conds.append(d.c.issued_date >= date_from)
        if date_to:
            conds.append(d.c.issued_date <= date_to)
        if needs_review:
            conds.append(d.c.n_review > 0)
        with self.engine.connect() as conn:
            if q and filtered and self.dialect == "sqlite":
                found = self._ranked_then_filtered(conn, q, cols, source, conds, limit + offset)[offset:]
            else:
                if conds:
                    stmt = stmt.where(and_(*conds))
                order = [score.desc()] if q else []
                stmt = stmt.order_by(*order, d.c.issued_date.desc().nulls_last(), f.c.file, d.c.doc_index)
                found = [(r, float(r.score)) for r in conn.execute(stmt.limit(limit).offset(offset))]
            dups = self._dups_of(conn, [r.dup_key for r, _ in found if r.dup_key])
        return [Match.from_row(r, round(sc, 6),
                               [x for x in dups.get(r.dup_key, []) if x != f"{r.file}#{r.doc_index}"])
                for r, sc in found]

    def _ranked_then_filtered(self, conn: Connection, q: Query, cols: list[Any], source: Any, conds: list[Any],
                              need: int) -> list[tuple[Any, float]]:
        """SQLite with filters: rank every match in the FTS table (cheap), then read the documents in rank
        order, a chunk at a time, until ``need`` pass the filters (so an exact phrase or a filter costs one
        row read per candidate looked at, not per match)."""
        fts, bm25, matches = _sqlite_fts(q)
        ranked = conn.execute(select(fts.c.rowid, bm25).where(matches).order_by(bm25.desc())).all()
        out: list[tuple[Any, float]] = []
        for i in range(0, len(ranked), _FILTER_CHUNK):
            score_of = {int(r[0]): float(r[1]) for r in ranked[i:i + _FILTER_CHUNK]}
            rows = list(conn.execute(select(*cols).select_from(source)
                                     .where(documents.c.id.in_(list(score_of)), *conds)))
            rows.sort(key=lambda r: (-score_of[r.id], r.file, r.doc_index))
            out += [(r, score_of[r.id]) for r in rows]
            if len(out) >= need:
                break
        return out[:need]

    def _fts(self, q: Query, cols: list[Any], source: Any, top: int | None) -> tuple[Any, Any]:
        """The full-text part of a search: (statement, score column).

        SQLite ranks in the FTS table alone and, without other filters, keeps only the ``top`` best
        before joining the documents: a broad query costs one bm25 per match, not one row read.
        """
        if self.dialect == "sqlite":
            fts, bm25, matches = _sqlite_fts(q)
            hits = select(fts.c.rowid.label("id"), bm25.label("score")).where(matches)
            if top is not None:
                hits = hits.order_by(bm25.desc()).limit(top)
            h = hits.subquery("hits")
            stmt = select(*cols, h.c.score.label("score")).select_from(source.join(h, h.c.id == documents.c.id))
            return stmt, h.c.score
        parts = list(q.terms) + ["(" + " <-> ".join(p) + ")" for p in q.phrases]
        tsq = func.to_tsquery(literal_column("'simple'::regconfig"), bindparam("tsq", " & ".join(parts)))
        tsv: Any = literal_column("documents.tsv")
        score = func.ts_rank(tsv, tsq)
        return select(*cols, score.label("score")).select_from(source).where(tsv.op("@@")(tsq)), score

    def _dups_of(self, conn: Connection, keys: list[str]) -> dict[str, list[str]]:
        if not keys:
            return {}
        rows = conn.execute(select(documents.c.dup_key, files.c.file, documents.c.doc_index)
                            .join(files, files.c.id == documents.c.file_id)
                            .where(documents.c.dup_key.in_(set(keys))).order_by(files.c.file)).all()
        out: dict[str, list[str]] = {}
        for r in rows:
            out.setdefault(r.dup_key, []).append(f"{r.file}#{r.doc_index}")
        return {k: v for k, v in out.items() if len({x.rsplit("#", 1)[0] for x in v}) > 1}

    def duplicates_of(self, doc_id: int) -> list[str]:
        """The documents of other files with the same (số, ký hiệu, cơ quan, year), as "file#doc_index"."""
        with self.engine.connect() as conn:
            row = conn.execute(select(documents.c.dup_key, files.c.file).join(files, files.c.id == documents.c.file_id)
                               .where(documents.c.id == doc_id)).first()
            if row is None or row.dup_key is None:
                return []
            return [x for x in self._dups_of(conn, [row.dup_key]).get(row.dup_key, [])
                    if x.rsplit("#", 1)[0] != row.file]

    def get(self, doc_id: int) -> StoredDocument | None:
        """One catalogued document by id."""
        d, f = documents, files
        with self.engine.connect() as conn:
            r = conn.execute(select(d.c.id, d.c.doc_index, d.c.data, f.c.file, f.c.result_path, f.c.source_path,
                                    f.c.source_sha256, f.c.frames, f.c.produced_at)
                             .join(f, f.c.id == d.c.file_id).where(d.c.id == doc_id)).first()
        if r is None:
            return None
        return StoredDocument(id=r.id, file=r.file, doc_index=r.doc_index,
                              result_path=self.out_dir / r.result_path,
                              source_path=Path(r.source_path) if r.source_path else None,
                              source_sha256=r.source_sha256, frames=json.loads(r.frames), produced_at=r.produced_at,
                              document=Document.model_validate_json(r.data))

    def find(self, file: str, doc_index: int) -> int | None:
        """The id of document ``doc_index`` of ``file``."""
        with self.engine.connect() as conn:
            return conn.execute(select(documents.c.id).join(files, files.c.id == documents.c.file_id)
                                .where(files.c.file == file, documents.c.doc_index == doc_index)).scalar()

    def queue(self, limit: int = 100) -> list[Match]:
        """Documents with fields to review, oldest result first."""
        d, f = documents, files
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(d.c.id, f.c.file, d.c.doc_index, d.c.number_symbol, d.c.issued_date, d.c.issuer, d.c.subject,
                       d.c.doc_type, d.c.needs_review)
                .join(f, f.c.id == d.c.file_id).where(d.c.n_review > 0)
                .order_by(f.c.produced_at, f.c.file, d.c.doc_index).limit(limit)).all()
        return [Match.from_row(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Documents, and documents waiting for review."""
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(documents)).scalar_one()
            waiting = conn.execute(select(func.count()).select_from(documents)
                                   .where(documents.c.n_review > 0)).scalar_one()
        return {"documents": int(total), "waiting": int(waiting)}
