"""The cost of matching company names a Shift_JIS file wrote with lost characters (Führungsetage
GmbH exported to CP932 comes back as F?hrungsetage GmbH; crm/companies/importing.py's
CompanyIndex keeps a second key per name for them).

    .venv/bin/python bench/lost_name_keys.py [--names 50000]

Every import that names companies loads the index once (one key per company name, English name
and alias). Times, by turns in one process, the key the index already computed for each name
(fold_company_name) and the lost-characters key it now adds (fold_lost_name, stored=True), over
N names like bench/import_speed.py's (a share of them European names with umlauts, which CP932
cannot hold), and the file side's key for names holding "?". Prints µs per name and the ratio.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.import_speed import CORE, PREFIX  # noqa: E402
from crm.common.text import fold_company_name, fold_lost_name  # noqa: E402

EUROPEAN = ["Führungsetage GmbH", "Müller Maschinenbau AG", "Société Générale S.A.",
            "Łódź Elektronika Sp. z o.o.", "Škoda Transportation a.s.", "Ørsted A/S"]


def names(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        if rng.random() < 0.05:  # a twentieth abroad, most with a character CP932 lacks
            out.append(f"{rng.choice(EUROPEAN)} {i}")
        else:
            out.append(f"株式会社{rng.choice(PREFIX)}{rng.choice(CORE)}{i:05d}")
    return out


def timed(fn, values: list[str]) -> float:
    start = time.perf_counter()
    for value in values:
        fn(value)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=50_000)
    parser.add_argument("--turns", type=int, default=5)
    args = parser.parse_args()
    values = names(args.names)
    lossy = sum(fold_lost_name(v, stored=True) is not None for v in values)
    files = [v.replace("ü", "?").replace("ø", "?") for v in values]
    exact, stored, read = [], [], []
    for _turn in range(args.turns):
        exact.append(timed(fold_company_name, values))
        stored.append(timed(lambda v: fold_lost_name(v, stored=True), values))
        read.append(timed(lambda v: fold_lost_name(v, stored=False), files))
    best = {k: min(v) * 1e6 / args.names for k, v in
            (("exact", exact), ("stored", stored), ("read", read))}
    print(f"{args.names:,} names, {lossy:,} with a character CP932 cannot hold "
          f"(best of {args.turns} turns)")
    print(f"  exact key (fold_company_name)        {best['exact']:.2f} µs/name")
    print(f"  lost-characters key, stored name     {best['stored']:.2f} µs/name "
          f"({best['stored'] / best['exact']:.2f}× the exact key)")
    print(f"  lost-characters key, file's name     {best['read']:.2f} µs/name "
          f"({best['read'] / best['exact']:.2f}× the exact key)")


if __name__ == "__main__":
    main()
