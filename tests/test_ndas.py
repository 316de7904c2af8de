"""The NDA register: computed expiry and survival dates, the disclosure log (refused after
expiry), the third-country arbitration rule, expiry reminders, forms and roles."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm.common.services import ValidationError
from crm.extensions import db
from crm.ndas import services
from crm.ndas.models import Disclosure, Nda
from tests.factories import make_contact, make_nda
from tests.reading import count

TODAY = date.today()


@pytest.fixture
def partner(make_company):
    return make_company(name="Acme Robotics Pte. Ltd.", country="SG")


def _form(partner_company, **overrides) -> dict:
    form = {"company": f"{partner_company.name} [#{partner_company.id}]", "title": "NDA 2026",
            "status": "signed", "signed_on": "2026-01-10", "effective_from": "2026-01-15",
            "term_months": "24", "survival_months": "36", "mutual": "y",
            "governing_law": "Laws of Japan", "arbitration_place": "SIAC Singapore",
            "arbitration_country": "SG"}
    form.update(overrides)
    return form


# --- dates ------------------------------------------------------------------------------------

def test_expiry_and_survival_dates_are_computed(partner):
    nda = make_nda(partner)
    assert nda.expires_on == date(2026, 3, 31)  # 12 months from 1 April: through 31 March
    assert nda.survives_until == date(2028, 3, 31)
    services.save_nda(nda, {"company_id": partner.id, "title": nda.title, "status": "signed",
                            "signed_on": nda.signed_on, "effective_from": date(2025, 4, 1),
                            "term_months": 6, "survival_months": 0})
    db.session.commit()
    assert (nda.expires_on, nda.survives_until) == (date(2025, 9, 30), date(2025, 9, 30))


@pytest.mark.parametrize("start, months, expected", [
    (date(2024, 1, 31), 1, date(2024, 2, 28)),   # 29 Feb is the same day a month later
    (date(2023, 11, 15), 3, date(2024, 2, 14)),
    (date(2024, 2, 29), 12, date(2025, 2, 27)),
])
def test_month_arithmetic_at_month_ends(start, months, expected):
    assert services.nda_dates(start, months, 0)[0] == expected
    assert services.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_nda_form_saves_and_shows_the_dates(partner, login):
    client = login("bd")
    r = client.submit("/ndas/new", _form(partner))
    assert r.status_code == 302, r.get_data(as_text=True)
    nda = db.session.scalar(select(Nda))
    assert (nda.expires_on, nda.survives_until) == (date(2028, 1, 14), date(2031, 1, 14))
    page = client.get(f"/ndas/{nda.id}").get_data(as_text=True)
    assert "14 Jan 2028" in page and "14 Jan 2031" in page


def test_nda_form_errors_by_field_and_nothing_saved(partner, login):
    r = login("liaison").submit("/ndas/new", _form(partner, company="", title="",
                                                    term_months="0", effective_from="",
                                                    arbitration_country="Singapore"))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    for message in ("Choose the partner company.", "Enter a title for the NDA.",
                    "Use a two-letter country code", "The term is a number of months from 1",
                    "Enter the date the NDA takes effect."):
        assert message in page, message
    assert count(Nda) == 0


def test_a_signed_nda_needs_its_signing_date(partner):
    with pytest.raises(ValidationError) as err:
        make_nda(partner, signed_on=None)
    assert "signed_on" in err.value.errors


# --- disclosures -------------------------------------------------------------------------------

def _disclosure(**overrides) -> dict:
    form = {"disclosed_on": "2025-06-01", "direction": "to_partner",
            "description": "制御アルゴリズムの概要資料（第2版）", "classification": "confidential",
            "disclosed_by": "田中 教授", "disclosed_to": "Dr. Lim"}
    form.update(overrides)
    return form


def test_disclosures_are_logged_within_the_term(partner, login, users):
    nda = make_nda(partner)
    contact = make_contact(partner, "Lim", "Wei")
    client = login("liaison")
    r = client.submit(f"/ndas/{nda.id}/disclosures", page=f"/ndas/{nda.id}", data=_disclosure(
        disclosed_to="", disclosed_to_contact=f"Lim Wei [#{contact.id}]"))
    assert r.status_code == 302, r.get_data(as_text=True)
    d = db.session.scalar(select(Disclosure))
    assert (d.disclosed_on, d.classification, d.disclosed_to_contact_id) == (
        date(2025, 6, 1), "confidential", contact.id)
    assert d.disclosed_to and d.recorded_by_id == users["liaison"].id
    page = client.get(f"/ndas/{nda.id}").get_data(as_text=True)
    assert "制御アルゴリズムの概要資料（第2版）" in page


@pytest.mark.parametrize("day, message", [
    ("2026-04-01", "The NDA expired on 2026-03-31"),
    ("2025-03-31", "takes effect on 2025-04-01"),
])
def test_disclosures_outside_the_term_are_refused(partner, login, day, message):
    nda = make_nda(partner)
    r = login("liaison").submit(f"/ndas/{nda.id}/disclosures", page=f"/ndas/{nda.id}",
                                data=_disclosure(disclosed_on=day))
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert count(Disclosure) == 0


def test_the_last_day_in_force_still_accepts_a_disclosure(partner):
    nda = make_nda(partner)
    services.add_disclosure(nda, {**_disclosure(), "disclosed_on": date(2026, 3, 31)})
    assert len(nda.disclosures) == 1


def test_no_disclosure_under_an_unsigned_nda(partner):
    nda = make_nda(partner, status="draft", signed_on=None)
    with pytest.raises(ValidationError) as err:
        services.add_disclosure(nda, {**_disclosure(), "disclosed_on": date(2025, 6, 1)})
    assert "not signed" in err.value.errors["disclosed_on"]


def test_a_disclosure_needs_what_and_to_whom(partner, login):
    nda = make_nda(partner)
    client = login("liaison")
    r = client.submit(f"/ndas/{nda.id}/disclosures", page=f"/ndas/{nda.id}",
                      data=_disclosure(description="", disclosed_to=""))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "Describe what was disclosed." in page
    assert "Enter who received it: pick a contact or write a name." in page
    # not one of the offered classifications: only a tampered post sends it
    r = client.forge(f"/ndas/{nda.id}/disclosures", _disclosure(classification="top_secret"))
    assert r.status_code == 422 and "Not a valid choice" in r.get_data(as_text=True)
    assert count(Disclosure) == 0


# --- arbitration (case 27) ---------------------------------------------------------------------

@pytest.mark.parametrize("country, hq, arbitration, warned", [
    ("SG", None, "JP", True),     # Japan is not a third country
    ("SG", None, "SG", True),     # nor the partner's
    ("SG", None, None, True),     # nothing recorded
    ("SG", None, "CH", False),    # Switzerland: a third country
    ("JP", "US", "US", True),     # a Japanese subsidiary of a US group: the group's country
    ("JP", None, "JP", False),    # a domestic company: the rule does not apply
])
def test_third_country_arbitration_warning(make_company, login, country, hq, arbitration,
                                           warned):
    company = make_company(name="Partner Co.", country=country, hq_country=hq)
    nda = make_nda(company, arbitration_country=arbitration)
    assert (services.arbitration_warning(nda) is not None) is warned
    page = login("liaison").get(f"/ndas/{nda.id}").get_data(as_text=True)
    assert ('id="arbitration-warning"' in page) is warned


# --- expiry reminders ----------------------------------------------------------------------------

def test_expiring_lists_signed_ndas_ending_within_the_window(partner, login):
    def make(days_left: int, **kw) -> Nda:
        # effective (days_left + 1) days after "one year ago" -> in force through today+days_left
        start = services.add_months(TODAY + timedelta(days=days_left + 1), -12)
        nda = make_nda(partner, title=f"NDA {days_left}", effective_from=start,
                       signed_on=min(start, TODAY), **kw)
        assert nda.expires_on == TODAY + timedelta(days=days_left)
        return nda

    make(10), make(59), make(80), make(120), make(-5), make(30, status="terminated")
    assert [n.title for n in services.expiring(60)] == ["NDA 10", "NDA 59"]
    assert [n.title for n in services.expiring(90)] == ["NDA 10", "NDA 59", "NDA 80"]
    client = login("manager")
    page = client.get("/ndas/").get_data(as_text=True)
    soon = page.split('id="expiring"')[1].split("</section>")[0]
    assert "NDA 10" in soon and "NDA 80" in soon and "NDA 120" not in soon
    home = client.get("/").get_data(as_text=True)
    assert "NDAs expiring within 60 days" in home and "NDA 59" in home and "NDA 80" not in home


def test_the_register_filters_expired_ndas(partner, login):
    make_nda(partner, title="古いNDA")
    make_nda(partner, title="新しいNDA", effective_from=TODAY - timedelta(days=10),
             signed_on=TODAY - timedelta(days=10))
    page = login("liaison").get("/ndas/?status=expired").get_data(as_text=True)
    assert "古いNDA" in page and "新しいNDA" not in page


# --- roles and CSRF -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["researcher", "staff"])
def test_researchers_and_staff_see_no_nda(partner, login, role):
    nda = make_nda(partner)
    client = login(role)
    for url in ("/ndas/", f"/ndas/{nda.id}", "/ndas/new"):
        assert client.get(url).status_code == 403, url
    assert "NDAs expiring" not in client.get("/").get_data(as_text=True)


def test_export_control_officer_reads_the_register_but_records_nothing(partner, login):
    nda = make_nda(partner)
    client = login("export_control")
    assert client.get("/ndas/").status_code == 200
    assert client.get(f"/ndas/{nda.id}").status_code == 200
    assert client.get("/ndas/new").status_code == 403
    assert client.forge(f"/ndas/{nda.id}/disclosures", _disclosure()).status_code == 403
    assert count(Disclosure) == 0


def test_forged_nda_posts_are_refused(partner, login):
    nda = make_nda(partner)
    client = login("manager")
    assert client.post("/ndas/new", data=_form(partner)).status_code == 400
    assert client.post(f"/ndas/{nda.id}/disclosures", data=_disclosure()).status_code == 400
    assert count(Nda) == 1 and count(Disclosure) == 0


def test_company_page_lists_its_ndas(partner, login):
    make_nda(partner, title="秘密保持契約（ロボット制御）")
    page = login("liaison").get(f"/companies/{partner.id}").get_data(as_text=True)
    assert "秘密保持契約（ロボット制御）" in page


def test_nda_linked_to_a_collaboration_shows_on_its_nda_step(partner, login):
    from crm.collaborations.models import Collaboration

    collab = Collaboration(kind="joint_research", title="ロボット制御の共同研究",
                           company=partner, stage="nda", opened_on=TODAY, currency="JPY",
                           contract_language="ja")
    db.session.add(collab)
    db.session.commit()
    nda = make_nda(partner, collaboration_id=collab.id)
    page = login("liaison").get(f"/collaborations/{collab.id}").get_data(as_text=True)
    step = page.split('id="step-nda"')[1].split("</details>")[0]
    assert f"/ndas/{nda.id}" in step
    with pytest.raises(ValidationError):  # an NDA with another company cannot link to it
        services.save_nda(None, {"company_id": _other_company(), "title": "他社",
                                 "status": "draft", "effective_from": TODAY, "term_months": 12,
                                 "collaboration_id": collab.id})


def _other_company() -> int:
    from crm.companies.services import save_company

    return save_company(None, {"name": "別会社株式会社"}).id


def test_a_disclosure_to_someone_outside_the_partners_group_is_refused(partner, make_company):
    """The NDA covers its company and its group; a contact at another company is not covered."""
    nda = make_nda(partner)
    other = make_company(name="Other Robotics Ltd.", country="SG")
    subsidiary = make_company(name="Acme Robotics Japan K.K.", country="JP", parent_id=partner.id)
    outsider = make_contact(other, "Tan", "Wei")
    insider = make_contact(subsidiary, "Lim", "Mei")
    with pytest.raises(ValidationError) as err:
        services.add_disclosure(nda, {**_disclosure(), "disclosed_on": date(2025, 6, 1), "disclosed_to": "",
                                      "disclosed_to_contact_id": outsider.id})
    assert "does not cover them" in err.value.errors["disclosed_to_contact"]
    services.add_disclosure(nda, {**_disclosure(), "disclosed_on": date(2025, 6, 1), "disclosed_to": "",
                                  "disclosed_to_contact_id": insider.id})
    assert len(nda.disclosures) == 1


def test_nda_in_the_year_9999_is_refused_not_a_crash(partner, login):
    with pytest.raises(ValidationError) as err:
        services.save_nda(None, {"company_id": partner.id, "title": "NDA", "status": "draft",
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
    assert count(Nda) == 0
