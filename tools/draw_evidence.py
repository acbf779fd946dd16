"""Draw the evidence boxes of batch results on the original pages, rendered as the records say.

    python tools/draw_evidence.py RESULTS_DIR SOURCE_DIR OUT_DIR [--file NAME ...]

For every ``<input>.json`` of RESULTS_DIR whose input is in SOURCE_DIR, each page that has evidence is
rendered independently of the pipeline, at the ``dpi`` of its ``frames`` entry (``pdftoppm -r`` for a PDF,
the image's own pixels with its EXIF orientation for an image), and every field's box is drawn on it,
labelled with the field's name: ``OUT_DIR/<input>.p<page>.png``. A page whose rendering is not the size its
frame records is reported. Look at the PNGs: a box must cover the words its field was read from.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps, ImageSequence

COLOURS = [(220, 30, 30), (30, 120, 220), (20, 160, 60), (200, 120, 0), (150, 40, 180), (0, 150, 150)]


def render(source: Path, page: int, dpi: int) -> Image.Image:
    """Page ``page`` (from 1) of ``source`` as RGB: a PDF rendered by pdftoppm at ``dpi``, an image as stored."""
    if source.suffix.lower() == ".pdf":
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "p"
            subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png",
                            str(source), str(out)], check=True)
            with Image.open(out.with_suffix(".png")) as img:
                return img.convert("RGB")
    with Image.open(source) as img:
        frames = [f.copy() for f in ImageSequence.Iterator(img)]
        one = ImageOps.exif_transpose(frames[0]) if len(frames) == 1 else frames[page - 1]
        return one.convert("RGB")


def draw(result: dict, source: Path, out_dir: Path) -> list[str]:
    """Draw the boxes of one result; returns the PNGs written and any size mismatch."""
    notes = []
    frames = {f["page"]: f for f in result.get("frames", [])}
    by_page: dict[int, list[tuple[str, list[int]]]] = {}
    for d, doc in enumerate(result.get("documents", [])):
        for name, ev in doc.get("evidence", {}).items():
            if ev.get("bbox") and ev.get("page"):
                by_page.setdefault(ev["page"], []).append((f"{d}.{name}", ev["bbox"]))
    for page, boxes in sorted(by_page.items()):
        frame = frames.get(page)
        img = render(source, page, int(frame["dpi"]) if frame else 300)
        if frame and img.size != (frame["width"], frame["height"]):
            notes.append(f"{source.name} p{page}: rendered {img.size}, frame {frame['width']}x{frame['height']}")
        pen = ImageDraw.Draw(img)
        for i, (name, (x0, y0, x1, y1)) in enumerate(boxes):
            colour = COLOURS[i % len(COLOURS)]
            pen.rectangle([x0, y0, x1, y1], outline=colour, width=2)
            pen.text((x0, max(0, y0 - 11)), name, fill=colour)
        path = out_dir / f"{source.name}.p{page}.png"
        img.save(path)
        notes.append(str(path))
    return notes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", type=Path)
    ap.add_argument("sources", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--file", action="append", default=[], help="only these input names")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in sorted(args.results.glob("*.json")):
        name = path.name[: -len(".json")]
        source = args.sources / name
        if (args.file and name not in args.file) or not source.is_file():
            continue
        for note in draw(json.loads(path.read_text(encoding="utf-8")), source, args.out):
            print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
