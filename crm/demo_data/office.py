"""What a real office's data holds besides its clean records, for the small demo.

- Duplicates: a few companies and contacts entered twice (株式会社 and (株), full-width letters,
  an English business card, a typo; an e-mail in another case, a phone number written the
  international way), each with something hanging on the second record so a merge means
  something — and one pair of look-alike companies that are *not* one (the finder must leave
  them alone: they share only the common word 電機 / Electric).
- Export-control screening: a small extract of Japan METI's End User List (public government
  data, see README.md) imported through the screening services as `crm lists import meti-eul`
  would, then every company screened; one made-up Singapore trading company whose name shares
  words with a listed entity is left as a candidate hit for the export-control officer to decide.
- Imports: saved column mappings, so the upload form's mapping menu shows the feature.

Runs after everything else of the small demo (screening covers every company and contact, so it
comes last); its own random generator leaves the rest of the demo as it was.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import jaconv

from crm.activities.models import Activity
from crm.companies.models import Company
from crm.companies.services import save_company
from crm.contacts.models import Contact
from crm.demo_data.common import foreign_person, japanese_person
from crm.events.models import Encounter, Event
from crm.extensions import db

if TYPE_CHECKING:
    from crm.demo_data.small import SmallDemo

#: The METI End User List extract shipped with the package (see README.md).
METI_EUL_DEMO = Path(__file__).with_name("meti_eul_demo.csv")
METI_EUL_DEMO_VERSION = "demo extract: 45 of 706 entries (names file)"

#: The made-up foreign company whose name comes close to a listed entity (FUTURE TRENDS
#: INTERNATIONAL, FZE LLC, United Arab Emirates) and whose group sits in the same country (so
#: the screening's country evidence does not lower it): a candidate for the officer to decide.
CANDIDATE = {
    "name": "Future Trends Trading Pte. Ltd.",
    "name_reading": "フューチャー・トレンズ・トレーディング",
    "country": "SG", "hq_country": "AE", "industry": "卸売業", "size": "sme",
    "status": "prospect", "website": "https://www.future-trends-trading.example.com/",
    "description": "Distributor of laboratory and test instruments in Singapore and Malaysia, "
                   "part of a trading group based in Dubai.",
    "interests": "SiC power module evaluation samples\nvibration sensors for test benches",
}

#: Two look-alike companies that are two companies: the same line of business (電機, Electric)
#: and the same ward, but different distinctive names. The finder must not propose them.
NEAR_PAIR = (
    {"name": "北斗電機株式会社", "name_reading": "ホクトデンキ",
     "name_en": "Hokuto Electric Co., Ltd."},
    {"name": "北星電機株式会社", "name_reading": "ホクセイデンキ",
     "name_en": "Hokusei Electric Co., Ltd."},
)

#: The foreign company entered a second time with a typo (from a trade-show lead list).
TYPO_OF = ("Rheinfeld Materialtechnik GmbH", "Rheinfeld Materialtechnick GmbH")

#: Saved import mappings: (name, kind, format, {file header: field, "" = ignore}).
SAVED_MAPPINGS = [
    ("旧 取引先管理シート（Excel）", "companies", "xlsx", {
        "No.": "", "取引先名（正式）": "name", "ﾌﾘｶﾞﾅ": "name_reading", "英文社名": "name_en",
        "法人番号(13桁)": "corporate_number", "本社所在地": "address", "業種区分": "industry",
        "HP": "website", "当室担当": "officer_email", "会員ランク": "membership_tier",
        "入会日": "member_since", "次回更新": "renewal_date", "関心分野": "interests",
        "メモ": "notes", "最終更新者": "",
    }),
    ("Trade-show lead scanner (CSV)", "contacts", "csv", {
        "Lead ID": "", "First Name": "given_name", "Last Name": "family_name",
        "Company": "company_name", "Job Title": "title", "Email Address": "email",
        "Work Phone": "phone", "Cell": "mobile", "Booth Notes": "notes", "Scan Date": "met_on",
        "Scanned By": "",
    }),
]


def add(demo: SmallDemo, companies: list[Company], contacts: list[Contact],
        events: list[Event]) -> dict[str, int]:
    """Add the duplicates, the candidate, the saved mappings, then import the list and screen
    every company; returns counts for the demo summary."""
    rng = random.Random(11)  # its own generator: the rest of the demo stays as it was
    twins, lookalikes, contact_twins = _duplicates(demo, rng, companies, contacts, events)
    candidate = _candidate(demo, rng)
    mappings = _saved_mappings(demo)
    db.session.flush()
    screened = _screening(demo)
    return {"companies entered twice": twins, "look-alike companies (not duplicates)": lookalikes,
            "contacts entered twice": contact_twins,
            "screening candidates to decide": int(candidate is not None),
            "companies screened (METI EUL demo extract)": screened,
            "saved import mappings": mappings}


# --- duplicates ----------------------------------------------------------------------------------

def _fullwidth(text: str) -> str:
    return jaconv.h2z(text, kana=False, ascii=True, digit=True)


def _core_name(name: str) -> str:
    return name.replace("株式会社", "").strip()


def _past_show(events: list[Event], today: date) -> Event | None:
    shows = [e for e in events if e.kind in ("trade_show", "conference") and e.ends_on < today]
    return max(shows, key=lambda e: e.starts_on, default=None)


def _duplicates(demo: SmallDemo, rng: random.Random, companies: list[Company],
                contacts: list[Contact], events: list[Event]) -> tuple[int, int, int]:
    today, users = demo.today, demo.users
    bd, liaison2 = users["bd@example.org"], users["liaison2@example.org"]
    japanese = [c for c in companies if c.country == "JP" and c.corporate_number
                and c.parent_id is None]
    used: set[int] = set()

    # 1. The same company typed again from a business card: ＡＢＣ(株) for ABC株式会社
    #    (full-width letters, the short legal form), with the person met and the talk.
    latin = [c for c in japanese if c.status == "active" and c.officer_id
             and any(ch.isascii() and ch.isalpha() for ch in _core_name(c.name))]
    base = (latin or japanese)[0]
    used.add(base.id)
    show = _past_show(events, today)
    met_on = show.starts_on if show else today - timedelta(days=60)
    twin = save_company(None, {
        "name": _fullwidth(_core_name(base.name)) + "(株)", "country": "JP", "status": "prospect",
        "industry": base.industry,
        "notes": f"{show.name if show else '展示会'}で名刺交換。既存の登録に気づかず新規登録。"})
    domain = demo.company_domain[base.id]
    person = japanese_person(rng)
    card = Contact(created_at=demo.stamp(met_on), updated_at=demo.stamp(met_on),
                   company_id=twin.id, family_name=person.family, given_name=person.given,
                   family_name_reading=person.family_reading,
                   given_name_reading=person.given_reading, title="主任研究員",
                   department="生産技術本部", email=person.email(domain),
                   how_we_met=show.name if show else "展示会", consent=True)
    db.session.add(card)
    db.session.flush()
    if show:
        db.session.add(Encounter(created_at=demo.stamp(met_on), event_id=show.id,
                                 contact_id=card.id, user_id=bd.id, met_on=met_on,
                                 research_interests="量産ラインの検査自動化",
                                 follow_up_wanted=True, follow_up_by=met_on + timedelta(days=14),
                                 follow_up_done=True))
    db.session.add(Activity(
        created_at=demo.stamp(met_on + timedelta(days=9)), company_id=twin.id, kind="call",
        occurred_on=met_on + timedelta(days=9), subject="展示会のお礼と技術相談の日程調整",
        minutes=f"{card.display_name}様に電話。ブースで紹介した検査技術について、"
                "研究室見学を希望。候補日を3つ送る。",
        user_id=bd.id, contacts=[card]))

    # 2. The same company entered under its English name (from an overseas office's card).
    english = [c for c in japanese if c.id not in used and c.membership_tier and c.name_en
               and not any(ch.isascii() and ch.isalpha() for ch in c.name)]
    # A maker the office works with, whose English name is more than one short word.
    english.sort(key=lambda c: (c.industry not in ("精密機器", "電気機器", "化学", "機械"),
                                len(c.name_en.split()[0]) < 5))
    base = (english or [c for c in japanese if c.id not in used and c.name_en])[0]
    used.add(base.id)
    name_en = base.name_en.title() if base.name_en.isupper() else base.name_en
    twin = save_company(None, {
        "name": name_en, "country": "JP", "status": "prospect", "industry": base.industry,
        "notes": "Entered from the business card of their US R&D office."})
    when = today - timedelta(days=25)
    db.session.add(Activity(
        created_at=demo.stamp(when), company_id=twin.id, kind="email", occurred_on=when,
        subject="Inquiry from their US R&D office about a joint project",
        minutes="Their US lab asked whether our group could host a visiting engineer for six "
                "months. Replied with the visiting-researcher rules; to discuss with the "
                "Japanese head office first.",
        user_id=liaison2.id))

    # 3. A foreign company typed again with a typo, from a trade-show lead list.
    twins = 2
    original = next((c for c in companies if c.name == TYPO_OF[0]), None)
    if original is not None:
        used.add(original.id)
        twin = save_company(None, {
            "name": TYPO_OF[1], "country": original.country, "status": "prospect",
            "industry": original.industry, "notes": "Lead list of a trade show."})
        person = foreign_person(rng, original.country)
        db.session.add(Contact(
            created_at=demo.stamp(met_on), updated_at=demo.stamp(met_on), company_id=twin.id,
            family_name=person.family, given_name=person.given, title="Key Account Manager",
            department="Sales", email=person.email(demo.company_domain[original.id]),
            how_we_met=show.name if show else None, consent=False))
        twins += 1

    # 4. Look-alikes that are two companies (the finder must not propose them).
    for plan in NEAR_PAIR:
        save_company(None, {**plan, "country": "JP", "hq_country": "JP", "industry": "電気機器",
                            "size": "sme", "status": "prospect",
                            "description": "電気機器。本社: 東京都大田区。"})

    # 5. A contact entered twice with the same e-mail in another case (a card-scanning app
    #    capitalises it), promoted since.
    people = [c for c in contacts if c.company_id not in used and c.family_name_reading
              and not c.do_not_contact and c.email]
    member_ids = {c.id for c in companies if c.membership_tier}
    first = next((c for c in people if c.company_id in member_ids), people[0])
    local, _, host = first.email.partition("@")
    when = today - timedelta(days=40)
    again = [Contact(
        created_at=demo.stamp(when), updated_at=demo.stamp(when), company_id=first.company_id,
        family_name=first.family_name, given_name=first.given_name,
        family_name_reading=first.family_name_reading,
        given_name_reading=first.given_name_reading,
        title=next(t for t in ("部長", "本部長", "執行役員") if t != first.title),
        department=first.department,
        email=".".join(p.capitalize() for p in local.split(".")) + "@" + host,
        how_we_met="名刺管理アプリから取り込み", consent=first.consent,
        notes="昇進のご挨拶メールを受領。")]
    used.add(first.company_id)

    # 6. The same person at the same company with the same phone number, written the
    #    international way on an English card, and another address (the lab's domain).
    phoned = next((c for c in people if c.company_id not in used and c.phone
                   and c.phone.startswith("0")), None)
    if phoned is not None:
        local, _, host = phoned.email.partition("@")
        when = today - timedelta(days=12)
        again.append(Contact(
            created_at=demo.stamp(when), updated_at=demo.stamp(when),
            company_id=phoned.company_id, family_name=phoned.family_name,
            given_name=phoned.given_name, family_name_reading=phoned.family_name_reading,
            given_name_reading=phoned.given_name_reading, title="Senior Researcher",
            department="Central Research Laboratory", email=f"{local}@rd.{host}",
            phone="+81 " + phoned.phone[1:], how_we_met="Introduced by a professor",
            consent=True))
    db.session.add_all(again)
    db.session.flush()
    return twins, len(NEAR_PAIR), len(again)


# --- export-control screening -------------------------------------------------------------------

def _candidate(demo: SmallDemo, rng: random.Random) -> Company:
    """The Singapore distributor (of a Dubai group) that asked for evaluation samples: its name
    shares words with a listed UAE entity, so the screening raises it for the officer to
    decide."""
    company = save_company(None, dict(CANDIDATE))
    person = foreign_person(rng, "SG")
    when = demo.today - timedelta(days=6)
    contact = Contact(
        created_at=demo.stamp(when), updated_at=demo.stamp(when), company_id=company.id,
        family_name=person.family, given_name=person.given, title="Sales Director",
        email=person.email("future-trends-trading.example.com"),
        how_we_met="Web inquiry", consent=True)
    db.session.add(contact)
    db.session.flush()
    db.session.add(Activity(
        created_at=demo.stamp(when), company_id=company.id, kind="email", occurred_on=when,
        subject="Web inquiry: evaluation samples of the SiC power module prototype",
        minutes="Asked to buy ten evaluation samples for a customer in the region (end user not "
                "named). Told them any shipment needs our export-control review first.",
        user_id=demo.users["liaison2@example.org"].id, contacts=[contact]))
    return company


def _screening(demo: SmallDemo) -> int:
    """Import the METI EUL demo extract (as `crm lists import meti-eul` does) and screen every
    company and its contacts; returns the number of companies screened."""
    from crm.screening import services as screening

    officer = demo.users.get("export-control@example.org")
    result = screening.import_list(
        "meti-eul", METI_EUL_DEMO.read_bytes(), METI_EUL_DEMO.name,
        version=METI_EUL_DEMO_VERSION, by=officer)
    return result.rescreened


# --- imports -------------------------------------------------------------------------------------

def _saved_mappings(demo: SmallDemo) -> int:
    from crm.imports.services import save_mapping

    bd = demo.users.get("bd@example.org")
    for name, kind, fmt, mapping in SAVED_MAPPINGS:
        save_mapping(name, kind, mapping, format=fmt, by=bd)
    return len(SAVED_MAPPINGS)
