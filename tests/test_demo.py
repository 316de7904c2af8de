"""Demo data: the small office through the CLI, the large builder at a tiny size, and the
benchmark's refusal of an empty database."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.activities.models import Activity, activity_contacts
from crm.alumni.models import Alumnus
from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.common.text import fold_company_name, is_japanese_name, valid_corporate_number
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.demo import DEMO_USERS
from crm.donations.models import Donation
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.liaison.models import Coverage, PortfolioAssignment
from crm.research.models import Department, Researcher, ResearchSeed, seed_researchers
from tests.reading import count

KATAKANA = re.compile(r"^[\u30a1-\u30fcー・]+$")


def dangling_foreign_keys() -> list[str]:
    """Every foreign key value that points at no row, as 'table.column' (engine-neutral)."""
    problems = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            child, parent = fk.parent, fk.column
            missing = db.session.scalar(
                select(func.count())
                .select_from(table)
                .where(child.is_not(None), child.not_in(select(parent)))
            )
            if missing:
                problems.append(f"{table.name}.{child.name}: {missing}")
    return problems


def _officer_ids_match_open_assignments() -> bool:
    open_rows = dict(db.session.execute(
        select(PortfolioAssignment.company_id, PortfolioAssignment.officer_id)
        .where(PortfolioAssignment.ended_at.is_(None))).all())
    officers = dict(db.session.execute(
        select(Company.id, Company.officer_id).where(Company.officer_id.is_not(None))).all())
    return bool(open_rows) and open_rows == officers


def test_small_demo_through_the_cli(runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo password (all demo users):" in result.output
    credentials = (Path(app.instance_path) / "demo-credentials.txt").read_text()
    for email, _name, _roles in DEMO_USERS:  # the export-control officer among them
        assert email in credentials and email in result.output

    # The eight demo users with their roles.
    users = {u.email: u for u in db.session.scalars(select(User))}
    for email, _name, roles in DEMO_USERS:
        assert users[email].roles == set(roles)
        assert users[email].check_password(re.search(r"users\): (\S+)", result.output).group(1))
    researcher_user = users["researcher@example.org"]
    assert researcher_user.researcher_id is not None  # can edit the seeds they are named on

    # A living office: roughly the sizes the demo promises.
    assert 150 <= count(Company) <= 250
    assert 350 <= count(Contact) <= 450
    assert 50 <= count(Researcher) <= 70 and 100 <= count(ResearchSeed) <= 140
    assert 10 <= count(Event) <= 15 and 250 <= count(Encounter) <= 350
    assert 450 <= count(Activity) <= 550 and 70 <= count(Alumnus) <= 90
    assert 50 <= count(Donation) <= 70 and 8 <= count(Department) <= 12

    companies = db.session.scalars(select(Company)).all()
    # Every liaison demo user owns a portfolio of 7-10 companies; some companies have nobody.
    owned = Counter(c.officer_id for c in companies)
    for email in ("liaison@example.org", "liaison2@example.org"):
        assert 7 <= owned[users[email].id] <= 10
    assert owned[None] > 0
    # Portfolios were made through the portfolio service: each officer_id is the company's open
    # assignment, some were handed over (history), one subsidiary was kept past the 7-10 rule
    # with the reason recorded; the demo liaison users cover 2-4 departments, two nobody does.
    assert _officer_ids_match_open_assignments()
    assert db.session.scalar(select(func.count()).where(PortfolioAssignment.ended_at.is_not(None)))
    assert db.session.scalar(select(func.count()).where(
        PortfolioAssignment.override_reason.is_not(None)))
    for email in ("liaison@example.org", "liaison2@example.org"):
        covered = db.session.scalar(select(func.count()).where(
            Coverage.officer_id == users[email].id, Coverage.ended_at.is_(None)))
        assert 2 <= covered <= 4
    assert db.session.scalar(select(func.count()).where(
        Department.id.not_in(select(Coverage.department_id)))) >= 1
    # Japanese companies with real corporate numbers (valid, unique); foreign ones from many
    # countries.
    numbers = [c.corporate_number for c in companies if c.corporate_number]
    assert len(numbers) > 100 and len(set(numbers)) == len(numbers)
    assert all(valid_corporate_number(n) for n in numbers)
    foreign = [c for c in companies if c.country != "JP"]
    assert len(foreign) >= 25 and len({c.country for c in foreign}) >= 8
    assert any(c.parent_id for c in companies)
    assert all(c.name_folded == fold_company_name(c.name) for c in companies)
    # Memberships with renewals due soon.
    today = date.today()
    assert any(
        c.renewal_date and today <= c.renewal_date <= today + timedelta(days=30) for c in companies
    )

    # Japanese contacts have katakana readings; e-mails stay on example domains.
    contacts = db.session.scalars(select(Contact)).all()
    japanese = [c for c in contacts if is_japanese_name(c.family_name, c.given_name)]
    assert len(japanese) > 200 and len(japanese) < len(contacts)
    for c in japanese:
        assert KATAKANA.match(c.family_name_reading or ""), c.display_name
        assert KATAKANA.match(c.given_name_reading or ""), c.display_name
    assert all(c.email.endswith((".example.co.jp", ".example.com")) for c in contacts)
    assert any(c.do_not_contact for c in contacts)

    # Overdue follow-ups, confidential minutes, money in more than one currency.
    assert db.session.scalar(
        select(func.count()).where(
            Encounter.follow_up_wanted.is_(True),
            Encounter.follow_up_done.is_(False),
            Encounter.follow_up_by < today,
        )
    )
    assert db.session.scalar(select(func.count()).where(Activity.confidential.is_(True)))
    assert {"JPY", "USD", "EUR"} <= set(db.session.scalars(select(Donation.currency).distinct()))
    assert db.session.scalar(select(func.count()).where(Alumnus.contact_id.is_not(None)))
    assert dangling_foreign_keys() == []

    # Audited like real data.
    audited = db.session.scalar(
        select(func.count()).where(AuditEntry.entity == "companies", AuditEntry.action == "create")
    )
    assert audited == len(companies)

    # What real office data also holds: duplicates, a screening list, saved import mappings.
    _check_office_realities(users)

    # --if-empty leaves a loaded database alone.
    before = count(Company), count(Contact), count(User)
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "already has data" in again.output
    assert (count(Company), count(Contact), count(User)) == before


def _pairs(kind: str) -> dict[frozenset, object]:
    """The pairs the duplicates finder proposes, by the two records' ids."""
    from crm.duplicates.services import find_all

    return {frozenset(p.key): p for p in find_all(kind, use_cache=False).pairs}


def _company(name: str) -> Company:
    return db.session.scalars(select(Company).where(Company.name == name)).one()


def _check_office_realities(users: dict[str, User]) -> None:
    from crm.collaborations import services as collaborations
    from crm.collaborations.models import Collaboration
    from crm.collaborations.steps import item_codes
    from crm.common.text import nfkc
    from crm.demo_data.office import CANDIDATE, METI_EUL_DEMO_VERSION, NEAR_PAIR, TYPO_OF
    from crm.duplicates.merge import merge
    from crm.imports.models import SavedMapping
    from crm.screening import services as screening

    companies = {c.id: c for c in db.session.scalars(select(Company))}
    pairs = _pairs("companies")

    def proposed(a: Company, b: Company):
        return pairs.get(frozenset((a.id, b.id)))

    # ＡＧＣ(株) typed again for AGC株式会社 (full-width, short legal form): certain, same name;
    # the person met and the call hang on the second record.
    twin = next(c for c in companies.values() if c.name != nfkc(c.name))
    assert twin.name.endswith("(株)") and twin.corporate_number is None
    base = next(c for c in companies.values()
                if c.id != twin.id and c.name_folded == twin.name_folded)
    assert base.corporate_number and proposed(base, twin).strength == "certain"
    assert "name" in proposed(base, twin).reasons
    twin_contacts = db.session.scalars(select(Contact).where(Contact.company_id == twin.id)).all()
    assert len(twin_contacts) == 1
    assert db.session.scalar(select(func.count()).where(Activity.company_id == twin.id)) == 1
    # A company entered under its English name: certain as well.
    english = [(companies[min(k)], companies[max(k)]) for k, p in pairs.items()
               if "name" in p.reasons and companies[min(k)].name_en
               and companies[max(k)].name.casefold() == companies[min(k)].name_en.casefold()]
    assert len(english) == 1 and english[0][1].corporate_number is None
    # A foreign company with a typo: likely (similar name).
    typo = proposed(_company(TYPO_OF[0]), _company(TYPO_OF[1]))
    assert typo is not None and typo.strength == "likely" and "near_name" in typo.reasons
    # X Electric / Y Electric: the same line of business, not the same company.
    assert proposed(_company(NEAR_PAIR[0]["name"]), _company(NEAR_PAIR[1]["name"])) is None
    assert len(pairs) == 3

    contact_pairs = _pairs("contacts")
    by_id = {c.id: c for c in db.session.scalars(select(Contact))}
    same_mail = [(by_id[min(k)], by_id[max(k)]) for k, p in contact_pairs.items()
                 if "email" in p.reasons]
    assert len(same_mail) == 1
    a, b = same_mail[0]
    assert a.email != b.email and a.email.lower() == b.email.lower()
    assert contact_pairs[frozenset((a.id, b.id))].strength == "certain"
    same_phone = [(by_id[min(k)], by_id[max(k)]) for k, p in contact_pairs.items()
                  if {"phone", "name_company"} <= set(p.reasons)]
    assert len(same_phone) == 1
    a, b = same_phone[0]
    assert a.company_id == b.company_id and a.phone != b.phone and a.email != b.email

    # Merging the twin moves its contact and activity to the company kept.
    merge("companies", base.id, twin.id)
    db.session.commit()
    assert db.session.get(Company, twin.id) is None
    assert db.session.get(Contact, twin_contacts[0].id).company_id == base.id

    # The METI End User List demo extract is the current list, with its version.
    (current,) = screening.current_lists()
    assert current.kind == "meti-eul" and current.version == METI_EUL_DEMO_VERSION
    assert "demo extract" in current.version and current.entry_count == 45
    # Every company was screened: one candidate to decide, and no real Japanese company near
    # a listed entity; the merged company (its contacts changed) needs screening again.
    candidate = _company(CANDIDATE["name"])
    assert screening.company_clearance(candidate.id) == "open"
    (hit,) = screening.latest_screening(candidate.id).hits
    assert hit.status == "open" and hit.entry_name.startswith("FUTURE TRENDS")
    states = Counter(screening.company_clearance(c.id) for c in companies.values()
                     if c.id not in (candidate.id, twin.id, base.id))
    assert states == Counter({"clear": len(companies) - 3})
    assert screening.company_clearance(base.id) == "unscreened"
    assert [c.id for c, *_ in screening.companies_needing_attention()] == [candidate.id]

    # So the export-control step of a collaboration waiting at it can now be signed off.
    waiting = db.session.scalars(
        select(Collaboration).where(Collaboration.stage == "export_control")).first()
    assert waiting is not None and collaborations.export_clearance(waiting) == "clear"
    officer = users["export-control@example.org"]
    collaborations.set_checks(waiting, "export_control", item_codes("export_control"), by=officer)
    collaborations.sign_off(waiting, date.today(), by=officer)
    assert waiting.stage != "export_control"
    db.session.rollback()

    # Saved import mappings for the upload form's menu.
    mappings = {m.kind: m for m in db.session.scalars(select(SavedMapping))}
    assert set(mappings) == {"companies", "contacts"}
    assert mappings["companies"].mapping_dict["取引先名（正式）"] == "name"
    assert mappings["companies"].created_by_id == users["bd@example.org"].id


TINY = {
    "officers": 3,
    "departments": 4,
    "researchers": 12,
    "seeds": 30,
    "companies": 320,
    "contacts": 400,
    "events": 15,
    "encounters": 80,
    "activities": 150,
    "alumni": 25,
    "donations": 20,
}


def _build_tiny(seed: int = 7) -> dict[str, int]:
    from crm import demo
    from crm.demo_data.large import build_large

    ids = demo._create_users(lambda line: None)
    made = build_large(seed=seed, user_ids=ids, echo=lambda line: None, counts=TINY)
    db.session.commit()
    return made


def test_large_builder_at_a_tiny_size():
    made = _build_tiny()
    expected = {
        Company: "companies",
        Contact: "contacts",
        Encounter: "encounters",
        Activity: "activities",
        Researcher: "researchers",
        ResearchSeed: "seeds",
        Department: "departments",
        Event: "events",
        Alumnus: "alumni",
        Donation: "donations",
    }
    for model, key in expected.items():
        assert count(model) == TINY[key], key
    assert count(User) == len(DEMO_USERS) + TINY["officers"]
    assert made["activity contacts"] == count(activity_contacts) > 0
    assert _officer_ids_match_open_assignments()
    assert count(Coverage) >= TINY["officers"]
    assert count(seed_researchers) >= TINY["seeds"]
    assert dangling_foreign_keys() == []

    companies = db.session.scalars(select(Company)).all()
    numbers = [c.corporate_number for c in companies if c.corporate_number]
    assert len(set(numbers)) == len(numbers) and all(valid_corporate_number(n) for n in numbers)
    # Past the 288 EDINET companies, made-up ones (with made-up, valid numbers) follow.
    assert any(c.corporate_number and c.id > 288 for c in companies)
    assert all(c.name_folded == fold_company_name(c.name) for c in companies)
    assert any(c.legal_form for c in companies)
    # Bulk rows carry no audit entries (only the demo users, made through the ORM, do).
    assert not db.session.scalar(select(func.count()).where(AuditEntry.entity != "users"))

    # New rows after the bulk load get fresh ids (PostgreSQL sequences moved past the ids).
    from crm.companies.services import save_company

    company = save_company(None, {"name": "株式会社あとから"})
    assert company.id > max(c.id for c in companies)


def test_large_builder_is_deterministic():
    _build_tiny(seed=3)
    first = db.session.execute(
        select(Company.name, Company.corporate_number).order_by(Company.id)
    ).all()
    contacts = db.session.execute(select(Contact.email).order_by(Contact.id)).scalars().all()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()
    _build_tiny(seed=3)
    assert [
        tuple(r)
        for r in db.session.execute(
            select(Company.name, Company.corporate_number).order_by(Company.id)
        )
    ] == [tuple(r) for r in first]
    assert (
        db.session.execute(select(Contact.email).order_by(Contact.id)).scalars().all() == contacts
    )


def _bench_module():
    path = Path(__file__).resolve().parent.parent / "bench" / "pages.py"
    spec = importlib.util.spec_from_file_location("bench_pages", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_refuses_a_missing_or_empty_database(app, tmp_path, monkeypatch, capsys):
    pages = _bench_module()
    monkeypatch.setattr(sys, "argv", ["pages.py", "--database", str(tmp_path / "none.db")])
    with pytest.raises(SystemExit) as exit_info:
        pages.main()
    assert exit_info.value.code == 2
    assert "make demo-large" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()

    # The test database has the schema but no companies yet.
    monkeypatch.setattr(
        sys, "argv", ["pages.py", "--database", app.config["SQLALCHEMY_DATABASE_URI"]]
    )
    with pytest.raises(SystemExit) as exit_info:
        pages.main()
    assert exit_info.value.code == 2
    assert "has no companies" in capsys.readouterr().err
