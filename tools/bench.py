"""Benchmark: accuracy (score.py) and speed of the pipeline against plain Tesseract on the same pages.

``python tools/bench.py [--out bench/report.md] [--jobs N] [--limit-pages K] SET_DIR...``

Sets hold inputs with truth: ``<file>.json`` beside each input (samples/) or ``truth/<file>.json`` (real/).
Per set, in one run: ``vn-dispatch batch`` at ``--jobs 1`` and ``--jobs N``, with ``--fields-only`` and on a
``--cluster local`` of N (wall clock; peak RSS of the largest process, from ``wait4``); OCRmyPDF
(``ocrmypdf -l vie --sidecar``, one job); the peak memory of one 100-page PDF (first set); plain ``tesseract PAGE - -l vie`` one page at a time (PDFs rasterised by
``pdftoppm -r 300`` first, timed apart); score.py on the jobs-1 output (and per ``degradation`` level);
full-text CER of both; ``parse_text`` throughput; a scaling plot (``bench/scaling.png``). Subprocesses get
``OMP_THREAD_LIMIT=1``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import glob
import json
import logging
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from vn_dispatch_parser.core.fsutil import atomic_write
from vn_dispatch_parser.ocr.engine import OCR_THREAD_ENV
from vn_dispatch_parser.records import PIPELINE_VERSION

__all__ = ["Item", "bench_set", "cer", "corpus_cer", "discover", "main", "render", "run_pipeline", "text_norm"]

log = logging.getLogger("vn_dispatch_parser.bench")
ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, **OCR_THREAD_ENV}  # subprocesses: single-threaded Tesseract
TEXT_SUFFIXES = frozenset({".txt", ".md"})
LEVEL_KEYS = ("all_fields", "~silent_errors", "~flagged", "document_count")
# (key, label, format) of the fixed rows; the score rows go between HEAD_ROWS and TAIL_ROWS.
HEAD_ROWS = [("files", "files", "int"), ("pages", "image pages", "int"), ("documents", "documents", "int"),
             ("failed", "pipeline: failed files", "int")]
TAIL_ROWS = [
    ("cer_pipeline", "full-text CER, pipeline", "f3"), ("cer_plain", "full-text CER, plain Tesseract", "f3"),
    ("s_page_pipeline", "s/page, pipeline (jobs 1)", "f2"), ("s_page_plain", "s/page, plain Tesseract", "f2"),
    ("speed_ratio", "pipeline / plain s/page (target ≤ 1.3)", "x"),
    ("cpu_page_pipeline", "CPU s/page, pipeline", "f2"), ("cpu_page_plain", "CPU s/page, plain", "f2"),
    ("cpu_ratio", "pipeline / plain CPU s/page", "x"),
    ("raster_s_page", "s/page, pdftoppm 300 dpi (not in plain)", "f2"),
    ("speed_ratio_render", "pipeline / (plain + pdftoppm) s/page (target ≤ 1.0)", "x"),
    ("s_page_ocrmypdf", "s/page, ocrmypdf -l vie --sidecar (jobs 1)", "f2"),
    ("ocrmypdf_ratio", "pipeline / OCRmyPDF s/page (target ≤ 0.75)", "x"),
    ("cpu_page_ocrmypdf", "CPU s/page, OCRmyPDF", "f2"), ("ocrmypdf_cpu_ratio", "pipeline / OCRmyPDF CPU s/page", "x"),
    ("s_page_fields", "s/page, --fields-only (jobs 1)", "f2"),
    ("fields_speedup", "full / --fields-only s/page (target ≥ 3)", "x"),
    ("cpu_page_fields", "CPU s/page, --fields-only", "f2"), ("fields_cpu_speedup", "full / --fields-only CPU s/page", "x"),
    ("ppm_1", "pages/min, --jobs 1", "f1"), ("ppm_n", "pages/min, --jobs N", "f1"),
    ("ppm_ratio", "jobs N / jobs 1 pages/min (target ≥ 1.7)", "x"), ("jobs_n", "N", "int"),
    ("ppm_cluster", "pages/min, --cluster local --jobs N", "f1"),
    ("cluster_ratio", "LocalCluster of N / jobs 1 pages/min (target ≥ 1.8 for N=2)", "x"),
    ("rss_1_mb", "peak RSS MB, jobs 1 (biggest process)", "f0"), ("rss_n_mb", "peak RSS MB, jobs N", "f0"),
    ("rss_cluster_mb", "peak RSS MB, LocalCluster (biggest worker)", "f0"),
    ("long_pages", "long PDF: pages", "int"), ("rss_long_mb", "long PDF: peak RSS MB, jobs 1 (target < 300)", "f0"),
    ("s_page_long", "long PDF: s/page, jobs 1", "f2"),
    ("parse_ms_page", "parse_text ms/page", "f2"), ("parse_share", "parse_text / OCR (target < 2%)", "pct"),
    ("bench_s", "bench wall time, s", "f0")]


@dataclass
class Item:
    """One input of a set that has truth."""

    path: Path
    rel: str
    truth: Path
    pages: int  # image pages; 0 for text inputs


def text_norm(s: str | None) -> str:
    """score.py's full-text normalisation: NFC, markdown emphasis removed, whitespace collapsed.

    >>> text_norm("**Số:**  12\\n/UBND ")
    'Số: 12 /UBND'
    """
    s = re.sub(r"[*#_`]+", "", unicodedata.normalize("NFC", s or ""))  # markdown emphasis is not text
    return re.sub(r"\s+", " ", s).strip()


def cer_counts(truth: str, pred: str) -> tuple[int, int]:
    """(Levenshtein distance, truth length) after :func:`text_norm`; sum them for a corpus CER."""
    a, b = text_norm(truth), text_norm(pred)
    return Levenshtein.distance(a, b), len(a)


def cer(truth: str, pred: str) -> float:
    """Character error rate: edits / truth characters, after :func:`text_norm` (score.py's).

    >>> cer("Sở Y tế", "So Y tế")
    0.14285714285714285
    """
    dist, n = cer_counts(truth, pred)
    return dist / max(1, n)


def corpus_cer(pairs: list[tuple[str, str]]) -> float | None:
    """Total edits / total truth characters over (truth, prediction) pairs; None when there is no truth text.

    >>> corpus_cer([("abcd", "abcd"), ("ef", "")])
    0.3333333333333333
    """
    counts = [cer_counts(t, p) for t, p in pairs]
    total = sum(n for _, n in counts)
    return sum(d for d, _ in counts) / total if total else None


def find_truth(set_dir: Path, rel: str) -> Path | None:
    """The truth JSON of input ``rel``: beside it, or under ``truth/`` (by path, name or stem)."""
    name, stem, t = Path(rel).name, Path(rel).stem, set_dir / "truth"
    for cand in (set_dir / f"{rel}.json", t / f"{rel}.json", t / f"{name}.json", t / f"{stem}.expected.json",
                 set_dir / Path(rel).parent / f"{stem}.expected.json"):
        if cand.is_file() and "documents" in _load(cand):
            return cand
    return None


def discover(set_dir: Path, limit_pages: int | None = None) -> list[Item]:
    """Inputs of a set with truth, in the batch's order, only the first files up to ``limit_pages``."""
    from vn_dispatch_parser.batch.runner import BatchOptions, iter_inputs
    from vn_dispatch_parser.errors import DispatchParserError
    from vn_dispatch_parser.image.load import count_pages

    items: list[Item] = []
    total = 0
    for path, rel in iter_inputs(BatchOptions(inputs=[set_dir], out_dir=set_dir / ".bench-none")):
        truth = find_truth(set_dir, rel.as_posix())
        if truth is None:
            log.info("%s: no truth, left out", path)
            continue
        if limit_pages is not None and total >= limit_pages:
            break
        pages = 0
        if path.suffix.lower() not in TEXT_SUFFIXES:
            try:
                pages = count_pages(path)
            except DispatchParserError as e:
                log.warning("%s: cannot count pages (%s)", path, e)
        items.append(Item(path, rel.as_posix(), truth, pages))
        total += pages
    return items


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "vn-dispatch"
    return [str(script)] if script.exists() else [sys.executable, "-m", "vn_dispatch_parser.cli"]


def _child_cpu() -> float:
    return float(sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]))  # user + system s of waited children


def _timed(cmd: list[str], log_path: Path) -> tuple[float, int, int, float]:
    """Run ``cmd`` (stderr to ``log_path``) -> (wall s, exit code, biggest process's max RSS KB, CPU s)."""
    with open(log_path, "w", encoding="utf-8") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=ENV)
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, proc.returncode, int(usage.ru_maxrss), usage.ru_utime + usage.ru_stime


def run_pipeline(set_dir: Path, items: list[Item], out: Path, jobs: int, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """``vn-dispatch batch`` over the selected inputs into a fresh ``out``; options it lacks are dropped."""
    opts = ["--jobs", str(jobs), "--force", *extra]
    includes = [a for it in items for a in ("--include", glob.escape(it.rel))]
    out.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(3):
        shutil.rmtree(out, ignore_errors=True)
        cmd = [*_cli(), "batch", str(set_dir), "--out", str(out), *opts, *includes]
        wall, rc, rss, cpu = _timed(cmd, out.parent / f"{out.name}.log")
        stderr = (out.parent / f"{out.name}.log").read_text(encoding="utf-8", errors="replace")
        m = re.search(r"No such option:?\s*'?(--[\w-]+)", stderr)
        if rc != 2 or not m or m[1] not in opts:
            break
        log.warning("batch has no %s; running without it", m[1])
        del opts[opts.index(m[1]):opts.index(m[1]) + (2 if m[1] in ("--jobs", "--cluster") else 1)]
    log.info("batch --jobs %d: %.1f s wall, %.1f s CPU, exit %d", jobs, wall, cpu, rc)
    if rc not in (0, 1):
        log.warning("batch exited with %d: %s", rc, stderr.strip()[-500:])
    errors = out / "errors.jsonl"
    failed = len(errors.read_text(encoding="utf-8").splitlines()) if errors.exists() else 0
    return {"wall": wall, "rc": rc, "rss_kb": rss, "cpu": cpu, "failed": failed}


def plain_tesseract(items: list[Item], work: Path) -> dict[str, Any]:
    """Plain ``tesseract PAGE - -l vie`` per page, one at a time; PDFs rasterised with pdftoppm first."""
    res: dict[str, Any] = {"pages": 0, "tess_s": 0.0, "tess_cpu": 0.0, "raster_s": 0.0, "texts": {}}
    scans = [it for it in items if it.pages]
    if not scans or not (shutil.which("tesseract") and shutil.which("pdftoppm")):
        log.log(logging.WARNING if scans else logging.INFO, "plain Tesseract skipped: no page or no binary")
        return res
    for n, it in enumerate(scans):
        pages = [it.path]
        folder = work / "raster" / str(n)
        if it.path.suffix.lower() == ".pdf":
            folder.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            subprocess.run(["pdftoppm", "-r", "300", "-png", str(it.path), str(folder / "p")],
                           env=ENV, capture_output=True, check=False)
            res["raster_s"] += time.perf_counter() - t0
            pages = sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        texts = []
        for page in pages:
            t0, c0 = time.perf_counter(), _child_cpu()
            proc = subprocess.run(["tesseract", str(page), "-", "-l", "vie"], env=ENV, capture_output=True,
                                  check=False)
            res["tess_s"] += time.perf_counter() - t0
            res["tess_cpu"] += _child_cpu() - c0
            if proc.returncode:
                log.warning("tesseract failed on %s: %s", page, proc.stderr.decode(errors="replace")[-200:])
            texts.append(proc.stdout.decode("utf-8", errors="replace"))
        res["pages"] += it.pages if it.path.suffix.lower() != ".pdf" else len(pages)
        res["texts"][it.rel] = "\n".join(texts)
        shutil.rmtree(folder, ignore_errors=True)
    return res


def find_score_py() -> Path | None:
    """``../shared/tools/score.py`` next to the repository (or the working folder)."""
    cands = (b / "shared" / "tools" / "score.py" for b in (ROOT.parent, Path.cwd().parent, Path.cwd()))
    return next((c for c in cands if c.is_file()), None)


def run_score(truth_dir: Path, pred_dir: Path, out_json: Path, by_level: bool) -> dict[str, dict[str, float]]:
    """score.py's ``scores`` ({level: {field: value}}; level "all" unless ``by_level``); {} if unavailable."""
    script = find_score_py()
    if script is None:
        log.warning("score.py not found (../shared/tools/score.py): accuracy skipped")
        return {}
    cmd = [sys.executable, str(script), str(truth_dir), str(pred_dir), "--json", str(out_json)]
    proc = subprocess.run([*cmd, *(["--by-level"] if by_level else [])], capture_output=True, text=True,
                          env=ENV, check=False)
    if proc.returncode or not out_json.exists():
        log.warning("score.py failed: %s", proc.stderr.strip()[-300:])
        return {}
    return dict(json.loads(out_json.read_text(encoding="utf-8")).get("scores", {}))


def _load(path: Path) -> dict[str, Any]:
    data: Any = {}
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def _texts(data: dict[str, Any], sep: str = "\n") -> str:
    return sep.join(str(d.get("full_text") or "") for d in data.get("documents") or [] if isinstance(d, dict))


def parse_throughput(texts: list[str], repeat: int = 3) -> float:
    """Best-of-``repeat`` seconds for ``parse_text`` over all ``texts`` (after one warm-up call)."""
    from vn_dispatch_parser import parse_text

    if not texts:
        return 0.0
    parse_text(texts[0])  # loads the data tables
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            parse_text(t)
        best = min(best, time.perf_counter() - t0)
    return best


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def bench_long_pdf(items: list[Item], work: Path, pages: int) -> dict[str, Any]:
    """Peak RSS and s/page of ``batch --jobs 1`` on one ``pages``-page PDF made of the set's PDF pages."""
    from bench_scale import long_pdf

    folder = work / "long"
    n = long_pdf([it.path for it in items if it.path.suffix.lower() == ".pdf"], folder / "in" / "long.pdf", pages)
    if not n:
        return {}
    wall, rc, rss, _cpu = _timed([*_cli(), "batch", str(folder / "in"), "--out", str(folder / "out"), "--jobs", "1",
                                  "--force"], folder / "long.log")
    log.info("long PDF of %d pages: %.1f s, %.0f MB peak, exit %d", n, wall, rss / 1024, rc)
    shutil.rmtree(folder, ignore_errors=True)
    return {"long_pages": n, "rss_long_mb": rss / 1024, "s_page_long": wall / n}


def bench_set(set_dir: Path, work: Path, jobs: int, limit_pages: int | None = None, long_pages: int = 0,
              ) -> dict[str, Any]:
    """Benchmark one set: its metrics by HEAD_ROWS/TAIL_ROWS key, ``score: F`` and ``score (LEVEL): F``.

    In one run, on the same pages: the full read at ``--jobs 1`` and ``N``, ``--fields-only`` and a
    ``LocalCluster`` of N (interleaved with the plain Tesseract and OCRmyPDF runs, so that load from
    elsewhere falls on every side alike), plus, when ``long_pages``, one long PDF's peak memory.
    """
    t_start = time.perf_counter()
    items = discover(set_dir, limit_pages)
    pages = sum(it.pages for it in items)
    truths = {it.rel: _load(it.truth) for it in items}
    m: dict[str, Any] = {"files": len(items), "pages": pages, "jobs_n": jobs,
                         "documents": sum(len(t.get("documents") or []) for t in truths.values())}
    if not items:
        log.warning("%s: no input with truth", set_dir)
        return m
    log.info("%s: %d files, %d image pages", set_dir, len(items), pages)
    pred = work / "pipeline"
    r1 = run_pipeline(set_dir, items, pred, 1)
    plain = plain_tesseract(items, work)
    rn = run_pipeline(set_dir, items, work / f"pipeline-j{jobs}", jobs) if jobs != 1 else r1
    m.update(failed=r1["failed"], rss_1_mb=r1["rss_kb"] / 1024, rss_n_mb=rn["rss_kb"] / 1024)
    if pages:  # the scan-only measurements
        from bench_scale import ocrmypdf_pages

        fo = run_pipeline(set_dir, items, work / "fields-only", 1, ("--fields-only",))
        omp = ocrmypdf_pages([it.path for it in items if it.pages], work / "ocrmypdf", ENV)
        rc = run_pipeline(set_dir, items, work / f"cluster-{jobs}", jobs, ("--cluster", "local"))
        m.update({"s_page_pipeline": r1["wall"] / pages, "ppm_ratio": r1["wall"] / rn["wall"]})
        m.update({f"ppm_{k}": 60 * pages / r["wall"] for k, r in (("1", r1), ("n", rn))})
        m.update(s_page_fields=fo["wall"] / pages, fields_speedup=r1["wall"] / fo["wall"],
                 cpu_page_fields=fo["cpu"] / pages, fields_cpu_speedup=_div(r1["cpu"], fo["cpu"]))
        if rc["rc"] in (0, 1):
            m.update(ppm_cluster=60 * pages / rc["wall"], cluster_ratio=r1["wall"] / rc["wall"],
                     rss_cluster_mb=rc["rss_kb"] / 1024)
        if omp["files"] and not omp["failed"]:
            m.update(s_page_ocrmypdf=omp["s"] / pages, ocrmypdf_ratio=r1["wall"] / omp["s"],
                     cpu_page_ocrmypdf=omp["cpu"] / pages, ocrmypdf_cpu_ratio=_div(r1["cpu"], omp["cpu"]))
    log.info("plain Tesseract: %d pages, %.1f s (+ %.1f s rasterising)", plain["pages"], plain["tess_s"],
             plain["raster_s"])
    if n_plain := plain["pages"]:
        m.update(s_page_plain=plain["tess_s"] / n_plain, raster_s_page=plain["raster_s"] / n_plain)
        m.update(cpu_page_plain=plain["tess_cpu"] / n_plain, cpu_page_pipeline=r1["cpu"] / pages)
        m["speed_ratio"] = _div(m.get("s_page_pipeline"), m["s_page_plain"])
        m["speed_ratio_render"] = _div(m.get("s_page_pipeline"), m["s_page_plain"] + m["raster_s_page"])
        m["cpu_ratio"] = _div(m["cpu_page_pipeline"], m["cpu_page_plain"])
    truth_dir = work / "truth"
    for it in items:
        (truth_dir / f"{it.rel}.json").parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(it.truth, truth_dir / f"{it.rel}.json")
    overall = run_score(truth_dir, pred, work / "score.json", False).get("all", {})
    m.update({f"score: {k}": v for k, v in overall.items()})
    fields = run_score(truth_dir, work / "fields-only", work / "score-fields.json", False).get("all", {}) if pages else {}
    m.update({f"score --fields-only: {k}": fields[k] for k in LEVEL_KEYS if k in fields})
    if len({t.get("degradation") for t in truths.values()}) > 1:  # per level, when there are several
        for level, scores in sorted(run_score(truth_dir, pred, work / "score-levels.json", True).items()):
            m.update({f"score ({level}): {k}": scores[k] for k in LEVEL_KEYS if k in scores})
    outputs = {it.rel: _load(pred / f"{it.rel}.json") for it in items}
    pairs = [(_texts(truths[r]), _texts(o), plain["texts"].get(r)) for r, o in outputs.items()]
    pairs = [p for p in pairs if p[0].strip()]  # truth with full_text only
    m["cer_pipeline"] = corpus_cer([(t, p) for t, p, _ in pairs])
    m["cer_plain"] = corpus_cer([(t, q) for t, _, q in pairs if q is not None])
    parse_s = parse_throughput([t for t in (_texts(o, "\f") for o in outputs.values()) if t.strip()])
    if pages:
        m.update(parse_ms_page=1000 * parse_s / pages, parse_share=parse_s / r1["wall"])
    if long_pages:
        m.update(bench_long_pdf(items, work, long_pages))
    m["bench_s"] = time.perf_counter() - t_start
    return m


def _fmt(v: Any, kind: str) -> str:
    if v is None:
        return "–"
    special = {"int": lambda: str(int(v)), "pct": lambda: f"{100 * v:.2f}%", "x": lambda: f"{v:.2f}×"}
    return special[kind]() if kind in special else f"{v:.{kind[1:]}f}"


def render(results: dict[str, dict[str, Any]], meta: dict[str, str]) -> str:
    """The markdown report: a header (command, date, machine, versions) and one table, metrics × sets."""
    names = list(results)
    score_keys = sorted({k for r in results.values() for k in r if k.startswith("score")},
                        key=lambda k: (k.startswith("score ("), k))
    rows = [*HEAD_ROWS, *[(k, k, "f3") for k in score_keys], *TAIL_ROWS]
    out = ["# vn-dispatch-parser benchmark", ""]
    out += [f"- {k}: {v}" for k, v in meta.items()]
    out += ["", "| metric | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, label, kind in rows:
        out.append(f"| {label} | " + " | ".join(_fmt(results[n].get(key), kind) for n in names) + " |")
    return "\n".join(out) + "\n"


def machine_info(jobs: int) -> dict[str, str]:
    """Date, machine, Tesseract and pipeline versions for the report header."""
    cpu = "unknown"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    try:
        tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False)
        tess_version = (tess.stdout or tess.stderr).splitlines()[0]
    except (OSError, IndexError):
        tess_version = "not found"
    return {"date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": f"nproc {os.cpu_count()}, {cpu}", "tesseract": tess_version,
            "pipeline": f"vn-dispatch-parser {PIPELINE_VERSION}", "jobs N": str(jobs)}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    ap = argparse.ArgumentParser(prog="python tools/bench.py", description=__doc__)
    ap.add_argument("sets", nargs="+", type=Path, metavar="SET_DIR")
    ap.add_argument("--out", type=Path, default=Path("bench/report.md"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--limit-pages", type=int, default=None, metavar="K")
    ap.add_argument("--work", type=Path, default=None, help="keep work files here (default: temp folder)")
    ap.add_argument("--long-pages", type=int, default=100, metavar="P",
                    help="peak memory on one P-page PDF made of the first set's PDF pages (0: skip)")
    ap.add_argument("--plot", type=Path, default=None, help="the scaling plot (default: scaling.png beside --out)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    jobs = max(1, args.jobs)
    cmd = shlex.join(sys.argv[1:] if argv is None else argv)
    meta = {"command": f"`python tools/bench.py {cmd}`", **machine_info(jobs)}
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="vn-bench-") as tmp:
        base = args.work or Path(tmp)
        for n, set_dir in enumerate(args.sets):
            if not set_dir.is_dir():
                log.warning("%s: not a folder, skipped", set_dir)
                continue
            name = set_dir.resolve().name if set_dir.resolve().name not in results else str(set_dir)
            results[name] = bench_set(set_dir, base / f"{n}-{set_dir.resolve().name}", jobs, args.limit_pages,
                                      long_pages=args.long_pages if n == 0 else 0)
    if args.limit_pages is not None:
        meta["limit"] = f"first files up to {args.limit_pages} pages per set"
    meta["notes"] = ("pipeline s = wall clock of the whole CLI run, start-up included; CPU s = user + system "
                     "of the process tree; plain Tesseract excludes rasterising; CER uses score.py's norm")
    md = render(results, meta)
    print(md, end="")
    atomic_write(args.out, md)
    from bench_scale import scaling_plot

    rates = {name: {label: r[key] for key, label in (("ppm_1", "--jobs 1"), ("ppm_n", f"--jobs {jobs}"),
                                                      ("ppm_cluster", f"LocalCluster of {jobs}")) if r.get(key)}
             for name, r in results.items()}
    scaling_plot(rates, args.plot or args.out.parent / "scaling.png")
    log.info("report written to %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
