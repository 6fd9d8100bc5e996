"""`python -m bench [NAME [ARGS…]]`: run one benchmark by name, or all of them in turn."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import checkout, ledger, pricing, reservations, search, store

BENCHMARKS: dict[str, Callable[[list[str]], int]] = {
    "ledger": ledger.main,
    "search": search.main,
    "store": store.main,
    "pricing": pricing.main,
    "reservations": reservations.main,
    "checkout": checkout.main,
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in {"-h", "--help"}:
        print(__doc__)
        print("benchmarks:", ", ".join(BENCHMARKS))
        return 0
    if argv:
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
            return 2
        return BENCHMARKS[name](rest)
    return max(run([]) for run in BENCHMARKS.values())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
