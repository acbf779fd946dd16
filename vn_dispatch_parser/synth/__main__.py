"""Command line: ``python -m vn_dispatch_parser.synth``.

Examples:
    python -m vn_dispatch_parser.synth --committed --out samples
    python -m vn_dispatch_parser.synth --out samples/generated --n 200 --seed 7 --levels clean,mild
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from vn_dispatch_parser.synth.degrade import ALL_LEVELS, LEVELS
from vn_dispatch_parser.synth.generate import committed_specs, generate, random_specs

__all__ = ["main"]

log = logging.getLogger("vn_dispatch_parser.synth")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m vn_dispatch_parser.synth",
        description="Render synthetic scans of Vietnamese administrative documents with exact truth.",
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--committed", action="store_true", help="regenerate the committed sample set (samples/)")
    p.add_argument("--n", type=int, default=20, help="number of random samples (default 20)")
    p.add_argument("--seed", type=int, default=7, help="seed of the random set (default 7)")
    p.add_argument("--levels", default=",".join(LEVELS), help="degradation levels, comma-separated (also 'photo': a page photographed on a desk)")
    p.add_argument("--only", default="", help="with --committed: only these file names (comma-separated)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the generator; returns the exit code (0 ok, 2 bad arguments)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    levels = tuple(x.strip() for x in args.levels.split(",") if x.strip())
    if not levels or any(x not in ALL_LEVELS for x in levels):
        log.error("--levels must be among %s", ",".join(ALL_LEVELS))
        return 2
    if args.committed:
        only = {x.strip() for x in args.only.split(",") if x.strip()}
        specs = [s for s in committed_specs() if not only or s.name in only]
    else:
        if args.n < 1:
            log.error("--n must be at least 1")
            return 2
        specs = random_specs(args.n, args.seed, levels)
    for spec in specs:
        path, truth = generate(spec, args.out)
        log.info(
            "%s  %d page(s), %d document(s), %s", path, truth["pages"], len(truth["documents"]), spec.level
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
