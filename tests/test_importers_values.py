"""importers: one value at a time — dates, booleans, numbers, corporate numbers — and the
Problem a user sees for a value that cannot be read."""
from __future__ import annotations

import pytest

from importers import read
from importers.values import (ValueProblem, corporate_number, parse_bool, parse_date,
                              parse_number)


@pytest.mark.parametrize("text, iso", [
    ("2024/4/1", "2024-04-01"), ("2024-04-01", "2024-04-01"), ("2024.04.01", "2024-04-01"),
    ("2024年4月1日", "2024-04-01"), ("２０２４年４月１日", "2024-04-01"),
    ("令和6年4月1日", "2024-04-01"), ("令和元年5月1日", "2019-05-01"), ("R6.4.1", "2024-04-01"),
    ("r06/04/01", "2024-04-01"), ("平成31年4月30日", "2019-04-30"), ("H1.1.8", "1989-01-08"),
    ("昭和64年1月7日", "1989-01-07"), ("2024/04/01 0:00", "2024-04-01"),
    ("2024-04-01T09:30:00", "2024-04-01"), ("20240401", "2024-04-01"), ("45383", "2024-04-01"),
    ("4/13/2024", "2024-04-13"), ("13/4/2024", "2024-04-13"), ("4/4/2024", "2024-04-04"),
])
def test_dates_to_iso(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text, reason", [
    ("2024-02-30", "not a day in the calendar"), ("2023/2/29", "not a day in the calendar"),
    ("令和6年2月30日", "not a day in the calendar"), ("4/1/2024", "ambiguous"),
    ("平成1年1月7日", "before the first day of the era"), ("next Tuesday", "not a date"),
    ("2024年4月", "not a date"),
])
def test_impossible_or_unreadable_dates(text, reason):
    with pytest.raises(ValueProblem, match=reason):
        parse_date(text)


@pytest.mark.parametrize("text, value", [
    ("はい", "true"), ("いいえ", "false"), ("○", "true"), ("×", "false"), ("yes", "true"),
    ("NO", "false"), ("True", "true"), ("false", "false"), ("1", "true"), ("0", "false"),
    ("１", "true"), ("有", "true"), ("無", "false"),
])
def test_booleans(text, value):
    assert parse_bool(text) == value


def test_unreadable_boolean():
    with pytest.raises(ValueProblem, match="not yes or no"):
        parse_bool("maybe")


@pytest.mark.parametrize("text, value", [
    ("¥1,234,567", "1234567"), ("1,234円", "1234"), ("１２３４５", "12345"), ("￥5,000", "5000"),
    ("1,234.50", "1234.5"), ("-300", "-300"), ("△300", "-300"), ("10万円", "100000"),
    ("$1,000", "1000"), ("\\1,000", "1000"),
])
def test_numbers(text, value):
    assert parse_number(text) == value


def test_unreadable_number():
    with pytest.raises(ValueProblem, match="not a number"):
        parse_number("千円")


def test_corporate_numbers():
    assert corporate_number("５０７０００１０００７１５") == "5070001000715"
    assert corporate_number("5070-0010-00715") == "5070001000715"
    with pytest.raises(ValueProblem, match="rounded by Excel"):
        corporate_number("5.07E+12")


def test_problem_names_row_column_value_and_reason():
    text = ("寄附者,金額,受領日,使途指定\n"
            "株式会社テスト,\"￥1,000,000\",2024/4/1,はい\n"
            "架空電機,たくさん,2024-02-30,たぶん\n")
    parsed = read(text.encode("cp932"), "donations.csv", "donations")
    good, bad = parsed.rows
    assert good.values == {"company_name": "株式会社テスト", "amount": "1000000",
                           "received_on": "2024-04-01", "restricted": "true"}
    assert good.problems == []
    problems = {p.column: p for p in bad.problems}
    assert set(problems) == {"金額", "受領日", "使途指定"}
    assert problems["受領日"].as_dict() == {
        "row": 3, "column": "受領日", "value": "2024-02-30",
        "reason": "2024-02-30 is not a day in the calendar"}
    assert "received_on" not in bad.values  # a bad value is never passed on as if it were good


def test_dash_in_a_date_column_means_empty():
    parsed = read("イベント名,開始日,終了日\n説明会,2024/6/1,-\n".encode(), "e.csv", "events")
    assert parsed.rows[0].values == {"name": "説明会", "starts_on": "2024-06-01"}
    assert parsed.rows[0].problems == []


# ------------------------------------------------------------------------------- readings
@pytest.mark.parametrize("text, expected", [
    ("ｶﾌﾞｼｷ", "カブシキ"), ("ｺ-ﾋ-", "コーヒー"), ("コ-ヒ-", "コーヒー"), ("ｺｰﾋｰ", "コーヒー"),
    ("シンコ-ミユ-ジツク", "シンコーミユージツク"), ("ダイヤル・サ-ビス", "ダイヤル・サービス"),
    ("センタ-(クモン)", "センター(クモン)"), ("ニツパンアイ.ピ-.エス", "ニツパンアイ・ピー・エス"),
    ("ABC-1", "ABC-1"), ("カブ-2", "カブ-2"), ("やまだ　 たろう", "やまだ たろう"),
])
def test_reading_width_long_vowels_and_dots(text, expected):
    from importers.values import reading

    assert reading(text) == expected


def test_latin_reading_is_told_from_kana():
    from importers.values import is_latin_reading

    assert is_latin_reading("Amano") and is_latin_reading("Ölz")
    assert not is_latin_reading("あまの") and not is_latin_reading("ｱﾏﾉ") and not is_latin_reading("")


@pytest.mark.parametrize("reading, key", [
    ("カブシキガイシヤ ミカミ", "ミカミ"), ("カブシキガイシャミカミ", "ミカミ"),
    ("ミカミ カブシキガイシャ", "ミカミ"), ("(ｶﾌﾞ)ﾄﾗﾝｽﾈｯﾄ", "トランスネット"),
    ("ミカミ（カブ）", "ミカミ"), ("カ)ミチノク", "ミチノク"), ("ミチノク(カ", "ミチノク"),
    ("ユウゲンガイシヤ ハツトキカク", "ハツトキカク"), ("ゴウドウガイシャ アオバ", "アオバ"),
    ("イッパンシャダンホウジン ニホンキカイガッカイ", "ニホンキカイガッカイ"),
    ("がっこうほうじん わせだだいがく", "ワセダダイガク"),
    # a legal form in the middle, a word that only begins like one, or nothing else: kept
    ("カメイ カブシキガイシヤ ハチノヘシテン", "カメイカブシキガイシヤハチノヘシテン"),
    ("カブトムシショウテン", "カブトムシショウテン"), ("カブシキガイシャ", "カブシキガイシャ"),
    ("コ-ヒ-カン", "コーヒーカン"),
])
def test_company_sort_reading_without_the_legal_form(reading, key):
    from crm.common.text import company_sort_reading

    assert company_sort_reading(reading) == key


@pytest.mark.parametrize("text, charset", [
    ("Müller;Jürgen\nRömerweg 5;Köln", "cp1252"), ("Außenstelle", "cp1252"),
    ("Lefèvre;Hélène", "cp1252"), ("Кличко;Віталій", "cp1251"), ("Иванов;Сергей", "cp1251"),
    ("Παπαδόπουλος;Γιώργος", "cp1253"), ("Αθήνα", "cp1253"), ("כהן;דוד", "cp1255"),
    ("רחוב הרצל 5;תל אביב", "cp1255"), ("山田;太郎;ﾔﾏﾀﾞ", "cp932"), ("東京都千代田区", "cp932"),
    ("Grüße", "utf-8"),
])
def test_short_text_charset_guess(text, charset):
    from importers.encoding import guess_short

    assert guess_short(text.encode("utf-8" if charset == "utf-8" else charset)) == charset
