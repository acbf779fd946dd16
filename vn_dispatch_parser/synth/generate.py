"""Generate one sample file and its truth record, or whole sets (random or the committed one).

Every random choice flows from ``SampleSpec.seed`` through string-seeded ``random.Random``
instances (stable across processes and ``PYTHONHASHSEED``), so a spec always gives the same bytes
on the same fonts and library versions.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from vn_dispatch_parser.synth import tables
from vn_dispatch_parser.synth.content import build_file
from vn_dispatch_parser.synth.degrade import ALL_LEVELS, LEVELS, PHOTO, choose_dpi, choose_mode, degrade
from vn_dispatch_parser.synth.layout import layout_document
from vn_dispatch_parser.synth.model import DocSpec, Features
from vn_dispatch_parser.synth.output import FORMATS, MULTIPAGE, write_images
from vn_dispatch_parser.synth.render import render_document
from vn_dispatch_parser.synth.typeset import DocLayout

__all__ = ["TRUTH_KEYS", "SampleSpec", "committed_specs", "generate", "random_specs", "truth_document"]

#: Keys of a truth document, in order.
TRUTH_KEYS = (
    "issuer_parent",
    "issuer",
    "doc_type",
    "number",
    "symbol",
    "number_symbol",
    "place",
    "issued_date",
    "subject",
    "addressees",
    "recipients",
    "signer_authority",
    "signer_position",
    "signer_name",
    "urgency",
    "confidentiality",
    "incoming_stamp",
    "references",
    "has_seal",
    "page_start",
    "page_end",
    "full_text",
)


@dataclass
class SampleSpec:
    """One sample file to generate.

    Attributes:
        name: File name with extension (``cv_001_clean.png``); the extension must match ``fmt``.
        seed: Seed of every random choice.
        level: Degradation: ``clean``, ``mild``, ``heavy`` or ``photo``.
        fmt: ``png``, ``jpg``, ``tif`` or ``pdf``.
        features: What the documents must exercise.
        dpi: Output resolution (``None``: chosen by the level).
        mode: ``RGB``, ``L`` or ``1`` (``None``: chosen by the level).
        quality: JPEG quality for JPEG, TIFF and PDF pages.
        note: What the sample exercises (for the README table).
        turn: Turn page 1 by this many degrees (90, 180, 270), as a page fed the wrong way.
    """

    name: str
    seed: int
    level: str
    fmt: str
    features: Features = field(default_factory=Features)
    dpi: int | None = None
    mode: str | None = None
    quality: int = 80
    note: str = ""
    turn: int = 0


def truth_document(doc: DocSpec, layout: DocLayout, page_start: int) -> dict[str, Any]:
    """The truth record of one document (keys ``TRUTH_KEYS``)."""
    stamp = doc.marks.stamp
    record: dict[str, Any] = {
        "issuer_parent": doc.parent,
        "issuer": doc.issuer,
        "doc_type": doc.doc_type,
        "number": doc.number,
        "symbol": doc.symbol,
        "number_symbol": doc.number_symbol,
        "place": doc.place,
        "issued_date": doc.date.isoformat() if doc.date else None,
        "subject": doc.subject.rstrip(" ."),
        "addressees": list(doc.addressees),
        "recipients": list(doc.recipients),
        "signer_authority": doc.signer.authority,
        "signer_position": doc.signer.position,
        "signer_name": doc.signer.name,
        "urgency": doc.marks.urgency,
        "confidentiality": doc.marks.confidentiality,
        "incoming_stamp": None
        if stamp is None
        else {
            "receiver": stamp.receiver,
            "number": stamp.number,
            "date_text": stamp.date_text,
            "date": stamp.date.isoformat(),
        },
        "references": [
            {"type": r["type"], "number_symbol": r["number_symbol"], "date": r["date"]}
            for r in doc.references
        ],
        "has_seal": doc.marks.seal,
        "page_start": page_start,
        "page_end": page_start + len(layout.pages) - 1,
        "full_text": "\n".join(layout.lines),
    }
    assert tuple(record) == TRUTH_KEYS
    return record


def generate(spec: SampleSpec, out_dir: Path) -> tuple[Path, dict[str, Any]]:
    """Render, mark, degrade and write one sample with its truth beside it (``<file>.json``).

    Args:
        spec: What to generate.
        out_dir: Output folder (created if missing).

    Returns:
        The sample's path and its truth record.

    Raises:
        ValueError: Bad level or format, or content that never fits a single-page format.
    """
    if spec.level not in ALL_LEVELS or spec.fmt not in FORMATS or not spec.name.endswith(FORMATS[spec.fmt]):
        raise ValueError(f"bad spec {spec.name}: level={spec.level} fmt={spec.fmt}")
    for attempt in range(8):  # single-page formats: redraw the content until it fits one page
        tag = f"synth:{spec.seed}" + (f":retry{attempt}" if attempt else "")
        docs = build_file(random.Random(f"{tag}:content"), spec.features)
        layouts = [layout_document(doc, random.Random(f"{tag}:layout:{i}")) for i, doc in enumerate(docs)]
        if spec.fmt in MULTIPAGE or sum(len(lay.pages) for lay in layouts) == 1:
            break
    else:
        raise ValueError(f"{spec.name}: the content does not fit one page for a {spec.fmt} file")
    pages: list[Image.Image] = []
    truths: list[dict[str, Any]] = []
    for i, (doc, layout) in enumerate(zip(docs, layouts, strict=True)):
        truths.append(truth_document(doc, layout, len(pages) + 1))
        pages += render_document(doc, layout, random.Random(f"{tag}:marks:{i}"))
    scan = random.Random(f"synth:{spec.seed}:scan")
    dpi = spec.dpi or choose_dpi(spec.level, scan)
    mode = spec.mode or choose_mode(spec.level, scan)
    out = [
        degrade(p, spec.level, dpi, mode, scan, pages[k + 1] if k + 1 < len(pages) else None)
        for k, p in enumerate(pages)
    ]
    if spec.turn:
        out[0] = out[0].rotate(spec.turn, expand=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / spec.name
    write_images(out, path, spec.fmt, dpi, spec.quality)
    truth = {"file": spec.name, "pages": len(out), "degradation": spec.level, "documents": truths}
    Path(f"{path}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path, truth


def random_specs(n: int, seed: int, levels: tuple[str, ...] = LEVELS) -> list[SampleSpec]:
    """``n`` varied sample specs from one seed (names ``synth_<seed>_<i>_<level>.<ext>``).

    Single-page formats (PNG, JPEG) get one-page documents (no bundles).
    """
    specs = []
    for i in range(n):
        rng = random.Random(f"synth:{seed}:spec:{i}")
        level = levels[i % len(levels)] if rng.random() < 0.5 else rng.choice(levels)
        feats = Features(bundle=rng.random() < 0.12, draft=rng.random() < 0.06)
        fmt = rng.choices(["pdf", "tif", "jpg", "png"], [4, 2, 3, 1])[0]
        if level == PHOTO:  # a phone photo is a JPEG of one page
            fmt = "jpg"
        if fmt in {"png", "jpg"}:
            feats.pages = 1
            feats.bundle = False
        name = f"synth_{seed}_{i:05d}_{level}{FORMATS[fmt]}"
        specs.append(SampleSpec(name, seed * 100003 + i, level, fmt, feats))
    return specs


def committed_specs() -> list[SampleSpec]:
    """The committed sample set of ``samples/`` (``data/samples.yaml``)."""
    out = []
    for entry in tables.load("samples")["samples"]:
        feats = Features(**entry.get("features", {}))
        out.append(
            SampleSpec(
                name=str(entry["name"]),
                seed=int(entry["seed"]),
                level=str(entry["level"]),
                fmt=str(entry["format"]),
                features=feats,
                dpi=entry.get("dpi"),
                mode=entry.get("mode"),
                quality=int(entry.get("quality", 80)),
                note=str(entry.get("note", "")),
                turn=int(entry.get("turn", 0)),
            )
        )
    return out
