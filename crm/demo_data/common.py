"""Building blocks shared by the small demo and the large benchmark set."""
from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from crm.common.text import nfkc
from crm.demo_data.names import FOREIGN_NAMES, JA_FAMILY, JA_GIVEN_FEMALE, JA_GIVEN_MALE, ascii_slug
from crm.demo_data.topics import FIELDS

EXTRACT = Path(__file__).with_name("edinet_extract.csv")

#: Readings of legal forms, left out of a company's reading by convention.
_FORM_READINGS = re.compile(
    r"(カブシキガイシャ|カブシキカイシャ|ユウゲンガイシャ|ゴウドウガイシャ|ゴウドウカイシャ|"
    r"イッパンシャダンホウジン|コウエキザイダンホウジン)"
)
_EN_FORM_WORDS = {"co", "ltd", "inc", "corp", "corporation", "company", "limited", "kk",
                  "holdings", "the", "group", "kabushiki", "kaisha", "gk"}


@dataclass(frozen=True)
class EdinetCompany:
    """One row of the EDINET extract, cleaned for display."""

    name: str
    name_en: str | None
    reading: str
    address: str
    industry: str
    listed: bool
    capital_mjpy: int
    securities_code: str | None
    corporate_number: str


def clean_name(name: str) -> str:
    """EDINET writes 株式会社　東芝 and ＮＴＴ株式会社; people type 株式会社東芝 and NTT株式会社."""
    return nfkc(name.replace("\u3000", ""))


def clean_reading(reading: str) -> str:
    return _FORM_READINGS.sub("", reading.replace("\u3000", "").replace(" ", "")) or reading


@cache
def edinet_companies() -> tuple[EdinetCompany, ...]:
    """The EDINET extract shipped with the package (see README.md for its provenance)."""
    with EXTRACT.open(encoding="utf-8", newline="") as fh:
        return tuple(
            EdinetCompany(
                name=clean_name(row["name"]),
                name_en=nfkc(row["name_en"]) or None,
                reading=clean_reading(row["reading"]),
                address=nfkc(row["address"]),
                industry=row["industry"],
                listed=row["listed"] == "上場",
                capital_mjpy=int(row["capital_mjpy"] or 0),
                securities_code=row["securities_code"][:4] or None,
                corporate_number=row["corporate_number"],
            )
            for row in csv.DictReader(fh)
        )


def company_size(c: EdinetCompany) -> str:
    if c.capital_mjpy >= 10_000 or (c.listed and c.capital_mjpy >= 3_000):
        return "large"
    return "sme"


def email_domain_slug(name_en: str | None, fallback: str) -> str:
    """A short ASCII label for a company's made-up mail domain (KYOCERA CORPORATION -> kyocera)."""
    words = [ascii_slug(w) for w in re.split(r"[\s,.&/-]+", name_en or "")]
    words = [w for w in words if w and w not in _EN_FORM_WORDS]
    return "-".join(words[:2]) if words else fallback


def corporate_number(base12: str) -> str:
    """A corporate number (法人番号) with its check digit in front of the 12 given digits."""
    total = sum(int(ch) * (1 if n % 2 else 2) for n, ch in enumerate(reversed(base12), start=1))
    return str(9 - total % 9) + base12


def new_corporate_number(rng: random.Random, taken: set[str]) -> str:
    """A valid corporate number not in taken (and added to it); made up, so likely nobody's."""
    while True:
        office, kind, serial = rng.randint(100, 9999), rng.randint(1, 4), rng.randint(0, 999999)
        base = f"{office:04d}{kind:02d}{serial:06d}"
        number = corporate_number(base)
        if number not in taken:
            taken.add(number)
            return number


@dataclass(frozen=True)
class Person:
    family: str
    given: str
    family_reading: str | None
    given_reading: str | None
    romaji_family: str
    romaji_given: str

    @property
    def is_japanese(self) -> bool:
        return self.family_reading is not None

    @property
    def name_en(self) -> str:
        return f"{self.romaji_given} {self.romaji_family}"

    def email(self, domain: str, n: int = 0) -> str:
        local = f"{ascii_slug(self.romaji_given)}.{ascii_slug(self.romaji_family)}"
        return f"{local}{n or ''}@{domain}".lower()


def japanese_person(rng: random.Random, female: float = 0.3) -> Person:
    family = rng.choice(JA_FAMILY)
    given = rng.choice(JA_GIVEN_FEMALE if rng.random() < female else JA_GIVEN_MALE)
    return Person(family[0], given[0], family[1], given[1], family[2], given[2])


def foreign_person(rng: random.Random, country: str) -> Person:
    given_names, family_names = FOREIGN_NAMES.get(country, FOREIGN_NAMES["US"])
    given, family = rng.choice(given_names), rng.choice(family_names)
    return Person(family, given, None, None, family, given)


def days_ago(today: date, low: int, high: int, rng: random.Random) -> date:
    return today - timedelta(days=rng.randint(low, high))


def last_occurrence(today: date, month: int, day: int, years_back: int = 0) -> date:
    """The latest month/day on or before today, years_back years earlier still."""
    this_year = date(today.year, month, day)
    start = this_year if this_year <= today else date(today.year - 1, month, day)
    return start.replace(year=start.year - years_back)


def next_anniversary(since: date, after: date) -> date:
    """The first anniversary of since later than after (29 February falls on the 28th)."""
    year = after.year
    while True:
        try:
            candidate = since.replace(year=year)
        except ValueError:
            candidate = date(year, 2, 28)
        if candidate > after:
            return candidate
        year += 1


def seed_abstract(rng: random.Random, field: dict, subject_ja: str, subject_en: str,
                  language: str) -> str:
    """A seed abstract in Japanese, English or both (ja, en, both) from the field's phrases."""
    method = rng.choice(field["methods"])
    advantage = rng.choice(field["advantages"])
    application = rng.choice(field["applications"])
    ja = (f"{subject_ja}に関する研究シーズ。{method[0]}、{advantage[0]}を実現した。"
          f"{application[0]}への応用が期待され、共同研究・技術移転の相手先を募集している。")
    en_method = method[1][0].upper() + method[1][1:]
    en = (f"{en_method}, we achieved {advantage[1]}. Expected applications include "
          f"{application[1]}. We are looking for partners for joint research or licensing.")
    return {"ja": ja, "en": en, "both": f"{ja}\n\n{en}"}[language]


def field_interests(rng: random.Random, field_keys: list[str], k: int,
                    english: bool = False) -> str:
    """Two or three interests of a company, one per line (English-leaning for foreign firms)."""
    pool = [i for key in field_keys for i in FIELDS[key]["interests"]]
    if english:
        latin = [i for i in pool if i.isascii()]
        pool = latin + [i for i in pool if not i.isascii()][: max(0, k - len(latin))] or pool
    return "\n".join(rng.sample(pool, min(k, len(pool))))
