"""The ``vn-dispatch`` command (Typer). The library never imports this module.

Every ``DispatchParserError`` is translated to a message and an exit code here, in one place.

Conventions: ``--version``, ``-h``/``--help``, ``python -m vn_dispatch_parser``, shell completion
(``--install-completion``), ``-q``/``-v``/``--log-file``, ``-`` for standard input, and a TOML config
file for defaults (``--config``, ``$VN_DISPATCH_CONFIG``, ``./vn-dispatch.toml`` or
``~/.config/vn-dispatch/config.toml``): top-level keys, or ``[parse]``/``[batch]`` tables, named like the
options with underscores (``jobs = 2``, ``formats = "json,csv,xlsx"``, ``searchable_pdf = true``).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import tomllib
import typer

from vn_dispatch_parser.core.fsutil import printable_name
from vn_dispatch_parser.errors import DispatchParserError, ExitCode
from vn_dispatch_parser.records import PIPELINE_VERSION, FileResult

app = typer.Typer(add_completion=True, no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]},
                  help="Read Vietnamese administrative documents (NĐ 30/2020) into records.")
F = TypeVar("F", bound=Callable[..., Any])
CONFIG_NAMES = ("vn-dispatch.toml",)
DPI_MIN, DPI_MAX = 50, 1200  # the library's DPI_RANGE (pipeline.py), repeated here so --help loads no OCR code
DPI_HELP = f"Rendering resolution for PDFs ({DPI_MIN}-{DPI_MAX})."
MAX_TEXT_HELP = "Largest text input read, in MB (larger ones fail as too_large)."


class Naming(str, Enum):
    record = "record"
    nd30 = "nd30"


class OutputType(str, Enum):
    pdfa = "pdfa"
    pdf = "pdf"


class SchemaKind(str, Enum):
    file = "file"
    row = "row"
    nd30 = "nd30"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vn-dispatch {PIPELINE_VERSION}")
        raise typer.Exit()


def config_path(explicit: Path | None = None) -> Path | None:
    """The config file in force: ``--config``, ``$VN_DISPATCH_CONFIG``, ``./vn-dispatch.toml``, then
    ``$XDG_CONFIG_HOME/vn-dispatch/config.toml`` (``~/.config``); None when there is none."""
    if explicit is not None:
        return explicit
    env = os.environ.get("VN_DISPATCH_CONFIG")
    if env:
        return Path(env)
    local = Path.cwd() / CONFIG_NAMES[0]
    if local.is_file():
        return local
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "vn-dispatch" / "config.toml"
    return home if home.is_file() else None


def load_config(path: Path) -> dict[str, dict[str, Any]]:
    """A click ``default_map`` from a TOML file: top-level keys apply to every command, tables to one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise typer.BadParameter(f"cannot read {path}: {e.strerror}", param_hint="--config") from None
    except tomllib.TOMLDecodeError as e:
        raise typer.BadParameter(f"{path} is not valid TOML: {e}", param_hint="--config") from None
    common = {k.replace("-", "_"): v for k, v in data.items() if not isinstance(v, dict)}
    out: dict[str, dict[str, Any]] = {}
    for command in ("parse", "batch", "schema"):
        table = data.get(command, {})
        if not isinstance(table, dict):
            raise typer.BadParameter(f"[{command}] in {path} must be a table", param_hint="--config")
        merged = {**common, **{k.replace("-", "_"): v for k, v in table.items()}}
        if isinstance(merged.get("formats"), list):
            merged["formats"] = ",".join(merged["formats"])
        out[command] = merged
    return out


def parse_pages(spec: str | None) -> set[int] | None:
    """``"1-3,5"`` → {1, 2, 3, 5}; None for all pages.

    >>> sorted(parse_pages("1-3,5"))
    [1, 2, 3, 5]
    """
    if not spec:
        return None
    pages: set[int] = set()
    for part in spec.split(","):
        part = part.strip()
        try:
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if a < 1 or b < a:
                    raise ValueError
                pages.update(range(a, b + 1))
            elif part:
                n = int(part)
                if n < 1:
                    raise ValueError
                pages.add(n)
        except ValueError:
            raise typer.BadParameter(f"pages are 1-based numbers and ranges like 1-3,5 (got {spec!r})",
                                     param_hint="--pages") from None
    return pages


def _setup_logging(verbose: int, quiet: bool, log_file: Path | None) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_vn_dispatch", False)]:
        root.removeHandler(h)
        h.close()
    fmt = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        fh.setLevel(logging.DEBUG if verbose else logging.INFO)
        handlers.append(fh)
    handlers[0].setFormatter(fmt)
    handlers[0].setLevel(level)
    for h in handlers:
        h._vn_dispatch = True  # type: ignore[attr-defined]
        root.addHandler(h)
    root.setLevel(min(h.level for h in handlers) or logging.DEBUG)


@app.callback()
def main_options(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More messages (-vv: debugging)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors: no progress, no warnings."),
    log_file: Path | None = typer.Option(None, "--log-file", help="Also write the log (INFO, -v: DEBUG) to this file."),
    config: Path | None = typer.Option(None, "--config", help="TOML file of option defaults (see the README)."),
) -> None:
    """Read Vietnamese administrative documents (NĐ 30/2020) into records."""
    _setup_logging(verbose, quiet, log_file)
    ctx.obj = {"quiet": quiet}
    path = config_path(config)
    if path is not None:
        if not path.is_file():
            raise typer.BadParameter(f"no such file: {path}", param_hint="--config")
        ctx.default_map = load_config(path)
        logging.getLogger(__name__).info("option defaults from %s", path)


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
        from vn_dispatch_parser.outputs.export import nd30_metadata

        data: Any = {"file": result.file, "documents": [nd30_metadata(result, d) for d in result.documents]}
        return json.dumps(data, ensure_ascii=False, indent=2 if pretty else None, default=str)
    return result.model_dump_json(indent=2 if pretty else None)


@app.command()
@_handle_errors
def parse(
    files: list[Path] = typer.Argument(..., help="Scans (PDF, TIFF, JPEG, PNG, BMP, WebP) or OCR text (.txt, .md); "
                                              "'-' reads standard input."),
    naming: Naming = typer.Option(Naming.record, help="Field names: the record's, or NĐ 30 Phụ lục VI metadata."),
    dpi: int = typer.Option(300, min=DPI_MIN, max=DPI_MAX, help=DPI_HELP),
    max_text_mb: float = typer.Option(20.0, "--max-text-mb", min=0.001, help=MAX_TEXT_HELP),
    pages: str | None = typer.Option(None, "--pages", help="Only these pages, e.g. 1-3,5 (1-based)."),
) -> None:
    """Print the JSON of one file, or JSON Lines (one line per file) for several."""
    from vn_dispatch_parser.pipeline import parse_file

    wanted = parse_pages(pages)
    failed = 0
    for path in files:
        try:
            limit = int(max_text_mb * 1e6)
            if str(path) == "-":
                result = parse_file(sys.stdin.buffer.read(), dpi=dpi, pages=wanted, max_text_bytes=limit)
                result.set_file("-")
            else:
                result = parse_file(path, dpi=dpi, pages=wanted, max_text_bytes=limit)
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
    ctx: typer.Context,
    inputs: list[Path] = typer.Argument(..., metavar="IN_DIR",
                                        help="An input folder (searched recursively) or a list of files."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0 = number of cores)."),
    include: list[str] = typer.Option([], help="Only inputs matching this glob (repeatable)."),
    exclude: list[str] = typer.Option([], help="Skip inputs matching this glob (repeatable)."),
    force: bool = typer.Option(False, help="Redo every file, even those with a current result."),
    formats: str = typer.Option("json,jsonl,csv", help="Outputs: json (per file), jsonl, csv, xlsx "
                                "(records.xlsx), register (register.xlsx + register.pdf, Sổ đăng ký văn bản đến)."),
    searchable_pdf: bool = typer.Option(False, "--searchable-pdf", help="Also write a PDF/A with a text layer "
                                        "(OCRmyPDF, fed with this program's OCR: no second pass)."),
    output_type: OutputType = typer.Option(OutputType.pdfa, "--output-type", help="Searchable PDF: PDF/A-2b or plain PDF."),
    invalidate_signatures: bool = typer.Option(False, "--invalidate-signatures", help="Write searchable PDFs of "
                                               "signed PDFs too (their digital signatures are removed)."),
    sidecar: bool = typer.Option(False, "--sidecar", help="Also write OUT_DIR/<file>.txt with the text of each page."),
    naming: Naming = typer.Option(Naming.record, help="Column names of records.jsonl/.csv/.xlsx: the record's, "
                                  "or NĐ 30 Phụ lục VI metadata."),
    pages: str | None = typer.Option(None, "--pages", help="Only these pages of each input, e.g. 1-3,5."),
    timeout: float = typer.Option(0, help="Seconds allowed per file (0 = no limit)."),
    dpi: int = typer.Option(300, min=DPI_MIN, max=DPI_MAX, help=DPI_HELP),
    max_text_mb: float = typer.Option(20.0, "--max-text-mb", min=0.001, help=MAX_TEXT_HELP),
    prune: bool = typer.Option(False, help="Remove results in OUT_DIR whose input is gone (deleted or renamed)."),
    cluster: str = typer.Option("", metavar="ADDRESS",
                                help="Run on a Dask cluster: tcp://host:8786, or 'local' for a LocalCluster of "
                                     "--jobs worker processes. Inputs must be on storage every worker sees."),
    fields_only: bool = typer.Option(False, "--fields-only",
                                     help="Read only the header, title, subject, signature and Nơi nhận bands, "
                                          "stamps and marks (about 3x faster); full_text is left empty."),
) -> None:
    """Parse every supported file under IN_DIR into OUT_DIR (resumable; failures go to errors.jsonl).

    Writes OUT_DIR/<relative path>.json per input as soon as it is read, then records.jsonl, records.csv
    (one row per document) and errors.jsonl (one line per failed input). Rerun the same command to
    resume: inputs with a current result are skipped, failed ones are retried. Exit codes: 0 all ok, 1 some
    inputs failed, 2 usage error, 11 outputs could not be written (disk full), 130 interrupted.
    """
    from vn_dispatch_parser.batch.progress import QuietDisplay, make_display
    from vn_dispatch_parser.batch.runner import FORMATS, BatchOptions, run_batch

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
    page_set = parse_pages(pages)
    opts = BatchOptions(inputs=inputs, out_dir=out, jobs=jobs, include=include, exclude=exclude, force=force,
                        formats=wanted, searchable_pdf=searchable_pdf, timeout=timeout or None, dpi=dpi,
                        sidecar=sidecar, pdfa=output_type is OutputType.pdfa,
                        invalidate_signatures=invalidate_signatures, naming=naming.value,
                        pages=tuple(sorted(page_set)) if page_set else None,
                        max_text_bytes=int(max_text_mb * 1e6), prune=prune,
                        cluster=cluster or None, fields_only=fields_only)
    quiet = bool((ctx.obj or {}).get("quiet")) if ctx is not None else False
    report = run_batch(opts, display=QuietDisplay(sys.stderr) if quiet else make_display(sys.stderr))
    if report.interrupted:
        raise typer.Exit(int(ExitCode.interrupted))
    raise typer.Exit(int(ExitCode.some_failed) if report.failed else int(ExitCode.ok))


@app.command()
def schema(
    kind: SchemaKind = typer.Option(SchemaKind.file, "--kind", help="file: the per-file JSON; row: one line of "
                                    "records.jsonl; nd30: one document under the NĐ 30 names (--naming nd30)."),
) -> None:
    """Print a JSON Schema (draft 2020-12) of an output."""
    from vn_dispatch_parser.outputs.export import json_schema

    typer.echo(json.dumps(json_schema(kind.value), ensure_ascii=False, indent=2))


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

    from vn_dispatch_parser.desk import Catalogue

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
    from vn_dispatch_parser.desk import Catalogue

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
        from vn_dispatch_parser.desk.server import run_server
    except ImportError as e:
        from vn_dispatch_parser.errors import MissingDependencyError

        raise MissingDependencyError(f"{e.name} is missing: pip install 'vn-dispatch-parser[desk]'") from e
    run_server(_out_dir(out_dir), host=host, port=port, url=db, token=token, who=who)


def main() -> None:
    """Console-script entry point (also ``python -m vn_dispatch_parser``)."""
    app(prog_name="vn-dispatch")


if __name__ == "__main__":  # pragma: no cover
    main()
