#!/usr/bin/env python3
"""Build ``vn_dispatch_parser/data/words.txt``: Vietnamese words of two and three syllables, one a line.

The OCR corrector (``core/lexicon.py``) restores marks that Tesseract dropped or swapped ("tố dân phố" →
"tổ dân phố"). Its own pair counts come from administrative text; this list adds the general vocabulary's
words of three syllables: three words read in a row that spell one of them but for a mark are that word,
whatever the document is about. Words of two syllables are used more narrowly (the list has no frequencies,
and two words that OCR read right are often one mark away from a rare two-syllable word, "nhà tạm" / "nhà
tắm"): only a tone mark above the vowel read as another (grave, acute, hook: "sửa đồi" → "sửa đổi").

Source: ``underthesea`` 9.5.0 (PyPI, Apache-2.0 licence), ``underthesea/corpus/data/Viet74K.txt``: 73,901
headwords of a general Vietnamese dictionary. Kept: lower-case entries of two or three syllables that are
all letters (proper names and hyphenated loan words left out).

Run: ``pip download underthesea==9.5.0 --no-deps -d /tmp/ut`` then
``python tools/build_words.py /tmp/ut/underthesea-9.5.0-py3-none-any.whl``.
"""

from __future__ import annotations

import hashlib
import sys
import unicodedata
import zipfile
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "vn_dispatch_parser" / "data" / "words.txt"
MEMBER = "underthesea/corpus/data/Viet74K.txt"
SYLLABLE = regex.compile(r"\p{Ll}+", regex.V1)
SYLLABLES = (2, 3)


def main(wheel: str) -> None:
    digest = hashlib.sha256(Path(wheel).read_bytes()).hexdigest()
    with zipfile.ZipFile(wheel) as z:
        rows = z.read(MEMBER).decode("utf-8").splitlines()
    words = set()
    for row in rows:
        syllables = unicodedata.normalize("NFC", row).strip().split()
        if len(syllables) in SYLLABLES and all(SYLLABLE.fullmatch(s) for s in syllables):
            words.add(" ".join(syllables))
    kept = sorted(words)
    header = [
        "# Vietnamese words of two and three syllables, one a line; made by tools/build_words.py from",
        f"# underthesea 9.5.0 (PyPI, Apache-2.0 licence), {MEMBER};",
        f"# wheel sha256 {digest}. {len(kept)} words.",
    ]
    OUT.write_text("\n".join(header + kept) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(kept)} words")


if __name__ == "__main__":
    main(sys.argv[1])
