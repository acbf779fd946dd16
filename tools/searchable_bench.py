"""Compare searchable PDFs: this checkout (OCRmyPDF fed with our OCR), an older checkout's (a second Tesseract
pass), and plain ``ocrmypdf -l vie``: size, time, ``qpdf --check`` and PDF/A status, one line per file.

    python tools/searchable_bench.py new FILE…                       # this checkout
    python tools/searchable_bench.py today --old /tmp/main FILE…     # a checkout of main (git archive main)
    python tools/searchable_bench.py plain FILE…                     # ocrmypdf -l vie, PDF/A-2b if it can

Outputs go to ``--out`` (default ``bench/searchable``); columns: file, mode, input KB, output KB, seconds to
read the record, seconds for the PDF, total, qpdf --check, PDF/A status, note. Run it with one core
(``OMP_THREAD_LIMIT=1``); files whose name holds ``.signed`` are done with signatures invalidated.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _qpdf(path: Path) -> str:
    try:
        r = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return "no qpdf"
    return "ok" if r.returncode == 0 else f"rc={r.returncode}"


def _pdfa(path: Path) -> str:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return pdf.open_metadata().pdfa_status or "-"


def _plain(src: Path, dest: Path, signed: bool) -> tuple[float, float, str]:
    base = [sys.executable, "-m", "ocrmypdf", "-l", "vie", "-j", "1", "--pdfa-backend", "internal",
            "--rasterizer", "pypdfium", "--rotate-pages"] + (["--invalidate-digital-signatures"] if signed else [])
    t = time.monotonic()
    r = subprocess.run([*base, "--output-type", "pdfa-2", str(src), str(dest)], capture_output=True, text=True,
                       check=False)
    note = ""
    if r.returncode != 0:
        note = "PDF/A refused, plain PDF"
        r = subprocess.run([*base, "--output-type", "pdf", str(src), str(dest)], capture_output=True, text=True,
                           check=False)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip().splitlines()[-1])
    return 0.0, time.monotonic() - t, note


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["new", "today", "plain"])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--old", type=Path, help="checkout whose vn_dispatch_parser makes 'today' PDFs")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "searchable")
    args = ap.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    args.out.mkdir(parents=True, exist_ok=True)
    if args.mode != "plain":
        sys.path.insert(0, str(args.old if args.mode == "today" else ROOT))
        from vn_dispatch_parser.outputs.searchable import write_searchable_pdf
        from vn_dispatch_parser.pipeline import parse_file
    for src in args.files:
        dest = args.out / f"{src.name}.{args.mode}.pdf"
        signed = ".signed" in src.name
        try:
            if args.mode == "plain":
                read, pdf_s, note = _plain(src, dest, signed)
            else:
                t = time.monotonic()
                pages: list = []
                if args.mode == "today":
                    parse_file(src)
                else:
                    parse_file(src, page_texts=pages)
                read = time.monotonic() - t
                t = time.monotonic()
                if args.mode == "today":
                    write_searchable_pdf(src, dest)
                else:
                    write_searchable_pdf(src, dest, page_texts=pages, invalidate_signatures=signed)
                pdf_s, note = time.monotonic() - t, ""
        except Exception as e:  # one failure is a line of the table, not the end of the run
            print(f"{src.name}\t{args.mode}\tFAILED\t{type(e).__name__}: {e}", flush=True)
            continue
        print("\t".join([src.name, args.mode, f"{src.stat().st_size / 1024:.0f}", f"{dest.stat().st_size / 1024:.0f}",
                         f"{read:.1f}", f"{pdf_s:.1f}", f"{read + pdf_s:.1f}", _qpdf(dest), _pdfa(dest), note]),
              flush=True)


if __name__ == "__main__":
    main()
