"""Donations: only roles with donations.view see them; the form's rules; the list's totals."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.donations.models import Donation
from crm.extensions import db
from tests.factories import make_alumnus, make_donation
from tests.reading import count, fresh

NO_DONATIONS = ["researcher", "liaison", "bd", "staff"]


def _form(**overrides) -> dict:
    data = {"donor_type": "company", "company": "", "alumnus": "", "amount": "1000000",
            "currency": "JPY", "received_on": "2025-06-30", "purpose": "研究奨励",
            "notes": ""}
    data.update(overrides)
    return data


# --- who may see and change donations -------------------------------------------------------

@pytest.mark.parametrize("role", NO_DONATIONS)
def test_every_donation_route_is_403_without_donations_view(login, make_company, role):
    donation = make_donation(make_company(name="Acme Inc."), "5000")
    client = login(role)
    for url in ("/donations/", f"/donations/{donation.id}", "/donations/new",
                f"/donations/{donation.id}/edit", f"/donations/{donation.id}/delete",
                "/donations/?year=2025", "/donations/999"):
        assert client.get(url).status_code == 403, url
    assert client.forge("/donations/new", _form(company=f"Acme Inc. [#{donation.company_id}]")) \
        .status_code == 403
    assert client.forge(f"/donations/{donation.id}/edit", _form(amount="1")).status_code == 403
    assert client.forge(f"/donations/{donation.id}/delete").status_code == 403
    assert count(Donation) == 1 and fresh(Donation, donation.id).amount == Decimal("5000")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/donations/"' not in home


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_manager_and_admin_see_donations(login, make_company, role):
    donation = make_donation(make_company(name="Acme Inc."), "5000", purpose="Lab equipment")
    client = login(role)
    assert "Lab equipment" in client.get("/donations/").get_data(as_text=True)
    assert "Lab equipment" in client.get(f"/donations/{donation.id}").get_data(as_text=True)


def test_post_without_csrf_token_is_refused(login, make_company):
    company = make_company(name="Acme Inc.")
    donation = make_donation(company, "5000")
    client = login("manager")
    assert client.post("/donations/new", data=_form(company=f"Acme Inc. [#{company.id}]")) \
        .status_code == 400
    assert client.post(f"/donations/{donation.id}/delete").status_code == 400
    assert count(Donation) == 1


def test_unknown_donation_is_404(login):
    client = login("manager")
    for url in ("/donations/999", "/donations/999/edit", "/donations/999/delete"):
        assert client.get(url).status_code == 404, url


# --- the form -----------------------------------------------------------------------------

def test_record_company_donation_through_the_form(login, make_company):
    company = make_company(name="株式会社サンプル電機")
    client = login("manager")
    form = client.get(f"/donations/new?company={company.id}").get_data(as_text=True)
    assert f"株式会社サンプル電機 [#{company.id}]" in form and 'value="JPY"' in form
    r = client.submit("/donations/new", _form(company=f"株式会社サンプル電機 [#{company.id}]",
                                              amount="1500000", restricted="y",
                                              purpose="パワー半導体研究"))
    assert r.status_code == 302
    donation = db.session.scalar(select(Donation))
    assert (donation.company_id, donation.alumnus_id) == (company.id, None)
    assert donation.amount == Decimal("1500000") and donation.currency == "JPY"
    assert donation.received_on == date(2025, 6, 30) and donation.restricted is True
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "株式会社サンプル電機" in page and "1,500,000" in page and "パワー半導体研究" in page


def test_record_alumnus_donation_in_dollars(login):
    alumnus = make_alumnus("Lee", "Anna")
    client = login("admin")
    form = client.get(f"/donations/new?alumnus={alumnus.id}").get_data(as_text=True)
    assert f"Anna Lee [#{alumnus.id}]" in form
    r = client.submit("/donations/new", _form(donor_type="alumnus",
                                              alumnus=f"Anna Lee [#{alumnus.id}]",
                                              amount="2500.50", currency="usd"))
    assert r.status_code == 302
    donation = db.session.scalar(select(Donation))
    assert (donation.alumnus_id, donation.company_id) == (alumnus.id, None)
    assert donation.amount == Decimal("2500.50") and donation.currency == "USD"
    assert "$2,500.50" in client.get(r.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("amount", ["-100", "0"])
def test_amount_must_be_positive(login, make_company, amount):
    company = make_company(name="Acme Inc.")
    r = login("manager").submit("/donations/new", _form(company=f"Acme Inc. [#{company.id}]",
                                                        amount=amount))
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "The amount must be more than zero." in body
    assert body.index('name="amount"') < body.index("The amount must be more than zero.")
    assert count(Donation) == 0


def test_amount_must_be_a_number(login, make_company):
    company = make_company(name="Acme Inc.")
    r = login("manager").submit("/donations/new", _form(company=f"Acme Inc. [#{company.id}]",
                                                        amount="lots"))
    assert r.status_code == 422
    assert "invalid-feedback" in r.get_data(as_text=True)
    assert count(Donation) == 0


def test_two_donors_are_refused(login, make_company):
    company = make_company(name="Acme Inc.")
    alumnus = make_alumnus("Lee", "Anna")
    r = login("manager").submit("/donations/new", _form(company=f"Acme Inc. [#{company.id}]",
                                                        alumnus=f"Anna Lee [#{alumnus.id}]"))
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "A donation has exactly one donor" in body
    assert body.index('name="alumnus"') < body.index("A donation has exactly one donor")
    assert count(Donation) == 0


def test_no_donor_is_refused(login):
    r = login("manager").submit("/donations/new", _form())
    assert r.status_code == 422
    assert "Choose the company that gave." in r.get_data(as_text=True)
    r = login("manager").submit("/donations/new", _form(donor_type="alumnus"))
    assert "Choose the alumnus who gave." in r.get_data(as_text=True)
    assert count(Donation) == 0


@pytest.mark.parametrize("currency, message", [("YEN", "not a known ISO currency code"),
                                               ("JP", "three-letter ISO currency code")])
def test_currency_must_be_iso(login, make_company, currency, message):
    company = make_company(name="Acme Inc.")
    r = login("manager").submit("/donations/new", _form(company=f"Acme Inc. [#{company.id}]",
                                                        currency=currency))
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert count(Donation) == 0


def test_edit_switches_the_donor(login, make_company):
    company = make_company(name="Acme Inc.")
    alumnus = make_alumnus("Lee", "Anna")
    donation = make_donation(company, "5000")
    client = login("manager")
    form = client.get(f"/donations/{donation.id}/edit").get_data(as_text=True)
    assert f"Acme Inc. [#{company.id}]" in form and 'value="5000.00"' in form
    r = client.submit(f"/donations/{donation.id}/edit", _form(
        donor_type="alumnus", alumnus=f"Anna Lee [#{alumnus.id}]", amount="6000"))
    assert r.status_code == 302
    donation = fresh(Donation, donation.id)
    assert (donation.company_id, donation.alumnus_id, donation.amount) == (
        None, alumnus.id, Decimal("6000"))


def test_delete_asks_first_then_deletes(login, make_company):
    donation = make_donation(make_company(name="Acme Inc."), "5000")
    client = login("manager")
    page = client.get(f"/donations/{donation.id}/delete").get_data(as_text=True)
    assert "Delete this donation?" in page and "Acme Inc." in page
    assert count(Donation) == 1
    r = client.submit(f"/donations/{donation.id}/delete")
    assert r.status_code == 302
    assert count(Donation) == 0


def test_the_database_refuses_two_donors(app, make_company):
    from sqlalchemy.exc import IntegrityError

    company, alumnus = make_company(name="Acme Inc."), make_alumnus()
    db.session.add(Donation(company_id=company.id, alumnus_id=alumnus.id, amount=Decimal(1),
                            currency="JPY", received_on=date(2025, 1, 1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- the list and its totals ----------------------------------------------------------------

@pytest.fixture
def ledger(make_company):
    acme, lee = make_company(name="Acme Inc."), make_alumnus("Lee", "Anna")
    make_donation(acme, "1000000", purpose="P-acme-2024", received_on=date(2024, 5, 1))
    make_donation(acme, "2000000", purpose="P-acme-2025", restricted=True,
                  received_on=date(2025, 5, 1))
    make_donation(lee, "300.25", "USD", purpose="P-lee-2025", received_on=date(2025, 7, 1))
    make_donation(lee, "50000", purpose="P-lee-jpy", received_on=date(2025, 8, 1))
    return acme, lee


def _purposes(body: str) -> set[str]:
    return {p for p in ("P-acme-2024", "P-acme-2025", "P-lee-2025", "P-lee-jpy") if p in body}


def test_list_filters_and_totals_per_currency(login, ledger):
    acme, lee = ledger
    client = login("manager")

    def get(**query) -> str:
        return client.get("/donations/", query_string=query).get_data(as_text=True)

    body = get()
    assert _purposes(body) == {"P-acme-2024", "P-acme-2025", "P-lee-2025", "P-lee-jpy"}
    assert "¥3,050,000" in body and "$300.25" in body
    assert body.index("¥3,050,000") < body.index("<table")

    body = get(year="2025")
    assert _purposes(body) == {"P-acme-2025", "P-lee-2025", "P-lee-jpy"}
    assert "¥2,050,000" in body
    body = get(currency="usd")
    assert _purposes(body) == {"P-lee-2025"} and "¥" not in body.split("<table")[0]
    body = get(donor="company")
    assert _purposes(body) == {"P-acme-2024", "P-acme-2025"} and "¥3,000,000" in body
    body = get(donor="alumnus")
    assert _purposes(body) == {"P-lee-2025", "P-lee-jpy"}
    assert _purposes(get(restricted="yes")) == {"P-acme-2025"}
    assert _purposes(get(restricted="no")) == {"P-acme-2024", "P-lee-2025", "P-lee-jpy"}
    assert _purposes(get(company=str(acme.id))) == {"P-acme-2024", "P-acme-2025"}
    assert _purposes(get(q="anna")) == {"P-lee-2025", "P-lee-jpy"}


def test_list_sorts_by_date_and_amount(login, ledger):
    client = login("manager")
    body = client.get("/donations/").get_data(as_text=True)
    assert body.index("P-lee-jpy") < body.index("P-acme-2024")  # newest first
    body = client.get("/donations/?sort=amount&dir=desc").get_data(as_text=True)
    assert body.index("P-acme-2025") < body.index("P-acme-2024") < body.index("P-lee-jpy")


def test_list_query_count_does_not_grow_with_rows(login, make_company, queries_do_not_grow):
    def add(n: int) -> None:
        for i in range(n):
            donor = make_company(name=f"Co {n}-{i}") if i % 2 else make_alumnus(f"A{n}", f"{i}")
            make_donation(donor, str(100 + i), "USD" if i % 3 else "JPY", purpose=f"Gift {n}-{i}")

    body = queries_do_not_grow(login("manager"), "/donations/", add)
    assert "Gift 20-19" in body


def test_detail_query_count_is_constant(login, make_company, count_queries):
    by_company = make_donation(make_company(name="Acme Inc."), "100")
    by_alumnus = make_donation(make_alumnus(), "200")
    client = login("manager")
    with count_queries() as first:
        assert "Acme Inc." in client.get(f"/donations/{by_company.id}").get_data(as_text=True)
    with count_queries() as second:
        assert "山田 花子" in client.get(f"/donations/{by_alumnus.id}").get_data(as_text=True)
    assert first() == second()


def test_as_you_type_refreshes_rows_and_totals(login, ledger):
    r = login("manager").get("/donations/?q=acme",
                             headers={"HX-Request": "true", "HX-Target": "results"})
    body = r.get_data(as_text=True)
    assert '<nav class="navbar' not in body
    assert _purposes(body) == {"P-acme-2024", "P-acme-2025"} and "¥3,000,000" in body
