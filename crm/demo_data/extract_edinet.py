"""Re-make edinet_extract.csv from the full EDINET code list (run by hand, not by the app).

    python -m crm.demo_data.extract_edinet /path/to/EdinetcodeDlInfo.csv

The source is Japan FSA's EDINET filer code list (EdinetcodeDlInfo.csv, CP932, one metadata line
before the header): public government data. Only domestic corporations (内国法人・組合) with a
corporate number are kept; private individuals, funds and foreign filers are left out. Industries a
university liaison office deals with are sampled: the best-known (largest capital) companies of each
plus a seeded random sample of the rest, so large and small firms both appear.
"""
from __future__ import annotations

import csv
import random
import sys
from collections import defaultdict
from pathlib import Path

#: Industry (TSE 33 sectors as EDINET names them) -> how many companies to keep.
QUOTAS = {
    "電気機器": 40, "化学": 32, "機械": 28, "医薬品": 22, "精密機器": 18, "輸送用機器": 18,
    "情報・通信業": 26, "食料品": 18, "非鉄金属": 8, "鉄鋼": 6, "ガラス・土石製品": 8,
    "金属製品": 6, "繊維製品": 6, "ゴム製品": 4, "建設業": 8, "電気・ガス業": 6,
    "サービス業": 12, "パルプ・紙": 3, "石油・石炭製品": 3, "水産・農林業": 3, "その他製品": 6,
    "卸売業": 4, "陸運業": 3,
}
COLUMNS = ["ＥＤＩＮＥＴコード", "上場区分", "資本金", "提出者名", "提出者名（英字）",
           "提出者名（ヨミ）", "所在地", "提出者業種", "証券コード", "提出者法人番号"]
HEADER = ["edinet_code", "listed", "capital_mjpy", "name", "name_en", "reading", "address",
          "industry", "securities_code", "corporate_number"]


def main(source: str, seed: int = 2025) -> None:
    lines = Path(source).read_text(encoding="cp932").splitlines()
    rows = [r for r in csv.DictReader(lines[1:])
            if r["提出者種別"] == "内国法人・組合" and r["提出者法人番号"].strip()]
    by_industry: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_industry[row["提出者業種"]].append(row)
    rng = random.Random(seed)
    picked = []
    for industry, quota in QUOTAS.items():
        ranked = sorted(by_industry[industry], key=lambda r: -int(r["資本金"] or 0))
        top = ranked[: quota // 2]
        rest = rng.sample(ranked[quota // 2:], quota - len(top))
        picked += sorted(top + rest, key=lambda r: r["ＥＤＩＮＥＴコード"])
    out = Path(__file__).with_name("edinet_extract.csv")
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for row in picked:
            writer.writerow([row[c] for c in COLUMNS])
    print(f"{len(picked)} rows -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
