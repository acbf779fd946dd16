"""The shape of the package (issue 11): small modules, a short top level, one module that starts Tesseract.

``make lint`` checks the layers (import-linter) and function complexity (ruff C901, max 15); these tests check
what neither tool does, so a change that breaks the shape fails ``make test`` too.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "vn_dispatch_parser"
MAX_MODULE_LINES = 500  # a module one reader can hold in mind (issue 11)
MAX_TOP_LEVEL_MODULES = 12  # the rest lives in stage subpackages


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if ".venv" not in p.parts)


def test_no_module_above_500_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, long


def test_at_most_12_modules_at_the_top_level() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_one_module_starts_tesseract() -> None:
    """pytesseract (the subprocess path) is imported by ocr/tesseract.py alone; tesserocr (the C API) by ocr/capi.py."""
    users = {lib: sorted(str(p.relative_to(PACKAGE)) for p in _modules() if lib in _imported_modules(p))
             for lib in ("pytesseract", "tesserocr")}
    assert users == {"pytesseract": ["ocr/tesseract.py"], "tesserocr": ["ocr/capi.py"]}


def test_no_module_runs_the_tesseract_binary_itself() -> None:
    """No subprocess call names the tesseract binary outside the OCR seam."""
    offenders = []
    for p in _modules():
        if p.parent.name == "ocr":
            continue
        text = p.read_text(encoding="utf-8")
        if "subprocess" in text and '"tesseract"' in text:
            offenders.append(str(p.relative_to(PACKAGE)))
    assert not offenders, offenders


def test_no_import_cycle() -> None:
    """No module imports itself through others, counting imports made for type checking only."""
    import grimp  # import-linter's graph builder (dev extra)

    graph = grimp.build_graph("vn_dispatch_parser")
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        order[module] = low[module] = len(order)
        stack.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if other not in order:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], order[other])
        if low[module] == order[module]:
            component = [stack.pop()]
            while component[-1] != module:
                component.append(stack.pop())
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    assert not cycles, cycles
