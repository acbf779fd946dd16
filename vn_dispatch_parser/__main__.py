"""``python -m vn_dispatch_parser``: the ``vn-dispatch`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    main()
