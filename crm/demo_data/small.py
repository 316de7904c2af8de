"""The small demo: one liaison office, about 200 companies and everything around them.

Written through the services and the ORM, so every record has its audit entry like real data.
"""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from crm.activities.models import Activity
from crm.alumni.models import Alumnus
from crm.auth.models import User
from crm.collaborations.demo import add_demo as collaborations_demo
from crm.companies.models import Company
from crm.companies.services import save_company
from crm.contacts.models import Contact
from crm.demo_data.common import (
    Person, company_size, days_ago, edinet_companies, email_domain_slug, field_interests,
    foreign_person, japanese_person, last_occurrence, next_anniversary, seed_abstract,
)
from crm.demo_data.office import add as office_demo
from crm.demo_data.topics import (
    ACTIVITY_SUBJECTS, ALUMNI_POSITIONS, COMPANY_DEPARTMENTS_EN, COMPANY_DEPARTMENTS_JA,
    DEPARTMENTS, DONATION_PURPOSES, EVENT_SERIES, FIELDS, FOLLOW_UPS, FOREIGN_COMPANIES,
    FOREIGN_READINGS, INDUSTRY_FIELDS, MINUTES, RESEARCHER_TITLES, SEED_VARIANTS, SMALL_TALK,
    SUBSIDIARY_DETAILS, TITLES_EN, TITLES_JA, seed_variant,
)
from crm.donations.models import Donation
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.liaison.models import PORTFOLIO_MAX
from crm.liaison.services import assign_company, assign_coverage, portfolio_size
from crm.research.models import Department, Researcher, ResearchSeed

#: Liaison officers besides the two demo liaison users, so the office has a realistic team.
#: They cannot log in (no password is set).
COLLEAGUES = [
    ("misaki.sato@example.org", "佐藤 美咲"), ("makoto.tanaka@example.org", "田中 誠"),
    ("yoko.suzuki@example.org", "鈴木 陽子"), ("daisuke.takahashi@example.org", "高橋 大輔"),
    ("megumi.nakamura@example.org", "中村 恵"), ("lukas.weber@example.org", "Lukas Weber"),
]
#: The newest colleague's portfolio: under the programme's 7, so the overview shows one.
NEW_COLLEAGUE_PORTFOLIO = 4
#: Department codes each officer covers, in the order of colleagues(); DEN and ECO nobody.
COVERAGE = [("ENG", "IMR", "ENV"), ("INF", "SCI"), ("MED", "PHA"), ("AGR",), ("LIF",)]
#: Number of Japanese companies taken from the EDINET extract.
JAPANESE_COMPANIES = 170
UNIVERSITY_DOMAIN = "univ.example.org"
CURRENCY_BY_COUNTRY = {"DE": "EUR", "FR": "EUR", "NL": "EUR", "FI": "EUR", "GB": "GBP"}


class SmallDemo:
    """Builds the small demo; each step adds one kind of record and flushes."""

    def __init__(self, rng: random.Random, user_ids: dict[str, int],
                 echo: Callable[[str], None]):
        self.rng = rng
        self.echo = echo
        self.today = date.today()
        self.now = datetime.now(UTC)
        self.users = {email: db.session.get(User, uid) for email, uid in user_ids.items()}
        self.company_fields: dict[int, list[str]] = {}
        self.company_domain: dict[int, str] = {}
        self.contacts_by_company: dict[int, list[Contact]] = defaultdict(list)
        self.key_accounts: set[int] = set()

    def build(self) -> dict[str, int]:
        officers = self.colleagues()
        departments = self.departments()
        researchers = self.researchers(departments)
        seeds = self.seeds(departments, researchers)
        companies = self.companies(officers)
        self.coverage(departments, officers)
        events = self.events()
        contacts = self.contacts(companies, events)
        encounters = self.encounters(events, contacts)
        activities = self.activities(companies, events)
        alumni = self.alumni(companies, departments, contacts)
        donations = self.donations(companies, alumni)
        requests = self.requests(events)
        made = {
            "users": len(self.users) + len(officers) - 2, "departments": len(departments),
            "researchers": sum(len(r) for r in researchers.values()), "research seeds": len(seeds),
            "companies": len(companies), "contacts": len(contacts), "events": len(events),
            "encounters": len(encounters), "activities": len(activities),
            "alumni": len(alumni), "donations": len(donations),
            "data-entry requests": len(requests),
            **collaborations_demo(companies, seeds, self.today),
        }
        # Duplicates, the screening list and saved import mappings: last (screening covers all).
        made.update(office_demo(self, companies, contacts, events))
        return made

    # -- people of the office and the university -------------------------------------------

    def colleagues(self) -> list[User]:
        """The two demo liaison users first, then their (non-login) colleagues."""
        team = [self.users["liaison@example.org"], self.users["liaison2@example.org"]]
        for email, name in COLLEAGUES:
            user = User(email=email, name=name, password_hash="!", locale=None)
            user.set_roles(["liaison"])
            db.session.add(user)
            team.append(user)
        db.session.flush()
        return team

    def departments(self) -> dict[str, Department]:
        departments = {code: Department(code=code, name=name, name_en=name_en)
                       for code, name, name_en in DEPARTMENTS}
        db.session.add_all(departments.values())
        db.session.flush()
        return departments

    def researchers(self, departments: dict[str, Department]) -> dict[str, list[Researcher]]:
        """Two to four researchers per field, the first a professor running the lab."""
        rng = self.rng
        by_field: dict[str, list[Researcher]] = {}
        used_emails: set[str] = set()
        foreign_countries = ["US", "DE", "CN", "KR", "IN", "FR", "GB"]
        for key, field in FIELDS.items():
            n = 4 if len(field["seeds"]) >= 6 else 3 if len(field["seeds"]) >= 4 else 2
            members = []
            for i in range(n):
                if key == "power" and i == 0:
                    person = Person("森田", "健", "モリタ", "タケシ", "Morita", "Takeshi")
                elif rng.random() < 0.1:
                    person = foreign_person(rng, rng.choice(foreign_countries))
                else:
                    person = japanese_person(rng, female=0.25)
                title = "教授" if i == 0 else rng.choices(
                    [t for t, _ in RESEARCHER_TITLES], [w for _, w in RESEARCHER_TITLES])[0]
                if not person.is_japanese and title == "教授":
                    title = "特任教授"
                lab_ja, lab_en = rng.choice(field["labs"])
                keywords = rng.sample(field["keywords"], min(4, len(field["keywords"])))
                email, k = person.email(UNIVERSITY_DOMAIN), 1
                while email in used_emails:
                    k += 1
                    email = person.email(UNIVERSITY_DOMAIN, k)
                used_emails.add(email)
                profile = (f"専門は{'、'.join(keywords[:2])}。"
                           f"{lab_ja}で企業との共同研究を多数実施。"
                           f"\n{person.name_en} works on {', '.join(keywords[2:]) or keywords[0]} "
                           f"at the {lab_en}.")
                members.append(Researcher(
                    family_name=person.family, given_name=person.given,
                    family_name_reading=person.family_reading,
                    given_name_reading=person.given_reading, name_en=person.name_en,
                    department=departments[field["dept"]], lab=lab_ja if person.is_japanese
                    else lab_en, title=title,
                    email=email,
                    keywords=", ".join(keywords), profile=profile,
                ))
            by_field[key] = members
            db.session.add_all(members)
        db.session.flush()
        researcher_user = self.users.get("researcher@example.org")
        if researcher_user is not None:
            researcher_user.researcher_id = by_field["power"][0].id
        return by_field

    def seeds(self, departments: dict[str, Department],
              researchers: dict[str, list[Researcher]]) -> list[ResearchSeed]:
        """Every field's seeds, plus variants aimed at another application: about 120."""
        rng = self.rng
        plans = [(key, ja, en, None) for key, f in FIELDS.items() for ja, en in f["seeds"]]
        base = len(plans)
        while len(plans) < 120:
            key, ja, en, _ = rng.choice(plans[:base])
            variant = (key, *seed_variant(ja, en, rng.choice(SEED_VARIANTS)), "variant")
            if variant not in plans:
                plans.append(variant)
        seeds = []
        for key, ja, en, _ in plans:
            field = FIELDS[key]
            team = rng.sample(researchers[key], rng.randint(1, min(3, len(researchers[key]))))
            if key == "power" and researchers[key][0] not in team:
                team.insert(0, researchers[key][0])  # the researcher demo user's own seeds
            created = self.stamp(days_ago(self.today, 30, 6 * 365, rng))
            english_only = ja == en or not team[0].family_name_reading
            title = en if english_only or rng.random() < 0.15 else ja
            language = "en" if title == en and english_only else rng.choices(
                ["both", "ja", "en"], [55, 30, 15])[0]
            abstract = seed_abstract(rng, field, ja if ja != en else en, en, language)
            ip_status = rng.choices(["none", "filed", "granted", "licensed"], [35, 35, 20, 10])[0]
            funded = rng.random() < 0.35
            if funded:
                abstract += rng.choice([
                    "\n（JST CREST の成果。日本版バイ・ドール条項の対象）",
                    "\n(Result of a NEDO-commissioned project: licensing needs prior approval.)",
                    "\n（AMED 研究費による成果）",
                ])
            status = "licensed" if ip_status == "licensed" else rng.choices(
                ["available", "in_discussion", "draft", "closed"], [65, 22, 7, 6])[0]
            seeds.append(ResearchSeed(
                title=title, abstract=abstract,
                keywords=", ".join(rng.sample(field["keywords"], 3)),
                department=departments[field["dept"]],
                readiness=rng.choices(range(1, 10), [3, 8, 14, 16, 12, 8, 4, 2, 1])[0],
                ip_status=ip_status, government_funded=funded, status=status, researchers=team,
                created_at=created,
                updated_at=created + timedelta(days=rng.randint(0, (self.now - created).days)),
            ))
        db.session.add_all(seeds)
        db.session.flush()
        return seeds

    # -- companies ---------------------------------------------------------------------------

    def companies(self, officers: list[User]) -> list[Company]:
        """Japanese companies from EDINET, fictional foreign ones and their Japanese subsidiaries;
        members first get an officer (7-10 companies each), many prospects have nobody."""
        rng, today = self.rng, self.today
        plans: list[dict] = []
        for c in rng.sample(edinet_companies(), JAPANESE_COMPANIES):
            fields = INDUSTRY_FIELDS.get(c.industry, ["ai"])
            listing = "非上場（EDINET 提出会社）"
            if c.listed and c.securities_code:
                listing = f"東証上場（証券コード {c.securities_code}）"
            plans.append({
                "name": c.name, "name_en": c.name_en, "name_reading": c.reading,
                "corporate_number": c.corporate_number, "country": "JP", "hq_country": "JP",
                "industry": c.industry, "size": company_size(c),
                "description": f"{c.industry}。本社: {c.address}。{listing}。",
                "interests": field_interests(rng, fields, rng.randint(1, 3)),
                "_fields": fields, "_domain": email_domain_slug(c.name_en, "jp") + ".example.co.jp",
            })
        for name, country, industry, fields, size, subsidiary in FOREIGN_COMPANIES:
            slug = email_domain_slug(name, "intl")
            plan = {
                "name": name, "name_reading": FOREIGN_READINGS.get(name),
                "country": country, "hq_country": country, "industry": industry,
                "size": size, "website": f"https://www.{slug}.example.com/",
                "has_local_presence": subsidiary is not None or rng.random() < 0.15,
                "description": rng.choice([
                    f"{size.upper() if size == 'sme' else size.title()} company headquartered"
                    f" in {country}.",
                    f"{country} 本社。日本市場への参入を検討中。",
                    f"Headquartered in {country}; R&D centres in Europe and Asia.",
                ]),
                "interests": field_interests(rng, fields, rng.randint(2, 3), english=True),
                "notes": rng.choice([
                    "与信調査: 実施済（問題なし）。"
                    "安全保障貿易管理: 外国ユーザーリスト非該当を確認。",
                    "Credit check done. Export control: not on the End User List (checked).",
                    None,
                ]),
                "_fields": fields, "_domain": f"{slug}.example.com", "_subsidiary": subsidiary,
            }
            plans.append(plan)
        # Members (ILP) are mostly large companies; a few foreign ones join too.
        large = [p for p in plans if p["size"] == "large"]
        members = rng.sample(large, min(45, len(large)))
        members += rng.sample([p for p in plans if p not in members], 10)
        for p in members:
            p["membership_tier"] = rng.choices(["premium", "standard", "associate"], [2, 5, 4])[0]
            p["member_since"] = days_ago(today, 120, 9 * 365, rng)
            p["status"] = "active"
            p["renewal_date"] = next_anniversary(p["member_since"], today)
        for p in rng.sample(members, 8):       # renewals due within a month
            p["renewal_date"] = today + timedelta(days=rng.randint(0, 30))
        for p in rng.sample(members, 3):       # and a few already overdue
            p["renewal_date"] = today - timedelta(days=rng.randint(1, 40))
        for p in plans:
            p.setdefault("status", rng.choices(["active", "prospect", "dormant", "former"],
                                               [30, 45, 15, 10])[0])
        # Portfolios: each officer 7-10 companies, members first, then active partners; the
        # newest colleague (last) is still building theirs up.
        candidates = members + [p for p in plans if p not in members and p["status"] == "active"]
        rng.shuffle(candidates)
        for officer in officers:
            size = NEW_COLLEAGUE_PORTFOLIO if officer is officers[-1] else rng.randint(7, 10)
            for _ in range(size):
                if candidates:
                    candidates.pop()["_officer"] = officer
        companies = []
        by_name: dict[str, Company] = {}
        plans_by_id: dict[int, dict] = {}
        for p in plans:
            company = self._save(p)
            companies.append(company)
            by_name[p["name"]] = company
            plans_by_id[company.id] = p
            if p.get("_subsidiary"):
                reading, name_en = SUBSIDIARY_DETAILS[p["_subsidiary"]]
                sub_plan = {
                    "name": p["_subsidiary"], "name_reading": reading, "name_en": name_en,
                    "country": "JP", "hq_country": p["country"], "industry": p["industry"],
                    "size": "sme", "status": rng.choice(["active", "prospect"]),
                    "parent_id": company.id,
                    "description": f"{p['name']} の日本法人。", "interests": p["interests"],
                    "_officer": p.get("_officer") if rng.random() < 0.5 else None,
                    "_fields": p["_fields"], "_domain": "jp." + p["_domain"],
                }
                sub = self._save(sub_plan)
                plans_by_id[sub.id] = sub_plan
                companies.append(sub)
        self.portfolios(companies, plans_by_id, officers)
        return companies

    def portfolios(self, companies: list[Company], plans: dict[int, dict],
                   officers: list[User]) -> None:
        """Assignments through the portfolio service, as a manager would make them: started
        months or years ago, a few companies handed over from a colleague before, and
        Japanese subsidiaries kept with their parent's officer even past the 7-10 rule (the
        override reason is recorded)."""
        rng, manager = self.rng, self.users["manager@example.org"]
        owned = [(c, plans[c.id]["_officer"]) for c in companies if plans[c.id].get("_officer")]
        parents = [(c, o) for c, o in owned if c.parent_id is None]
        subsidiaries = [(c, o) for c, o in owned if c.parent_id is not None]
        handed_over = {c.id for c, _ in rng.sample(parents, min(8, len(parents)))}
        # Hand-overs first, while every colleague still has room for one more.
        parents.sort(key=lambda pair: pair[0].id not in handed_over)
        for company, officer in parents + subsidiaries:
            since = days_ago(self.today, 40, 4 * 365, rng)
            if company.id in handed_over:
                before = rng.choice([o for o in officers if o is not officer])
                first = since - timedelta(days=rng.randint(200, 900))
                assign_company(company, before, by=manager, at=self.stamp(first),
                               note=rng.choice([None, "前任者からの引継ぎ前"]))
                note = rng.choice(["担当替え（異動のため）", "Handed over: reorganised portfolios",
                                   "前任者の退職に伴う引継ぎ"])
            else:
                note = None
            reason = None
            if company.parent_id is not None and portfolio_size(officer.id) >= PORTFOLIO_MAX:
                reason = "日本法人は親会社と同じ担当者が一括で見る（Same officer as the parent " \
                    "company）"
            assign_company(company, officer, by=manager, at=self.stamp(since), note=note,
                           override_reason=reason)

    def coverage(self, departments: dict[str, Department], officers: list[User]) -> None:
        """Departments each officer covers; a couple are left uncovered."""
        manager = self.users["manager@example.org"]
        for officer, codes in zip(officers, COVERAGE, strict=False):
            for code in codes:
                assign_coverage(officer, departments[code], by=manager)

    def _save(self, plan: dict) -> Company:
        data = {k: v for k, v in plan.items() if not k.startswith("_")}
        company = save_company(None, data)
        self.company_fields[company.id] = plan["_fields"]
        self.company_domain[company.id] = plan["_domain"]
        return company

    # -- people at companies -----------------------------------------------------------------

    def contacts(self, companies: list[Company], events: list[Event]) -> list[Contact]:
        """About 400 people: a handful at members, one or two at prospects, a crowd at the
        liaison demo user's key accounts."""
        rng = self.rng
        per_status = {"active": (1, 3), "prospect": (0, 2), "dormant": (0, 1), "former": (0, 1)}
        self.key_accounts = key_accounts = {c.id for c in rng.sample(
            [c for c in companies if c.officer_id == self.users["liaison@example.org"].id], 3)}
        sources = [e.name for e in events] + [
            "ILP 会員説明会", "先生からの紹介", "問い合わせフォーム経由",
            "Introduced by a professor", "学会の懇親会", "Web inquiry", "前任者からの引継ぎ"]
        used_emails: set[str] = set()
        contacts = []
        for company in companies:
            low, high = per_status[company.status]
            if company.membership_tier:
                low, high = 2, 5
            n = rng.randint(12, 16) if company.id in key_accounts else rng.randint(low, high)
            for _ in range(n):
                contacts.append(self._contact(company, sources, used_emails))
        for contact in rng.sample(contacts, 8):
            contact.do_not_contact = True
            contact.consent = False
            contact.notes = rng.choice(["本人の希望により連絡不可。", "Asked not to be contacted.",
                                        "退職済み（後任未確認）。連絡しないこと。"])
        db.session.add_all(contacts)
        db.session.flush()
        for contact in contacts:
            self.contacts_by_company[contact.company_id].append(contact)
        return contacts

    def _contact(self, company: Company, sources: list[str], used: set[str]) -> Contact:
        rng = self.rng
        japanese_company = company.country == "JP"
        if japanese_company:
            local_staff = company.hq_country in (None, "JP") or rng.random() < 0.7
            person = japanese_person(rng) if local_staff and rng.random() < 0.93 else \
                foreign_person(rng, company.hq_country or "US")
        else:
            person = foreign_person(rng, company.country) if rng.random() < 0.85 else \
                japanese_person(rng)
        domain = self.company_domain[company.id]
        email, n = person.email(domain), 1
        while email in used:
            n += 1
            email = person.email(domain, n)
        used.add(email)
        ja_titles = japanese_company and person.is_japanese
        phone = mobile = None
        if company.country == "JP" and rng.random() < 0.6:
            area = rng.choice(["03", "06", "052", "045"])
            phone = f"{area}-0{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
        elif company.country in ("US", "CA") and rng.random() < 0.5:
            phone = f"+1 555-01{rng.randint(0, 99):02d}"
        if japanese_company and rng.random() < 0.3:
            mobile = f"090-0{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
        created = self.stamp(days_ago(self.today, 30, 5 * 365, rng))
        return Contact(
            created_at=created, updated_at=created, company_id=company.id,
            family_name=person.family, given_name=person.given,
            family_name_reading=person.family_reading, given_name_reading=person.given_reading,
            title=rng.choice(TITLES_JA if ja_titles else TITLES_EN),
            department=rng.choice(
                COMPANY_DEPARTMENTS_JA if ja_titles else COMPANY_DEPARTMENTS_EN),
            email=email, phone=phone, mobile=mobile,
            how_we_met=rng.choice(sources) if rng.random() < 0.7 else None,
            consent=rng.random() < 0.7,
            notes=rng.choice([None, None, None, "決裁権あり。", "英語での連絡を希望。",
                              "Prefers e-mail to phone.", "本学 OB（工学研究科 修士）。",
                              "前職は総合電機メーカーの研究所。"]),
        )

    # -- events and encounters ---------------------------------------------------------------

    def events(self) -> list[Event]:
        """The year's trade shows, seminars and visits (spread over two years) and one to come."""
        rng, today = self.rng, self.today
        events = []
        for name, kind, month, day, days, location, description in EVENT_SERIES:
            if kind in ("seminar", "visit") and "JST" not in name:
                start = today - timedelta(days=rng.randint(15, 60))
            else:
                start = last_occurrence(today, month, day, rng.choice([0, 0, 1]))
                if start > today - timedelta(days=days + 2):
                    start = start.replace(year=start.year - 1)
            events.append(Event(name=name.format(year=start.year), kind=kind, starts_on=start,
                                ends_on=start + timedelta(days=days - 1), location=location,
                                description=description))
        upcoming = today + timedelta(days=21)
        events.append(Event(name=f"産学連携フォーラム {upcoming.year}", kind="seminar",
                            starts_on=upcoming, ends_on=upcoming, location="本学 百周年記念会館",
                            description="Upcoming: research showcase for member companies."))
        db.session.add_all(events)
        db.session.flush()
        return events

    def encounters(self, events: list[Event], contacts: list[Contact]) -> list[Encounter]:
        """About 300 people met at past events, with interests, small talk and follow-ups."""
        rng, today = self.rng, self.today
        met_by = [self.users[e] for e in ("liaison@example.org", "liaison2@example.org",
                                          "bd@example.org", "manager@example.org")]
        weights = {"trade_show": 5, "conference": 3, "seminar": 2, "visit": 1}
        past = [e for e in events if e.starts_on <= today]
        reachable = [c for c in contacts if not c.do_not_contact]
        encounters, seen = [], set()
        while len(encounters) < 300:
            event = rng.choices(past, [weights[e.kind] for e in past])[0]
            contact = rng.choice(reachable)
            if (event.id, contact.id) in seen:
                continue
            seen.add((event.id, contact.id))
            days = (event.ends_on - event.starts_on).days
            met_on = event.starts_on + timedelta(days=rng.randint(0, days))
            wanted = rng.random() < 0.45
            due = met_on + timedelta(days=rng.randint(7, 30)) if wanted else None
            age = (today - due).days if due else 0
            done = wanted and rng.random() < (0.97 if age > 120 else 0.8 if age > 30 else 0.35)
            company = db.session.get(Company, contact.company_id)
            user = rng.choice(met_by) if rng.random() < 0.8 else company.officer
            encounters.append(Encounter(
                created_at=self.stamp(met_on), event_id=event.id, contact_id=contact.id,
                user_id=user.id if user else None, met_on=met_on,
                research_interests=field_interests(rng, self.company_fields[company.id], 1),
                small_talk=rng.choice(SMALL_TALK) if rng.random() < 0.5 else None,
                follow_up_wanted=wanted, follow_up_by=due, follow_up_done=done,
            ))
        db.session.add_all(encounters)
        db.session.flush()
        return encounters

    # -- activities --------------------------------------------------------------------------

    def activities(self, companies: list[Company], events: list[Event]) -> list[Activity]:
        """About 500 meetings, calls, e-mails and visits over two years, by each company's officer;
        key accounts get dozens."""
        rng, today = self.rng, self.today
        weighted = []
        for c in companies:
            n = len(self.contacts_by_company[c.id])
            weight = (6 if c.membership_tier else 2 if c.status == "active" else 1) + n
            weighted.append((c, weight + (30 if c.id in self.key_accounts else 0)))
        fallback = [self.users[e] for e in ("liaison@example.org", "liaison2@example.org",
                                            "bd@example.org")]
        shows = [e for e in events
                 if e.kind in ("trade_show", "conference") and e.starts_on < today]
        activities = []
        for _ in range(500):
            company = rng.choices([c for c, _ in weighted], [w for _, w in weighted])[0]
            fields = self.company_fields[company.id]
            field = FIELDS[rng.choice(fields)]
            kind, subject, category = rng.choice(ACTIVITY_SUBJECTS)
            topic_ja, topic_en = rng.choice(field["seeds"])
            english = company.country != "JP" and rng.random() < 0.7
            topic = topic_en if english or subject.isascii() else topic_ja
            occurred = today - timedelta(days=int(rng.triangular(0, 730, 0)))
            event = rng.choice(shows)
            if "{event}" in subject:  # a follow-up call comes days after the show
                occurred = min(today, event.ends_on + timedelta(days=rng.randint(2, 20)))
            user = company.officer if company.officer and rng.random() < 0.85 else \
                rng.choice(fallback)
            people = self.contacts_by_company[company.id]
            attendees = rng.sample(people, min(len(people), rng.choice([0, 1, 1, 2])))
            lead = attendees[0] if attendees else None
            if lead:
                who = f"{lead.display_name} ({lead.title})" if english else \
                    f"{lead.display_name}（{lead.title}）"
            else:
                who = "their team" if english else "先方担当者"
            template = rng.choice(MINUTES[category]["en" if english else "ja"])
            minutes = template.format(
                who=who, user=user.name, topic=topic, need=field_interests(rng, fields, 1),
                follow=rng.choice(FOLLOW_UPS), due=(occurred + timedelta(days=14)).isoformat(),
            )
            confidential = rng.random() < (0.4 if category in ("contract", "export") else 0.04)
            activities.append(Activity(
                created_at=self.stamp(occurred), company_id=company.id, kind=kind,
                occurred_on=occurred,
                subject=subject.format(topic=topic, event=event.name)[:300], minutes=minutes,
                user_id=user.id, confidential=confidential, contacts=attendees,
            ))
        db.session.add_all(activities)
        db.session.flush()
        return activities

    # -- alumni and donations ----------------------------------------------------------------

    def alumni(self, companies: list[Company], departments: dict[str, Department],
               contacts: list[Contact]) -> list[Alumnus]:
        """About 80 graduates: most at Japanese firms, some abroad, some also our contacts."""
        rng, today = self.rng, self.today
        alumni = []
        foreign_firms = [c for c in companies if c.country != "JP"]
        japanese_contacts = [c for c in contacts if c.family_name_reading and not c.do_not_contact]
        for contact in rng.sample(japanese_contacts, 14):
            company = db.session.get(Company, contact.company_id)
            alumni.append(Alumnus(
                family_name=contact.family_name, given_name=contact.given_name,
                family_name_reading=contact.family_name_reading,
                given_name_reading=contact.given_name_reading, email=contact.email,
                degree=rng.choice(["master", "master", "doctor", "bachelor"]),
                graduation_year=today.year - rng.randint(3, 30),
                department=departments[rng.choice(["ENG", "SCI", "INF", "AGR", "PHA"])],
                employer_id=company.id, position=contact.title, country=company.country,
                contact_id=contact.id, notes="担当者としても登録あり。",
            ))
        while len(alumni) < 80:
            abroad = rng.random() < 0.2
            international = rng.random() < 0.12
            if international:
                country = rng.choice(["CN", "KR", "TW", "IN", "US", "DE", "SG"])
                person = foreign_person(rng, country)
            else:
                person = japanese_person(rng, female=0.35)
            employer = rng.choice(foreign_firms) if abroad else (
                rng.choice(companies) if rng.random() < 0.8 else None)
            year = today.year - rng.randint(1, 40)
            alumni.append(Alumnus(
                family_name=person.family, given_name=person.given,
                family_name_reading=person.family_reading, given_name_reading=person.given_reading,
                email=person.email("mail.example.com", n=len(alumni)),
                degree=rng.choices(["bachelor", "master", "doctor", "other"], [4, 5, 2, 1])[0],
                graduation_year=year,
                department=departments[rng.choice([d[0] for d in DEPARTMENTS])],
                employer_id=employer.id if employer else None,
                position=rng.choice(ALUMNI_POSITIONS) if employer else None,
                country=employer.country if employer else rng.choice(["JP", "JP", "US", "SG"]),
                notes=rng.choice([None, None, "同窓会 東京支部 幹事", "ホームカミングデー参加",
                                  "Alumni ambassador in Europe", "留学生 OB 会の連絡窓口"]),
            ))
        db.session.add_all(alumni)
        db.session.flush()
        return alumni

    def donations(self, companies: list[Company], alumni: list[Alumnus]) -> list[Donation]:
        """About 60 gifts: companies (some in USD, EUR or GBP) and alumni."""
        rng, today = self.rng, self.today
        donors = [c for c in companies if c.membership_tier or c.status in ("active", "former")]
        foreign = [c for c in companies if c.country != "JP"]
        # A few gifts from abroad first, so euros and dollars both appear.
        from_abroad = rng.sample([c for c in foreign if c.country in CURRENCY_BY_COUNTRY], 3) + \
            rng.sample([c for c in foreign if c.country not in CURRENCY_BY_COUNTRY], 3)
        donations = []
        for i in range(60):
            purpose, restricted = rng.choice(DONATION_PURPOSES)
            if i < 42:
                company = from_abroad[i] if i < len(from_abroad) else rng.choice(donors)
                currency = "JPY" if company.country == "JP" else CURRENCY_BY_COUNTRY.get(
                    company.country, "USD")
                amount = (rng.choice([300_000, 500_000, 1_000_000, 2_000_000, 3_000_000,
                                      5_000_000, 10_000_000]) if currency == "JPY"
                          else rng.choice([5_000, 10_000, 25_000, 50_000, 100_000]))
                donor = {"company_id": company.id}
            else:
                alumnus = rng.choice(alumni)
                currency = "JPY" if alumnus.country in (None, "JP") else "USD"
                amount = (rng.choice([10_000, 30_000, 50_000, 100_000, 300_000, 1_000_000])
                          if currency == "JPY" else rng.choice([500, 1_000, 2_500]))
                donor = {"alumnus_id": alumnus.id}
            received = days_ago(today, 1, 3 * 365, rng)
            donations.append(Donation(
                **donor, created_at=self.stamp(received), amount=Decimal(amount), currency=currency,
                received_on=received, purpose=purpose,
                restricted=restricted if rng.random() < 0.9 else not restricted,
                notes=rng.choice([None, None, "受領書送付済", "Receipt sent",
                                  "税額控除証明書発行済"]),
            ))
        db.session.add_all(donations)
        db.session.flush()
        return donations


    def requests(self, events: list[Event]) -> list:
        """A researcher's data-entry requests in every state, so the BD queue has work."""
        from crm.requests import services as requests

        researcher = self.users.get("researcher@example.org")
        bd = self.users.get("bd@example.org")
        if researcher is None or bd is None:
            return []
        past = [e for e in events if e.starts_on <= self.today]
        rows = [
            ("石川 真理", "イシカワ マリ", "株式会社ニコン", "研究開発本部 主任研究員",
             "m.ishikawa@nikon.example.co.jp", 12, "光学設計と機械学習の組み合わせ",
             "次世代露光装置の光学系設計に機械学習を使いたい。共同研究に関心あり。",
             "京都出身。週末はテニス。"),
            ("Daniel Weber", None, "Nordwind Robotik GmbH", "Head of R&D", "d.weber@example.com",
             9, "soft grippers for food handling",
             "Asked whether our soft-gripper seed could be licensed for food packaging lines.",
             "Cycles to work; visiting Japan again in spring."),
            ("小林 健太", "コバヤシ ケンタ", "ＡＢＣ(株)", "技術企画部 課長", None, 3,
             "全固体電池の電解質", "量産プロセスの評価方法について相談したいとのこと。", "娘さんが受験生。"),
            ("Priya Nair", None, "Helix Biotech Pte. Ltd.", "Business Development Manager",
             "priya.nair@example.com", 2, "antibody screening platforms",
             "Interested in a joint project with the medical school; asked for a seminar.", None),
            ("佐々木 亮", "ササキ リョウ", "東洋センサー株式会社", "営業部", None, 20,
             "振動センサ", "名刺をいただいたが詳細は不明。", None),
        ]
        made = []
        for i, (name, reading, company, title, email, days, interests, discussed, talk) in \
                enumerate(rows):
            event = past[-1 - i % len(past)] if past else None
            req = requests.submit_request({
                "person_name": name, "person_reading": reading, "company_name": company,
                "person_title": title, "email": email, "event_id": event.id if event else None,
                "where_met": None if event else "学内セミナー", "met_on": self.today - timedelta(days=days),
                "interests": interests, "discussed": discussed, "small_talk": talk,
            }, by=researcher)
            req.created_at = self.stamp(self.today - timedelta(days=days - 1))
            made.append(req)
        requests.claim(made[1], by=bd)
        requests.send_back(made[2], "会社名は ABC 株式会社（法人番号 …）で合っていますか？ 部署名も教えてください。", by=bd)
        requests.withdraw(made[4], by=researcher)
        db.session.flush()
        return made

    def stamp(self, day: date) -> datetime:
        """A moment during office hours (JST) on that day, in UTC."""
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            minutes=self.rng.randint(0, 9 * 60))


def build_small(seed: int, user_ids: dict[str, int], echo: Callable[[str], None]) -> dict[str, int]:
    """The small demo, the same for the same seed (dates move with today)."""
    return SmallDemo(random.Random(seed), user_ids, echo).build()
