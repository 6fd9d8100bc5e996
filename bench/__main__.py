"""`python -m bench`: run every benchmark and print the figures for docs/benchmarks.md."""

from __future__ import annotations

import sys


def main() -> int:
    print("no benchmarks yet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
