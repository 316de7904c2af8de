"""Screening quality on the real lists: recall on typed names, false positives on EDINET, speed.

    .venv/bin/python bench/screening_quality.py [--data /work/shared/data] [--show-fp 20]
    .venv/bin/python bench/screening_quality.py --screen-all instance/large.db

Issue 12 adds: a multi-script recall set (MULTI: Latin variants, katakana as the Japanese press
writes names, kanji/hanzi, Cyrillic, Arabic/Persian, Hangul; each a real listed name), clean
look-alikes (LOOKALIKES: real companies and universities close to listed names, which must not
be raised), every row of the EDINET code list (about 11,000 filers, not only the listed ones),
and --screen-all DB: `crm screen --all` on a database (the large demo) against the lists, with
companies per second and the peak memory of that process.

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
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crm.screening import evidence  # noqa: E402
from crm.screening.names import Entry, Matcher  # noqa: E402
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
#: Issue 12: real listed names as people write them in other scripts and spellings. The expected
#: value is every entry that is that party (the same party is on several lists).
PUTIN = {("sdn", "35096")}
MULTI: list[tuple[str, str | None, bool, set[tuple[str, str]], str]] = [
    # Cyrillic
    ("Владимир Путин", "RU", True, PUTIN, "Cyrillic"),
    ("Путин Владимир Владимирович", None, True, PUTIN, "Cyrillic, patronymic"),
    ("ПАО Сбербанк", "RU", False, {("sdn", "17018"), ("sdn", "18715")}, "Cyrillic"),
    ("Банк ВТБ (ПАО)", "RU", False, {("sdn", "17013")}, "Cyrillic, word order"),
    ("Сергей Лавров", None, True, {("sdn", "35233")}, "Cyrillic"),
    ("Игорь Сечин", None, True, {("sdn", "16692")}, "Cyrillic"),
    ("Эльвира Набиуллина", None, True, {("sdn", "35797")}, "Cyrillic"),
    ("Рамзан Кадыров", None, True, {("sdn", "23343")}, "Cyrillic"),
    ("Евгений Пригожин", None, True, {("sdn", "21171")}, "Cyrillic"),
    ("Концерн Калашников", None, False, {("sdn", "16911")}, "Cyrillic"),
    ("Рособоронэкспорт", None, False, {("meti-eul", "EUL690"), ("sdn", "18782")}, "Cyrillic"),
    ("Александр Лукашенко", None, True, {("sdn", "9760")}, "Cyrillic (Russian spelling)"),
    # Arabic and Persian
    ("صدام حسين التكريتي", None, True, {("un", "IQi.001")}, "Arabic (list's own script)"),
    ("عزت ابراهيم الدوري", None, True, {("un", "IQi.006")}, "Arabic (list's own script)"),
    ("هيئة تحرير الشام", None, False, {("un", "QDe.137")}, "Arabic (split UN alias)"),
    ("جبهة النصرة", None, False, {("un", "QDe.137")}, "Arabic (split UN alias)"),
    ("قاسم سليماني", None, True, {("sdn", "10481")}, "Arabic"),
    ("جلال الدين حقانى", None, True, {("un", "TAi.040")}, "Arabic/Pashto"),
    ("ماهان ایر", "IR", False, {("sdn", "12927")}, "Persian"),
    # Hangul
    ("조선광업개발무역회사", None, False, {("sdn", "9345"), ("un", "KPe.001")}, "Hangul"),
    ("단천상업은행", None, False, {("sdn", "9346"), ("meti-eul", "EUL400")}, "Hangul"),
    ("대동신용은행", None, False, {("sdn", "16085"), ("meti-eul", "EUL270")}, "Hangul"),
    ("고려항공", None, False, {("meti-eul", "EUL262")}, "Hangul"),
    ("김정은", None, True, {("sdn", "20157")}, "Hangul"),
    # katakana as the Japanese press writes them
    ("ウラジーミル・プーチン", None, True, PUTIN, "katakana"),
    ("マハン航空", None, False, {("sdn", "12927")}, "katakana + 航空"),
    ("ズベルバンク・ヨーロッパ", None, False, {("sdn", "18716")}, "katakana"),
    ("アスコテック・ジャパン", None, False, {("sdn", "11609")}, "katakana"),
    ("セルゲイ・ラブロフ", None, True, {("sdn", "35233")}, "katakana"),
    ("セルゲイ・ショイグ", None, True, {("sdn", "35173")}, "katakana"),
    ("ラムザン・カディロフ", None, True, {("sdn", "23343")}, "katakana"),
    ("イーゴリ・セーチン", None, True, {("sdn", "16692")}, "katakana"),
    ("エフゲニー・プリゴジン", None, True, {("sdn", "21171")}, "katakana"),
    ("ハヤト・タハリール・アル・シャーム", None, False, {("un", "QDe.137")}, "katakana"),
    ("カラシニコフ・コンツェルン", None, False, {("sdn", "16911")}, "katakana"),
    ("カセム・ソレイマニ", None, True, {("sdn", "10481")}, "katakana"),
    # kanji / hanzi
    ("珠海振戎公司", "CN", False, {("sdn", "27063")}, "hanzi (pinyin)"),
    ("弗拉基米尔·普京", None, True, PUTIN, "hanzi (a foreign name)"),
    ("朝鮮鉱業開発貿易会社", None, False, {("sdn", "9345"), ("un", "KPe.001")}, "kanji (translated)"),
    ("伊朗航空", None, False, {("sdn", "25237")}, "hanzi (translated)"),
    ("马汉航空", None, False, {("sdn", "12927")}, "hanzi (pinyin + translated)"),
    ("朝鮮光星貿易会社", None, False, {("meti-eul", "EUL311")}, "kanji (list's own)"),
    ("端川商業銀行", None, False, {("meti-eul", "EUL400")}, "kanji (list's own)"),
    # Latin spellings
    ("Wladimir Putin", None, True, PUTIN, "German W"),
    ("Vladimir Poutine", None, True, PUTIN, "French ou"),
    ("Vladimir V. Putin", None, True, PUTIN, "initial"),
    ("Putin Vladimir", None, True, PUTIN, "word order, patronymic dropped"),
    ("Mahan Airlines", None, False, {("sdn", "12927")}, "Airlines ~ Air"),
    ("Hay'at Tahrir al-Sham", None, False, {("un", "QDe.137")}, "split UN alias"),
    ("Jabhat al-Nusrah", None, False, {("un", "QDe.137")}, "split UN alias"),
    ("Sergej Lawrow", None, True, {("sdn", "35233")}, "German transliteration"),
    ("Kassem Soleimani", None, True, {("sdn", "10481")}, "spelling"),
    ("Kim Jong-un", None, True, {("sdn", "20157")}, "hyphen"),
    ("Sberbank Europe", None, False, {("sdn", "18716")}, "legal form dropped"),
    ("Ramzan Kadyrov", None, True, {("sdn", "23343")}, "patronymic dropped"),
]

#: Issue 12: real companies and universities whose names are close to listed ones (clean).
LOOKALIKES: list[tuple[str, str | None]] = [
    ("株式会社エイコー", "JP"), ("株式会社栄光", "JP"), ("Korean Air Lines", "KR"),
    ("대한항공", "KR"), ("Air Canada", "CA"), ("Korea Development Bank", "KR"),
    ("한국산업은행", "KR"), ("Korea Aerospace Industries", "KR"), ("고려대학교", "KR"),
    ("高麗大学校", "KR"), ("朝日航空株式会社", "JP"), ("金沢大学", "JP"),
    ("Tokyo Institute of Technology", "JP"), ("Putnam Investments", "US"),
    ("プーマ ジャパン株式会社", "JP"), ("Ascott Japan", "JP"), ("アスコット・ジャパン", "JP"),
    ("VTG AG", "DE"), ("Sparebank 1", "NO"), ("Яндекс", "RU"), ("Ростелеком", "RU"),
    ("Tsinghua University", "CN"), ("中国東方航空", "CN"), ("東邦銀行", "JP"),
    ("新光商事株式会社", "JP"), ("Mahindra Aerospace", "IN"), ("Sumitomo Mitsui Banking", "JP"),
    ("三井住友銀行", "JP"), ("Kalbe Farma", "ID"), ("Vladivostok Air", "RU"),
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
            names = [e.name] + e.aliases
            entries.append(Entry(ref=(kind, e.entry_id), names=names, entry_type=e.entry_type,
                                 countries=evidence.entry_countries(
                                     names, e.countries, e.remarks, e.entry_type),
                                 jp_numbers=frozenset(evidence.jp_numbers(e.remarks)),
                                 outside=evidence.OUTSIDE.get(kind)))
    return entries


class Filer(NamedTuple):
    ja: str
    en: str
    number: str | None
    #: an individual (提出者種別 個人...) is screened as a person, like a contact
    person: bool
    #: JP for a domestic filer (内国法人), None for a foreign one (the file gives no country)
    country: str | None


def edinet_companies(data: Path, listed_only: bool = True) -> list[Filer]:
    """The EDINET filers: names, corporate number, and what kind of filer."""
    text = (data / "companies/EdinetcodeDlInfo_cp932.csv").read_bytes().decode("cp932")
    rows = csv.DictReader(io.StringIO(text.split("\n", 1)[1]))
    return [Filer(r["提出者名"], r["提出者名（英字）"], (r.get("提出者法人番号") or "").strip() or None,
                  r["提出者種別"].startswith("個人"), _filer_country(r))
            for r in rows if not listed_only or (r.get("証券コード") or "").strip()]


def _filer_country(row: dict) -> str | None:
    """JP for a domestic company or a resident; a foreign filer's country from its address
    (アメリカ合衆国..., 英国...), as the CRM would hold it; None when the address names none."""
    kind = row["提出者種別"]
    if kind.startswith("内国") or (kind.startswith("個人") and "非居住者" not in kind):
        return "JP"
    return evidence.address_country(row["所在地"])


def screen_filer(matcher: Matcher, f: Filer, threshold: float) -> list:
    return matcher.search([n for n in (f.ja, f.en) if n], country=f.country, person=f.person,
                          threshold=threshold, corporate_number=f.number)


def matcher_alone(db: Path, sample: int) -> tuple[int, float, float]:
    """The matcher alone on the database's first `sample` companies and their contacts: the
    same searches `crm screen --all` makes (company names; each contact's names as a person),
    without its cache, its rows and its writes. Returns (companies, seconds, CPU seconds)."""
    import os

    os.environ["DATABASE_URL"] = f"sqlite:///{db.resolve()}"
    from sqlalchemy import select

    from crm import create_app
    from crm.extensions import db as sa
    from crm.screening import services

    app = create_app()
    with app.app_context():
        m, _ = services.matcher()
        limit = services.threshold()
        companies = [services.CompanyNames(*r) for r in sa.session.execute(
            select(*services._COMPANY_COLUMNS).order_by(services.Company.id).limit(sample))]
        contacts: dict[int, list] = {}
        for r in sa.session.execute(select(*services._CONTACT_COLUMNS).where(
                services.Contact.company_id.in_([c.id for c in companies]))):
            contacts.setdefault(r[0], []).append(services.ContactNames(*r[1:]))
        start, cpu = time.perf_counter(), time.process_time()
        for c in companies:
            m.search(services._company_names(c), country=c.country, threshold=limit,
                     corporate_number=c.corporate_number)
            for person in contacts.get(c.id, []):
                m.search(services._contact_names(person), country=c.country, person=True,
                         threshold=limit)
        return len(companies), time.perf_counter() - start, time.process_time() - cpu


def screen_all(db: Path, sample: int) -> None:
    """`crm screen --all` on a database (lists imported beforehand; it writes its screenings
    there): companies per second and the peak memory (max RSS) of that process, next to the
    matcher alone in this process on a sample of the same companies."""
    import json
    import os
    import resource
    import sqlite3
    import subprocess

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{db.resolve()}")
    with sqlite3.connect(db) as con:
        count = "{:,} companies, {:,} contacts".format(
            *(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("companies", "contacts")))
    n_alone, took_alone, cpu_alone = matcher_alone(db, sample)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([str(root / ".venv/bin/crm"), "screen", "--all", "--json"], env=env,
                         capture_output=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if out.returncode:
        print(out.stderr.decode()[-2000:])
        sys.exit(out.returncode)
    result = json.loads(out.stdout)
    n = len(result["companies"])
    flagged = sum(1 for c in result["companies"] if c["hits"])
    possible = sum(1 for c in result["companies"] if c["possible"] and not c["hits"])
    review = sum(1 for c in result["companies"] if c.get("review"))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"database {db}: {count}; load average {load}")
    print(f"matcher alone (this process, first {n_alone:,} companies with their contacts, no "
          f"cache, no writes): {n_alone / took_alone:,.1f} companies/s, "
          f"{n_alone / cpu_alone:,.1f} per CPU second")
    print(f"crm screen --all (its own process: lists read, contacts, search cache, screenings "
          f"and hits written, a commit per 1,000 companies): {n:,} companies in {took:,.0f} s "
          f"= {n / took:,.1f} companies/s, {n / cpu:,.1f} per CPU second (matcher build "
          f"included); peak memory (max RSS) {peak:,.0f} MB")
    print(f"  {flagged:,} with hits, {possible:,} more with possible matches only, {review:,} "
          f"needing review; screen --all / matcher alone = "
          f"{(n / took) / (n_alone / took_alone):.2f} (per CPU second "
          f"{(n / cpu) / (n_alone / cpu_alone):.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--show-fp", type=int, default=15, help="list this many flagged companies")
    ap.add_argument("--screen-all", type=Path, metavar="DB",
                    help="only time `crm screen --all` on this SQLite database (it writes its "
                         "screenings there), next to the matcher alone")
    ap.add_argument("--sample", type=int, default=2000,
                    help="companies the matcher alone is timed on (default 2,000)")
    args = ap.parse_args()
    if args.screen_all:
        screen_all(args.screen_all, args.sample)
        return

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

    multi = []
    for name, country, person, expected, how in MULTI:
        hits = matcher.search([name], country=country, person=person, threshold=low, limit=50)
        found = max((c.score for c in hits if c.ref in expected), default=0.0)
        multi.append((name, how, expected, found))
    looks = []
    for name, country in LOOKALIKES:
        hits = matcher.search([name], country=country, threshold=low)
        looks.append((name, hits[0] if hits else None))

    companies = edinet_companies(args.data)
    timings, flagged = [], []
    for f in companies:
        start = time.perf_counter()
        hits = screen_filer(matcher, f, low)
        timings.append((time.perf_counter() - start) * 1000)
        if hits:
            flagged.append((f.ja, f.en, hits[0]))

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

    everyone = edinet_companies(args.data, listed_only=False)
    flagged_all = []
    for f in everyone:
        hits = screen_filer(matcher, f, low)
        if hits:
            flagged_all.append((f.ja, f.en, hits[0]))
    print(f"\nissue 12: multi-script recall set {len(multi)} names; {len(LOOKALIKES)} clean "
          f"look-alikes; all {len(everyone):,} EDINET filers")
    print(f"{'threshold':>9}  {'multi-script recall':>19}  {'look-alikes raised':>18}  "
          f"{'EDINET (all) flagged':>20}")
    for t in THRESHOLDS:
        found = sum(1 for r in multi if r[3] >= t)
        raised = sum(1 for _, c in looks if c is not None and c.score >= t)
        fp = sum(1 for f in flagged_all if f[2].score >= t)
        print(f"{t:>9.2f}  {found:>3}/{len(multi)} {100 * found / len(multi):5.1f} %      "
              f"{raised:>3}/{len(LOOKALIKES)}            {fp:>5} "
              f"{100 * fp / len(everyone):6.3f} %")
    print("\nmulti-script names missed or weak (score < 0.90):")
    for name, how, expected, score in multi:
        if score < 0.90:
            print(f"  {score:.3f}  {name!r} ({how}) -> {sorted(expected)}")
    print("\nlook-alikes with a candidate:")
    for name, c in looks:
        if c is not None:
            print(f"  {c.score:.3f}  {name}  ~  {c.ref[0]} {c.ref[1]} {c.matched_name!r} "
                  f"({c.how})")
    print(f"\nall EDINET filers flagged at {low:.2f} or more (top {args.show_fp}):")
    for ja, en, c in sorted(flagged_all, key=lambda f: -f[2].score)[:args.show_fp]:
        print(f"  {c.score:.3f} (names {c.name_score:.3f}{', ' if c.reasons else ''}"
              f"{', '.join(c.reasons)})  {ja} / {en}  ~  {c.ref[0]} {c.ref[1]} "
              f"{c.matched_name!r} ({c.how}: {c.query_key!r} ~ {c.matched_key!r}) "
              f"{sorted(c.entry.countries)}")

    print("\nmissed or weak (score < 0.90):")
    for name, how, expected, score in results:
        if score < 0.90 and name not in CONTROLS:
            print(f"  {score:.3f}  {name!r} ({how}) -> {expected}")
    print(f"\nEDINET companies flagged at {low:.2f} or more (top {args.show_fp} by score):")
    for ja, en, c in sorted(flagged, key=lambda f: -f[2].score)[:args.show_fp]:
        print(f"  {c.score:.3f}  {ja} / {en}  ~  {c.ref[0]} {c.ref[1]} {c.matched_name!r}")


if __name__ == "__main__":
    main()
