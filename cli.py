"""Run the ``vn-dispatch`` command from a checkout: ``python cli.py parse FILE`` works like ``vn-dispatch``."""

from __future__ import annotations

from vn_dispatch_parser.cli import main

if __name__ == "__main__":
    main()
