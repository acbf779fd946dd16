"""The catalogue's tables (SQLAlchemy Core) and its versioned migrations.

One schema for SQLite and PostgreSQL. The only differences are the full-text index: an FTS5 table kept
in step with ``documents`` by triggers (SQLite), or a generated, weighted ``tsvector`` column with a GIN
index (PostgreSQL). Both index the folded columns (``f_*``) that :mod:`.fold` computes in Python.

Migrations are a numbered list applied in order inside one transaction each and recorded in
``schema_migrations``; a catalogue newer than this program is refused. Alembic was not used: the
schema has two dialect-specific DDL blocks and no model autogeneration to drive, so a short list of
functions, tested on both back ends, is less to install and to read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)

from vn_dispatch_parser.errors import DispatchParserError, ExitCode

__all__ = ["SCHEMA_VERSION", "CatalogueError", "documents", "files", "metadata", "migrate", "schema_migrations"]


class CatalogueError(DispatchParserError):
    """The catalogue cannot be opened, migrated or written."""

    exit_code = ExitCode.usage
    code = "catalogue"


metadata = MetaData()

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True),
    Column("description", String(200), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

files = Table(
    "files", metadata,
    Column("id", Integer, primary_key=True),
    Column("file", Text, nullable=False, unique=True),  # FileResult.file: the input's relative path
    Column("result_path", Text, nullable=False),  # the per-file JSON, relative to the output folder
    Column("digest", String(64), nullable=False),  # sha256 of the JSON + its review file + version
    Column("pipeline_version", String(20), nullable=False),
    Column("source_sha256", String(64)),
    Column("source_path", Text),  # the original scan, when known (from the batch or --source)
    Column("pages", Integer, nullable=False, default=0),
    Column("frames", Text, nullable=False, default="[]"),  # FileResult.frames as JSON
    Column("produced_at", Float, nullable=False),  # the result's mtime: the review queue's order
    Column("indexed_at", DateTime, nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("file_id", Integer, ForeignKey("files.id", ondelete="CASCADE"), nullable=False),
    Column("doc_index", Integer, nullable=False),  # 1-based, as in records.csv
    Column("number", Text),
    Column("symbol", Text),
    Column("number_symbol", Text),
    Column("issuer", Text),
    Column("doc_type", Text),
    Column("issued_date", Date),
    Column("year", Integer),
    Column("subject", Text),
    Column("signer_name", Text),
    Column("needs_review", Text, nullable=False, default=""),  # field names joined with "; "
    Column("n_review", Integer, nullable=False, default=0),
    Column("n_corrected", Integer, nullable=False, default=0),
    Column("dup_key", Text),
    Column("data", Text, nullable=False),  # the Document (corrections applied) as JSON
    Column("f_number", Text, nullable=False, default=""),
    Column("f_subject", Text, nullable=False, default=""),
    Column("f_issuer", Text, nullable=False, default=""),
    Column("f_signer", Text, nullable=False, default=""),
    Column("f_body", Text, nullable=False, default=""),
    Column("f_type", Text, nullable=False, default=""),
    Column("plain", Text, nullable=False, default=""),  # lower-case NFC text for exact phrases
    Index("ix_documents_file", "file_id"),
    Index("ix_documents_dup", "dup_key"),
    Index("ix_documents_date", "issued_date"),
    Index("ix_documents_review", "n_review"),
)

FTS_COLUMNS = ("f_number", "f_subject", "f_issuer", "f_signer", "f_body")

_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE documents_fts USING fts5(" + ", ".join(FTS_COLUMNS)
    + ", content='documents', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN INSERT INTO documents_fts(rowid, "
    + ", ".join(FTS_COLUMNS) + ") VALUES (new.id, " + ", ".join(f"new.{c}" for c in FTS_COLUMNS) + "); END",
    "CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN INSERT INTO documents_fts(documents_fts, rowid, "
    + ", ".join(FTS_COLUMNS) + ") VALUES ('delete', old.id, " + ", ".join(f"old.{c}" for c in FTS_COLUMNS) + "); END",
    "CREATE TRIGGER documents_au AFTER UPDATE ON documents BEGIN INSERT INTO documents_fts(documents_fts, rowid, "
    + ", ".join(FTS_COLUMNS) + ") VALUES ('delete', old.id, " + ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    + "); INSERT INTO documents_fts(rowid, " + ", ".join(FTS_COLUMNS) + ") VALUES (new.id, "
    + ", ".join(f"new.{c}" for c in FTS_COLUMNS) + "); END",
]

_PG_WEIGHTS = {"f_number": "A", "f_subject": "B", "f_issuer": "C", "f_signer": "C", "f_body": "D"}
_PG_FTS = [
    "ALTER TABLE documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    + " || ".join(f"setweight(to_tsvector('simple'::regconfig, {c}), '{w}')" for c, w in _PG_WEIGHTS.items())
    + ") STORED",
    "CREATE INDEX ix_documents_tsv ON documents USING gin (tsv)",
]


def _v1(conn: Connection) -> None:
    metadata.create_all(conn, tables=[files, documents])
    for stmt in _SQLITE_FTS if conn.dialect.name == "sqlite" else _PG_FTS:
        conn.execute(text(stmt))


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


MIGRATIONS = [
    Migration(1, "files, documents and the full-text index", _v1),
]
SCHEMA_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The catalogue's schema version (0 for an empty database)."""
    if not inspect(conn).has_table("schema_migrations"):
        return 0
    return int(conn.execute(select(schema_migrations.c.version).order_by(schema_migrations.c.version.desc()))
               .scalars().first() or 0)


def migrate(conn: Connection) -> list[int]:
    """Bring the catalogue to :data:`SCHEMA_VERSION`; returns the versions applied.

    Runs inside the caller's transaction. On PostgreSQL an advisory lock keeps two processes from
    migrating at once.

    Raises:
        CatalogueError: The catalogue was made by a newer program.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(8765013)"))
    schema_migrations.create(conn, checkfirst=True)
    have = current_version(conn)
    if have > SCHEMA_VERSION:
        raise CatalogueError(f"the catalogue has schema version {have}, newer than this program's "
                             f"{SCHEMA_VERSION}: upgrade vn-dispatch-parser")
    applied = []
    for m in MIGRATIONS:
        if m.version > have:
            m.apply(conn)
            conn.execute(schema_migrations.insert().values(version=m.version, description=m.description,
                                                           applied_at=dt.datetime.now(dt.timezone.utc)))
            applied.append(m.version)
    return applied
