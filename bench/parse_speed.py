"""Parsing speed of importers.read (no database): a generated company list, as CP932 CSV (what
Excel in Japan writes, with a title line before the header) and the same rows as .xlsx.

Prints rows/s and peak memory. Peak memory is measured with tracemalloc (Python allocations
while parsing; the input bytes are allocated before tracing starts) and the process's maximum
resident set size is printed at the end.

    .venv/bin/python bench/parse_speed.py [--rows 100000] [--repeat 3] [--no-xlsx]
"""
from __future__ import annotations

import argparse
import csv
import gc
import io
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import importers  # noqa: E402

HEADER = ["会社名", "会社名（フリガナ）", "英語名", "法人番号", "業種", "所在地", "ウェブサイト",
          "入会日", "会員種別", "備考"]
PREFIX = ["株式会社", "", "有限会社", "合同会社", ""]
SUFFIX = ["", "株式会社", "工業", "電機", "化学"]
WORDS = ["架空", "サンプル", "テスト", "東都", "西海", "北辰", "南光", "中央", "日本", "新星"]
KANA = ["カクウ", "サンプル", "テスト", "トウト", "サイカイ", "ホクシン", "ナンコウ", "チュウオウ"]
INDUSTRIES = ["電気機器", "化学", "医薬品", "情報・通信業", "機械", "食料品", "サービス業"]


def generate(rows: int, seed: int = 5) -> list[list[str]]:
    rnd = random.Random(seed)
    out = []
    for i in range(rows):
        name = f"{rnd.choice(PREFIX)}{rnd.choice(WORDS)}{rnd.choice(WORDS)}{i}{rnd.choice(SUFFIX)}"
        out.append([
            name, f"{rnd.choice(KANA)}{rnd.choice(KANA)}", f"Example {i} Co., Ltd.",
            f"{rnd.randrange(10**12, 10**13)}", rnd.choice(INDUSTRIES),
            f"東京都港区芝公園{rnd.randint(1, 4)}-{rnd.randint(1, 30)}-{rnd.randint(1, 20)}",
            f"https://example{i}.co.jp", f"{rnd.randint(2000, 2024)}/{rnd.randint(1, 12)}/"
            f"{rnd.randint(1, 28)}", rnd.choice(["正会員", "賛助会員", ""]),
            "" if i % 3 else "共同研究の実績あり、\n2024年度に更新",
        ])
    return out


def to_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["会員企業一覧（ベンチマーク用）"])
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode("cp932")


def to_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("企業")
    sheet.append(["会員企業一覧（ベンチマーク用）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def measure(label: str, data: bytes, filename: str, repeat: int) -> None:
    times = []
    peak = 0
    parsed = None
    for _ in range(repeat):
        parsed = None
        gc.collect()
        tracemalloc.start()
        start = time.perf_counter()
        parsed = importers.read(data, filename, "companies")
        elapsed = time.perf_counter() - start
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        times.append(elapsed)
    # tracemalloc slows allocation-heavy code down; time once more without it
    gc.collect()
    start = time.perf_counter()
    parsed = importers.read(data, filename, "companies")
    plain = time.perf_counter() - start
    n = len(parsed.rows)
    problems = sum(1 for r in parsed.rows if r.problems)
    print(f"{label:<14} {len(data) / 1e6:7.1f} MB  {n:>7} rows  "
          f"{plain:6.2f} s  {n / plain:>9,.0f} rows/s  (traced: best {min(times):.2f} s)  "
          f"peak {peak / 1e6:6.1f} MB  rows with problems: {problems}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-xlsx", action="store_true")
    args = parser.parse_args()
    rows = generate(args.rows)
    print(f"{args.rows:,} generated company rows, 10 columns, a title line before the header")
    measure("CSV (CP932)", to_csv(rows), "companies.csv", args.repeat)
    if not args.no_xlsx:
        measure("xlsx/calamine", to_xlsx(rows), "companies.xlsx", args.repeat)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max resident set size of the process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
