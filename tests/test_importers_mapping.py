"""importers: known headers, the translation hook, and the rule that importers/ stays free of
Flask and the crm package."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import importers
from importers import ImportFileError, i18n, read
from importers.fields import FIELDS, KINDS
from importers.mapping import KNOWN_HEADERS, fold_header


def test_no_header_names_two_fields_of_one_kind():
    for kind in KINDS:
        owner: dict[str, str] = {}
        for field, headers in KNOWN_HEADERS[kind].items():
            assert field in FIELDS[kind], (kind, field)
            for header in headers:
                key = fold_header(header)
                assert owner.setdefault(key, field) == field, (kind, header)


@pytest.mark.parametrize("kind, headers, expected", [
    ("companies", ["企業名", "法人番号", "業種", "ホームページ"],
     {0: "name", 1: "corporate_number", 2: "industry", 3: "website"}),
    ("contacts", ["会社名", "氏名", "ふりがな", "E-mail", "TEL", "携帯"],
     {0: "company_name", 1: "full_name", 2: "full_name_reading", 3: "email", 4: "phone",
      5: "mobile"}),
    ("contacts", ["Company", "Full Name", "Job Title", "Department"],
     {0: "company_name", 1: "full_name", 2: "title", 3: "department"}),
    ("donations", ["寄附者", "寄附金額", "受入日", "使途"],
     {0: "company_name", 1: "amount", 2: "received_on", 3: "purpose"}),
    ("events", ["イベント名", "開催日", "会場"], {0: "name", 1: "starts_on", 2: "location"}),
    ("alumni", ["氏名", "卒業年度", "学部", "勤務先"],
     {0: "full_name", 1: "graduation_year", 2: "department", 3: "employer"}),
])
def test_suggest_mapping(kind, headers, expected):
    assert importers.suggest_mapping(headers, kind) == expected


def test_field_names_and_english_labels_are_known_headers():
    assert importers.suggest_mapping(["corporate_number", "Renewal date"], "companies") == {
        0: "corporate_number", 1: "renewal_date"}


def test_known_headers_lists_every_field():
    known = importers.known_headers("contacts")
    assert set(known) == set(FIELDS["contacts"])
    assert "フリガナ" in known["full_name_reading"]


def test_translator_hook_translates_messages(monkeypatch):
    table = {'"{name}" is empty.': "「{name}」は空です。"}
    monkeypatch.setattr(i18n, "_translator", None)  # restored after the test
    i18n.set_translator(lambda s: table.get(s, s))
    with pytest.raises(ImportFileError, match="「x.csv」は空です。"):
        read(b"", "x.csv", "companies")
    i18n.set_translator(None)
    with pytest.raises(ImportFileError, match='"x.csv" is empty.'):
        read(b"", "x.csv", "companies")


def test_translator_that_fails_falls_back_to_english(monkeypatch):
    def broken(_message):
        raise RuntimeError("working outside of request context")
    monkeypatch.setattr(i18n, "_translator", broken)
    with pytest.raises(ImportFileError, match="is empty"):
        read(b"", "x.csv", "companies")


def test_importers_import_neither_flask_nor_crm():
    root = Path(__file__).resolve().parent.parent
    code = ("import sys, importers; importers.read(b'a,b', 'x.csv', 'companies', "
            "mapping={'a': 'name'}); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'crm', 'sqlalchemy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
