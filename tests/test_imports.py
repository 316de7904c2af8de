"""The save path of imports: dry run and commit through the services, matching, policies,
rejected rows, duplicates in the file, all-or-none, and the `crm import` command."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from tests.factories import make_department

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def parse(text: str, kind: str, mapping=None):
    from crm.imports import services

    return services.read_file(text.encode("utf-8"), "test.csv", kind, mapping=mapping)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def run(text: str, kind: str, policy: str = "update"):
    from crm.imports import services

    summary = services.commit(parse(text, kind), kind, policy)
    db.session.commit()
    return summary


def dry_run(data: bytes, name: str, kind: str, by=None) -> dict:
    """What importing the file would do (created, updated, unchanged, rejected): nothing written."""
    from crm.imports import services

    summary = services.plan(services.read_file(data, name, kind), kind, "update",
                            by=by).summary()
    return summary


COMPANIES = """name,corporate_number,name_reading,industry,address
株式会社サカタのタネ,5070001000715,サカタノタネ,農業,横浜市都筑区
カネコ種苗株式会社,,カネコシュビョウ,農業,
"""


# --- companies -------------------------------------------------------------------------------

def test_companies_created_then_reimport_changes_nothing(app):
    from crm.audit.models import AuditEntry
    from crm.companies.models import Company
    from crm.outbox import IndexOutbox

    summary = run(COMPANIES, "companies")
    assert summary == {"created": 2, "updated": 0, "merged": 0, "unchanged": 0, "rejected": [],
                       "conflicts": []}
    sakata = db.session.scalar(select(Company).where(Company.corporate_number == "5070001000715"))
    assert sakata.name == "株式会社サカタのタネ"
    assert sakata.name_folded == "サカタノタネ"  # derived fields computed by the service
    assert "Address: 横浜市都筑区" in sakata.notes  # no column of its own: kept in the notes
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "companies", AuditEntry.action == "create")) == 2

    again = run(COMPANIES, "companies")
    assert again == {"created": 0, "updated": 0, "merged": 0, "unchanged": 2, "rejected": [],
                     "conflicts": []}
    assert count(Company) == 2
    del IndexOutbox


def test_a_width_only_difference_is_not_an_update(app, make_company):
    """The EDINET list writes ＡＧＣ株式会社 and 株式会社　サカタのタネ (full width); a company
    entered as AGC株式会社 is matched and left as it is, not rewritten in full width."""
    from crm.companies.models import Company
    from crm.extensions import db

    agc = make_company(name="AGC株式会社", corporate_number="2010001008650", industry="ガラス")
    data = ("会社名,法人番号,業種\nＡＧＣ株式会社,２０１０００１００８６５０,ガラス\n"
            "株式会社　サカタのタネ,,種苗\n").encode("cp932")
    summary = dry_run(data, "edinet.csv", "companies")
    assert (summary["unchanged"], summary["updated"], summary["created"]) == (1, 0, 1), summary
    from crm.imports import services

    services.commit(services.read_file(data, "edinet.csv", "companies"), "companies", "update")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Company, agc.id).name == "AGC株式会社"


def test_company_matched_by_corporate_number_then_by_folded_name(app, make_company):
    from crm.companies.models import Company

    by_number = make_company(name="サカタのタネ", corporate_number="5070001000715")
    by_name = make_company(name="ＡＢＣ(株)")
    text = ("name,corporate_number,industry\n"
            "株式会社サカタのタネ,5070001000715,農業\n"
            "ABC Co., Ltd.,,化学\n").replace("ABC Co., Ltd.", '"ABC Co., Ltd."')
    summary = run(text, "companies")
    assert (summary["created"], summary["updated"]) == (0, 2)
    db.session.expire_all()
    assert db.session.get(Company, by_number.id).name == "株式会社サカタのタネ"
    assert db.session.get(Company, by_name.id).industry == "化学"
    assert count(Company) == 2


def test_near_name_is_not_merged_but_shown_as_similar(app, make_company):
    from crm.imports import services

    make_company(name="山田電機株式会社")
    the_plan = services.plan(parse("name\n山田電機工業株式会社\n川田電機株式会社\n", "companies"),
                             "companies")
    rows = {r.label: r for r in the_plan.rows}
    assert rows["山田電機工業株式会社"].action == "create"
    assert "山田電機株式会社" in rows["山田電機工業株式会社"].note
    # 電機 alone is a common word, not a likeness.
    assert rows["川田電機株式会社"].note is None


def test_policies_update_merge_skip_and_conflicts_shown(app, make_company):
    from crm.companies.models import Company
    from crm.imports import services

    company = make_company(name="株式会社テスト", industry="電機", website=None)
    text = "name,industry,website\n株式会社テスト,化学,https://test.example\n"

    merge = services.plan(parse(text, "companies"), "companies", "merge")
    row = merge.rows[0]
    assert row.action == "merge"
    assert row.changes == {"website": ["", "https://test.example"]}
    assert row.conflicts == {"industry": ["電機", "化学"]}

    skip = services.plan(parse(text, "companies"), "companies", "skip")
    assert skip.summary()["unchanged"] == 1

    assert run(text, "companies", "skip")["unchanged"] == 1
    db.session.expire_all()
    assert db.session.get(Company, company.id).website is None

    assert run(text, "companies", "merge")["merged"] == 1
    db.session.expire_all()
    kept = db.session.get(Company, company.id)
    assert (kept.industry, kept.website) == ("電機", "https://test.example")

    assert run(text, "companies", "update")["updated"] == 1
    db.session.expire_all()
    assert db.session.get(Company, company.id).industry == "化学"
    # Now equal: merge has nothing to fill and nothing in conflict.
    again = services.plan(parse(text, "companies"), "companies", "merge")
    assert again.rows[0].action == "unchanged" and again.rows[0].conflicts == {}


def test_rejected_rows_name_row_column_value_and_reason(app):
    from crm.companies.models import Company

    text = ("name,corporate_number,size,member_since,renewal_date\n"
            "良い会社,,,,\n"
            "番号違い,1234567890123,,,\n"
            ",5070001000715,,,\n"
            "大きさ,,huge,,\n"
            "更新日,,,2024-04-01,2023-04-01\n")
    summary = run(text, "companies")
    assert summary["created"] == 1
    rejected = {p["row"]: p for p in summary["rejected"]}
    assert rejected[3]["column"] == "corporate_number"
    assert rejected[3]["value"] == "1234567890123"
    assert "check digit" in rejected[3]["reason"]
    assert rejected[4]["column"] == "name" and "Required" in rejected[4]["reason"]
    assert rejected[5]["column"] == "size" and rejected[5]["value"] == "huge"
    assert "startup" in rejected[5]["reason"]
    assert rejected[6]["column"] == "renewal_date"
    assert sorted(rejected) == [3, 4, 5, 6]
    assert count(Company) == 1


def test_duplicates_within_the_file_are_rejected_naming_the_first_row(app):
    from crm.companies.models import Company
    from crm.contacts.models import Contact

    text = ("name,corporate_number\n"
            "株式会社サカタのタネ,5070001000715\n"
            "サカタのタネ（別表記）,5070001000715\n"
            "ＡＢＣ(株),\n"
            "\"ABC Co., Ltd.\",\n")
    summary = run(text, "companies")
    assert summary["created"] == 2
    reasons = {p["row"]: p for p in summary["rejected"]}
    assert "row 2" in reasons[3]["reason"] and reasons[3]["column"] == "corporate_number"
    assert "row 4" in reasons[5]["reason"]
    assert count(Company) == 2

    people = ("family_name,given_name,email\n山田,太郎,taro@example.jp\n"
              "山田,太郎,TARO@example.jp\n")
    summary = run(people, "contacts")
    assert summary["created"] == 1
    assert summary["rejected"][0]["row"] == 3 and "row 2" in summary["rejected"][0]["reason"]
    assert count(Contact) == 1


# --- contacts --------------------------------------------------------------------------------

def test_contacts_link_or_create_their_company_and_match_by_email_or_name(app, make_company):
    from crm.companies.models import Company
    from crm.contacts.models import Contact

    existing = make_company(name="株式会社サカタのタネ")
    text = ("family_name,given_name,email,company_name,family_name_reading\n"
            "山田,太郎,taro@example.jp,サカタのタネ,やまだ\n"
            "鈴木,花子,hanako@example.jp,新しい商事株式会社,\n"
            "佐藤,一郎,,新しい商事株式会社,\n")
    summary = run(text, "contacts")
    # 3 contacts + 1 company the rows refer to
    assert summary == {"created": 4, "updated": 0, "merged": 0, "unchanged": 0, "rejected": [],
                       "conflicts": []}
    taro = db.session.scalar(select(Contact).where(Contact.email == "taro@example.jp"))
    assert taro.company_id == existing.id
    assert taro.family_name_reading == "ヤマダ"
    new = db.session.scalar(select(Company).where(Company.name == "新しい商事株式会社"))
    assert {c.family_name for c in new.contacts} == {"鈴木", "佐藤"}

    # Re-import: the e-mail finds Taro, name + company finds Sato (no e-mail).
    again = run(text, "contacts")
    assert again == {"created": 0, "updated": 0, "merged": 0, "unchanged": 3, "rejected": [],
                     "conflicts": []}
    assert count(Contact) == 3 and count(Company) == 2


def test_contact_rows_with_bad_values_are_rejected(app):
    text = ("family_name,email,family_name_reading,company_corporate_number\n"
            "山田,not-an-address,,\n"
            "田中,,田中,\n"  # a reading in kanji (romaji is kept as the romanised name)
            "鈴木,,,1234567890123\n")
    summary = run(text, "contacts")
    got = {(p["row"], p["column"]) for p in summary["rejected"]}
    assert got == {(2, "email"), (3, "family_name_reading"), (4, "company_corporate_number")}
    assert summary["created"] == 0


# --- other kinds -----------------------------------------------------------------------------


def test_researchers_seeds_events_alumni_donations_encounters(app):
    from crm.alumni.models import Alumnus
    from crm.donations.models import Donation
    from crm.events.models import Encounter, Event
    from crm.research.models import Researcher, ResearchSeed

    make_department(name="工学部", name_en="Engineering", code="ENG")
    assert run("full_name,department,email\n山田 太郎,ENG,yamada@u.ac.jp\n", "researchers")[
        "created"] == 1
    seeds = ("title,department,researchers,readiness,ip_status\n"
             "高効率モーター,工学部,yamada@u.ac.jp,4,filed\n"
             "未知の研究,理学部,,,\n"
             "TRL違い,ENG,,12,\n"
             "IP違い,ENG,,3,pending\n")
    summary = run(seeds, "seeds")
    assert summary["created"] == 1
    assert {(p["row"], p["column"]) for p in summary["rejected"]} == {
        (3, "department"), (4, "readiness"), (5, "ip_status")}
    seed = db.session.scalar(select(ResearchSeed))
    assert [r.family_name for r in seed.researchers] == ["山田"]
    assert run(seeds, "seeds")["unchanged"] == 1

    events = ("name,kind,starts_on,ends_on\n"
              "CEATEC,展示会,2026-10-14,2026-10-17\nBad,party,2026-01-01,\n")
    summary = run(events, "events")
    assert summary["created"] == 1 and summary["rejected"][0]["column"] == "kind"
    assert db.session.scalar(select(Event)).kind == "trade_show"

    alumni = ("full_name,degree,graduation_year,email,employer\n"
              "佐藤 花子,修士,2010,hanako@alumni.jp,株式会社サカタのタネ\n"
              "古い 人,bachelor,1800,,\n")
    summary = run(alumni, "alumni")
    assert summary["created"] == 2  # the alumnus and her employer
    assert summary["rejected"][0]["column"] == "graduation_year"
    assert db.session.scalar(select(Alumnus)).degree == "master"

    donations = ("company_name,amount,currency,received_on,purpose\n"
                 "サカタのタネ,1000000,JPY,2026-04-01,奨学金\n"
                 "知らない会社,500,JPY,2026-04-01,\n"
                 "サカタのタネ,-5,JPY,2026-04-02,\n"
                 ",700,JPY,2026-04-03,\n")
    summary = run(donations, "donations")
    assert summary["created"] == 1
    assert {(p["row"], p["column"]) for p in summary["rejected"]} == {
        (3, "company_name"), (4, "amount"), (5, "company_name")}
    again = run(donations, "donations")
    assert (again["created"], again["unchanged"]) == (0, 1)
    assert count(Donation) == 1

    encounters = ("event_name,full_name,email,company_name,small_talk\n"
                  "CEATEC,田中 次郎,jiro@example.jp,株式会社サカタのタネ,釣りが趣味\n"
                  "Unknown Expo,田中 次郎,jiro@example.jp,,\n")
    summary = run(encounters, "encounters")
    assert summary["created"] == 2  # the encounter and the new contact
    assert summary["rejected"][0]["column"] == "event_name"
    assert db.session.scalar(select(Encounter)).small_talk == "釣りが趣味"
    assert run(encounters, "encounters")["unchanged"] == 1
    assert count(Researcher) == 1


# --- all or none -----------------------------------------------------------------------------

def test_a_failure_in_the_middle_writes_nothing(app, monkeypatch, make_company):
    from crm.audit.models import AuditEntry
    from crm.common.services import ValidationError, unit_of_work
    from crm.companies import importing as company_importing
    from crm.companies.models import Company
    from crm.imports import services
    from crm.outbox import IndexOutbox

    # New companies, flushed two at a time; the 4th fails after two flushes went out.
    real_refresh = Company.refresh_derived
    calls = {"n": 0}

    def failing_refresh(self):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("disk full")
        return real_refresh(self)

    monkeypatch.setattr(Company, "refresh_derived", failing_refresh)
    text = "name\n" + "".join(f"会社{i}株式会社\n" for i in range(6))
    with pytest.raises(RuntimeError):
        with unit_of_work("test"):
            services.commit(parse(text, "companies"), "companies", chunk=2)
    assert (count(Company), count(AuditEntry), count(IndexOutbox)) == (0, 0, 0)
    monkeypatch.setattr(Company, "refresh_derived", real_refresh)

    # Updates go through save_company; the service refuses the 3rd: a CommitError naming it.
    ids = [make_company(name=f"会社{i}株式会社", industry="電機").id for i in range(6)]
    before = (count(AuditEntry), count(IndexOutbox))
    real_save = company_importing.save_company
    calls["n"] = 0

    def failing_save(company, data, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValidationError({"name": "refused on purpose"})
        return real_save(company, data, **kw)

    monkeypatch.setattr(company_importing, "save_company", failing_save)
    update = "name,industry\n" + "".join(f"会社{i}株式会社,化学\n" for i in range(6))
    with pytest.raises(services.CommitError) as err:
        with unit_of_work("test"):
            services.commit(parse(update, "companies"), "companies", chunk=1)
    assert err.value.row == 4 and "refused on purpose" in str(err.value)
    assert (count(AuditEntry), count(IndexOutbox)) == before
    assert {db.session.get(Company, i).industry for i in ids} == {"電機"}


# --- the command line ------------------------------------------------------------------------

def _write(tmp_path, text: str, name: str = "file.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_cli_json_is_one_object_of_the_documented_shape(app, runner, tmp_path):
    from crm.companies.models import Company

    path = _write(tmp_path, COMPANIES + "番号違い,1234567890123,,,\n")
    result = runner.invoke(args=["import", "companies", path, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert list(summary) == ["created", "updated", "merged", "unchanged", "rejected",
                             "conflicts", "ignored_columns"]
    assert summary["created"] == 2
    assert summary["rejected"] == [{"row": 4, "column": "corporate_number",
                                    "value": "1234567890123", "reason": summary["rejected"][0][
                                        "reason"]}]
    assert count(Company) == 2

    again = runner.invoke(args=["import", "companies", path, "--json"])
    assert json.loads(again.stdout)["unchanged"] == 2 and json.loads(again.stdout)["created"] == 0


def test_cli_dry_run_writes_nothing_and_says_so(app, runner, tmp_path):
    from crm.audit.models import AuditEntry
    from crm.companies.models import Company

    path = _write(tmp_path, COMPANIES)
    result = runner.invoke(args=["import", "companies", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would import" in result.output and "2 created" in result.output
    assert "nothing was written" in result.output
    assert count(Company) == 0 and count(AuditEntry) == 0
    dry = runner.invoke(args=["import", "companies", path, "--dry-run", "--json"])
    assert json.loads(dry.stdout)["created"] == 2
    assert count(Company) == 0


def test_cli_unreadable_file_exits_2_with_reason_on_stderr(app, runner, tmp_path):
    missing = runner.invoke(args=["import", "companies", str(tmp_path / "nope.csv"), "--json"])
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr and missing.stdout == ""
    empty = runner.invoke(args=["import", "companies", _write(tmp_path, "", "empty.csv")])
    assert empty.exit_code == 2 and "empty" in empty.stderr.lower()
    bad_kind = runner.invoke(args=["import", "widgets", _write(tmp_path, "name\nX\n")])
    assert bad_kind.exit_code == 2


def test_cli_states_the_size_limit_as_the_upload_page_does(app, runner, tmp_path, monkeypatch):
    """The web says "up to 50 MB"; the CLI must name the same limit (not "52 MB")."""
    import importers.base

    monkeypatch.setattr(importers.base, "MAX_FILE_BYTES", 50 * 1024 * 1024)
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.write("会社名\n".encode())
        handle.truncate(60 * 1024 * 1024)
    result = runner.invoke(args=["import", "companies", str(path), "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "the file is 60.0 MB; the limit is 50 MB." in result.stderr


def test_the_cli_still_refuses_a_file_without_a_required_column(app, runner, tmp_path):
    """The command line cannot map columns, so it names the missing one and exits 2."""
    path = tmp_path / "old.csv"
    path.write_bytes("取引先,業界\n株式会社マッピング試験,化学\n".encode())
    result = runner.invoke(args=["import", "companies", str(path), "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "gives Company name" in result.stderr


def test_cli_policy_and_saved_mapping(app, runner, tmp_path, make_company):
    from crm.companies.models import Company
    from crm.imports.services import save_mapping

    company = make_company(name="株式会社テスト", industry="電機")
    save_mapping("old layout", "companies", {"社名X": "name", "業種X": "industry"})
    db.session.commit()
    path = _write(tmp_path, "社名X,業種X\n株式会社テスト,化学\n")
    merged = runner.invoke(args=["import", "companies", path, "--mapping", "old layout",
                                 "--policy", "merge", "--json"])
    assert merged.exit_code == 0, merged.output
    assert json.loads(merged.stdout)["unchanged"] == 1
    db.session.expire_all()
    assert db.session.get(Company, company.id).industry == "電機"
    updated = runner.invoke(args=["import", "companies", path, "--mapping", "old layout",
                                  "--json"])
    assert json.loads(updated.stdout)["updated"] == 1
    db.session.expire_all()
    assert db.session.get(Company, company.id).industry == "化学"
    unknown = runner.invoke(args=["import", "companies", path, "--mapping", "nope"])
    assert unknown.exit_code == 2 and "nope" in unknown.stderr


# --- real files (need the parsing half) -------------------------------------------------------

def test_edinet_extract_imports_then_reimports_unchanged(app, runner):
    from crm.companies.models import Company

    path = str(FIXTURES / "edinet_extract_cp932.csv")
    first = json.loads(runner.invoke(args=["import", "companies", path, "--json"]).stdout)
    assert first["created"] >= 25 and first["updated"] == 0
    total = count(Company)
    assert total == first["created"]
    daiwa = db.session.scalar(select(Company).where(Company.corporate_number == "6120001059662"))
    assert daiwa is not None and "大和ハウス工業" in daiwa.name
    again = json.loads(runner.invoke(args=["import", "companies", path, "--json"]).stdout)
    assert (again["created"], again["updated"], again["merged"]) == (0, 0, 0)
    assert again["unchanged"] == first["created"]
    assert count(Company) == total


@pytest.mark.parametrize("name, created", [
    ("v21_japanese_1.vcf", 1),   # vCard 2.1, Shift_JIS, reading from SOUND;X-IRMC-N
    ("v40_sort_as.vcf", 2),      # vCard 4.0, readings in SORT-AS; the card's company too
    ("gmail-list.vcf", 3),       # several cards in one file
])
def test_vcards_import_then_reimport_unchanged(app, runner, name, created):
    from crm.contacts.models import Contact

    path = str(FIXTURES / name)
    first = json.loads(runner.invoke(args=["import", "contacts", path, "--json"]).stdout)
    assert first["created"] == created and first["rejected"] == []
    if name == "v40_sort_as.vcf":
        andou = db.session.scalar(select(Contact).where(Contact.family_name == "安藤"))
        assert andou.family_name_reading == "アンドウ" and andou.company.name == "グーグル"
    contacts = count(Contact)
    again = json.loads(runner.invoke(args=["import", "contacts", path, "--json"]).stdout)
    assert (again["created"], again["updated"], again["merged"]) == (0, 0, 0)
    assert again["unchanged"] == contacts
    assert count(Contact) == contacts
