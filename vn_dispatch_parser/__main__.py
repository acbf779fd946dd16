"""``python -m vn_dispatch_parser``: the ``vn-dispatch`` command."""

from __future__ import annotations

from vn_dispatch_parser.cli import main

if __name__ == "__main__":
    main()
