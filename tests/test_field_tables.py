"""The field tables (crm/common/fields.py, crm/companies/fields.py, crm/contacts/fields.py): every
column of a company or contact is classified, and the parts that handle columns — the form's
service, the importer, the exports, the duplicate merge, the audit trail, the search index —
know every column the table gives them. Adding a column to Company is then the model, a
migration, the table, the form template and the translations; these tests fail until the table
says what the column is, and prove the merge, import and export handle it once it does.

Also: one rule for a company's values, checked by the form and by the importer alike."""
from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from sqlalchemy import Boolean, Date, Integer, Numeric, String, Text, func, select

from crm.activities.fields import ACTIVITY_FIELDS
from crm.alumni.fields import ALUMNUS_FIELDS
from crm.collaborations.fields import COLLABORATION_FIELDS
from crm.collaborations.fields import OWN_RULES as COLLABORATION_RULES
from crm.common.fields import TABLES
from crm.companies import services as company_services
from crm.companies.fields import COMPANY_FIELDS
from crm.companies.models import Company
from crm.contacts.fields import CONTACT_FIELDS
from crm.contacts.models import Contact
from crm.donations.fields import DONATION_FIELDS
from crm.events.fields import ENCOUNTER_FIELDS, EVENT_FIELDS
from crm.extensions import db
from crm.ndas.fields import NDA_FIELDS
from crm.research.fields import RESEARCHER_FIELDS, SEED_FIELDS
from importers.fields import FIELDS as IMPORT_FIELDS

RECORDS = [("companies", COMPANY_FIELDS), ("contacts", CONTACT_FIELDS)]
#: The other records with a table: (table name, table, the service's FIELDS, the import kind,
#: the form, editable columns the service sets by its own rules rather than copying them,
#: links the importer compares that are not columns).
OTHER_RECORDS = [
    ("alumni", ALUMNUS_FIELDS, "crm.alumni.services:FIELDS", "alumni",
     "crm.alumni.forms:AlumnusForm", (), ()),
    ("researchers", RESEARCHER_FIELDS, "crm.research.services:RESEARCHER_FIELDS", "researchers",
     "crm.research.forms:ResearcherForm", (), ()),
    ("research_seeds", SEED_FIELDS, "crm.research.services:SEED_FIELDS", "seeds",
     "crm.research.forms:SeedForm", (), ("researcher_ids",)),
    ("events", EVENT_FIELDS, "crm.events.services:EVENT_FIELDS", "events",
     "crm.events.forms:EventForm", (), ()),
    ("encounters", ENCOUNTER_FIELDS, "crm.events.services:ENCOUNTER_FIELDS", "encounters",
     "crm.events.forms:EncounterForm", (), ()),
    ("donations", DONATION_FIELDS, "crm.donations.services:FIELDS", "donations",
     "crm.donations.forms:DonationForm", ("company_id", "alumnus_id"), ()),
    ("activities", ACTIVITY_FIELDS, "crm.activities.services:FIELDS", None,
     "crm.activities.forms:ActivityForm", ("company_id",), ()),
    ("ndas", NDA_FIELDS, "crm.ndas.services:FIELDS", None, "crm.ndas.forms:NdaForm",
     ("company_id", "collaboration_id"), ()),
    ("collaborations", COLLABORATION_FIELDS, "crm.collaborations.services:FIELDS", None,
     "crm.collaborations.forms:CollaborationForm", COLLABORATION_RULES, ()),
]
ALL_RECORDS = RECORDS + [(kind, table) for kind, table, *_rest in OTHER_RECORDS]
#: Columns a file names by something else than the column (a company by its name ...).
IMPORTED_AS = {"officer_id": "officer_email", "company_id": "company_name"}
#: Columns the exports write under another key (a name rather than an id).
EXPORTED_AS = {"officer_id": "officer", "company_id": "company"}


@pytest.mark.parametrize("kind, table", ALL_RECORDS, ids=[k for k, _t in ALL_RECORDS])
def test_every_column_is_in_the_table_and_in_a_category(kind, table):
    assert TABLES[kind] is table
    assert table.unclassified() == [], (
        f"{kind}: classify these columns in the field table (editable, importable, exportable, "
        f"merge, searchable, or system): {table.unclassified()}")
    assert table.unknown() == [], f"{kind}: the table names columns the model lacks"
    for field in table:
        if not field.system:
            assert field.label is not None, f"{kind}.{field.name} needs a label"


@pytest.mark.parametrize("kind, table", RECORDS, ids=[k for k, _t in RECORDS])
def test_the_form_service_and_the_importer_take_their_columns_from_the_table(kind, table):
    from crm.contacts import services as contact_services
    from crm.imports.kinds import importer_class

    service_fields = {"companies": company_services.FIELDS,
                      "contacts": contact_services.FIELDS}[kind]
    # The company's corporate number and officer are set by their own rules in save_company.
    assert set(service_fields) | ({"corporate_number", "officer_id"} if kind == "companies"
                                  else set()) == set(table.names("editable"))
    assert set(importer_class(kind).attrs) == set(table.names("importable"))
    for name in table.names("importable"):
        assert IMPORTED_AS.get(name, name) in IMPORT_FIELDS[kind], (
            f"{kind}.{name} is importable but the file readers (importers/fields.py) have no "
            "field for it")


def _named(target: str):
    from importlib import import_module

    module, _sep, name = target.partition(":")
    return getattr(import_module(module), name)


@pytest.mark.parametrize("kind, table, service, import_kind, form, own_rules, links",
                         OTHER_RECORDS, ids=[r[0] for r in OTHER_RECORDS])
def test_the_other_records_service_importer_and_form_follow_their_table(
        app, kind, table, service, import_kind, form, own_rules, links):
    """What the form's service copies, what the importer compares and what the form labels
    come from the record's table: a column made editable or importable there is taken."""
    from crm.imports.kinds import importer_class

    assert set(_named(service)) | set(own_rules) == set(table.names("editable"))
    assert not set(_named(service)) & set(own_rules)
    if import_kind is not None:
        attrs = set(importer_class(import_kind).attrs)
        assert attrs == set(table.names("importable")) | set(links)
        for name in table.names("importable"):
            # A reference is read by what the file calls it (a department by its name ...).
            assert {name, name.removesuffix("_id")} & set(IMPORT_FIELDS[import_kind]), (
                f"{kind}.{name} is importable but the file readers (importers/fields.py) have "
                "no field for it")
    else:
        assert table.names("importable") == ()
    with app.test_request_context():
        fields = _named(form)(meta={"csrf": False})._fields
        for name in table.names("editable"):
            field = fields.get(name) or fields.get(name.removesuffix("_id"))
            # A column the service sets by its own rules may come without a field of its own.
            assert field is not None or name in own_rules, f"{kind}.{name} has no form field"
            if field is not None:
                assert str(field.label.text) == str(table.label(name)), f"{kind}.{name}"


def test_the_form_has_a_field_for_every_editable_column(app):
    from crm.companies.forms import CompanyForm
    from crm.contacts.forms import ContactForm

    forms = {"companies": (CompanyForm, {"parent_id": "parent", "officer_id": "officer"}),
             "contacts": (ContactForm, {"company_id": "company"})}
    for kind, table in RECORDS:
        form, named = forms[kind]
        with app.test_request_context():
            fields = form(meta={"csrf": False})._fields
            for name in table.names("editable"):
                field = fields[named.get(name, name)]
                assert str(field.label.text) == str(table.label(name))


def test_the_form_page_shows_every_editable_column(login, make_company):
    """A form field the page does not show would be posted empty and erase the value."""
    client = login("manager")
    company = make_company(name="株式会社ページ")
    contact = Contact(family_name="頁", company_id=company.id)
    db.session.add(contact)
    db.session.commit()
    pages = {"companies": (f"/companies/{company.id}/edit",
                           {"parent_id": "parent", "officer_id": "officer"}),
             "contacts": (f"/contacts/{contact.id}/edit", {"company_id": "company"})}
    for kind, table in RECORDS:
        url, named = pages[kind]
        page = client.get(url).get_data(as_text=True)
        for name in table.names("editable"):
            assert f'name="{named.get(name, name)}"' in page, f"{url} lacks {name}"


def test_a_column_added_to_the_table_gets_a_form_field_by_its_type(app):
    from wtforms import StringField

    from crm.common.fields import Field, FieldTable, add_form_fields
    from crm.companies.forms import CompanyForm

    class Form(CompanyForm):
        pass

    # A table that makes a column editable that the form does not declare.
    table = FieldTable(Company, *COMPANY_FIELDS)
    table.fields["legal_form"] = Field("legal_form", "Legal form", editable=True)
    add_form_fields(Form, table, as_named={"parent_id": "parent", "officer_id": "officer"})
    with app.test_request_context():
        fields = Form(meta={"csrf": False})._fields
        assert "legal_form" not in CompanyForm(meta={"csrf": False})._fields
    assert isinstance(fields["legal_form"], StringField)
    assert fields["legal_form"].label.text == "Legal form"


def _export_keys(kind: str) -> list[str]:
    from crm.exports.services import Request, table

    return [c.key for c in table(Request(kind, "csv", {}, donations=False)).columns]


@pytest.mark.parametrize("kind, table", RECORDS, ids=[k for k, _t in RECORDS])
def test_the_export_writes_every_exportable_column(app, kind, table):
    keys = _export_keys(kind)
    for name in table.names("exportable"):
        assert EXPORTED_AS.get(name, name) in keys


def test_a_column_marked_exportable_is_exported_under_its_label(app, login, make_company,
                                                                monkeypatch):
    """Not only the columns the exports name on their own: the table decides."""
    import dataclasses

    make_company(name="株式会社ハイキュー", hq_country="DE")
    field = COMPANY_FIELDS.fields["hq_country"]
    monkeypatch.setitem(COMPANY_FIELDS.fields, "hq_country",
                        dataclasses.replace(field, exportable=True))
    client = login("bd")
    text = client.get("/exports/companies?format=csv").get_data(as_text=True)
    header, row = [line.split(",") for line in text.lstrip("\ufeff").splitlines()[:2]]
    assert dict(zip(header, row))["HQ country"] == "DE"


# --- the merge keeps what only the merged-away record has ----------------------------------

def _value(table, name: str, refs: dict[str, int]):
    """A value for a column, as a user could have typed it; a column added later gets one by
    its type."""
    known = {
        "name_reading": "カブシキガイシャ", "family_name_reading": "ヤマダ",
        "given_name_reading": "タロウ", "corporate_number": "5010001034850",
        "country": "DE", "hq_country": "US", "size": "large", "membership_tier": "premium",
        "status": "active", "website": "https://loser.example", "email": "loser@example.jp",
        "other_emails": "other@example.jp", "phone": "03-1234-5678", "mobile": "090-1234-5678",
        "member_since": date(2020, 4, 1), "renewal_date": date(2027, 3, 31),
    }
    if name in known:
        return known[name]
    if name in refs:
        return refs[name]
    column_type = table.model.__table__.c[name].type
    if isinstance(column_type, Boolean):
        return True
    if isinstance(column_type, Date):
        return date(2024, 5, 6)
    if isinstance(column_type, (Integer, Numeric)):
        return 7
    if isinstance(column_type, (String, Text)):
        return f"loser {name}"[:getattr(column_type, "length", None) or 100]
    raise AssertionError(f"give {table.model.__name__}.{name} a test value here")


def _mergeable_blanks(table) -> list[str]:
    """Mergeable columns that can be empty (NULL) on the record kept."""
    columns = table.model.__table__.c
    return [name for name in table.names("mergeable") if columns[name].nullable]


def _merged(client, kind: str, table, kept, gone, values: dict):
    """Merge `gone` into `kept` on the compare page with the choices it offers by default;
    check `gone` is gone and every value only it had is the survivor's. The survivor."""
    kept_id, gone_id = kept.id, gone.id
    _merge_on_the_page(client, kind, kept_id, gone_id, table.model)
    survivor = db.session.get(table.model, kept_id)
    assert db.session.get(table.model, gone_id) is None
    for name, value in values.items():
        if table[name].merge == "combine":
            assert value in getattr(survivor, name), name  # kept beside what the survivor had
        else:
            assert getattr(survivor, name) == value, name
    return survivor


def _merge_on_the_page(client, kind: str, a_id: int, b_id: int, model) -> None:
    db.session.expire_all()
    a, b = db.session.get(model, a_id), db.session.get(model, b_id)
    url = f"/duplicates/{kind}/{a_id}/{b_id}"
    client.get(url)
    answer = client.submit(url, {"a_version": a.updated_at.isoformat(),
                                 "b_version": b.updated_at.isoformat()})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    db.session.expire_all()


def test_merging_companies_keeps_every_value_only_the_merged_away_one_has(login, users):
    parent = company_services.build_company(None, {"name": "親会社株式会社"})
    db.session.flush()
    refs = {"parent_id": parent.id, "officer_id": users["liaison"].id}
    kept = Company(name="株式会社サンプル", country="JP", status="prospect")
    gone = Company(name="Sample Co., Ltd.", country="JP", status="prospect")
    names = _mergeable_blanks(COMPANY_FIELDS)
    assert {"aliases", "corporate_number", "interests", "parent_id", "officer_id"} <= set(names)
    values = {name: _value(COMPANY_FIELDS, name, refs) for name in names}
    for name, value in values.items():
        setattr(gone, name, value)
    for company in (kept, gone):
        company.refresh_derived()
    db.session.add_all([kept, gone])
    db.session.commit()

    _merged(login("bd"), "companies", COMPANY_FIELDS, kept, gone, values)


def test_merging_contacts_keeps_every_value_only_the_merged_away_one_has(login):
    company = company_services.build_company(None, {"name": "株式会社勤務先"})
    db.session.flush()
    kept = Contact(family_name="山田")
    gone = Contact(family_name="山田")
    names = _mergeable_blanks(CONTACT_FIELDS)
    assert {"email", "other_emails", "company_id", "how_we_met"} <= set(names)
    values = {name: _value(CONTACT_FIELDS, name, {"company_id": company.id}) for name in names}
    for name, value in values.items():
        setattr(gone, name, value)
    gone.do_not_contact = True  # not null: a merge keeps it when either has it
    db.session.add_all([kept, gone])
    db.session.commit()

    survivor = _merged(login("bd"), "contacts", CONTACT_FIELDS, kept, gone, values)
    assert survivor.do_not_contact is True


# --- labels and the index -------------------------------------------------------------------

def test_the_audit_trail_names_a_column_as_the_table_does(app):
    from flask_babel import force_locale

    from crm.audit.labels import field_label

    with app.test_request_context(), force_locale("en"):
        for kind, table in ALL_RECORDS:
            for field in table:
                if field.label is not None:
                    assert field_label(kind, field.name) == str(field.label)


def test_the_search_document_quotes_every_searchable_column(app):
    from crm.search import DOCUMENTS

    company = Company(name="株式会社サーチ", country="JP", status="prospect")
    contact = Contact(family_name="検索", company=company)
    for record, table in ((company, COMPANY_FIELDS), (contact, CONTACT_FIELDS)):
        for name in table.names("searchable"):
            if getattr(record, name) is None:
                setattr(record, name, _value(table, name, {}))
    company.refresh_derived()
    db.session.add_all([company, contact])
    db.session.commit()
    for kind, record, table in (("company", company, COMPANY_FIELDS),
                                ("contact", contact, CONTACT_FIELDS)):
        fields, _filters = DOCUMENTS[kind](db.session, [record.id])[record.id]
        text = json.dumps(fields, ensure_ascii=False, default=str)
        for name in table.names("searchable"):
            assert str(getattr(record, name)) in text, f"{kind}.{name} is not in the document"


def test_the_other_records_search_documents_quote_every_searchable_column(app):
    from crm.activities.models import Activity
    from crm.events.models import Encounter, Event
    from crm.research.models import Researcher, ResearchSeed
    from crm.search import DOCUMENTS

    company = Company(name="株式会社サーチ", country="JP", status="prospect")
    company.refresh_derived()
    contact = Contact(family_name="検索", company=company)
    event = Event(name="展示会", starts_on=date(2025, 10, 8))
    records = {
        "researcher": (Researcher(family_name="研究"), RESEARCHER_FIELDS),
        "seed": (ResearchSeed(title="シーズ"), SEED_FIELDS),
        "event": (event, EVENT_FIELDS),
        "encounter": (Encounter(event=event, contact=contact), ENCOUNTER_FIELDS),
        "activity": (Activity(company=company, subject="面談", occurred_on=date(2025, 10, 9)),
                     ACTIVITY_FIELDS),
    }
    for record, table in records.values():
        assert table.names("searchable"), f"{table.model.__name__}: nothing searchable?"
        for name in table.names("searchable"):
            setattr(record, name, _value(table, name, {}))
    db.session.add_all([company, contact, *(record for record, _t in records.values())])
    db.session.commit()
    for kind, (record, table) in records.items():
        fields, _filters = DOCUMENTS[kind](db.session, [record.id])[record.id]
        text = json.dumps(fields, ensure_ascii=False, default=str)
        for name in table.names("searchable"):
            assert str(getattr(record, name)) in text, f"{kind}.{name} is not in the document"


# --- one company rule for the form and the importer -----------------------------------------

def _https_only(data):
    website = data.get("website") or ""
    if website and not website.startswith("https://"):
        return {"website": "Use an https:// address."}
    return {}


def test_a_new_company_rule_applies_to_the_form_and_to_imported_rows(login, monkeypatch):
    """A rule added to COMPANY_RULES is enforced by the form's save and by the importer,
    which names the row and the column of the refused value."""
    monkeypatch.setattr(company_services, "COMPANY_RULES",
                        [*company_services.COMPANY_RULES, _https_only])
    client = login("bd")

    client.get("/companies/new")
    page = client.submit("/companies/new", {"name": "株式会社フォーム",
                                            "website": "http://form.example"})
    assert page.status_code == 422 and "Use an https:// address." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Company.id))) == 0

    data = ("name,website\n株式会社エー,https://a.example\n株式会社ビー,http://b.example\n"
            ).encode("utf-8")
    client.get("/imports/")
    response = client.submit("/imports/", {"kind": "companies", "policy": "update",
                                           "file": (io.BytesIO(data), "list.csv")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    batch = response.headers["Location"]
    preview = client.get(batch).get_data(as_text=True)
    rejected = re.search(r'<table[^>]*id="rejected".*?</table>', preview, re.S).group(0)
    assert re.search(r"<td>3</td><td>website</td>.*Use an https:// address\.", rejected, re.S)
    assert "<td>2</td>" not in rejected
    client.submit(f"{batch}/commit", page=batch)
    db.session.expire_all()
    assert db.session.scalars(select(Company.name)).all() == ["株式会社エー"]


def test_an_imported_company_is_built_as_the_form_builds_one(app):
    """The importer's bulk create and the form's save write a company through one builder:
    the same defaults and derived columns."""
    from crm.companies.importing import CompanyImporter

    typed = company_services.save_company(None, {"name": "ＡＢＣ株式会社",
                                                 "name_reading": "えーびーしー"})
    built = CompanyImporter("update").bulk_create({"name": "ＸＹＺ株式会社",
                                                   "name_reading": "えっくす"})
    db.session.flush()
    for company in (typed, built):
        assert company.country == "JP" and company.status == "prospect"
        assert company.has_local_presence is False
        assert company.name_folded and company.sort_name and company.search_text
    assert built.name_folded == "xyz" and typed.name_folded == "abc"
