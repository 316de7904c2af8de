"""Readings through the pages. Company readings as Japan Post and old systems write them
(half-width kana, ASCII "-" for the long vowel, the legal form read aloud or abbreviated as
(カブ)): normalised when saved, checked by COMPANY_RULES (form and importer alike), and sorted
without the legal form; the file is a slice of Japan Post's 大口事業所 list
(tests/fixtures/importers/SOURCES.md). A person's reading in romaji: kept as the romanised
name, the person imported."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from sqlalchemy import select

from crm.companies.models import Company
from crm.extensions import db

JAPAN_POST = Path(__file__).parent / "fixtures" / "importers" / "japanpost_companies.csv"


def _import_companies(client, data: bytes, name: str) -> str:
    response = client.submit("/imports/", {
        "kind": "companies", "policy": "update", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")
    assert response.status_code == 302
    return _commit(client, response)


def _commit(client, response) -> str:
    batch = int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))
    client.get(f"/imports/{batch}")
    assert client.submit(f"/imports/{batch}/commit").status_code == 302
    return client.get(f"/imports/{batch}").get_data(as_text=True)


def test_japan_post_readings_import_normalised_and_sort_without_the_legal_form(login):
    rows = list(csv.reader(io.StringIO(JAPAN_POST.read_text(encoding="utf-8"))))[1:]
    client = login("bd")
    _import_companies(client, JAPAN_POST.read_bytes(), "japanpost.csv")
    db.session.expire_all()
    companies = {c.name: c for c in db.session.scalars(select(Company))}
    assert len(companies) == len(rows)
    # the long vowel written "-" between kana is ー; the reading keeps its legal form
    assert companies["株式会社　アークス"].name_reading == "カブシキカイシヤ アークス"
    assert companies["（株）　電波新聞社"].name_reading == "(カブ) デンパシンブンシヤ"
    assert not any(re.search(r"[\u30a0-\u30ff]-", c.name_reading) for c in companies.values())
    # ... and sorts without it: 株式会社 read aloud sorts nobody under カ
    assert companies["株式会社　アークス"].sort_name == "アークス"
    assert companies["花王　株式会社"].sort_name == "カオウ"
    assert companies["（株）　電波新聞社"].sort_name == "デンパシンブンシヤ"
    legal = re.compile(r"^(カブシキ|ユウゲン|ゴウドウ|\(カ)")
    assert not [c.name for c in companies.values() if legal.match(c.sort_name)]
    prefixed = [c for c in companies.values() if c.name_reading.startswith("カブシキガイシヤ ")]
    assert len(prefixed) > 100
    for company in prefixed:  # sorted by what follows the legal form
        rest = company.name_reading.split(" ", 1)[1]
        assert company.sort_name == re.sub(r"[\s・()]", "", rest)
    # the list, sorted by name, follows the readings: ア before カ before デ
    wanted = ("株式会社　アークス", "花王　株式会社", "（株）　電波新聞社")
    order = []
    for page in range(1, 9):
        body = client.get(f"/companies/?sort=name&page={page}").get_data(as_text=True)
        order += sorted((body.index(name), name) for name in wanted if name in body)
    assert [name for _at, name in order] == list(wanted)


def test_company_form_normalises_half_width_reading(login):
    client = login("liaison")
    response = client.submit("/companies/new", {"name": "株式会社　コーヒー堂",
                                                 "name_reading": "ｶﾌﾞｼｷｶﾞｲｼﾔ ｺ-ﾋ-ﾄﾞｳ"})
    assert response.status_code == 302
    company = db.session.scalar(select(Company))
    assert company.name_reading == "カブシキガイシヤ コーヒードウ"
    assert company.sort_name == "コーヒードウ"


def test_company_form_refuses_a_reading_that_is_not_kana(login):
    client = login("liaison")
    response = client.submit("/companies/new", {"name": "株式会社　架橋テック",
                                                 "name_reading": "Kakyo Tech"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The reading may hold only kana" in page and "K a k y o T e c h" in page
    assert db.session.scalar(select(Company)) is None


def test_company_import_names_the_row_and_field_of_a_reading_that_is_not_kana(login):
    data = ("会社名,会社名(カナ)\n株式会社　架橋テック,カキョウテック\n"
            "キヤノンＩＴソリューションズ　株式会社,キヤノンITソリユ-シヨンズ カブシキガイシヤ\n"
            ).encode("utf-8")
    page = _import_companies(login("bd"), data, "readings.csv")
    db.session.expire_all()
    assert set(db.session.scalars(select(Company.name))) == {"株式会社　架橋テック"}
    assert "The reading may hold only kana" in page and "I T" in page


def test_contact_csv_with_a_romaji_reading_keeps_the_person_and_the_romanisation(login):
    from crm.contacts.models import Contact

    data = ("姓,名,セイ,メイ,メール\n天野,喜孝,Amano,Yoshitaka,y.amano@example.jp\n"
            "山田,花子,ﾔﾏﾀﾞ,ﾊﾅｺ,hanako@example.jp\n").encode("utf-8")
    response = login("bd").submit("/imports/", {
        "kind": "contacts", "policy": "update", "file": (io.BytesIO(data), "people.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    _commit(login("bd"), response)
    db.session.expire_all()
    amano, yamada = db.session.scalars(select(Contact).order_by(Contact.id)).all()
    assert (amano.family_name, amano.family_name_reading, amano.notes) == \
        ("天野", None, "Romanised name: Amano Yoshitaka")
    assert (yamada.family_name_reading, yamada.given_name_reading) == ("ヤマダ", "ハナコ")


def _import(client, kind: str, data: bytes, policy: str = "update") -> str:
    response = client.submit("/imports/", {
        "kind": kind, "policy": policy, "file": (io.BytesIO(data), f"{kind}.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    return _commit(client, response)


def test_alumni_csv_with_a_romaji_reading_keeps_the_person_and_the_romanisation(login):
    from crm.alumni.models import Alumnus

    data = ("姓,名,セイ,メイ,卒業年,備考\n天野,喜孝,Amano,Yoshitaka,1974,イラストレーター\n"
            "Tan,Wei,Tan,Wei,2012,\n").encode("utf-8")
    result = _import(login("manager"), "alumni", data)
    assert "Write the reading in kana" not in result
    amano, tan = db.session.scalars(select(Alumnus).order_by(Alumnus.id)).all()
    assert (amano.family_name, amano.family_name_reading, amano.given_name_reading) == (
        "天野", None, None)
    assert amano.notes == "イラストレーター\nRomanised name: Amano Yoshitaka"
    assert (tan.family_name_reading, tan.notes) == (None, None)  # only repeats the name


def test_researchers_csv_romaji_reading_becomes_the_name_in_latin_letters(login):
    from crm.research.models import Researcher

    data = ("姓,名,セイ,メイ,英語名,プロフィール\n"
            "天野,喜孝,Amano,Yoshitaka,,\n"
            "山田,太郎,Yamada,Taro,Taro Yamada,\n"       # the same name: nothing more to keep
            "佐藤,花子,Satou,Hanako,Hanako Sato,ロボット\n").encode("utf-8")  # another spelling
    result = _import(login("manager"), "researchers", data)
    assert "Write the reading in kana" not in result
    amano, yamada, sato = db.session.scalars(select(Researcher).order_by(Researcher.id)).all()
    assert (amano.family_name_reading, amano.name_en, amano.profile) == (
        None, "Amano Yoshitaka", None)
    assert (yamada.name_en, yamada.profile) == ("Taro Yamada", None)
    assert (sato.name_en, sato.profile) == ("Hanako Sato", "ロボット\nRomanised name: Satou Hanako")
    # The office writes the English name given name first; the same file imported again
    # (update policy) never turns it back into the reading's order.
    amano.name_en = "Yoshitaka Amano"
    db.session.commit()
    again = _import(login("manager"), "researchers", data)
    assert "Write the reading in kana" not in again
    db.session.expire_all()
    assert db.session.get(Researcher, amano.id).name_en == "Yoshitaka Amano"


def test_forms_keep_a_romaji_reading_out_of_the_readings(login):
    from crm.alumni.models import Alumnus
    from crm.research.models import Researcher

    client = login("manager")
    amano = {"family_name": "天野", "given_name": "喜孝", "family_name_reading": "Amano",
             "given_name_reading": "Yoshitaka"}
    assert client.submit("/alumni/new", {**amano, "degree": "bachelor"}).status_code == 302
    alumnus = db.session.scalar(select(Alumnus))
    assert (alumnus.family_name_reading, alumnus.notes) == (
        None, "Romanised name: Amano Yoshitaka")
    assert client.submit("/research/researchers/new", {**amano, "department": ""}
                         ).status_code == 302
    researcher = db.session.scalar(select(Researcher))
    assert (researcher.family_name_reading, researcher.name_en) == (None, "Amano Yoshitaka")

    # a romanisation that is not the English name given: the form says where it goes
    r = client.submit("/research/researchers/new", {
        "family_name": "佐藤", "given_name": "花子", "family_name_reading": "Satou",
        "name_en": "Hanako Sato", "department": ""})
    assert r.status_code == 422
    assert "the name in Latin letters goes in the English name" in r.get_data(as_text=True)
