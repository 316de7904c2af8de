"""Screening quality on the real lists: recall on typed names, false positives on EDINET, speed.

    .venv/bin/python bench/screening_quality.py [--data /work/shared/data] [--show-fp 20]

Reads the real list samples (SDN, UN, CSL, DPL, METI EUL names) with importers/screening.py,
builds the same matcher the CRM uses (crm/screening/names.py), then
- recall: ~60 listed names written the way a user types them (other case, spacing, legal form
  added or removed, Japanese name, alias, word order, a typo), each with the entry it must find;
- false positives: the ~3,900 listed Japanese companies of the EDINET code list (提出者名 and
  提出者名（英字）, country JP) screened against all lists: a company with any hit is counted;
- speed: median and 95th percentile ms to screen one company (both names) against all lists;
at several thresholds, so the default can be chosen on the trade-off.
"""
from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm.screening.names import Entry, Matcher, country_codes  # noqa: E402
from importers.screening import parse  # noqa: E402

LISTS = [("sdn", "screening/ofac_sdn_2024-05-03.csv"),
         ("un", "screening/test_testdata_UN_consolidated.xml"),
         ("csl", "screening/test_testdata_csl.csv"),
         ("csl", "screening/internal_cslustest_testdata_consolidated.csv"),
         ("dpl", "screening/test_testdata_dpl.txt"),
         ("meti-eul", "screening/meti_end_user_list_names.csv")]

#: (typed name, country or None, person?, expected (list kind, entry id), how it was typed)
QUERIES: list[tuple[str, str | None, bool, tuple[str, str], str]] = [
    # METI End User List: Japanese names as written in the list, and English variants
    ("金日成総合大学", None, False, ("meti-eul", "EUL290"), "Japanese name"),
    ("金策製鉄所", None, False, ("meti-eul", "EUL288"), "Japanese name"),
    ("朝鮮中央銀行", None, False, ("meti-eul", "EUL268"), "Japanese name"),
    ("高麗航空", None, False, ("meti-eul", "EUL262"), "Japanese name"),
    ("国防科学院", None, False, ("meti-eul", "EUL261"), "Japanese name"),
    ("端川商業銀行", None, False, ("meti-eul", "EUL400"), "Japanese alias"),
    ("朝鮮九月山貿易会社", None, False, ("meti-eul", "EUL309"), "Japanese alias"),
    ("鴨緑江開発銀行", None, False, ("meti-eul", "EUL263"), "Japanese name"),
    ("Air Koryo", "KP", False, ("meti-eul", "EUL262"), "case"),
    ("Kim Chaek University of Technology", None, False, ("meti-eul", "EUL289"), "case"),
    ("Korea Kuwolsan Trading Company", None, False, ("meti-eul", "EUL309"), "legal form"),
    ("Tanchon Commercial Bank Co., Ltd.", None, False, ("meti-eul", "EUL400"), "legal form added"),
    ("Changgwang Credit Bank", None, False, ("meti-eul", "EUL400"), "alias"),
    ("DES International Company Limited", None, False, ("meti-eul", "EUL6"), "legal form"),
    ("Techno Lab", None, False, ("meti-eul", "EUL651"), "spacing"),
    ("Pars Aviation Services", "IR", False, ("meti-eul", "EUL164"), "legal form removed"),
    ("Abzar Boresh Kaveh", None, False, ("meti-eul", "EUL32"), "legal form removed"),
    ("Advanced Engineering Research Organisation", None, False, ("meti-eul", "EUL536"),
     "spelling variant"),
    ("Odyssey General Trading", None, False, ("meti-eul", "EUL16"), "legal form removed"),
    ("ＲＯＳＯＢＯＲＯＮＥＸＰＯＲＴ", None, False, ("meti-eul", "EUL690"), "full width"),
    ("Miass Machine Building Factory", None, False, ("meti-eul", "EUL706"), "punctuation"),
    ("Paktech Engineers", "PK", False, ("meti-eul", "EUL606"), "case"),
    ("Digital Media Lab", None, False, ("meti-eul", "EUL66"), "acronym dropped"),
    # OFAC SDN
    ("Banco Nacional de Cuba", "CU", False, ("sdn", "306"), "case"),
    ("BNC", None, False, ("sdn", "306"), "alias (acronym)"),
    ("Caribex", None, False, ("sdn", "751"), "alias"),
    ("Tariq Gidar Group", None, False, ("sdn", "19950"), "case"),
    ("The Asian Tigers", None, False, ("sdn", "19950"), "alias"),
    ("Syrian Military Intelligence Directorate", "SY", False, ("sdn", "12743"), "case"),
    ("Sierra Vista Trading Ltd.", None, False, ("sdn", "39281"), "legal form abbreviated"),
    ("Agat Electromechanical Plant", None, False, ("sdn", "33411"), "legal form removed"),
    ("VFC Solutions Limited", None, False, ("sdn", "40490"), "legal form spelled out"),
    ("OOO Konstanta", "RU", False, ("sdn", "33016"), "legal form moved"),
    ("Constanta LLC", None, False, ("sdn", "33016"), "alias + legal form"),
    ("Eko Shipping LLC", None, False, ("sdn", "48882"), "legal form abbreviated"),
    ("Andrey Igorevich Melnichenko", "RU", True, ("sdn", "38238"), "word order (person)"),
    ("Dzmitry Paulichenka", None, True, ("sdn", "9768"), "word order, middle name dropped"),
    ("Vahid Mohammad Naser Majid", None, True, ("sdn", "39436"), "word order (person)"),
    ("Umar Talib Zughayr al Rawi", None, True, ("sdn", "26697"), "word order, punctuation"),
    ("Stop Imperialism Global Information Agency", None, False, ("sdn", "36139"),
     "punctuation"),
    ("Rosoboroneksport", None, False, ("sdn", "18782"), "transliteration"),
    ("Sino Bright Import and Export", None, False, ("sdn", "18782"), "control: not this"),
    # UN consolidated list
    ("Forces Democratiques de Liberation du Rwanda", None, False, ("un", "CDe.005"), "case"),
    ("FDLR", None, False, ("un", "CDe.005"), "alias (acronym)"),
    ("Combatant Force for the Liberation of Rwanda", None, False, ("un", "CDe.005"), "alias"),
    ("Ministry of Atomic Energy Industry", "KP", False, ("un", "KPe.027"), "case"),
    ("Organization and Guidance Department", None, False, ("un", "KPe.052"),
     "acronym dropped"),
    ("Han Jang-Su", None, True, ("un", "KPi.055"), "hyphen"),
    ("Chang Su Han", None, True, ("un", "KPi.055"), "alias, word order"),
    ("Mun Chong Chol", None, True, ("un", "KPi.012"), "alias, punctuation"),
    ("Gaziev Tarkhan", None, True, ("un", "QDi.366"), "word order, name dropped"),
    ("Omar Hammami", None, True, ("un", "SOi.010"), "case"),
    ("Abdul Manan Niazi", "AF", True, ("un", "TAi.097"), "alias"),
    ("Ahmad Derakhshandeh", "IR", True, ("un", "IRi.013"), "case"),
    ("Islamic Salvation Foundation", None, False, ("un", "QDe.004"), "case"),
    # US Consolidated Screening List
    ("GCH and Sons Co", None, False, ("csl", "16794"), "alias, legal form"),
    ("Gazprombank (Switzerland) Limited", "CH", False, ("csl", "20312"), "legal form"),
    ("Gazprom Transgaz Yugorsk LLC", "RU", False, ("csl", "19469"), "legal form swapped"),
    ("RT Auto", "RU", False, ("csl", "18778"), "alias, punctuation"),
    ("Al-Akhtar Trust Intl", None, False, ("csl", "7946"), "abbreviation"),
    ("Advanced Information & Communication Technology Center", "IR", False, ("csl", "15098"),
     "ampersand"),
    ("Ahmad Yousef Abu Halabiyye", None, True, ("csl", "9666"), "word order"),
]
# A control: 'Sino Bright ...' is not Rosoboronexport; it must NOT find that entry.
CONTROLS = {"Sino Bright Import and Export"}

THRESHOLDS = (0.80, 0.84, 0.86, 0.88, 0.90, 0.92)


def load_entries(data: Path) -> list[Entry]:
    entries = []
    for kind, rel in LISTS:
        path = data / rel
        parsed = parse(kind, path.read_bytes(), path.name)
        for e in parsed.entries:
            entries.append(Entry(ref=(kind, e.entry_id), names=[e.name] + e.aliases,
                                 entry_type=e.entry_type, countries=country_codes(e.countries)))
    return entries


def edinet_companies(data: Path) -> list[tuple[str, str]]:
    text = (data / "companies/EdinetcodeDlInfo_cp932.csv").read_bytes().decode("cp932")
    rows = csv.DictReader(io.StringIO(text.split("\n", 1)[1]))
    return [(r["提出者名"], r["提出者名（英字）"]) for r in rows if (r.get("証券コード") or "").strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--show-fp", type=int, default=15, help="list this many flagged companies")
    args = ap.parse_args()

    t0 = time.perf_counter()
    entries = load_entries(args.data)
    matcher = Matcher(entries)
    print(f"lists: {len(entries):,} entries, {len(matcher.key_text):,} name keys; "
          f"parsed and indexed in {time.perf_counter() - t0:.1f} s")

    low = min(THRESHOLDS)
    results = []
    for name, country, person, expected, how in QUERIES:
        hits = matcher.search([name], country=country, person=person, threshold=low, limit=50)
        found = next((c.score for c in hits if c.ref == expected), 0.0)
        results.append((name, how, expected, found))

    companies = edinet_companies(args.data)
    timings, flagged = [], []
    for ja, en in companies:
        start = time.perf_counter()
        hits = matcher.search([n for n in (ja, en) if n], country="JP", threshold=low)
        timings.append((time.perf_counter() - start) * 1000)
        if hits:
            flagged.append((ja, en, hits[0]))

    positives = [r for r in results if r[0] not in CONTROLS]
    print(f"\nrecall set: {len(positives)} typed names (+{len(CONTROLS)} control); "
          f"false-positive set: {len(companies):,} listed EDINET companies")
    print(f"{'threshold':>9}  {'recall':>14}  {'controls ok':>11}  {'EDINET flagged':>16}")
    for t in THRESHOLDS:
        found = sum(1 for r in positives if r[3] >= t)
        controls = sum(1 for r in results if r[0] in CONTROLS and r[3] < t)
        fp = sum(1 for f in flagged if f[2].score >= t)
        print(f"{t:>9.2f}  {found:>3}/{len(positives)} {100 * found / len(positives):5.1f} %  "
              f"{controls:>5}/{len(CONTROLS)}    {fp:>5} {100 * fp / len(companies):5.2f} %")
    print(f"\nspeed: screening one company (2 names) against all lists: median "
          f"{statistics.median(timings):.1f} ms, p95 "
          f"{sorted(timings)[int(len(timings) * 0.95)]:.1f} ms")

    print("\nmissed or weak (score < 0.90):")
    for name, how, expected, score in results:
        if score < 0.90 and name not in CONTROLS:
            print(f"  {score:.3f}  {name!r} ({how}) -> {expected}")
    print(f"\nEDINET companies flagged at {low:.2f} or more (top {args.show_fp} by score):")
    for ja, en, c in sorted(flagged, key=lambda f: -f[2].score)[:args.show_fp]:
        print(f"  {c.score:.3f}  {ja} / {en}  ~  {c.ref[0]} {c.ref[1]} {c.matched_name!r}")


if __name__ == "__main__":
    main()
