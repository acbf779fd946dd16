"""Data tables (``vn_dispatch_parser/data/*.yaml``), loaded lazily on first use and cached."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from vn_dispatch_parser.core.normalize import fold, initials

__all__ = ["data_rows", "districts", "dj_codes", "doc_types", "load", "place_names", "type_by_code", "type_by_name"]


@cache
def load(name: str) -> dict[str, Any]:
    """Load ``data/<name>.yaml`` (read-only; callers must not mutate the result)."""
    text = resources.files("vn_dispatch_parser").joinpath("data", f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"data/{name}.yaml is not a mapping")
    return data


def data_rows(file_name: str) -> list[str]:
    """The rows of a text table ``data/<file_name>`` (``.txt``, ``.tsv``), without its "#" header (the table's
    source) and blank rows."""
    text = resources.files("vn_dispatch_parser").joinpath("data", file_name).read_text(encoding="utf-8")
    return [row for row in text.splitlines() if row.strip() and not row.startswith("#")]


@cache
def districts() -> tuple[str, ...]:
    """The district-level units' names of ``data/districts.txt`` (with its source)."""
    return tuple(row.strip() for row in data_rows("districts.txt"))


def place_names() -> tuple[str, ...]:
    """Every known place's name: the provinces and cities of ``data/places.yaml``, then the district-level units
    of ``data/districts.txt``."""
    return (*load("places")["places"], *districts())


def doc_types() -> list[dict[str, str]]:
    """The document types: ``[{"name": "QUYẾT ĐỊNH", "code": "QĐ"}, …]``."""
    return list(load("doc_types")["types"])


@cache
def type_by_code() -> dict[str, str]:
    """Folded type code (``"qd"``, ``"ttr"``) → type name; old TT 01/2011 codes included."""
    out: dict[str, str] = {}
    for t in doc_types():
        out.setdefault(fold(t["code"]), t["name"])
        if t.get("old_code"):
            out.setdefault(fold(t["old_code"]), t["name"])
    return out


@cache
def type_by_name() -> dict[str, dict[str, str]]:
    """Folded type name (``"quyet dinh"``) → its row."""
    return {fold(t["name"]): t for t in doc_types()}


@cache
def dj_codes() -> dict[str, str]:
    """Known codes with a "Đ", keyed by their spelling without the stroke: ``{"BGDDT": "BGDĐT", …}``."""
    return {c.replace("Đ", "D").upper(): c for c in load("organisations")["codes_with_dj"]}


def body_codes(names: list[str]) -> list[str]:
    """The codes a ký hiệu may write for bodies so named: each one's initials, and the code of a body that
    writes its own (``mixed_case_codes`` of data/organisations.yaml: THANH TRA → TTr).

    >>> body_codes(["THANH TRA TỈNH", "UBND TỈNH BẮC NINH"])
    ['TTT', 'TTr', 'UTBN']
    """
    mixed = load("organisations").get("mixed_case_codes", {})
    out = []
    for name in names:
        out.append(initials(name))
        out += [code for start, code in mixed.items() if fold(name).startswith(fold(start))]
    return out
