"""Company readings and vCard charsets, measured (no database).

1. How many companies sort under カ, with the sort key as it was (the reading folded, legal form
   and all) and as it is now (crm.common.text.company_sort_reading: legal form read aloud or
   abbreviated taken off, "-" between kana as ー), for each company list given: by default the
   shared EDINET filer list (its 提出者名（ヨミ） column, companies only) and the Japan Post slice
   in tests/fixtures; `--japan-post FILE` adds a full Japan Post style CSV (name, reading).
2. vCard parsing speed: N generated cards naming no charset in Windows-1251 (each card's
   encoding guessed) against the same cards in UTF-8, in the same process: cards/s and ratio.

    .venv/bin/python bench/readings_and_cards.py [--cards 20000] [--japan-post FILE]
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crm.common.text import company_sort_reading, fold_reading  # noqa: E402
from importers import vcard  # noqa: E402

EDINET = Path("/work/shared/data/companies/EdinetcodeDlInfo_cp932.csv")
SLICE = ROOT / "tests" / "fixtures" / "importers" / "japanpost_companies.csv"
LEGAL_NAMES = ("株式会社", "（株）", "有限会社", "（有）", "合同会社")


def edinet_readings(path: Path) -> list[str]:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp932"))))[2:]
    return [r[8] for r in rows if len(r) > 8 and "法人" in r[1] and r[8]]


def name_reading_pairs(path: Path) -> list[str]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[1:]
    return [r[1] for r in rows if len(r) > 1 and r[1] and any(f in r[0] for f in LEGAL_NAMES)]


def under_ka(label: str, readings: list[str]) -> None:
    before = sum(1 for r in readings if fold_reading(r).startswith("カ"))
    after = sum(1 for r in readings if company_sort_reading(r).startswith("カ"))
    print(f"{label:<34} {len(readings):>7,} companies   under カ: {before:>6,} before "
          f"({before / len(readings):5.1%})  {after:>6,} now ({after / len(readings):5.1%})")


def cards(n: int, charset: str) -> bytes:
    out = []
    for i in range(n):
        out.append(f"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Коваленко{i};Олена\r\nORG:Київський "
                   f"політехнічний інститут\r\nADR;WORK:;;проспект Перемоги, {i};Київ;;03056;"
                   f"Україна\r\nEMAIL;INTERNET:o{i}@kpi.example.ua\r\nEND:VCARD\r\n")
    return "".join(out).encode(charset)


def timed(data: bytes) -> float:
    start = time.perf_counter()
    rows, _encoding, _count = vcard.parse(data)
    elapsed = time.perf_counter() - start
    assert rows[-1].values["family_name"].startswith("Коваленко")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=20000)
    parser.add_argument("--japan-post", type=Path)
    args = parser.parse_args()
    if EDINET.exists():
        under_ka("EDINET filer list (shared data)", edinet_readings(EDINET))
    under_ka("Japan Post slice (fixture)", name_reading_pairs(SLICE))
    if args.japan_post:
        under_ka(f"Japan Post ({args.japan_post.name})", name_reading_pairs(args.japan_post))
    utf8, cp1251 = cards(args.cards, "utf-8"), cards(args.cards, "cp1251")
    timed(utf8[:20000])  # warm-up
    t_utf8 = min(timed(utf8) for _ in range(3))
    t_guess = min(timed(cp1251) for _ in range(3))
    print(f"vCard, {args.cards:,} cards: UTF-8 {args.cards / t_utf8:,.0f} cards/s; Windows-1251 "
          f"without CHARSET (guessed per card) {args.cards / t_guess:,.0f} cards/s; "
          f"ratio {t_guess / t_utf8:.2f}")


if __name__ == "__main__":
    main()
