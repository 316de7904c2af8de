"""QA of issue 7 (collaborations, NDAs, screening): what users ran into, each fixed.

- a list file of the wrong kind (an Excel file uploaded as SDN) was a 500 page, not a message;
- METI's English title line 'Revised on May 10, 2024' did not give the list's version;
- METI acronyms in brackets ('(KOMID)') were not names of their own; 'Univ.' was not University;
- an NDA effective in the year 9999 was a 500 page;
- a company with collaborations or NDAs could be deleted (SQLite left them pointing at nothing);
- direct costs typed '10,000,000' or in full width were refused;
- a collaboration opened on a future date could never be signed off nor closed.
"""
from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from crm.collaborations import services as collab_services
from crm.collaborations.models import Collaboration
from crm.common.services import ValidationError
from crm.companies.models import Company
from crm.extensions import db
from crm.ndas import services as nda_services
from crm.ndas.models import Nda
from crm.research.models import Researcher, ResearchSeed
from crm.screening import names as nm
from crm.screening.models import ScreeningList
from importers.screening import ScreeningFileError, parse, split_script

TODAY = date.today()


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


METI_XLSX = [["End User List"], ["Revised on May 10, 2024"],
             ["No.", "Country or Region", "Company or Organization", "Also Known As",
              "Type of WMD"],
             [313, "North Korea", "Korea Mining Development Trading Corporation (KOMID)",
              "Changgwang Sinyong Corporation (蒼光信用会社)", "M"],
             [290, "North Korea", "Kim Il Sung University (金日成総合大学)", None, "N"]]


# --- list files ---------------------------------------------------------------------------------

def test_an_excel_file_given_as_sdn_is_a_message_not_a_crash(app, login):
    with pytest.raises(ScreeningFileError, match="cannot be read as a sdn list"):
        parse("sdn", _xlsx(METI_XLSX), "eul.xlsx")
    officer = login("export_control")
    response = officer.submit("/screening/lists", page="/screening/", data={
        "kind": "sdn", "version": "", "file": (io.BytesIO(_xlsx(METI_XLSX)), "eul.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "right kind" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ScreeningList)) == 0


def test_meti_english_title_line_gives_the_version(app):
    parsed = parse("meti-eul", _xlsx(METI_XLSX), "eul.xlsx")
    assert parsed.published_on == date(2024, 5, 10)


def test_meti_bracketed_acronym_is_a_name_of_its_own(app):
    assert split_script("KOREA MINING DEVELOPMENT TRADING CORPORATION (KOMID) (朝鮮鉱業開発貿易会社)") \
        == ["KOREA MINING DEVELOPMENT TRADING CORPORATION", "KOMID", "朝鮮鉱業開発貿易会社"]
    assert split_script("ABC (PVT) LTD") == ["ABC (PVT) LTD"]
    parsed = parse("meti-eul", _xlsx(METI_XLSX), "eul.xlsx")
    komid = next(e for e in parsed.entries if e.entry_id == "EUL313")
    matcher = nm.Matcher([nm.Entry(ref=e.entry_id, names=[e.name, *e.aliases],
                                   entry_type=e.entry_type, countries=set())
                          for e in parsed.entries])
    assert "KOMID" in komid.aliases
    hits = matcher.search(["KOMID"], threshold=0.86)
    assert [h.ref for h in hits] == ["EUL313"]


def test_univ_is_university_when_screening(app):
    assert nm.fold("Kim Il Sung Univ.") == nm.fold("KIM IL SUNG UNIVERSITY")
    assert nm.fold("Beijing Univ. of Aeronautics and Astronautics") \
        == nm.fold("BEIJING UNIVERSITY OF AERONAUTICS AND ASTRONAUTICS")
    assert nm.fold("Univers Co., Ltd.") == "univers"


# --- NDAs ---------------------------------------------------------------------------------------

def test_nda_in_the_year_9999_is_refused_not_a_crash(app, login, make_company):
    partner = make_company(name="Acme Robotics Pte. Ltd.", country="SG")
    with pytest.raises(ValidationError) as err:
        nda_services.save_nda(None, {"company_id": partner.id, "title": "NDA", "status": "draft",
                                     "effective_from": date(9999, 12, 1), "term_months": 24,
                                     "survival_months": 36})
    assert "effective_from" in err.value.errors
    db.session.rollback()
    response = login("liaison").submit("/ndas/new", {
        "company": f"{partner.name} [#{partner.id}]", "title": "NDA", "status": "draft",
        "effective_from": "9999-12-01", "term_months": "24", "survival_months": "36",
        "arbitration_country": "GB"})
    assert response.status_code == 422
    assert "Check the year" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Nda)) == 0


# --- collaborations -----------------------------------------------------------------------------

@pytest.fixture
def seed(app):
    person = Researcher(family_name="田中", given_name="一郎")
    seed = ResearchSeed(title="全固体電池の電解質", researchers=[person])
    db.session.add_all([person, seed])
    db.session.commit()
    return seed


def _open(company, seed, **overrides) -> Collaboration:
    data = {"kind": "joint_research", "title": "電解質の共同研究", "company_id": company.id,
            "seed_ids": [seed.id], "researcher_ids": [], "currency": "JPY",
            "contract_language": "ja", "opened_on": TODAY}
    data.update(overrides)
    collab = collab_services.save_collaboration(None, data)
    db.session.commit()
    return collab


def test_a_company_with_a_collaboration_or_nda_is_not_deleted(app, login, make_company, seed):
    from crm.companies.services import delete_company

    partner = make_company(name="株式会社アクメ電機")
    other = make_company(name="株式会社ベータ")
    plain = make_company(name="株式会社ガンマ")
    _open(partner, seed)
    nda_services.save_nda(None, {"company_id": other.id, "title": "NDA", "status": "draft",
                                 "effective_from": TODAY, "term_months": 12})
    db.session.commit()
    with pytest.raises(ValidationError, match="株式会社アクメ電機"):
        delete_company(partner)
    db.session.rollback()
    manager = login("manager")
    response = manager.submit(f"/companies/{other.id}/delete", {})
    assert response.status_code == 409
    assert "株式会社ベータ" in response.get_data(as_text=True)
    assert db.session.get(Company, partner.id) is not None
    assert db.session.get(Company, other.id) is not None
    plain_id = plain.id
    assert manager.submit(f"/companies/{plain_id}/delete", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, plain_id) is None


@pytest.mark.parametrize("typed, expected", [
    ("10,000,000", Decimal("10000000")), ("１０，０００，０００", Decimal("10000000")),
    ("¥1,234,567", Decimal("1234567")), ("250万", None)])
def test_direct_costs_typed_with_separators(app, login, make_company, seed, typed, expected):
    partner = make_company(name="株式会社アクメ電機")
    response = login("liaison").submit("/collaborations/new", {
        "kind": "joint_research", "title": "電解質の共同研究",
        "company": f"{partner.name} [#{partner.id}]", "seeds-0": f"{seed.title} [#{seed.id}]",
        "direct_costs": typed, "currency": "JPY", "contract_language": "ja",
        "opened_on": TODAY.isoformat()})
    saved = db.session.execute(select(Collaboration)).scalar_one_or_none()
    if expected is None:
        assert response.status_code == 422 and saved is None
    else:
        assert response.status_code == 302, response.get_data(as_text=True)
        assert saved.direct_costs == expected
        assert saved.indirect_amount == (expected * Decimal("0.2")).quantize(Decimal(1))


def test_a_collaboration_cannot_open_in_the_future(app, make_company, seed):
    partner = make_company(name="株式会社アクメ電機")
    with pytest.raises(ValidationError) as err:
        _open(partner, seed, opened_on=TODAY + timedelta(days=1))
    assert "opened_on" in err.value.errors
    db.session.rollback()
    collab = _open(partner, seed)
    assert collab.opened_on == TODAY
