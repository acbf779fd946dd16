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
from .records import FileResult

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Read Vietnamese administrative documents (NĐ 30/2020) into records.")
F = TypeVar("F", bound=Callable[..., Any])


class Naming(str, Enum):
    record = "record"
    nd30 = "nd30"


def _handle_errors(func: F) -> F:
    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DispatchParserError as e:
            typer.echo(f"error: {e}", err=True)
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
    dpi: int = typer.Option(300, help="Rendering resolution for PDFs."),
) -> None:
    """Print the JSON of one file, or JSON Lines (one line per file) for several."""
    from .pipeline import parse_file

    failed = 0
    for path in files:
        try:
            result = parse_file(path, dpi=dpi) if path.suffix.lower() not in (".txt", ".md") else parse_file(path)
        except DispatchParserError as e:
            if len(files) == 1:
                raise
            typer.echo(f"error: {e}", err=True)
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
    dpi: int = typer.Option(300, help="Rendering resolution for PDFs."),
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
    resume: inputs with a current result are skipped, failed ones are retried. --searchable-pdf costs a
    second OCR pass per page. Exit codes: 0 all ok, 1 some inputs failed, 2 usage error, 130 interrupted.
    """
    from .batch import FORMATS, BatchOptions, run_batch
    from .progress import make_display

    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise typer.BadParameter(f"not found: {', '.join(missing)}", param_hint="IN_DIR")
    if out.exists() and not out.is_dir():
        raise typer.BadParameter(f"{out} is a file, not a folder", param_hint="--out")
    wanted = {f.strip().lower() for f in formats.split(",") if f.strip()}
    if not wanted or wanted - FORMATS:
        raise typer.BadParameter(f"choose from {', '.join(sorted(FORMATS))} (got {formats!r})", param_hint="--formats")
    if jobs < 0:
        raise typer.BadParameter("0 (one worker per core) or more", param_hint="--jobs")
    if timeout < 0:
        raise typer.BadParameter("seconds, or 0 for no limit", param_hint="--timeout")
    opts = BatchOptions(inputs=inputs, out_dir=out, jobs=jobs, include=include, exclude=exclude, force=force,
                        formats=wanted, searchable_pdf=searchable_pdf, timeout=timeout or None, dpi=dpi,
                        cluster=cluster or None, fields_only=fields_only)
    report = run_batch(opts, display=make_display(sys.stderr))
    if report.interrupted:
        raise typer.Exit(int(ExitCode.interrupted))
    raise typer.Exit(int(ExitCode.some_failed) if report.failed else int(ExitCode.ok))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the per-file output."""
    from .records import json_schema

    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


def main() -> None:
    """Console-script entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
