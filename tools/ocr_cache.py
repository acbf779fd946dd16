"""Record the OCR of every file of samples/ for the golden tests (``make ocr-cache``).

Each scan of ``samples/`` is read with the real engine (the default one: Tesseract through tesserocr or
its command line) wrapped in a :class:`~vn_dispatch_parser.ocr.replay.RecordingEngine`; every engine call
and the record made of the file are written to ``tests/ocr_cache/<file>.json.gz``. Text inputs and the
truth files (``*.json``) need no OCR and are skipped. Re-run after a change that alters what the scan
path asks the engine (a crop's size, a new call) or the records; a file whose cache is current is written
byte for byte the same.

Usage: ``python tools/ocr_cache.py [SAMPLES] [OUT]``; with ``--records-only`` the recorded OCR is replayed
and only the expected records are written again (``make ocr-records``: a change meant to alter records,
such as evidence boxes or the pipeline version, that asks the engine nothing new; a changed call is a
miss then, and needs the full recording).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from vn_dispatch_parser.image.load import sniff_format
from vn_dispatch_parser.ocr.capi import default_engine
from vn_dispatch_parser.ocr.replay import OcrCache, RecordingEngine, load_cache, save_cache, sha256_file
from vn_dispatch_parser.pipeline import parse_file

ROOT = Path(__file__).resolve().parent.parent


def scans(folder: Path) -> list[Path]:
    """The files of ``folder`` the scan path reads (not text, not the truth ``.json`` files)."""
    out = []
    for p in sorted(folder.iterdir()):
        if p.is_file() and p.suffix.lower() not in (".json", ".md", ".txt") and sniff_format(p, warn=False) != "text":
            out.append(p)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("samples", nargs="?", type=Path, default=ROOT / "samples")
    ap.add_argument("out", nargs="?", type=Path, default=ROOT / "tests" / "ocr_cache")
    ap.add_argument("--records-only", action="store_true",
                    help="replay the recorded OCR and write only the expected records again")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.records_only:
        return rerecord(args.samples, args.out)
    engine = default_engine()
    total = 0
    for path in scans(args.samples):
        rec = RecordingEngine(engine)
        result = parse_file(path, engine=rec)
        record = json.loads(result.to_json())
        target = args.out / f"{path.name}.json.gz"
        save_cache(target, OcrCache(path.name, sha256_file(path), engine.version(), rec.calls, record))
        size = target.stat().st_size
        total += size
        print(f"{path.name}: {len(rec.calls)} calls, {size / 1024:.1f} KiB", flush=True)
    print(f"{args.out}: {total / 1024:.1f} KiB in all")
    return 0


def rerecord(samples: Path, out: Path) -> int:
    """Replay every cache of ``out`` and store the record the pipeline makes of it now."""
    for target in sorted(out.glob("*.json.gz")):
        cache = load_cache(target)
        path = samples / cache.file
        engine = cache.replay(path)
        record = json.loads(parse_file(path, engine=engine).to_json())
        if engine.unused():
            raise SystemExit(f"{cache.file}: recorded OCR calls not asked for: run the full recording")
        save_cache(target, OcrCache(cache.file, cache.sha256, cache.engine, cache.calls, record))
        print(f"{cache.file}: record written again", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
