"""Benchmark parts for issue 14: OCRmyPDF on the same pages, a long PDF's peak memory, the scaling plot.

Used by ``tools/bench.py`` (``make bench``); every tool runs single-threaded
(``OMP_THREAD_LIMIT=1``, OCRmyPDF ``--jobs 1``).
"""

from __future__ import annotations

import logging
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

__all__ = ["long_pdf", "ocrmypdf_pages", "scaling_plot"]

log = logging.getLogger("vn_dispatch_parser.bench")


def _child_cpu() -> float:
    return float(sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]))  # user + system s of waited children


def _ocrmypdf() -> list[str] | None:
    exe = Path(sys.executable).parent / "ocrmypdf"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("ocrmypdf")
    return [found] if found else None


def ocrmypdf_pages(paths: list[Path], work: Path, env: dict[str, str]) -> dict[str, Any]:
    """``ocrmypdf -l vie --sidecar TXT --jobs 1 --force-ocr`` on each scan, one at a time (images at 300 dpi
    when they carry none): ``{"s": wall s, "cpu": CPU s, "files": n, "failed": n}``."""
    res: dict[str, Any] = {"s": 0.0, "cpu": 0.0, "files": 0, "failed": 0}
    cmd = _ocrmypdf()
    if cmd is None or not paths:
        log.warning("OCRmyPDF skipped: %s", "not installed" if cmd is None else "no scan")
        return res
    work.mkdir(parents=True, exist_ok=True)
    for n, path in enumerate(paths):
        argv = [*cmd, "-l", "vie", "--jobs", "1", "--force-ocr", "--invalidate-digital-signatures", "--output-type", "pdf", "--optimize", "0",
                "--sidecar", str(work / f"{n}.txt"), "-q"]
        if path.suffix.lower() != ".pdf":
            argv += ["--image-dpi", "300"]
        t0, c0 = time.perf_counter(), _child_cpu()
        proc = subprocess.run([*argv, str(path), str(work / f"{n}.pdf")], env=env, capture_output=True, check=False)
        res["s"] += time.perf_counter() - t0
        res["cpu"] += _child_cpu() - c0
        res["files"] += 1
        if proc.returncode:
            res["failed"] += 1
            log.warning("ocrmypdf failed on %s: %s", path, proc.stderr.decode(errors="replace")[-300:])
    shutil.rmtree(work, ignore_errors=True)
    return res


def long_pdf(sources: list[Path], dest: Path, pages: int) -> int:
    """A ``pages``-page PDF made of the pages of ``sources`` (PDFs), repeated; returns its page count."""
    from pypdf import PdfReader, PdfWriter

    readers = []
    for p in sources:
        try:
            readers.append(PdfReader(str(p)))
        except Exception as e:  # a bench input we cannot copy pages from
            log.info("%s: not used for the long PDF (%s)", p, e)
    readers = [r for r in readers if not r.is_encrypted and len(r.pages)]
    if not readers:
        return 0
    writer = PdfWriter()
    k = 0
    while len(writer.pages) < pages:
        r = readers[k % len(readers)]
        for page in r.pages:
            if len(writer.pages) >= pages:
                break
            writer.add_page(page)
        k += 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("wb") as fh:
        writer.write(fh)
    return len(writer.pages)


def scaling_plot(rates: dict[str, dict[str, float]], dest: Path) -> None:
    """A bar chart of pages/min per set and mode (``{set: {mode: pages/min}}``) as a PNG (OpenCV only)."""
    sets = [s for s in rates if rates[s]]
    modes = sorted({m for s in sets for m in rates[s]}, key=lambda m: list(rates[sets[0]]).index(m)
                   if sets and m in rates[sets[0]] else 99)
    if not sets or not modes:
        return
    w, h, left, bottom, top = 900, 520, 80, 90, 60
    img = np.full((h, w, 3), 255, np.uint8)
    top_rate = max(v for s in sets for v in rates[s].values()) * 1.15 or 1.0
    colours = [(180, 119, 31), (14, 127, 255), (44, 160, 44), (40, 39, 214), (189, 103, 148)]
    group_w = (w - left - 20) / len(sets)
    bar_w = group_w * 0.8 / len(modes)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.line(img, (left, h - bottom), (w - 10, h - bottom), (0, 0, 0), 1)
    cv2.line(img, (left, top - 20), (left, h - bottom), (0, 0, 0), 1)
    for frac in (0.25, 0.5, 0.75, 1.0):
        y = int(h - bottom - frac * (h - bottom - top))
        cv2.line(img, (left - 4, y), (w - 10, y), (220, 220, 220), 1)
        cv2.putText(img, f"{frac * top_rate:.0f}", (8, y + 5), font, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    for i, s in enumerate(sets):
        x0 = left + 10 + i * group_w
        for j, m in enumerate(modes):
            v = rates[s].get(m)
            if v is None:
                continue
            bh = int(v / top_rate * (h - bottom - top))
            xa = int(x0 + j * bar_w)
            cv2.rectangle(img, (xa, h - bottom - bh), (int(xa + bar_w * 0.9), h - bottom), colours[j % 5], -1)
            cv2.putText(img, f"{v:.0f}", (xa + 2, h - bottom - bh - 6), font, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
        cv2.putText(img, s, (int(x0 + group_w * 0.3), h - bottom + 22), font, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    for j, m in enumerate(modes):
        y = h - 40 + 18 * (j // 3)
        x = left + (j % 3) * 260
        cv2.rectangle(img, (x, y - 10), (x + 14, y + 2), colours[j % 5], -1)
        cv2.putText(img, m, (x + 20, y + 2), font, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(img, "vn-dispatch batch: pages per minute (same pages, one run)", (left, 30), font, 0.6,
                (0, 0, 0), 1, cv2.LINE_AA)
    dest.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(dest), img)
