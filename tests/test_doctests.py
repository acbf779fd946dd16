"""Run the doctests of the field modules (formats and examples live in their docstrings)."""

from __future__ import annotations

import doctest
import importlib

import pytest

from vn_dispatch_parser.core.types import Line

MODULES = [
    "vn_dispatch_parser.core.normalize", "vn_dispatch_parser.fields.number", "vn_dispatch_parser.fields.dates",
    "vn_dispatch_parser.fields.place_date", "vn_dispatch_parser.fields.issuer", "vn_dispatch_parser.fields.doc_type",
    "vn_dispatch_parser.fields.subject", "vn_dispatch_parser.fields.lists", "vn_dispatch_parser.fields.signer",
    "vn_dispatch_parser.fields.references", "vn_dispatch_parser.fields.marks", "vn_dispatch_parser.core.esign",
    "vn_dispatch_parser.scan.incoming_stamp", "vn_dispatch_parser.core.fsutil", "vn_dispatch_parser.outputs.export",
    "vn_dispatch_parser.core.orthography", "vn_dispatch_parser.document.review", "vn_dispatch_parser.core.lines",
    "vn_dispatch_parser.core.types", "vn_dispatch_parser.outputs.ocrmypdf_plugin", "vn_dispatch_parser.image.digits",
    "vn_dispatch_parser.document.corroborate", "vn_dispatch_parser.core.names", "vn_dispatch_parser.core.lexicon",
    "vn_dispatch_parser.core.headings", "vn_dispatch_parser.document.reconcile",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, extraglobs={"Line": Line}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
