"""The ``vn-dispatch`` command (Typer). The library never imports this module.

Every ``DispatchParserError`` is translated to a message and an exit code here, in one place.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer

from .errors import DispatchParserError, ExitCode
from .fsutil import printable_name
from .records import FileResult

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Read Vietnamese administrative documents (NĐ 30/2020) into records.")
F = TypeVar("F", bound=Callable[..., Any])
DPI_MIN, DPI_MAX = 50, 1200  # the library's DPI_RANGE (pipeline.py), repeated here so --help loads no OCR code
DPI_HELP = f"Rendering resolution for PDFs ({DPI_MIN}-{DPI_MAX})."
MAX_TEXT_HELP = "Largest text input read, in MB (larger ones fail as too_large)."


class Naming(str, Enum):
    record = "record"
    nd30 = "nd30"


def _handle_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DispatchParserError as e:
            typer.echo(f"error: {printable_name(str(e))}", err=True)
            raise typer.Exit(int(e.exit_code)) from e
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(int(ExitCode.interrupted)) from None

    return wrapper  # type: ignore[return-value]


def _dump(result: FileResult, naming: Naming, pretty: bool) -> str:
    if naming is Naming.nd30:
        from .export import nd30_metadata

        data: Any = {"file": result.file, "documents": [nd30_metadata(result, d) for d in result.documents]}
        return json.dumps(data, ensure_ascii=False, indent=2 if pretty else None, default=str)
    return result.model_dump_json(indent=2 if pretty else None)


@app.command()
@_handle_errors
def parse(
    files: list[Path] = typer.Argument(..., help="Scans (PDF, TIFF, JPEG, PNG, BMP, WebP) or OCR text (.txt, .md)."),
    naming: Naming = typer.Option(Naming.record, help="Field names: the record's, or NĐ 30 Phụ lục VI metadata."),
    dpi: int = typer.Option(300, min=DPI_MIN, max=DPI_MAX, help=DPI_HELP),
    max_text_mb: float = typer.Option(20.0, "--max-text-mb", min=0.001, help=MAX_TEXT_HELP),
) -> None:
    """Print the JSON of one file, or JSON Lines (one line per file) for several."""
    from .pipeline import parse_file

    failed = 0
    for path in files:
        try:
            result = parse_file(path, dpi=dpi, max_text_bytes=int(max_text_mb * 1e6))
        except DispatchParserError as e:
            if len(files) == 1:
                raise
            typer.echo(f"error: {printable_name(str(e))}", err=True)
            failed += 1
            continue
        typer.echo(_dump(result, naming, pretty=len(files) == 1))
    if failed:
        raise typer.Exit(int(ExitCode.some_failed))


@app.command()
@_handle_errors
def batch(
    inputs: list[Path] = typer.Argument(..., metavar="IN_DIR",
                                        help="An input folder (searched recursively) or a list of files."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0 = number of cores)."),
    include: list[str] = typer.Option([], help="Only inputs matching this glob (repeatable)."),
    exclude: list[str] = typer.Option([], help="Skip inputs matching this glob (repeatable)."),
    force: bool = typer.Option(False, help="Redo every file, even those with a current result."),
    formats: str = typer.Option("json,jsonl,csv", help="Outputs: json (per file), jsonl, csv."),
    searchable_pdf: bool = typer.Option(False, "--searchable-pdf", help="Also write a PDF with a text layer."),
    timeout: float = typer.Option(0, help="Seconds allowed per file (0 = no limit)."),
    dpi: int = typer.Option(300, min=DPI_MIN, max=DPI_MAX, help=DPI_HELP),
    max_text_mb: float = typer.Option(20.0, "--max-text-mb", min=0.001, help=MAX_TEXT_HELP),
    prune: bool = typer.Option(False, help="Remove results in OUT_DIR whose input is gone (deleted or renamed)."),
) -> None:
    """Parse every supported file under IN_DIR into OUT_DIR (resumable; failures go to errors.jsonl).

    Writes OUT_DIR/<relative path>.json per input as soon as it is read, then records.jsonl, records.csv
    (one row per document) and errors.jsonl (one line per failed input). Rerun the same command to
    resume: inputs with a current result are skipped, failed ones are retried. --searchable-pdf costs a
    second OCR pass per page. Exit codes: 0 all ok, 1 some inputs failed, 2 usage error, 11 outputs could not
    be written (disk full), 130 interrupted.
    """
    from .batch import FORMATS, BatchOptions, run_batch
    from .progress import make_display

    missing = [printable_name(str(p)) for p in inputs if not p.exists()]
    if missing:
        raise typer.BadParameter(f"not found: {', '.join(missing)}", param_hint="IN_DIR")
    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{printable_name(str(out))} is a file, not a folder", param_hint="--out")
    wanted = {f.strip().lower() for f in formats.split(",") if f.strip()}
    if not wanted or wanted - FORMATS:
        raise typer.BadParameter(f"choose from {', '.join(sorted(FORMATS))} (got {formats!r})", param_hint="--formats")
    if jobs < 0:
        raise typer.BadParameter("0 (one worker per core) or more", param_hint="--jobs")
    if timeout < 0:
        raise typer.BadParameter("seconds, or 0 for no limit", param_hint="--timeout")
    opts = BatchOptions(inputs=inputs, out_dir=out, jobs=jobs, include=include, exclude=exclude, force=force,
                        formats=wanted, searchable_pdf=searchable_pdf, timeout=timeout or None, dpi=dpi,
                        max_text_bytes=int(max_text_mb * 1e6), prune=prune)
    report = run_batch(opts, display=make_display(sys.stderr))
    if report.interrupted:
        raise typer.Exit(int(ExitCode.interrupted))
    raise typer.Exit(int(ExitCode.some_failed) if report.failed else int(ExitCode.ok))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the per-file output."""
    from .records import json_schema

    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


def _date_option(value: str | None, hint: str) -> Any:
    if not value:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("a date YYYY-MM-DD", param_hint=hint) from None


def _out_dir(path: Path) -> Path:
    if not path.is_dir():
        raise typer.BadParameter(f"{path} is not a folder (the --out of vn-dispatch batch)", param_hint="OUT_DIR")
    return path


@app.command()
@_handle_errors
def index(
    out_dir: Path = typer.Argument(..., help="An output folder of vn-dispatch batch."),
    db: str = typer.Option(None, "--db", envvar="VN_DISPATCH_DB",
                           help="Catalogue URL (postgresql://user@host/db); default OUT_DIR/catalogue.sqlite."),
    source: list[Path] = typer.Option([], "--source", help="Folder of the original files (for page images)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Build or update the catalogue of OUT_DIR (only changed results are read again); list duplicates."""
    from dataclasses import asdict

    from .desk import Catalogue

    cat = Catalogue(_out_dir(out_dir), db)
    try:
        summary = cat.index(source_dirs=source)
    finally:
        cat.close()
    typer.echo(json.dumps(asdict(summary), ensure_ascii=False) if as_json else summary.text())


@app.command()
@_handle_errors
def search(
    out_dir: Path = typer.Argument(..., help="An output folder of vn-dispatch batch."),
    query: str = typer.Argument("", help='Words (diacritics optional), "exact phrase", or a số/ký hiệu.'),
    issuer: str = typer.Option(None, help="Issuing body contains this (diacritics optional)."),
    doc_type: str = typer.Option(None, "--type", help="Document type, e.g. 'công văn'."),
    date_from: str = typer.Option(None, "--from", help="Issued on or after (YYYY-MM-DD)."),
    date_to: str = typer.Option(None, "--to", help="Issued on or before (YYYY-MM-DD)."),
    needs_review: bool = typer.Option(False, "--needs-review", help="Only documents with fields to review."),
    limit: int = typer.Option(50, help="At most this many matches."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per match."),
    db: str = typer.Option(None, "--db", envvar="VN_DISPATCH_DB", help="Catalogue URL (default: in OUT_DIR)."),
) -> None:
    """Search the catalogue of OUT_DIR (built by vn-dispatch index or batch)."""
    from .desk import Catalogue

    cat = Catalogue(_out_dir(out_dir), db)
    try:
        matches = cat.search(query, issuer=issuer, doc_type=doc_type, date_from=_date_option(date_from, "--from"),
                             date_to=_date_option(date_to, "--to"), needs_review=needs_review, limit=limit)
    finally:
        cat.close()
    for m in matches:
        if as_json:
            typer.echo(json.dumps(m.to_json(), ensure_ascii=False))
            continue
        extra = (f"  [to review: {', '.join(m.needs_review)}]" if m.needs_review else "") + (
            f"  [duplicate of {', '.join(m.duplicates)}]" if m.duplicates else "")
        typer.echo(f"{m.score:7.2f}  {m.number_symbol or '-'}  {m.issued_date or '-'}  {m.issuer or '-'} — "
                   f"{m.subject or '-'}  ({m.file}#{m.doc_index}){extra}")
    if not as_json:
        typer.echo(f"{len(matches)} match(es)", err=True)


@app.command()
@_handle_errors
def serve(
    out_dir: Path = typer.Argument(..., help="An output folder of vn-dispatch batch."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on; any but loopback needs a token."),
    port: int = typer.Option(8765, help="Port."),
    db: str = typer.Option(None, "--db", envvar="VN_DISPATCH_DB", help="Catalogue URL (default: in OUT_DIR)."),
    token: str = typer.Option(None, envvar="VN_DISPATCH_TOKEN", help="Access token (generated when needed)."),
    who: str = typer.Option(None, help="Reviewer name written in corrections (default: the user name)."),
) -> None:
    """Serve the desk (search, review queue, document view) as a local web page."""
    try:
        from .desk.server import run_server
    except ImportError as e:
        from .errors import MissingDependencyError

        raise MissingDependencyError(f"{e.name} is missing: pip install 'vn-dispatch-parser[desk]'") from e
    run_server(_out_dir(out_dir), host=host, port=port, url=db, token=token, who=who)


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
