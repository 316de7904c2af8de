"""The benchmark set: about 50,000 companies and a million and a half related rows.

Written with bulk INSERTs through SQLAlchemy Core in chunks, not the ORM unit of work, so it
takes minutes rather than hours; for the same reason these rows have no audit entries.
Ids are assigned here (the tables start empty or continue after their highest id), which lets
related rows refer to each other without reading anything back.
"""
from __future__ import annotations

import itertools
import random
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Table, func, insert, select, text

from crm.activities.models import Activity, activity_contacts
from crm.alumni.models import Alumnus
from crm.auth.models import User, UserRole
from crm.companies.models import Company, derived_fields
from crm.contacts.models import Contact
from crm.contacts.models import derived_fields as contact_fields
from crm.demo_data.common import (
    company_size, edinet_companies, email_domain_slug, last_occurrence, new_corporate_number,
    next_anniversary,
)
from crm.demo_data.names import (
    BUSINESSES, EXTRA_DEPARTMENTS, FOREIGN_BUSINESSES, FOREIGN_FORMS, FOREIGN_NAMES, FOREIGN_STEMS,
    JA_FAMILY, JA_GIVEN, REGIONS, STEMS, ascii_slug,
)
from crm.demo_data.topics import (
    ACTIVITY_SUBJECTS, ALUMNI_POSITIONS, COMPANY_DEPARTMENTS_EN, COMPANY_DEPARTMENTS_JA,
    DEPARTMENTS, DONATION_PURPOSES, EVENT_SERIES, FIELDS, FOLLOW_UPS, INDUSTRY_FIELDS, MINUTES,
    RESEARCHER_TITLES, SEED_VARIANTS, SMALL_TALK, TITLES_EN, TITLES_JA, seed_variant,
)
from crm.donations.models import Donation
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.liaison.models import Coverage, PortfolioAssignment
from crm.research.models import Department, Researcher, ResearchSeed, seed_researchers

#: What `crm demo --scale large` makes. Tests call build_large() with a few dozen of each.
LARGE_COUNTS = {
    "officers": 50, "departments": 30, "researchers": 10_000, "seeds": 30_000,
    "companies": 50_000, "contacts": 250_000, "events": 1_200, "encounters": 200_000,
    "activities": 300_000, "alumni": 20_000, "donations": 10_000,
}
CHUNK = 10_000

class LargeDemo:
    def __init__(self, counts: dict[str, int], rng: random.Random, user_ids: dict[str, int],
                 echo: Callable[[str], None]):
        self.n = {**LARGE_COUNTS, **counts}
        self.rng = rng
        self.echo = echo
        self.user_ids = user_ids
        self.today = date.today()
        self.now = datetime.now(UTC)
        self.made: dict[str, int] = {}
        self.started = time.perf_counter()

    # -- plumbing ---------------------------------------------------------------------------

    def next_id(self, table: Table) -> int:
        return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1

    def insert(self, label: str, table: Table, rows: Iterable[dict],
               after_chunk: Callable[[], None] | None = None) -> int:
        """INSERT rows in chunks of CHUNK; print how many and how long it took.

        after_chunk runs after each chunk, to insert rows that refer to the ones just written.
        """
        started, count = time.perf_counter(), 0
        batch: list[dict] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                db.session.execute(insert(table), batch)
                count += len(batch)
                batch = []
                if after_chunk:
                    after_chunk()
        if batch:
            db.session.execute(insert(table), batch)
            count += len(batch)
        if after_chunk:
            after_chunk()
        self.made[label] = self.made.get(label, 0) + count
        self.echo(f"  {label:<20} {count:>9,} rows  {time.perf_counter() - started:6.1f} s"
                  f"  (total {time.perf_counter() - self.started:6.1f} s)")
        return count

    def ago(self, low_days: int, high_days: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low_days, high_days))

    def stamp(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(
            minutes=self.rng.randint(0, 600))

    def person(self, country: str) -> tuple[str, str, str | None, str | None, str, str]:
        """(family, given, family reading, given reading, romaji family, romaji given)."""
        rng = self.rng
        if country == "JP":
            f, g = rng.choice(JA_FAMILY), rng.choice(JA_GIVEN)
            return f[0], g[0], f[1], g[1], f[2], g[2]
        given_names, family_names = FOREIGN_NAMES.get(country, FOREIGN_NAMES["US"])
        family, given = rng.choice(family_names), rng.choice(given_names)
        return family, given, None, None, family, given

    # -- the build --------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("PRAGMA cache_size = -262144"))  # 256 MB for index updates
        self.echo("Bulk-loading the benchmark set (Core INSERTs; no audit entries for these rows).")
        officers = self.officers()
        departments = self.departments()
        researchers_by_dept = self.researchers(departments)
        self.seeds(departments, researchers_by_dept)
        companies = self.companies(officers)
        self.portfolios(companies, officers, departments)
        contact_ranges = self.contacts(companies)
        events = self.events(companies)
        self.encounters(events, contact_ranges, officers)
        self.activities(companies, contact_ranges, officers)
        self.alumni(companies, departments, contact_ranges)
        self.donations(companies)
        if db.engine.dialect.name == "postgresql":
            self.reset_sequences()
            # Planner statistics now, not whenever autovacuum comes by (never, where it is
            # off): without them a company page's encounters took 2.6 s instead of 0.2 ms.
            db.session.execute(text("ANALYZE"))
        self.echo(f"Bulk load done: {sum(self.made.values()):,} rows in "
                  f"{time.perf_counter() - self.started:.1f} s (no audit entries for them).")
        return self.made

    def reset_sequences(self) -> None:
        """Explicit ids leave PostgreSQL's sequences behind; move them past the highest id."""
        for table in (User.__table__, Department.__table__, Researcher.__table__,
                      ResearchSeed.__table__, Company.__table__, Contact.__table__,
                      Event.__table__, Encounter.__table__, Activity.__table__,
                      Alumnus.__table__, Donation.__table__):
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table.name}))"))

    def officers(self) -> list[int]:
        """The office's liaison officers: the demo liaison users and generated colleagues."""
        start = self.next_id(User.__table__)
        rows, roles = [], []
        for i in range(self.n["officers"]):
            family, given, *_, rf, rg = self.person("JP")
            rows.append({"id": start + i,
                         "email": f"{ascii_slug(rg)}.{ascii_slug(rf)}.{i}@example.org",
                         "name": f"{family} {given}", "password_hash": "!", "locale": None,
                         "active": True, "researcher_id": None, "created_at": self.now})
            roles.append({"user_id": start + i, "role": "liaison"})
        self.insert("officers", User.__table__, rows)
        if roles:
            db.session.execute(insert(UserRole.__table__), roles)
        demo = [self.user_ids[e] for e in ("liaison@example.org", "liaison2@example.org")
                if e in self.user_ids]
        ids = demo + [r["id"] for r in rows]
        self.officer_names = dict(db.session.execute(
            select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
        return ids

    def departments(self) -> list[int]:
        start = self.next_id(Department.__table__)
        rows = [{"id": start + i, "code": code, "name": name, "name_en": name_en}
                for i, (code, name, name_en) in enumerate(DEPARTMENTS)]
        for word in EXTRA_DEPARTMENTS[: max(0, self.n["departments"] - len(rows))]:
            rows.append({"id": start + len(rows), "code": f"C{len(rows):02d}",
                         "name": f"先端{word}研究センター",
                         "name_en": f"Advanced {word} Research Center"})
        rows = rows[: self.n["departments"]]
        self.insert("departments", Department.__table__, rows)
        return [r["id"] for r in rows]

    def researchers(self, departments: list[int]) -> dict[int, list[int]]:
        rng = self.rng
        start = self.next_id(Researcher.__table__)
        fields = list(FIELDS.values())
        by_dept: dict[int, list[int]] = {d: [] for d in departments}
        titles, weights = zip(*RESEARCHER_TITLES, strict=True)

        def rows() -> Iterator[dict]:
            for i in range(self.n["researchers"]):
                rid = start + i
                dept = departments[i % len(departments)]
                by_dept[dept].append(rid)
                country = "JP" if rng.random() < 0.92 else rng.choice(
                    ["US", "DE", "CN", "KR", "IN"])
                family, given, fr, gr, rf, rg = self.person(country)
                field = rng.choice(fields)
                keywords = rng.sample(field["keywords"], min(3, len(field["keywords"])))
                yield {"id": rid, "family_name": family, "given_name": given,
                       "family_name_reading": fr, "given_name_reading": gr,
                       "name_en": f"{rg} {rf}", "department_id": dept,
                       "lab": rng.choice(field["labs"])[0 if fr else 1],
                       "title": rng.choices(titles, weights)[0],
                       "email": f"{ascii_slug(rg)}.{ascii_slug(rf)}.{rid}@univ.example.org",
                       "keywords": ", ".join(keywords),
                       "profile": f"専門は{'、'.join(keywords)}。",
                       "created_at": self.now}

        self.insert("researchers", Researcher.__table__, rows())
        return by_dept

    def seeds(self, departments: list[int], researchers_by_dept: dict[int, list[int]]) -> None:
        rng = self.rng
        start = self.next_id(ResearchSeed.__table__)
        pool = []
        for field in FIELDS.values():
            for base_ja, base_en in field["seeds"]:
                for pattern in [("{}", "{}"), *SEED_VARIANTS]:
                    ja, en = seed_variant(base_ja, base_en, pattern)
                    method = rng.choice(field["methods"])
                    advantage = rng.choice(field["advantages"])
                    app_ja, app_en = rng.choice(field["applications"])
                    pool.append((
                        ja, en, field,
                        f"{method[0]}、{advantage[0]}を実現した。{app_ja}への応用が期待される。"
                        if base_ja != base_en else
                        f"{method[1][0].upper()}{method[1][1:]}, we achieved {advantage[1]}."
                        f" Expected applications include {app_en}.",
                    ))
        links: list[dict] = []
        statuses = ["available", "in_discussion", "licensed", "draft", "closed"]

        def rows() -> Iterator[dict]:
            for i in range(self.n["seeds"]):
                sid = start + i
                title, title_en, field, abstract = rng.choice(pool)
                dept = rng.choice(departments)
                team = researchers_by_dept.get(dept) or [r for rs in researchers_by_dept.values()
                                                         for r in rs][:1]
                for rid in rng.sample(team, min(len(team), rng.choice([1, 1, 2, 3]))):
                    links.append({"seed_id": sid, "researcher_id": rid})
                created = self.stamp(self.ago(0, 8 * 365))
                yield {"id": sid, "title": title if rng.random() < 0.8 else title_en,
                       "abstract": abstract,
                       "keywords": ", ".join(rng.sample(field["keywords"], 3)),
                       "department_id": dept,
                       "readiness": rng.choices(range(1, 10), [3, 8, 14, 16, 12, 8, 4, 2, 1])[0],
                       "ip_status": rng.choices(["none", "filed", "granted", "licensed"],
                                                [35, 35, 20, 10])[0],
                       "government_funded": rng.random() < 0.35,
                       "status": rng.choices(statuses, [60, 20, 8, 7, 5])[0],
                       "created_at": created, "updated_at": created}

        self.insert("research seeds", ResearchSeed.__table__, rows())
        self.insert("seed researchers", seed_researchers, links)

    def companies(self, officers: list[int]) -> list[dict]:
        """Real EDINET companies first, then made-up Japanese (about 90%) and foreign ones.
        Returns light records (id, country, fields, officer, weight, domain) for what follows."""
        rng, today = self.rng, self.today
        start = self.next_id(Company.__table__)
        total = self.n["companies"]
        taken = set(db.session.scalars(
            select(Company.corporate_number).where(Company.corporate_number.is_not(None))))
        edinet = [c for c in edinet_companies() if c.corporate_number not in taken][:total]
        taken |= {c.corporate_number for c in edinet}
        combos = list(itertools.product(range(len(REGIONS)), range(len(STEMS)),
                                        range(len(BUSINESSES))))
        rng.shuffle(combos)
        combos_iter = iter(combos)
        # Portfolios: each officer owns 7-10 companies among the members and active ones.
        owners = [o for o in officers for _ in range(rng.randint(7, 10))]
        light: list[dict] = []

        def rows() -> Iterator[dict]:
            for i in range(total):
                cid = start + i
                row = {"id": cid, "aliases": None, "website": None, "notes": None,
                       "parent_id": None, "has_local_presence": False, "description": None,
                       "name_en": None, "name_reading": None, "corporate_number": None}
                if i < len(edinet):
                    c = edinet[i]
                    row.update(name=c.name, name_en=c.name_en, name_reading=c.reading,
                               corporate_number=c.corporate_number, country="JP", hq_country="JP",
                               industry=c.industry, size=company_size(c),
                               description=f"{c.industry}。本社: {c.address}。")
                    domain = email_domain_slug(c.name_en, f"c{cid}") + ".example.co.jp"
                elif rng.random() < 0.9:
                    try:
                        r, s, b = next(combos_iter)
                    except StopIteration:
                        r, s, b = (rng.randrange(len(REGIONS)), rng.randrange(len(STEMS)),
                                   rng.randrange(len(BUSINESSES)))
                    region, stem, business = REGIONS[r], STEMS[s], BUSINESSES[b]
                    core = f"{region[0]}{stem[0]}{business[0]}"
                    form = rng.choices(["株式会社", "有限会社", "合同会社"], [85, 8, 7])[0]
                    name = f"{form}{core}" if rng.random() < 0.5 else f"{core}{form}"
                    en_form = {"株式会社": "Co., Ltd.", "有限会社": "Ltd.",
                               "合同会社": "G.K."}[form]
                    words = (region[2], stem[2], business[2], en_form)
                    name_en = " ".join(p for p in words if p)
                    row.update(name=name, name_en=name_en,
                               name_reading=f"{region[1]}{stem[1]}{business[1]}", country="JP",
                               hq_country="JP", industry=business[3],
                               size=rng.choices(["startup", "sme", "large"], [10, 75, 15])[0],
                               corporate_number=new_corporate_number(rng, taken)
                               if rng.random() < 0.85 else None)
                    domain = f"{ascii_slug(stem[2])}-{ascii_slug(business[2])}-{cid}.example.co.jp"
                else:
                    country = rng.choice(list(FOREIGN_FORMS))
                    stem = rng.choice(FOREIGN_STEMS)
                    business, industry = rng.choice(FOREIGN_BUSINESSES)
                    name = f"{stem} {business} {FOREIGN_FORMS[country]}"
                    row.update(name=name, country=country, hq_country=country, industry=industry,
                               size=rng.choices(["startup", "sme", "large"], [25, 50, 25])[0],
                               has_local_presence=rng.random() < 0.2)
                    domain = f"{ascii_slug(stem)}-{ascii_slug(business)}-{cid}.example.com"
                fields = INDUSTRY_FIELDS.get(row["industry"], ["ai"])
                interests = [i for key in fields for i in FIELDS[key]["interests"]]
                member = rng.random() < 0.03
                status = "active" if member else rng.choices(
                    ["active", "prospect", "dormant", "former"], [25, 50, 15, 10])[0]
                officer = owners.pop() if owners and (member or status == "active") else None
                since = self.ago(120, 10 * 365) if member else None
                # Renewals fall within the next year, a few of them overdue by weeks.
                renewal = next_anniversary(since, today - timedelta(days=30)) if since else None
                created = self.stamp(self.ago(0, 6 * 365))
                row.update(
                    **derived_fields(row["name"], row.get("name_reading"), row.get("name_en"),
                                     row.get("aliases"), row.get("corporate_number")),
                    interests="\n".join(
                        rng.sample(interests, min(len(interests), rng.randint(1, 3)))),
                    membership_tier=rng.choices(["premium", "standard", "associate"], [2, 5, 4])[0]
                    if member else None,
                    member_since=since, renewal_date=renewal, status=status,
                    officer_id=officer, created_at=created, updated_at=created,
                )
                if light and rng.random() < 0.02:
                    row["parent_id"] = rng.choice(light)["id"]
                light.append({"id": cid, "name": row["name"], "country": row["country"],
                              "fields": fields,
                              "officer": officer, "domain": domain, "member": member,
                              "status": status})
                yield row

        self.insert("companies", Company.__table__, rows())
        return light

    def portfolios(self, companies: list[dict], officers: list[int],
                   departments: list[int]) -> None:
        """The open assignment behind every company's officer_id, and each officer covering a
        department (the last fifth of the departments nobody covers)."""
        pick = random.Random(len(companies))  # its own generator: the rest stays as it was
        self.insert("portfolio assignments", PortfolioAssignment.__table__, (
            {"company_id": c["id"], "officer_id": c["officer"],
             "started_at": self.now - timedelta(days=pick.randint(30, 3 * 365)),
             "ended_at": None, "assigned_by_id": None, "override_reason": None, "note": None}
            for c in companies if c["officer"]))
        covered = departments[: max(1, len(departments) * 4 // 5)] if departments else []
        self.insert("coverages", Coverage.__table__, (
            {"officer_id": officer, "department_id": covered[i % len(covered)],
             "started_at": self.now, "ended_at": None, "assigned_by_id": None}
            for i, officer in enumerate(officers) if covered))

    def contacts(self, companies: list[dict]) -> list[tuple[int, int]]:
        """Contacts per company follow a long tail: most have a few, some have hundreds.
        Returns (first contact id, count) per company, in the order of companies."""
        rng = self.rng
        start = self.next_id(Contact.__table__)
        total = self.n["contacts"]
        weights = [min(rng.paretovariate(1.2), 400.0) * (3 if c["member"] else 1)
                   for c in companies]
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        for i in rng.choices(range(len(companies)), weights, k=total - sum(counts)):
            counts[i] += 1
        ranges, next_id = [], start
        for n in counts:
            ranges.append((next_id, n))
            next_id += n

        def rows() -> Iterator[dict]:
            cid = start
            for company, n in zip(companies, counts, strict=True):
                used: set[str] = set()
                for _ in range(n):
                    country = company["country"]
                    if country == "JP" and rng.random() < 0.05:
                        country = "US"
                    elif country != "JP" and rng.random() < 0.15:
                        country = "JP"
                    family, given, fr, gr, rf, rg = self.person(country)
                    local = f"{ascii_slug(rg)}.{ascii_slug(rf)}"
                    if local in used:
                        local = f"{local}{cid}"
                    used.add(local)
                    ja = company["country"] == "JP" and fr is not None
                    created = self.stamp(self.ago(0, 5 * 365))
                    email = f"{local}@{company['domain']}"
                    yield {"id": cid, "company_id": company["id"], "family_name": family,
                           "given_name": given, "family_name_reading": fr, "given_name_reading": gr,
                           "title": rng.choice(TITLES_JA if ja else TITLES_EN),
                           "department": rng.choice(
                               COMPANY_DEPARTMENTS_JA if ja else COMPANY_DEPARTMENTS_EN),
                           "email": email, "other_emails": None,
                           "phone": None, "mobile": None, "how_we_met": None,
                           "consent": rng.random() < 0.7, "do_not_contact": rng.random() < 0.01,
                           "notes": None, "created_at": created, "updated_at": created,
                           **contact_fields(family, given, fr, gr, email)}
                    cid += 1

        self.insert("contacts", Contact.__table__, rows())
        return ranges

    def events(self, companies: list[dict]) -> list[tuple[int, date]]:
        """The yearly trade shows and seminars for ten years, then many company visits and
        small technical seminars."""
        rng, today = self.rng, self.today
        start = self.next_id(Event.__table__)
        rows: list[dict] = []

        def add(name: str, kind: str, begins: date, days: int, location: str,
                description: str | None) -> None:
            rows.append({"id": start + len(rows), "name": name, "kind": kind, "starts_on": begins,
                         "ends_on": begins + timedelta(days=days - 1), "location": location,
                         "description": description, "created_at": self.stamp(begins)})

        for back in range(10):
            for name, kind, month, day, days, location, description in EVENT_SERIES:
                begins = last_occurrence(today, month, day, back)
                if len(rows) < self.n["events"]:
                    add(name.format(year=begins.year), kind, begins, days, location, description)
        topics = [ja for f in FIELDS.values() for ja, en in f["seeds"] if ja != en]
        number = 0
        while len(rows) < self.n["events"]:
            number += 1
            begins = self.ago(1, 10 * 365)
            if number % 2 and companies:
                add(f"企業訪問: {rng.choice(companies)['name']}", "visit", begins, 1,
                    "先方事業所", None)
            else:
                add(f"技術セミナー 第{number // 2 + 1}回「{rng.choice(topics)}」", "seminar",
                    begins, 1,
                    "本学 産学連携本部 セミナー室", None)
        self.insert("events", Event.__table__, rows)
        return [(r["id"], r["starts_on"]) for r in rows]

    def encounters(self, events: list[tuple[int, date]], ranges: list[tuple[int, int]],
                   officers: list[int]) -> None:
        rng, today = self.rng, self.today
        start = self.next_id(Encounter.__table__)
        first = ranges[0][0] if ranges else 0
        last = sum(n for _, n in ranges) + first - 1
        interests = [i for f in FIELDS.values() for i in f["interests"]]
        if last < first or not events:
            return

        def rows() -> Iterator[dict]:
            for i in range(self.n["encounters"]):
                event_id, met_on = rng.choice(events)
                wanted = rng.random() < 0.4
                due = met_on + timedelta(days=rng.randint(7, 30)) if wanted else None
                yield {"id": start + i, "event_id": event_id,
                       "contact_id": rng.randint(first, last),
                       "user_id": rng.choice(officers) if officers else None, "met_on": met_on,
                       "research_interests": rng.choice(interests),
                       "small_talk": rng.choice(SMALL_TALK) if rng.random() < 0.4 else None,
                       "follow_up_wanted": wanted, "follow_up_by": due,
                       "follow_up_done": wanted and (
                           due < today - timedelta(days=30) or rng.random() < 0.3),
                       "created_at": self.stamp(met_on)}

        self.insert("encounters", Encounter.__table__, rows())

    def activities(self, companies: list[dict], ranges: list[tuple[int, int]],
                   officers: list[int]) -> None:
        """Activities go where the contacts are: a company's share follows its contact count."""
        rng = self.rng
        start = self.next_id(Activity.__table__)
        cumulative = list(itertools.accumulate(
            n + (5 if c["member"] else 0.2) for c, (_, n) in zip(companies, ranges, strict=True)))
        links: list[dict] = []
        if not companies:
            return

        def rows() -> Iterator[dict]:
            for i in range(self.n["activities"]):
                aid = start + i
                k = bisect_right(cumulative, rng.random() * cumulative[-1])
                k = min(k, len(companies) - 1)
                company, (first, n) = companies[k], ranges[k]
                field = FIELDS[rng.choice(company["fields"])]
                kind, subject, category = rng.choice(ACTIVITY_SUBJECTS)
                topic_ja, topic_en = rng.choice(field["seeds"])
                english = company["country"] != "JP"
                topic = topic_en if english or subject.isascii() else topic_ja
                occurred = self.ago(0, 5 * 365)
                user = company["officer"] if company["officer"] and rng.random() < 0.85 else \
                    (rng.choice(officers) if officers else None)
                attendees = min(n, rng.choice([0, 1, 1, 2]))
                for contact_id in rng.sample(range(first, first + n), attendees):
                    links.append({"activity_id": aid, "contact_id": contact_id})
                minutes = rng.choice(MINUTES[category]["en" if english else "ja"]).format(
                    who="their team" if english else "先方担当者",
                    user=self.officer_names.get(user, "—"),
                    topic=topic, need=rng.choice(field["interests"]), follow=rng.choice(FOLLOW_UPS),
                    due=(occurred + timedelta(days=14)).isoformat())
                yield {"id": aid, "company_id": company["id"], "kind": kind,
                       "occurred_on": occurred,
                       "subject": subject.format(topic=topic, event="CEATEC")[:300],
                       "minutes": minutes, "user_id": user,
                       "confidential": rng.random() < 0.06, "created_at": self.stamp(occurred)}

        def write_links() -> None:
            if links:
                db.session.execute(insert(activity_contacts), links)
                self.made["activity contacts"] = self.made.get("activity contacts", 0) + len(links)
                links.clear()

        self.insert("activities", Activity.__table__, rows(), after_chunk=write_links)
        self.echo(f"  {'activity contacts':<20} {self.made.get('activity contacts', 0):>9,} rows")

    def alumni(self, companies: list[dict], departments: list[int],
               ranges: list[tuple[int, int]]) -> None:
        rng, today = self.rng, self.today
        start = self.next_id(Alumnus.__table__)
        contact_ids = [first for first, n in ranges if n]  # at most one alumnus per contact
        rng.shuffle(contact_ids)
        linked = iter(contact_ids[: self.n["alumni"] // 20])
        self.alumni_ids: list[int] = []

        def rows() -> Iterator[dict]:
            for i in range(self.n["alumni"]):
                aid = start + i
                self.alumni_ids.append(aid)
                employer = rng.choice(companies) if companies and rng.random() < 0.7 else None
                country = "JP" if rng.random() < 0.9 else rng.choice(["CN", "KR", "TW", "US", "IN"])
                family, given, fr, gr, rf, rg = self.person(country)
                yield {"id": aid, "family_name": family, "given_name": given,
                       "family_name_reading": fr, "given_name_reading": gr,
                       "email": f"{ascii_slug(rg)}.{ascii_slug(rf)}.{aid}@mail.example.com",
                       "degree": rng.choices(["bachelor", "master", "doctor", "other"],
                                             [4, 5, 2, 1])[0],
                       "graduation_year": today.year - rng.randint(1, 45),
                       "department_id": rng.choice(departments) if departments else None,
                       "employer_id": employer["id"] if employer else None,
                       "position": rng.choice(ALUMNI_POSITIONS) if employer else None,
                       "country": employer["country"] if employer else country,
                       "contact_id": next(linked, None) if employer else None,
                       "notes": None, "created_at": self.now}

        self.insert("alumni", Alumnus.__table__, rows())

    def donations(self, companies: list[dict]) -> None:
        rng = self.rng
        start = self.next_id(Donation.__table__)
        donors = [c for c in companies
                  if c["member"] or c["status"] in ("active", "former")] or companies
        alumni = self.alumni_ids
        if not donors and not alumni:
            return

        def rows() -> Iterator[dict]:
            for i in range(self.n["donations"]):
                purpose, restricted = rng.choice(DONATION_PURPOSES)
                received = self.ago(1, 8 * 365)
                by_company = donors and (not alumni or rng.random() < 0.7)
                if by_company:
                    company = rng.choice(donors)
                    currency = "JPY" if company["country"] == "JP" else "USD"
                    donor = {"company_id": company["id"], "alumnus_id": None}
                else:
                    currency = "JPY"
                    donor = {"company_id": None, "alumnus_id": rng.choice(alumni)}
                amount = rng.choice([10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000]) \
                    if currency == "JPY" else rng.choice([1_000, 5_000, 20_000, 100_000])
                yield {"id": start + i, **donor, "amount": Decimal(amount), "currency": currency,
                       "received_on": received, "purpose": purpose, "restricted": restricted,
                       "notes": None, "created_at": self.stamp(received)}

        self.insert("donations", Donation.__table__, rows())


def build_large(seed: int = 42, user_ids: dict[str, int] | None = None,
                echo: Callable[[str], None] = print,
                counts: dict[str, int] | None = None) -> dict[str, int]:
    """Bulk-load the benchmark set (counts override LARGE_COUNTS, e.g. tiny ones in tests)."""
    return LargeDemo(counts or {}, random.Random(seed), user_ids or {}, echo).build()
