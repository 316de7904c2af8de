"""researchmap imports: a researcher's API JSON, a JSON-lines export or a zip of them, through
the import page and `crm import researchmap`: researchers matched by researchmap ID, e-mail,
name + department; re-import never duplicates; hand edits are kept; projects become seeds a
company's need then matches. Fixtures: tests/fixtures/researchmap/ (see SOURCES.md)."""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

import importers
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.research.models import Researcher, ResearchSeed
from crm.research.services import keyword_list
from importers import ImportFileError
from tests.factories import make_department, make_researcher

FIXTURES = Path(__file__).parent / "fixtures" / "researchmap"
API = (FIXTURES / "api_profile.json").read_bytes()
JSONL = (FIXTURES / "sample_researcher.jsonl").read_bytes()


@pytest.fixture(autouse=True)
def index(own_index):
    return own_index


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, data: bytes, name: str, policy: str = "update"):
    return client.submit("/imports/", {"kind": "researchmap", "policy": policy,
                                       "file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")


def _commit(client, data: bytes, name: str, policy: str = "update") -> tuple[str, dict]:
    """Upload, read the preview, commit: (the preview page, the committed summary)."""
    response = _upload(client, data, name, policy)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    batch_id = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    preview = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    assert client.submit(f"/imports/{batch_id}/commit").status_code == 302
    db.session.expire_all()
    return preview, db.session.get(ImportBatch, batch_id).summary_dict


def _edited(data: bytes, change) -> bytes:
    doc = json.loads(data)
    change(doc)
    return json.dumps(doc, ensure_ascii=False).encode()


# --- reading the files --------------------------------------------------------------------------

def test_an_api_profile_becomes_one_row_in_both_languages():
    parsed = importers.read(API, "hanako.json", "researchmap")
    assert len(parsed.rows) == 1
    values = parsed.rows[0].values
    assert (values["family_name"], values["given_name"]) == ("研究", "花子")
    assert (values["family_name_reading"], values["given_name_reading"]) == ("ケンキュウ", "ハナコ")
    assert values["name_en"] == "Jane Researcher"
    keywords = values["keywords"].splitlines()
    # research_interests, then research_areas (field and keyword), Japanese and English
    assert keywords[:4] == ["偏微分方程式", "Partial differential equations", "調和解析",
                            "Harmonic analysis"]
    assert "解析学" in keywords and "Analysis" in keywords and "PDE" in keywords
    assert values["department"].splitlines() == ["数学科", "Department of Mathematics"]
    assert values["title"] == "准教授 / Associate Professor"
    assert "プロフィール本文のサンプル" in values["profile"] and "Sample profile text" in values[
        "profile"]
    assert "分散型方程式に関するサンプル論文 / A sample paper on dispersive equations (2022)" in \
        values["profile"]
    projects = json.loads(values["projects"])
    assert [p["title"] for p in projects] == ["サンプル研究課題"]
    assert "Sample funded project" in projects[0]["abstract"]
    assert "00X00000" in projects[0]["abstract"]
    assert projects[0]["government_funded"] is True  # 科学研究費助成事業 (KAKENHI)


def test_a_json_lines_export_keeps_the_researchmap_id_and_its_keywords():
    parsed = importers.read(JSONL, "export.jsonl", "researchmap")
    assert len(parsed.rows) == 1
    row = parsed.rows[0]
    assert row.number == 1  # the line of the researcher
    assert row.values["researchmap_id"] == "sample_researcher"
    assert row.values["keywords"].splitlines() == ["人工知能", "Artificial Intelligence",
                                                   "データサイエンス", "Data Science"]
    assert row.values["name_en"] == "Taro Yamada"
    assert "<p>" not in row.values["profile"]
    assert "研究者ウェブサイトの自動生成に関する研究" in row.values["profile"]


@pytest.mark.parametrize("data, name, words", [
    (b'{"family_name": {"ja": "\xe5\xb1\xb1"}, ', "cut.json", ["not valid JSON", "line 1"]),
    (b'{"@type": "published_papers", "items": []}', "papers.json",
     ["is not a researchmap researcher", "published_papers"]),
    (b'[' + API + b', 42]', "two.json", ["item 2", "not a researchmap researcher"]),
    (b'{"insert": {"type": "research_interests", "id": "1"}, "merge": {}}\n'
     b'{"insert": {"type": "researchers", "id": "2"}, "merge": {}}\n', "x.jsonl",
     ["line 1", "before any researcher"]),
    (JSONL + b'{"insert": {"type": "researchers"}, "merge": {"family_name": \n', "x.jsonl",
     ["line 7", "not valid JSON"]),
    (b"[" * 100_000 + b"]" * 100_000, "deep.json", ["deep.json"]),
    (b"[]", "empty.json", ["holds no researchmap researcher"]),
])
def test_a_file_that_is_not_a_researchmap_export_is_refused_naming_the_item(data, name, words):
    with pytest.raises(ImportFileError) as err:
        importers.read(data, name, "researchmap")
    for word in words:
        assert word in str(err.value)


def test_one_huge_document_and_a_zip_that_inflates_too_far_are_refused(monkeypatch):
    from importers import researchmap

    monkeypatch.setattr(researchmap, "MAX_DOCUMENT_BYTES", 4096)
    with pytest.raises(ImportFileError, match="one document may hold up to"):
        importers.read(API, "big.json", "researchmap")
    # JSON lines are read a line at a time: the same limit is per line
    assert importers.read(JSONL, "export.jsonl", "researchmap").rows
    monkeypatch.setattr(researchmap, "MAX_FILE_BYTES", 4096)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.json", b" " * 10_000 + API)
    with pytest.raises(ImportFileError, match="inflates to"):
        importers.read(packed.getvalue(), "bomb.zip", "researchmap")



def test_a_damaged_or_encrypted_zip_member_is_refused_naming_it():
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ok.json", API)
        archive.writestr("hanako.json", API)
    data = bytearray(packed.getvalue())
    second = data.index(b"hanako.json") + len(b"hanako.json")  # its compressed bytes follow
    data[second + 40:second + 60] = b"\x00" * 20
    with pytest.raises(ImportFileError) as err:
        importers.read(bytes(data), "damaged.zip", "researchmap")
    assert "damaged.zip: hanako.json" in str(err.value)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("secret.json", API)
    data = bytearray(packed.getvalue())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        data[data.index(signature) + offset] |= 0x1  # "encrypted": we have no password
    with pytest.raises(ImportFileError, match="secret.json"):
        importers.read(bytes(data), "locked.zip", "researchmap")


# --- the import page ----------------------------------------------------------------------------

def test_upload_preview_commit_and_the_same_file_again_changes_nothing(login):
    dept = make_department(name="数学科", name_en="Department of Mathematics")
    client = login("bd")
    preview, summary = _commit(client, API, "hanako.json")
    assert "研究 花子" in preview and "サンプル研究課題" in preview
    assert "This format has fixed fields" in preview
    assert (summary["created"], summary["updated"], summary["rejected"]) == (1, 0, [])
    person = db.session.scalar(select(Researcher))
    assert person.name_en == "Jane Researcher" and person.department_id == dept.id
    assert person.family_name_reading == "ケンキュウ"
    assert "Harmonic analysis" in person.keywords and "調和解析" in person.keywords
    seed = db.session.scalar(select(ResearchSeed))
    assert seed.title == "サンプル研究課題" and [r.id for r in seed.researchers] == [person.id]
    assert seed.government_funded and seed.department_id == dept.id

    _preview, again = _commit(client, API, "hanako.json")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert _count(Researcher) == 1 and _count(ResearchSeed) == 1


def test_a_newer_export_updates_what_researchmap_wrote_but_keeps_hand_edits(login):
    client = login("manager")
    _commit(client, JSONL, "export.jsonl")
    person = db.session.scalar(select(Researcher))
    assert person.researchmap_id == "sample_researcher" and person.title == "教授 / Professor"
    shown = client.get(f"/research/researchers/{person.id}").get_data(as_text=True)
    assert 'href="https://researchmap.jp/sample_researcher"' in shown
    # the office corrects the keywords by hand, on the researcher's form
    page = f"/research/researchers/{person.id}/edit"
    assert client.submit(page, {"keywords": "人工知能, 機械学習（手入力）"}, page=page
                         ).status_code == 302

    lines = JSONL.decode().splitlines()
    lines[0] = lines[0].replace('"教授","en":"Professor"', '"特任教授","en":"Project Professor"')
    lines.insert(3, json.dumps({"insert": {"type": "research_interests", "id": "2003"},
                                "merge": {"keyword": {"ja": "情報検索", "en": "Retrieval"}}},
                               ensure_ascii=False))
    lines.append(json.dumps({"insert": {"type": "research_projects", "id": "5001"}, "merge": {
        "research_project_title": {"ja": "研究者情報の自動連携", "en": "Linking researcher data"},
        "offer_organization": {"ja": "民間財団"}}}, ensure_ascii=False))
    preview, summary = _commit(client, "\n".join(lines).encode(), "newer.jsonl")
    assert "機械学習（手入力）" in preview and "kept" in preview  # listed, not overwritten silently
    assert (summary["created"], summary["updated"]) == (0, 1)
    db.session.expire_all()
    person = db.session.get(Researcher, person.id)
    assert person.title == "特任教授 / Project Professor"  # researchmap's own value: updated
    assert person.keywords == "人工知能, 機械学習（手入力）"  # typed by hand: kept
    seeds = db.session.scalars(select(ResearchSeed)).all()
    assert [s.title for s in seeds] == ["研究者情報の自動連携"]
    assert not seeds[0].government_funded and seeds[0].researchers == [person]
    assert _count(Researcher) == 1


def test_a_project_seed_renamed_by_hand_is_not_imported_again(login):
    client = login("manager")
    _commit(client, API, "hanako.json")
    seed = db.session.scalar(select(ResearchSeed))
    page = f"/research/seeds/{seed.id}/edit"
    assert client.submit(page, {"title": "分散型方程式の共同研究（改題）"}, page=page
                         ).status_code == 302
    _preview, again = _commit(client, API, "hanako.json")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert [s.title for s in db.session.scalars(select(ResearchSeed))] == [
        "分散型方程式の共同研究（改題）"]


def test_a_single_json_lines_record_in_a_json_file_is_read_as_json_lines():
    line = JSONL.splitlines()[0]
    parsed = importers.read(line, "one.json", "researchmap")
    assert [r.values["researchmap_id"] for r in parsed.rows] == ["sample_researcher"]


def test_a_researcher_typed_by_hand_is_found_by_email_or_by_name_and_department(login):
    dept = make_department(name="情報学研究科", name_en="Graduate School of Informatics")
    by_name = make_researcher(family_name="山田", given_name="太郎", department_id=dept.id,
                              keywords="手入力の鍵語")
    by_email = make_researcher(family_name="研究", given_name="花子",
                               email="hanako@example.ac.jp")
    client = login("bd")
    _preview, summary = _commit(client, JSONL, "export.jsonl", policy="merge")
    assert (summary["created"], summary["merged"]) == (0, 1)
    db.session.expire_all()
    found = db.session.get(Researcher, by_name.id)
    assert found.researchmap_id == "sample_researcher"
    assert found.keywords == "手入力の鍵語"  # merge: kept
    assert found.name_en == "Taro Yamada"  # was empty: filled

    with_email = _edited(API, lambda doc: doc.update(email="Hanako@Example.ac.jp"))
    _preview, summary = _commit(client, with_email, "hanako.json")
    assert (summary["created"], summary["updated"]) == (0, 1)
    db.session.expire_all()
    assert db.session.get(Researcher, by_email.id).name_en == "Jane Researcher"
    assert _count(Researcher) == 2


def test_a_namesake_with_another_researchmap_id_is_another_person(login):
    dept = make_department(name="情報学研究科")
    client = login("bd")
    _commit(client, JSONL, "export.jsonl")
    other = JSONL.replace(b'"sample_researcher"', b'"another_yamada"')
    _preview, summary = _commit(client, other, "other.jsonl")
    assert summary["created"] == 1
    assert sorted(db.session.scalars(select(Researcher.researchmap_id))) == [
        "another_yamada", "sample_researcher"]
    assert all(r.department_id == dept.id for r in db.session.scalars(select(Researcher)))


def test_a_bad_file_on_the_page_says_why_and_writes_nothing(login):
    client = login("bd")
    response = _upload(client, b'{"family_name": ', "broken.json")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "broken.json" in html and "not valid JSON" in html
    assert _count(ImportBatch) == 0 and _count(Researcher) == 0


def test_a_row_without_a_family_name_is_rejected_by_number_and_the_others_imported(login):
    nameless = _edited(API, lambda doc: doc.pop("family_name"))
    both = b"[" + API + b"," + nameless + b"]"
    preview, summary = _commit(login("bd"), both, "two.json")
    assert summary["created"] == 1
    assert [(r["row"], r["column"]) for r in summary["rejected"]] == [(2, "Family name")]
    assert "Required" in preview


# --- the command ----------------------------------------------------------------------------------

def test_cli_imports_a_zip_of_two_researchers_then_finds_them_again(runner, tmp_path):
    packed = tmp_path / "researchers.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hanako.json", API)
        archive.writestr("yamada/export.jsonl", JSONL)
        archive.writestr("__MACOSX/._hanako.json", b"\x00\x05")
    result = runner.invoke(args=["import", "researchmap", str(packed)])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated" in result.output
    # their two projects and the researchers: nothing more
    assert _count(Researcher) == 2 and _count(ResearchSeed) == 1
    result = runner.invoke(args=["import", "researchmap", str(packed), "--json"])
    summary = json.loads(result.output)
    assert (summary["created"], summary["unchanged"]) == (0, 2)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(JSONL + b"{oops\n")
    result = runner.invoke(args=["import", "researchmap", str(broken)])
    assert result.exit_code == 2 and "line 7" in result.output
    assert _count(Researcher) == 2


# --- into the index: a company's need finds the new seed ---------------------------------------

def test_an_imported_project_is_matched_by_a_company_need(login, make_company):
    client = login("bd")
    _commit(client, API, "hanako.json")
    company = make_company(name="株式会社流体解析", interests="偏微分方程式による流体シミュレーション")
    seed = db.session.scalar(select(ResearchSeed))
    page = login("liaison").get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Matching research seeds" in page
    assert f"/research/seeds/{seed.id}" in page and "サンプル研究課題" in page


# --- the result page: what else the import wrote ------------------------------------------------

def _result(client, data: bytes, name: str) -> tuple[dict, str]:
    response = _upload(client, data, name)
    batch_id = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    client.get(f"/imports/{batch_id}")  # the preview, whose button commits
    assert client.submit(f"/imports/{batch_id}/commit").status_code == 302
    page = client.get(f"/imports/{batch_id}").get_data(as_text=True)
    db.session.expire_all()
    assert 'id="also"' in page  # what else the import wrote, beside the researchers
    cards = dict((label.strip(), int(n.replace(",", ""))) for n, label in re.findall(
        r'<div class="fs-5 fw-semibold">([\d,]+)</div><div class="small text-muted">([^<]+)<',
        page))
    return cards, page


def test_the_result_page_counts_the_seeds_and_keywords_written(login):
    from tests.factories import make_seed

    dept = make_department(name="数学科", name_en="Department of Mathematics")
    client = login("bd")
    cards, page = _result(client, API, "hanako.json")
    person = db.session.scalar(select(Researcher))
    keywords = keyword_list(person.keywords)
    assert len(keywords) >= 2
    assert cards == {"Seeds created from projects": 1, "Seeds linked to a researcher": 0,
                     "Keywords added": len(keywords), "Researchers with updated keywords": 0}
    assert "Records created" in page  # the researchers, counted as before

    # a newer profile: one keyword more, a new project, and one whose seed the office has
    make_seed(title="既存の共同研究", department_id=dept.id)

    def newer(doc):
        graph = {g["@type"]: g for g in doc["@graph"]}
        graph["research_interests"]["items"].append({"keyword": {"ja": "散乱理論"}})
        graph["research_projects"]["items"] += [
            {"rm:id": "301", "research_project_title": {"ja": "新しい研究課題"}},
            {"rm:id": "302", "research_project_title": {"ja": "既存の共同研究"}}]

    cards, _page = _result(client, _edited(API, newer), "hanako-2025.json")
    assert cards == {"Seeds created from projects": 1, "Seeds linked to a researcher": 1,
                     "Keywords added": 1, "Researchers with updated keywords": 1}
    assert _count(ResearchSeed) == 3
    assert "散乱理論" in db.session.get(Researcher, person.id).keywords


def test_the_command_line_prints_what_else_was_written(runner, tmp_path):
    path = tmp_path / "hanako.json"
    path.write_bytes(API)
    result = runner.invoke(args=["import", "researchmap", str(path)])
    assert result.exit_code == 0, result.output
    assert "Also: Seeds created from projects: 1, Seeds linked to a researcher: 0" in result.output
    summary = json.loads(runner.invoke(args=["import", "researchmap", str(path), "--json"]
                                       ).output)
    assert summary["also"] == {"seeds_created": 0, "seeds_linked": 0, "keywords_added": 0,
                               "keywords_updated": 0}
