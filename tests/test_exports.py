"""Partner-list exports: what each role may export, the filters shared with the list pages, the
file formats (CSV with BOM, CP932, xlsx types, vCard), formula injection, do-not-contact people,
the CLI, the audit trail, a query count that does not grow with the rows, and an exported list
that changes nothing when imported back."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

import openpyxl
import pytest
import vobject
from sqlalchemy import select

from crm.activities.models import Activity
from crm.audit.models import AuditEntry
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.donations.models import Donation
from crm.events.models import Encounter, Event
from crm.extensions import db
from tests.test_imports import dry_run

TOYOTA = "1180301018771"  # a real corporate number with a valid check digit


@pytest.fixture
def world(make_company, users):
    """Three companies and five people, with dates, donations and hostile text."""
    officer = users["liaison"]
    alpha = make_company(name="株式会社アルファ電機", name_reading="アルファデンキ",
                         name_en="Alpha Electric Co., Ltd.", corporate_number=TOYOTA,
                         industry="電気機器", membership_tier="premium",
                         member_since=date(2019, 4, 1), renewal_date=date(2027, 3, 31),
                         status="active", website="https://alpha.example.jp/")
    alpha.officer_id = officer.id
    evil = make_company(name="=1+2 Evil Corp", name_en="@SUM(A1)", industry="+danger",
                        country="US", status="prospect", website="-1+1")
    quiet = make_company(name="Acme GmbH", country="DE", industry="化学", status="dormant")
    db.session.flush()
    yamada = Contact(company_id=alpha.id, family_name="山田", given_name="太郎",
                     family_name_reading="ヤマダ", given_name_reading="タロウ",
                     title="部長", department="研究開発部", email="yamada@alpha.example.jp",
                     phone="+81-3-1234-5678", mobile="090-1234-5678")
    sato = Contact(company_id=alpha.id, family_name="佐藤", given_name="花子",
                   family_name_reading="サトウ", given_name_reading="ハナコ",
                   email="sato@alpha.example.jp", phone="03-0000-0000", do_not_contact=True)
    yoshida = Contact(company_id=evil.id, family_name="𠮷田", given_name="一郎",
                      family_name_reading="ヨシダ", title="課長〜部長", department="＝1+1",
                      email="yoshida@evil.example.com")
    smith = Contact(company_id=evil.id, family_name="Smith", given_name="Jane",
                    title="-2+3 Head, R&D; Labs", email="jane@evil.example.com")
    loner = Contact(family_name="Nobody", given_name="Ann")
    db.session.add_all([yamada, sato, yoshida, smith, loner])
    fair = Event(name="CEATEC", kind="trade_show", starts_on=date(2026, 10, 14))
    db.session.add(fair)
    db.session.flush()
    db.session.add_all([
        Encounter(event_id=fair.id, contact_id=yamada.id, met_on=date(2026, 10, 14)),
        Activity(company_id=evil.id, kind="meeting", occurred_on=date(2025, 6, 1),
                 subject="Old call", contacts=[smith]),
        Donation(company_id=alpha.id, amount=Decimal("5000000"), currency="JPY",
                 received_on=date(2026, 3, 1)),
        Donation(company_id=alpha.id, amount=Decimal("1500000"), currency="JPY",
                 received_on=date(2025, 3, 1)),
        Donation(company_id=quiet.id, amount=Decimal("1000.50"), currency="USD",
                 received_on=date(2026, 1, 10)),
    ])
    db.session.commit()
    return {"alpha": alpha.id, "evil": evil.id, "quiet": quiet.id, "officer": officer,
            "yamada": yamada.id, "sato": sato.id, "yoshida": yoshida.id, "smith": smith.id,
            "loner": loner.id}


def _csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 CSV starts with a BOM for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _xlsx(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return openpyxl.load_workbook(io.BytesIO(response.get_data())).active


# -- roles ----------------------------------------------------------------------------------------

def test_researcher_may_not_export(login, world):
    client = login("researcher")
    for url in ("/exports/", "/exports/companies?format=csv", "/exports/contacts?format=vcard",
                "/exports/companies?format=xlsx"):
        assert client.get(url).status_code == 403, url
    assert "/exports/companies" not in client.get("/companies/").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "exports")) is None


def test_donation_columns_only_for_roles_that_see_donations(login, world):
    liaison = _csv(login("liaison").get("/exports/companies?format=csv"))
    assert not [h for h in liaison[0] if "Donation" in h]
    assert len(liaison) == 4
    # A donation filter from a role without donations.view is never used to probe totals, and
    # is not silently dropped either (the list would be wider than the link promises): the
    # export is refused, naming the filter, and the list page says it was left out.
    client = login("liaison")
    probe = client.get("/exports/companies?format=csv&min_donations=4000000")
    assert probe.status_code == 400
    assert "cannot filter by donations" in probe.get_data(as_text=True)
    page = client.get("/companies/?min_donations=4000000").get_data(as_text=True)
    assert "cannot filter by donations" in page

    manager = _as_dicts(_csv(login("manager").get("/exports/companies?format=csv")))
    by_name = {row["Company name"]: row for row in manager}
    assert by_name["株式会社アルファ電機"]["Donations (JPY)"] == "6500000"
    assert by_name["Acme GmbH"]["Donations (USD)"] == "1000.50"
    assert by_name["Acme GmbH"]["Donations (JPY)"] == ""
    wb = _xlsx(login("manager").get("/exports/companies?format=xlsx"))
    headers = [c.value for c in wb[1]]
    assert "Donations (JPY)" in headers
    liaison_wb = _xlsx(login("liaison").get("/exports/companies?format=xlsx"))
    assert not [c.value for c in liaison_wb[1] if "Donation" in c.value]


# -- the list page's filters ----------------------------------------------------------------------

def _list_ids(client, path: str, args: dict) -> set[int]:
    page = client.get(f"/{path}/?" + urlencode(args)).get_data(as_text=True)
    results = page[page.index('id="results"'):]
    return {int(i) for i in re.findall(rf'href="/{path}/(\d+)"', results)}


def _export_ids(client, kind: str, args: dict) -> set[int]:
    rows = _as_dicts(_csv(client.get(f"/exports/{kind}?" + urlencode({**args, "format": "csv"}))))
    if kind == "companies":
        names = {row["Company name"].removeprefix("'") for row in rows}  # "'=1+2 Evil Corp"
        return set(db.session.scalars(select(Company.id).where(Company.name.in_(names))))
    emails = {row["E-mail"] for row in rows}
    families = {row["Family name"] for row in rows}
    return set(db.session.scalars(select(Contact.id).where(
        Contact.family_name.in_(families) | Contact.email.in_(emails))))


def test_company_export_selects_what_the_list_page_shows(login, world):
    client = login("manager")
    w = world
    cases = [
        ({}, {w["alpha"], w["evil"], w["quiet"]}),
        ({"officer": w["officer"].id}, {w["alpha"]}),
        ({"country": "de"}, {w["quiet"]}),
        ({"origin": "domestic"}, {w["alpha"]}),
        ({"origin": "foreign"}, {w["evil"], w["quiet"]}),
        ({"tier": "member"}, {w["alpha"]}),
        ({"tier": "none"}, {w["evil"], w["quiet"]}),
        ({"tier": "premium"}, {w["alpha"]}),
        ({"industry": "化学"}, {w["quiet"]}),
        ({"status": "prospect"}, {w["evil"]}),
        ({"contacted_since": "2026-01-01"}, {w["alpha"]}),  # encounter 2026-10-14
        ({"no_contact_since": "2026-01-01"}, {w["evil"], w["quiet"]}),  # 2025 and never
        ({"no_contact_since": "2025-01-01"}, {w["quiet"]}),
        ({"min_donations": "6000000"}, {w["alpha"]}),
        ({"min_donations": "1000", "currency": "USD"}, {w["quiet"]}),
        ({"q": "アルファ"}, {w["alpha"]}),
        ({"q": "evil", "origin": "foreign"}, {w["evil"]}),
    ]
    for args, expected in cases:
        assert _list_ids(client, "companies", args) == expected, args
        assert _export_ids(client, "companies", args) == expected, args


def test_contact_export_selects_what_the_list_page_shows(login, world):
    client = login("manager")
    w = world
    people = {w["yamada"], w["sato"], w["yoshida"], w["smith"], w["loner"]}
    cases = [
        ({}, people),
        ({"dnc": "yes"}, {w["sato"]}),
        ({"company": w["evil"]}, {w["yoshida"], w["smith"]}),
        ({"officer": w["officer"].id}, {w["yamada"], w["sato"]}),
        ({"origin": "foreign"}, {w["yoshida"], w["smith"]}),
        ({"tier": "member"}, {w["yamada"], w["sato"]}),
        ({"contacted_since": "2025-01-01"}, {w["yamada"], w["smith"]}),
        ({"no_contact_since": "2026-01-01"}, people - {w["yamada"]}),
        ({"min_donations": "1"}, {w["yamada"], w["sato"]}),
        ({"q": "やまだ"}, {w["yamada"]}),
    ]
    for args, expected in cases:
        assert _list_ids(client, "contacts", args) == expected, args
        assert _export_ids(client, "contacts", args) == expected, args


def test_list_page_export_menu_carries_the_filters(login, world):
    client = login("staff")
    page = client.get(f"/companies/?tier=member&officer={world['officer'].id}&page=1") \
        .get_data(as_text=True)
    links = re.findall(r'href="(/exports/companies\?[^"]+)"', page)
    assert len(links) == 3
    for link in links:
        assert "tier=member" in link and f"officer={world['officer'].id}" in link
        assert "page=" not in link
    page = client.get("/contacts/?dnc=no").get_data(as_text=True)
    assert re.search(r'href="/exports/contacts\?format=vcard&amp;dnc=no"', page)


def test_unusable_filter_is_refused_not_widened(login, world):
    client = login("manager")
    r = client.get("/exports/companies?format=csv&no_contact_since=2026-02-30")
    assert r.status_code == 400
    assert "2026-02-30" in r.get_data(as_text=True)
    assert client.get("/exports/companies?format=pdf").status_code == 400
    assert client.get("/exports/companies?format=vcard").status_code == 400
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "exports")) is None
    # The list page shows the same value as ignored rather than failing.
    page = client.get("/companies/?no_contact_since=2026-02-30")
    assert page.status_code == 200 and "2026-02-30" in page.get_data(as_text=True)


# -- formats --------------------------------------------------------------------------------------

def test_cp932_csv_decodes_and_reports_replaced_characters(login, world):
    client = login("manager")
    r = client.get("/exports/contacts?format=csv-cp932")
    assert r.status_code == 200
    assert "windows-31j" in r.headers["Content-Type"]
    data = r.get_data()
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("cp932")  # the whole file is valid CP932
    rows = _as_dicts(list(csv.reader(io.StringIO(text))))
    yoshida = next(row for row in rows if row["Given name"] == "一郎")
    assert yoshida["Family name"] == "?田"  # 𠮷 is not in CP932
    assert yoshida["Title"] == "課長～部長"  # WAVE DASH written as the CP932 tilde, not lost
    assert any(row["Family name"] == "山田" for row in rows)
    assert r.headers["X-Replaced-Characters"] == "1"
    message = client.get("/contacts/").get_data(as_text=True)
    assert "1 characters that Shift_JIS (CP932) cannot hold" in message
    assert "row " in message and "(Family name)" in message


def test_column_headers_follow_the_users_language(login, world):
    client = login("staff")
    rows = _csv(client.get("/exports/contacts?format=csv", headers={"Accept-Language": "ja"}))
    assert "姓" in rows[0] and "メール" in rows[0] and "Family name" not in rows[0]


def test_xlsx_has_typed_cells_fitted_widths_and_a_frozen_bold_header(login, world):
    ws = _xlsx(login("manager").get("/exports/companies?format=xlsx"))
    headers = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}4"
    col = {h: i for i, h in enumerate(headers)}
    alpha = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "株式会社アルファ電機")
    number = alpha[col["Corporate number"]]
    assert number.value == TOYOTA and number.data_type == "s" and number.number_format == "@"
    since = alpha[col["Member since"]]
    assert since.is_date and since.value.date() == date(2019, 4, 1)
    money = alpha[col["Donations (JPY)"]]
    assert money.data_type == "n" and money.value == 6500000 and money.number_format == "#,##0"
    assert alpha[col["Number of contacts"]].value == 2
    assert alpha[col["Last contact"]].value.date() == date(2026, 10, 14)
    widths = {h: ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width
              for h, i in col.items()}
    # 株式会社アルファ電機: 10 full-width characters, twice as wide as a Latin letter.
    assert widths["Company name"] >= 20
    assert widths["Website"] >= len("https://alpha.example.jp/")
    assert widths["Country"] < widths["Company name"]
    assert max(widths.values()) <= 50


def test_formula_injection_is_neutralised_in_csv(login, world):
    client = login("manager")
    rows = _as_dicts(_csv(client.get("/exports/companies?format=csv")))
    evil = next(row for row in rows if "Evil" in row["Company name"])
    assert evil["Company name"] == "'=1+2 Evil Corp"
    assert evil["English name"] == "'@SUM(A1)"
    assert evil["Industry"] == "'+danger"
    assert evil["Website"] == "'-1+1"
    people = _as_dicts(_csv(client.get("/exports/contacts?format=csv")))
    assert next(p for p in people if p["Family name"] == "Smith")["Title"] == \
        "'-2+3 Head, R&D; Labs"
    assert next(p for p in people if p["Given name"] == "一郎")["Department"] == "'＝1+1"
    # Ordinary text is untouched.
    assert next(p for p in people if p["Family name"] == "山田")["Title"] == "部長"


def test_formula_injection_is_neutralised_in_xlsx(login, world):
    client = login("manager")
    for kind in ("companies", "contacts"):
        ws = _xlsx(client.get(f"/exports/{kind}?format=xlsx"))
        values = {}
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                values[cell.value] = cell
    companies = _xlsx(client.get("/exports/companies?format=xlsx"))
    cells = {c.value: c for row in companies.iter_rows() for c in row if c.value is not None}
    for text in ("=1+2 Evil Corp", "@SUM(A1)", "+danger", "-1+1"):
        assert cells[text].data_type == "s", text
        assert cells[text].quotePrefix, text  # Excel keeps it text when the cell is edited


def test_do_not_contact_people_are_flagged_and_their_details_left_out(login, world):
    client = login("staff")
    people = {p["Family name"]: p for p in
              _as_dicts(_csv(client.get("/exports/contacts?format=csv")))}
    assert people["佐藤"]["Do not contact"] == "Yes"
    assert people["佐藤"]["E-mail"] == people["佐藤"]["Phone"] == ""
    assert people["山田"]["Do not contact"] == ""
    assert people["山田"]["E-mail"] == "yamada@alpha.example.jp"
    assert people["山田"]["Phone"] == "'+81-3-1234-5678"
    asked = {p["Family name"]: p for p in
             _as_dicts(_csv(client.get("/exports/contacts?format=csv&dnc_details=1")))}
    assert asked["佐藤"]["E-mail"] == "sato@alpha.example.jp"
    assert asked["佐藤"]["Do not contact"] == "Yes"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "exports")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.changes["do_not_contact_details"] == [None, True]
    cards = client.get("/exports/contacts?format=vcard").get_data(as_text=True)
    sato = next(c for c in cards.split("END:VCARD") if "N:佐藤" in c)
    assert "EMAIL" not in sato and "TEL" not in sato and "NOTE:Do not contact" in sato


def test_vcard_round_trip_keeps_names_readings_and_company(login, world):
    r = login("staff").get("/exports/contacts?format=vcard")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/vcard")
    text = r.get_data().decode("utf-8")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    cards = list(vobject.readComponents(text))
    contacts = db.session.scalars(select(Contact)).all()
    assert len(cards) == len(contacts)
    by_family = {card.n.value.family: card for card in cards}
    for contact in contacts:
        card = by_family[contact.family_name]
        assert card.version.value == "3.0"
        assert card.n.value.given == (contact.given_name or "")
        assert card.fn.value == contact.display_name
        phonetic = card.contents.get("x-phonetic-last-name")
        assert (phonetic[0].value if phonetic else None) == contact.family_name_reading
        first = card.contents.get("x-phonetic-first-name")
        assert (first[0].value if first else None) == contact.given_name_reading
    yamada = by_family["山田"]
    assert yamada.org.value == ["株式会社アルファ電機", "研究開発部"]
    assert yamada.title.value == "部長"
    assert yamada.email.value == "yamada@alpha.example.jp"
    assert {t.value for t in yamada.contents["tel"]} == {"+81-3-1234-5678", "090-1234-5678"}
    assert yamada.sort_string.value == "ヤマダ タロウ"
    smith = by_family["Smith"]
    assert smith.title.value == "-2+3 Head, R&D; Labs"  # commas and semicolons survive


# -- CLI, audit, queries --------------------------------------------------------------------------

def test_cli_writes_the_same_rows_as_the_web_export(login, runner, world, tmp_path):
    officer = world["officer"]
    web = login("admin").get(f"/exports/companies?format=csv&officer={officer.id}&tier=member")
    out = tmp_path / "partners.csv"
    result = runner.invoke(args=["export", "companies", "--format", "csv", "-o", str(out),
                                 "--officer", officer.email.upper(), "--member"])
    assert result.exit_code == 0, result.output
    assert "1 rows written" in result.output
    assert out.read_bytes() == web.get_data()

    web = login("admin").get("/exports/contacts?format=csv&origin=foreign&no_contact_since=2026-01-01")
    out = tmp_path / "people.csv"
    result = runner.invoke(args=["export", "contacts", "-o", str(out), "--country", "foreign",
                                 "--no-contact-since", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == web.get_data()
    assert len(_csv(web)) == 3

    liaison = tmp_path / "liaison.xlsx"
    result = runner.invoke(args=["export", "companies", "--format", "xlsx", "-o", str(liaison),
                                 "--role", "liaison"])
    assert result.exit_code == 0, result.output
    headers = [c.value for c in openpyxl.load_workbook(liaison).active[1]]
    assert "Company name" in headers and not [h for h in headers if "Donation" in h]
    actors = set(db.session.scalars(select(AuditEntry.actor)
                                    .where(AuditEntry.entity == "exports")))
    assert {"cli", "cli (as liaison)"} <= actors


@pytest.mark.parametrize("args, message", [
    (["--officer", "nobody@example.org"], "nobody@example.org"),
    (["--no-contact-since", "2026-13-01"], "2026-13-01"),
    (["--role", "researcher"], "may not export"),
    (["--role", "liaison", "--min-donations", "100"], "cannot see donations"),
    (["--format", "vcard"], "Unknown format"),
])
def test_cli_refuses_bad_input_with_exit_status_2(runner, world, tmp_path, args, message):
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["export", "companies", "-o", str(out), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists() and not list(tmp_path.iterdir())


def test_every_export_is_written_to_the_audit_trail(login, world, users):
    client = login("staff")
    body = client.get("/exports/companies?format=xlsx&origin=foreign&page=3&sort=country").data
    assert body
    client.get("/exports/contacts?format=csv&dnc=no").get_data()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "exports")
                                 .order_by(AuditEntry.id)).all()
    assert [e.entity_id for e in entries] == [1, 2]
    first, second = entries
    assert first.user_id == users["staff"].id and first.actor == users["staff"].email
    assert first.changes["list"] == [None, "companies"]
    assert first.changes["format"] == [None, "xlsx"]
    assert first.changes["filters"] == [None, {"origin": "foreign"}]
    assert first.changes["rows"] == [None, 2]
    assert first.changes["donation_columns"] == [None, False]
    assert second.changes["filters"] == [None, {"dnc": "no"}]
    assert second.changes["rows"] == [None, 4]
    page = login("admin").get("/audit/?entity=exports").get_data(as_text=True)
    assert "Export companies (xlsx, 2 rows)" in page


def _more(make_company, n: int, start: int) -> None:
    for i in range(start, start + n):
        company = make_company(name=f"会社{i}", country="JP" if i % 2 else "US",
                               membership_tier="standard")
        contact = Contact(company_id=company.id, family_name=f"姓{i}", email=f"p{i}@x.example")
        event = Event(name=f"Fair {i}", kind="trade_show", starts_on=date(2026, 1, 1))
        db.session.add_all([contact, event])
        db.session.flush()
        db.session.add_all([
            Encounter(event_id=event.id, contact_id=contact.id, met_on=date(2026, 1, 2)),
            Activity(company_id=company.id, kind="call", occurred_on=date(2026, 1, 3),
                     subject="Call", contacts=[contact]),
            Donation(company_id=company.id, amount=Decimal(1000 + i),
                     currency="JPY" if i % 2 else "EUR", received_on=date(2026, 1, 4)),
        ])
        db.session.commit()


@pytest.mark.parametrize("url", [
    "/exports/companies?format=csv", "/exports/companies?format=xlsx&tier=standard",
    "/exports/contacts?format=csv-cp932", "/exports/contacts?format=vcard&origin=domestic",
])
def test_export_query_count_does_not_grow_with_rows(login, make_company, count_queries, url):
    client = login("manager")
    _more(make_company, 3, 0)
    with count_queries() as few:
        r = client.get(url)
        assert r.status_code == 200 and len(r.get_data()) > 0
    _more(make_company, 30, 100)
    with count_queries() as many:
        r = client.get(url)
        assert r.status_code == 200 and len(r.get_data()) > 0
    assert few() == many(), (few(), many())


def test_export_page_offers_both_lists(login, world):
    page = login("liaison").get("/exports/").get_data(as_text=True)
    assert 'action="/exports/companies"' in page and 'action="/exports/contacts"' in page
    assert 'value="vcard"' in page and 'name="min_donations"' not in page
    assert 'name="min_donations"' in login("manager").get("/exports/").get_data(as_text=True)


def _people(make_company):
    from crm.contacts.models import Contact
    from crm.extensions import db

    company = make_company(name="株式会社アルファ電機", name_reading="アルファデンキ")
    db.session.add_all([
        Contact(company_id=company.id, family_name="山田", given_name="太郎",
                family_name_reading="ヤマダ", given_name_reading="タロウ",
                email="yamada@alpha.example.jp", phone="+81-3-1234-5678", mobile="-"),
        Contact(company_id=company.id, family_name="佐藤", given_name="花子",
                email="sato@alpha.example.jp", do_not_contact=True,
                notes="本人の希望により連絡不可。"),
    ])
    db.session.commit()


def test_exported_contact_list_reimports_as_unchanged(app, login, make_company):
    """A partner list exported as CSV (phones '+81... guarded against formulas) and as vCard
    (a do-not-contact person carries NOTE:Do not contact) changes nothing when imported back:
    no quote is written into the phone, the person's notes are not replaced by the marker."""
    from sqlalchemy import select

    from crm.contacts.models import Contact
    from crm.extensions import db

    _people(make_company)
    client = login("staff")
    csv_data = client.get("/exports/contacts?format=csv").get_data()
    assert b"'+81-3-1234-5678" in csv_data  # the export's guard is there...
    summary = dry_run(csv_data, "contacts.csv", "contacts")
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 2), summary
    assert summary["rejected"] == []
    for lang in ("en", "ja"):
        vcf = client.get("/exports/contacts?format=vcard",
                         headers={"Accept-Language": lang}).get_data()
        summary = dry_run(vcf, "contacts.vcf", "contacts")
        assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 2), \
            (lang, summary)
    # ...and committing it leaves the records as they were.
    from crm.imports import services

    parsed = services.read_file(csv_data, "contacts.csv", "contacts")
    services.commit(parsed, "contacts", "update")
    db.session.commit()
    db.session.expire_all()
    yamada = db.session.scalar(select(Contact).where(Contact.family_name == "山田"))
    sato = db.session.scalar(select(Contact).where(Contact.family_name == "佐藤"))
    assert yamada.phone == "+81-3-1234-5678"
    assert sato.notes == "本人の希望により連絡不可。" and sato.do_not_contact


def test_exported_company_list_reimported_by_bd_keeps_its_officers(app, login, users,
                                                                  make_company):
    """The export names each company's officer; the same sheet imported back by a bd user is
    unchanged (the officer found by name, and not changed, so no manager is needed), while a
    row giving a company another officer is still refused for bd."""
    from crm.auth.models import User
    from crm.extensions import db

    officer = users["liaison"]
    company = make_company(name="株式会社アルファ電機")
    company.officer_id = officer.id
    db.session.commit()
    data = login("staff").get("/exports/companies?format=csv").get_data()
    assert officer.name.encode() in data
    bd = db.session.get(User, users["bd"].id)
    summary = dry_run(data, "companies.csv", "companies", by=bd)
    assert summary["rejected"] == [] and summary["unchanged"] == 1, summary
    from tests.factories import make_user

    other = make_user("liaison", email="liaison-two@example.org", name="Second liaison")
    changed = f"会社名,担当者メール\n株式会社アルファ電機,{other.email}\n".encode()
    refused = dry_run(changed, "companies.csv", "companies", by=bd)["rejected"]
    assert [r["reason"] for r in refused] == [
        "Only a manager can change who is responsible for a company."]


def test_export_content_type_names_one_charset(app, login, make_company):
    make_company(name="株式会社アルファ")
    client = login("staff")
    expected = {"csv": "text/csv; charset=utf-8", "csv-cp932": "text/csv; charset=windows-31j"}
    for fmt, content_type in expected.items():
        assert client.get(f"/exports/companies?format={fmt}").headers["Content-Type"] == \
            content_type
    assert client.get("/exports/contacts?format=vcard").headers["Content-Type"] == \
        "text/vcard; charset=utf-8"
