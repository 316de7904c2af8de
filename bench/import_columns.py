"""Files without a header row and the lost-characters check, against their peers in one process.

    .venv/bin/python bench/import_columns.py            # 100,000 rows
    .venv/bin/python bench/import_columns.py --rows 20000

1. importers.read of the same N company rows with a header row, and without one (mapped by
   column letter, as `crm import --map "B=name"` does): rows/s of each and the ratio (the
   headerless detection looks at the first 20 rows only, so the ratio should be ~1).
2. The plan's per-value comparison of a re-imported CP932 export, where a value differs from the
   stored one: `_same` alone (what every differing value cost before) against `_same` plus
   `lost_characters` (the check that keeps F?hrungsetage from overwriting Führungsetage),
   values/s and the ratio, on values with a "?" where the stored one has ü, and on ordinary
   updates (no "?").
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _rows(n: int) -> list[list[str]]:
    return [[str(1000 + i), f"株式会社テスト{i}", f"テスト{i}", "製造業", f"{i % 47 + 1}-1-1 東京都"]
            for i in range(n)]


def _csv(rows: list[list[str]], header: list[str] | None) -> bytes:
    lines = ([",".join(header)] if header else []) + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _time(func, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _pair(first, second, repeat: int = 3) -> tuple[float, float]:
    """Best times of two functions run by turns (a busy machine slows both alike)."""
    a = b = float("inf")
    for turn in range(repeat * 2):
        if turn % 2:
            a = min(a, _time(first, 1))
        else:
            b = min(b, _time(second, 1))
    return a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    import importers
    from crm.imports.services import _same, lost_characters

    rows = _rows(args.rows)
    with_header = _csv(rows, ["社内番号", "会社名", "会社名フリガナ", "業種", "所在地"])
    without = _csv(rows, None)
    mapping = {"A": "", "B": "name", "C": "name_reading", "D": "industry", "E": "address"}
    headed, headless = _pair(lambda: importers.read(with_header, "h.csv", "companies"),
                             lambda: importers.read(without, "n.csv", "companies",
                                                    mapping=mapping))
    parsed = importers.read(without, "n.csv", "companies", mapping=mapping)
    assert parsed.headerless and len(parsed.rows) == args.rows
    print(f"read {args.rows:,} rows: with a header {args.rows / headed:,.0f} rows/s, "
          f"without (mapped by letter) {args.rows / headless:,.0f} rows/s, "
          f"ratio {headless / headed:.2f}")

    stored = [f"Führungsetage {i}" for i in range(args.rows)]
    lost = [f"F?hrungsetage {i}" for i in range(args.rows)]
    ordinary = [f"Vorstand {i}" for i in range(args.rows)]
    for label, incoming in (("lost (F?hrungsetage)", lost), ("ordinary update", ordinary)):
        pairs = list(zip(stored, incoming))
        before, after = _pair(lambda: [_same(o, n) for o, n in pairs],
                              lambda: [_same(o, n) or lost_characters(o, n) for o, n in pairs])
        print(f"compare {label}: _same {len(pairs) / before:,.0f} values/s, with lost_characters "
              f"{len(pairs) / after:,.0f} values/s, ratio {after / before:.2f}")


if __name__ == "__main__":
    main()
