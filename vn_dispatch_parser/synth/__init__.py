"""Synthetic scans of Vietnamese administrative documents with exact truth records.

Deterministic: the same seed gives byte-identical files. Command line:
``python -m vn_dispatch_parser.synth --help``. Library use::

    from vn_dispatch_parser.synth.generate import SampleSpec, generate
    from vn_dispatch_parser.synth.model import Features
    path, truth = generate(SampleSpec("cv.png", 1, "clean", "png", Features(kind="CV")), out_dir)

Stages: ``content`` (+ ``agencies``, ``body``) builds ``model.DocSpec`` from the seed and the
tables in ``data/``; ``layout`` (+ ``typeset``) places NĐ 30 components on A4 pages at 300 dpi;
``render`` draws them and ``marks`` (+ ``stamps``, ``handwriting``, ``ink``) adds the seal,
signature, stamps and hand-written values; ``degrade`` simulates the scan; ``output`` writes
PNG / JPEG / TIFF / PDF; ``generate`` ties them together and writes the truth.
"""

from __future__ import annotations

__all__: list[str] = []
