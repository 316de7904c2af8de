"""researchmap import speed: N researchers (a JSON-lines export, 3 projects and 8 keywords each)
from preview (read + plan) to commit, and the same file again; against a peer run in the same
process: the same N researchers as a plain CSV of the "researchers" kind (no projects).

    .venv/bin/python bench/researchmap_import.py                  # 2,000 researchers, SQLite
    .venv/bin/python bench/researchmap_import.py --researchers 500 \
        --database-url postgresql+psycopg://postgres@127.0.0.1/kakehashi_bench

Prints seconds and researchers/s per phase, the ratio researchmap / CSV per phase, the seeds
and outbox rows written, and peak RSS. The index is left to a worker (CRM_INDEX_MODE=worker).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from import_speed import fresh_app  # noqa: E402  (an empty, migrated database)

FAMILY = [("山田", "ヤマダ", "Yamada"), ("佐藤", "サトウ", "Sato"), ("鈴木", "スズキ", "Suzuki"),
          ("高橋", "タカハシ", "Takahashi"), ("田中", "タナカ", "Tanaka"), ("伊藤", "イトウ", "Ito")]
GIVEN = [("太郎", "タロウ", "Taro"), ("花子", "ハナコ", "Hanako"), ("健", "ケン", "Ken"),
         ("美咲", "ミサキ", "Misaki"), ("翔", "ショウ", "Sho")]
WORDS = [("人工知能", "Artificial intelligence"), ("熱電変換", "Thermoelectric conversion"),
         ("偏微分方程式", "Partial differential equations"), ("触媒", "Catalysis"),
         ("ロボット", "Robotics"), ("蓄電池", "Batteries"), ("ゲノム編集", "Genome editing"),
         ("半導体", "Semiconductors"), ("材料科学", "Materials science"), ("農業", "Agriculture")]
SECTIONS = [("工学研究科", "Graduate School of Engineering"), ("理学研究科", "Graduate School of Science")]


def _lang(ja: str, en: str, kana: str | None = None) -> dict[str, str]:
    value = {"ja": ja, "en": en}
    if kana:
        value["ja-Kana"] = kana
    return value


def make_people(n: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    people = []
    for i in range(n):
        family, given = rng.choice(FAMILY), rng.choice(GIVEN)
        section = rng.choice(SECTIONS)
        people.append({"i": i, "family": family, "given": given, "section": section,
                       "words": rng.sample(WORDS, 4)})
    return people


def make_jsonl(people: list[dict]) -> bytes:
    lines = []
    for p in people:
        i = p["i"]
        lines.append({"insert": {"type": "researchers", "id": f"R{i:09d}"}, "merge": {
            "permalink": f"bench_{i}",
            "family_name": _lang(p["family"][0] + str(i), p["family"][2] + str(i), p["family"][1]),
            "given_name": _lang(*[p["given"][k] for k in (0, 2, 1)]),
            "affiliations": [{"affiliation": _lang("ベンチ大学", "Bench University"),
                              "section": _lang(*p["section"]), "job": _lang("教授", "Professor")}],
            "profile": _lang("<p>研究紹介</p>", "<p>About my research</p>")}})
        for n, (ja, en) in enumerate(p["words"]):
            lines.append({"insert": {"type": "research_interests", "id": f"{i}-{n}"},
                          "merge": {"keyword": _lang(ja, en)}})
        for n in range(3):
            ja, en = p["words"][n]
            lines.append({"insert": {"type": "research_projects", "id": f"{i}-p{n}"}, "merge": {
                "research_project_title": _lang(f"{ja}の研究 {i}-{n}", f"Study of {en} {i}-{n}"),
                "system_name": _lang("科学研究費助成事業", "Grants-in-Aid for Scientific Research"),
                "from_date": "2021-04", "to_date": "2024-03"}})
    return "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()


def make_csv(people: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓", "名", "姓フリガナ", "名フリガナ", "English name", "所属", "職名", "キーワード"])
    for p in people:
        i = p["i"]
        writer.writerow([f"別{p['family'][0]}{i}", p["given"][0], p["family"][1], p["given"][1],
                         f"{p['given'][2]} {p['family'][2]}{i}", p["section"][0], "教授",
                         "、".join(w[0] for w in p["words"])])
    return out.getvalue().encode("utf-8")


def run(services, db, unit_of_work, data: bytes, name: str, kind: str) -> dict[str, float]:
    times: dict[str, float] = {}
    started = time.perf_counter()
    parsed = services.read_file(data, name, kind)
    times["read"] = time.perf_counter() - started
    started = time.perf_counter()
    counts = services.plan(parsed, kind, "update").counts()
    times["plan"] = time.perf_counter() - started
    db.session.rollback()
    started = time.perf_counter()
    with unit_of_work("bench"):
        summary = services.commit(parsed, kind, "update")
    times["commit"] = time.perf_counter() - started
    db.session.remove()
    started = time.perf_counter()
    again = services.plan(services.read_file(data, name, kind), kind, "update").summary()
    times["re-import plan"] = time.perf_counter() - started
    db.session.rollback()
    print(f"  {kind}: plan {counts}; created {summary['created']:,}, rejected "
          f"{len(summary['rejected'])}; again: created {again['created']}, updated "
          f"{again['updated']}, unchanged {again['unchanged']:,}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--researchers", type=int, default=2000)
    parser.add_argument("--database-url", help="Default: a new SQLite file in a temp directory. "
                        "A PostgreSQL database is emptied first (its name must contain 'bench').")
    args = parser.parse_args()
    app, workdir = fresh_app("researchmap_bench_", args.database_url)
    from sqlalchemy import func, select

    from crm.extensions import db

    with app.app_context():
        from crm.common.services import unit_of_work
        from crm.imports import services
        from crm.outbox import IndexOutbox
        from crm.research.models import ResearchSeed
        from crm.research.services import save_department

        with unit_of_work("bench"):
            for ja, en in SECTIONS:
                save_department(None, {"name": ja, "name_en": en})
        people = make_people(args.researchers)
        jsonl, table = make_jsonl(people), make_csv(people)
        print(f"{args.researchers:,} researchers: researchmap JSON lines {len(jsonl) / 1e6:.1f} MB,"
              f" CSV {len(table) / 1e6:.1f} MB; database {db.engine.dialect.name}")
        peer = run(services, db, unit_of_work, table, "bench.csv", "researchers")
        outbox_before = db.session.scalar(select(func.count()).select_from(IndexOutbox))
        ours = run(services, db, unit_of_work, jsonl, "bench.jsonl", "researchmap")
        seeds = db.session.scalar(select(func.count()).select_from(ResearchSeed))
        outbox = db.session.scalar(select(func.count()).select_from(IndexOutbox)) - outbox_before
        print(f"  seeds created {seeds:,}; outbox rows written by the researchmap import {outbox:,}")
        print(f"  {'phase':<16}{'researchmap s':>15}{'CSV s':>10}{'ratio':>8}{'researchers/s':>15}")
        for phase in ours:
            ratio = ours[phase] / peer[phase] if peer[phase] else float("nan")
            print(f"  {phase:<16}{ours[phase]:15.2f}{peer[phase]:10.2f}{ratio:8.1f}"
                  f"{args.researchers / ours[phase]:15,.0f}")
        print(f"peak memory: ru_maxrss "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
