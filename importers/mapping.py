"""Known column headers, Japanese and English, per kind of import; header folding; the automatic
mapping of a header row to field names (importers/fields.py)."""
from __future__ import annotations

import re
from functools import lru_cache

from .fields import FIELDS, KINDS
from .folding import fold_case

_FOLD_RE = re.compile(r"[\s\-‐‑–—_・･.:：/()（）\[\]［］【】「」<>〈〉'\"’*＊※#＃?？!！]+")
_MARKERS_RE = re.compile(r"(必須|任意|required|optional)$")


def fold_header(text: str) -> str:
    """'E-mail Address', 'ｅ－ｍａｉｌ　ａｄｄｒｅｓｓ' and 'email address' fold the same."""
    text = fold_case(str(text or ""))
    text = _FOLD_RE.sub("", text)
    return _MARKERS_RE.sub("", text) or text


_PERSON = {
    "family_name": ["姓", "氏", "苗字", "名字", "姓(漢字)", "氏名(姓)", "お名前(姓)", "名前(姓)", "Last Name",
                    "Family Name", "Surname", "Lastname"],
    "given_name": ["名", "名(漢字)", "氏名(名)", "お名前(名)", "名前(名)", "First Name", "Given Name",
                   "Firstname", "Forename"],
    "full_name": ["氏名", "名前", "お名前", "氏名(漢字)", "フルネーム", "担当者名", "担当者氏名",
                  "参加者名", "参加者氏名", "Name", "Full Name", "Fullname", "Display Name",
                  "Contact Name", "Person"],
    "full_name_reading": ["フリガナ", "ふりがな", "読み", "よみ", "ヨミ", "カナ", "かな", "氏名(フリガナ)",
                          "氏名フリガナ", "氏名(ふりがな)", "氏名(カナ)", "氏名カナ", "氏名(よみ)",
                          "お名前(フリガナ)", "姓名かな", "Furigana", "Reading", "Name Reading", "Yomi",
                          "Yomi Name", "Phonetic Name"],
    "family_name_reading": ["セイ", "せい", "姓(フリガナ)", "姓フリガナ", "姓(ふりがな)", "姓ふりがな",
                            "姓(カナ)", "姓カナ", "姓(よみ)", "姓よみ", "フリガナ(姓)", "ふりがな(姓)",
                            "姓かな", "よみ(姓)", "フリガナ(セイ)", "姓フリガナ",
                            "Last Name Reading", "Family Name Reading", "Family Name Yomi",
                            "Last Name Yomi", "Yomi Last Name", "Phonetic Last Name",
                            "Yomi Surname"],
    "given_name_reading": ["メイ", "めい", "名(フリガナ)", "名フリガナ", "名(ふりがな)", "名ふりがな",
                           "名(カナ)", "名カナ", "名(よみ)", "名よみ", "フリガナ(名)", "ふりがな(名)",
                           "名かな", "よみ(名)", "フリガナ(メイ)", "名前フリガナ",
                           "First Name Reading", "Given Name Reading", "Given Name Yomi",
                           "First Name Yomi", "Yomi First Name", "Phonetic First Name",
                           "Yomi Given Name"],
    "email": ["メール", "メールアドレス", "Eメール", "Eメールアドレス", "電子メール", "電子メールアドレス",
              "メアド", "mail", "E-mail", "Email", "E-mail Address", "Email Address",
              "Mail Address", "E-mail 1 - Value", "メール1", "メールアドレス1", "E-mail 1",
              "Primary Email", "会社E-mail", "電子メール アドレス", "E-Mail-Adresse",
              "Adresse de messagerie"],
    "other_emails": ["その他のメール", "他のメール", "メール2", "メールアドレス2", "E-mail 2", "Email 2",
                     "E-mail 2 Address", "Other E-mails", "Other Emails", "Secondary Email"],
    "phone": ["電話", "電話番号", "TEL", "Telephone", "Phone", "Phone Number", "会社電話",
              "勤務先電話", "TEL会社", "代表電話", "固定電話", "Business Phone", "Work Phone",
              "Office Phone", "TEL(会社)", "電話(会社)"],
    "mobile": ["携帯", "携帯電話", "携帯番号", "携帯電話番号", "携帯TEL", "Mobile", "Mobile Phone",
               "Cell", "Cell Phone", "Cellphone", "Mobile Number"],
    "title": ["役職", "役職名", "肩書", "肩書き", "職位", "職名", "Job Title", "Title", "Position"],
    "department": ["部署", "部署名", "部署名1", "所属部署", "部門", "部課", "部課名", "Department", "Dept",
                   "Division"],
    "company_name": ["会社名", "会社", "企業名", "企業", "法人名", "勤務先", "勤務先名", "組織名",
                     "団体名", "所属先", "所属機関", "取引先名", "社名", "Company", "Company Name",
                     "Organization", "Organisation", "Organization Name", "Organisation Name",
                     "Organization 1 - Name", "Affiliation"],
    "company_corporate_number": ["法人番号", "会社法人番号", "企業法人番号", "Corporate Number",
                                 "Company Corporate Number"],
    "address": ["住所", "所在地", "勤務先住所", "会社住所", "会社住所1", "連絡先住所", "Address",
                "Business Address", "Work Address", "Mailing Address"],
    "postal_code": ["郵便番号", "〒", "会社〒", "ZIP", "Zip Code", "Postal Code", "Postcode",
                    "Business Postal Code"],
    "website": ["URL", "ウェブサイト", "Webサイト", "ホームページ", "HP", "Website", "Web Site",
                "Web Page", "Homepage", "Website 1 - Value"],
    "how_we_met": ["出会い", "知り合った経緯", "経緯", "出会った場所", "名刺交換場所", "How We Met",
                   "Source", "Met At"],
    "met_on": ["名刺交換日", "交換日", "出会った日", "面会日", "Met On", "Date Met"],
    "notes": ["備考", "メモ", "注記", "コメント", "Notes", "Note", "Memo", "Comments", "Remarks"],
    "do_not_contact": ["連絡不可", "連絡禁止", "連絡停止", "配信停止", "配信不可", "Do Not Contact",
                       "Opt Out", "Opt-out", "Unsubscribed"],
    "tags": ["タグ", "ラベル", "カテゴリ", "カテゴリー", "分類", "Tags", "Labels", "Categories",
             "Group Membership"],
}

_COMPANY = {
    "name": ["会社名", "企業名", "法人名", "社名", "会社", "企業", "提出者名", "名称", "商号", "商号又は名称",
             "法人の名称", "取引先名", "団体名", "組織名", "機関名", "Company", "Company Name", "Name",
             "Organization", "Organisation", "Organization Name", "Organisation Name",
             "Corporate Name"],
    "name_reading": ["会社名(フリガナ)", "会社名フリガナ", "会社名(カナ)", "会社名カナ", "会社名(よみ)",
                     "企業名(フリガナ)", "企業名フリガナ", "企業名カナ", "法人名フリガナ",
                     "提出者名(ヨミ)", "商号フリガナ", "商号又は名称(フリガナ)", "フリガナ", "ふりがな",
                     "読み", "よみ", "ヨミ", "カナ", "Reading", "Name Reading", "Furigana",
                     "Yomi", "Company Name Reading", "Company Yomi"],
    "name_en": ["英語名", "英文名", "英文社名", "英字名", "英語社名", "会社名(英語)", "会社名(英字)",
                "会社名(英文)", "企業名(英語)", "提出者名(英字)", "商号又は名称(英語表記)", "英語表記",
                "English Name", "Name (English)", "Company Name (English)", "Name in English"],
    "aliases": ["別名", "旧社名", "略称", "通称", "Aliases", "Other Names", "Also Known As", "AKA",
                "Former Names"],
    "corporate_number": ["法人番号", "提出者法人番号", "法人番号(13桁)", "Corporate Number",
                         "Corporate No", "Corporate ID", "Houjin Bangou"],
    "country": ["国", "国名", "国・地域", "国/地域", "Country", "Country/Region"],
    "hq_country": ["本社所在国", "本社国", "本社の国", "HQ Country", "Headquarters Country"],
    "industry": ["業種", "業界", "提出者業種", "業種名", "業種分類", "Industry", "Sector"],
    "size": ["規模", "企業規模", "従業員数", "従業員規模", "Size", "Company Size", "Employees"],
    "website": _PERSON["website"] + ["企業URL", "会社URL"],
    "description": ["事業内容", "事業概要", "会社概要", "概要", "説明", "Description",
                    "Business Description", "About"],
    "interests": ["関心", "関心分野", "関心領域", "ニーズ", "興味", "Interests", "Needs",
                  "Interests / Needs"],
    "membership_tier": ["会員種別", "会員区分", "会員ランク", "会員種類", "Membership",
                        "Membership Tier", "Tier"],
    "member_since": ["入会日", "入会年月日", "会員登録日", "Member Since", "Joined"],
    "renewal_date": ["更新日", "会員更新日", "契約更新日", "Renewal Date", "Renewal"],
    "status": ["状態", "ステータス", "Status"],
    "notes": _PERSON["notes"],
    "address": ["所在地", "住所", "本社所在地", "本店所在地", "本社住所", "Address",
                "Head Office Address", "HQ Address"],
    "officer_email": ["担当者メール", "担当者E-mail", "担当者メールアドレス", "担当教職員メール",
                      "担当教職員", "Officer", "Officer E-mail", "Officer Email",
                      "Account Manager"],
}

_ALUMNI = {
    **{k: _PERSON[k] for k in ("family_name", "given_name", "full_name", "full_name_reading",
                               "family_name_reading", "given_name_reading", "email", "notes")},
    "degree": ["学位", "学位名", "課程", "Degree"],
    "graduation_year": ["卒業年", "卒業年度", "修了年", "修了年度", "卒年", "Graduation Year",
                        "Class Of", "Year of Graduation", "Graduated"],
    "department": ["学部", "学科", "研究科", "専攻", "学部学科", "卒業学部", "所属学部", "Department",
                   "Faculty", "School", "Major"],
    "employer": ["勤務先", "勤務先名", "会社名", "企業名", "所属企業", "現在の勤務先", "Employer",
                 "Company", "Company Name", "Organization"],
    "position": ["役職", "役職名", "肩書", "肩書き", "職位", "Position", "Job Title", "Title"],
    "country": _COMPANY["country"] + ["居住国", "Country of Residence"],
}

_DONATIONS = {
    "company_name": ["寄附者", "寄付者", "寄附企業", "寄付企業", "寄附者名", "寄付者名", "会社名", "企業名",
                     "法人名", "Donor", "Donor Company", "Company", "Company Name"],
    "company_corporate_number": ["法人番号", "寄附者法人番号", "Corporate Number",
                                 "Donor Corporate Number"],
    "alumnus_name": ["寄附者氏名", "寄付者氏名", "卒業生氏名", "卒業生", "氏名", "Donor Name", "Alumnus",
                     "Alumnus Name", "Donor Alumnus"],
    "alumnus_email": ["寄附者メール", "寄付者メール", "卒業生メール", "メール", "メールアドレス", "E-mail",
                      "Email", "Alumnus E-mail", "Donor E-mail", "Donor Email"],
    "amount": ["金額", "寄附金額", "寄付金額", "寄附額", "寄付額", "金額(円)", "寄附金額(円)", "受入額",
               "Amount", "Donation Amount"],
    "currency": ["通貨", "Currency"],
    "received_on": ["受領日", "受入日", "入金日", "寄附日", "寄付日", "受入年月日", "受領年月日", "日付",
                    "Received On", "Received", "Date", "Donation Date"],
    "purpose": ["目的", "寄附目的", "寄付目的", "使途", "用途", "Purpose"],
    "restricted": ["使途指定", "使途指定あり", "指定寄附", "指定寄付", "Restricted"],
    "notes": _PERSON["notes"],
}

_RESEARCHERS = {
    **{k: _PERSON[k] for k in ("family_name", "given_name", "full_name", "full_name_reading",
                               "family_name_reading", "given_name_reading", "email")},
    "name_en": ["英語名", "氏名(英語)", "氏名(英字)", "氏名(ローマ字)", "英文氏名", "ローマ字",
                "English Name", "Name (English)", "Name in English"],
    "department": ["所属", "所属部局", "部局", "学部", "研究科", "部署", "所属学部", "Department",
                   "Faculty", "Affiliation"],
    "lab": ["研究室", "研究室名", "Lab", "Laboratory", "Lab Name"],
    "title": ["職名", "職位", "役職", "Title", "Position", "Job Title"],
    "keywords": ["キーワード", "研究キーワード", "研究分野", "専門分野", "Keywords", "Research Keywords",
                 "Research Fields"],
    "profile": ["プロフィール", "研究内容", "研究概要", "紹介", "Profile", "Bio", "Biography",
                "Research Summary"],
}

_SEEDS = {
    "title": ["タイトル", "シーズ名", "研究テーマ", "テーマ", "技術名", "件名", "名称", "Title", "Seed",
              "Seed Title", "Technology"],
    "abstract": ["概要", "要旨", "技術概要", "シーズ概要", "Abstract", "Summary", "Description"],
    "keywords": _RESEARCHERS["keywords"],
    "department": ["所属", "部局", "学部", "研究科", "Department", "Faculty"],
    "researchers": ["研究者", "研究者名", "発明者", "担当研究者", "研究者メール", "Researchers",
                    "Researcher", "Inventors", "Inventor"],
    "readiness": ["TRL", "技術成熟度", "成熟度", "Readiness", "Technology Readiness Level"],
    "ip_status": ["知財", "知財状況", "特許", "特許状況", "IP", "IP Status", "Patent",
                  "Patent Status"],
    "government_funded": ["公的資金", "国費", "公的資金の有無", "Government Funded",
                          "Government-Funded", "Public Funding"],
    "status": ["状態", "ステータス", "公開状態", "Status"],
}

_EVENTS = {
    "name": ["イベント名", "行事名", "催事名", "催し名", "名称", "件名", "Event", "Event Name", "Name",
             "Title"],
    "kind": ["種別", "種類", "区分", "形式", "Kind", "Type", "Event Type"],
    "starts_on": ["開始日", "開催日", "日付", "開催開始日", "開始", "Start", "Start Date",
                  "Starts On", "Date", "Event Date"],
    "ends_on": ["終了日", "開催終了日", "終了", "End", "End Date", "Ends On"],
    "location": ["会場", "場所", "開催場所", "開催地", "Location", "Venue", "Place"],
    "description": ["概要", "内容", "説明", "Description", "Summary"],
}

_ENCOUNTERS = {
    "event_name": ["イベント名", "イベント", "展示会名", "行事名", "Event", "Event Name"],
    "event_date": ["開催日", "イベント日", "イベント開催日", "Event Date"],
    **{k: _PERSON[k] for k in ("family_name", "given_name", "full_name", "email",
                               "company_name", "title")},
    "met_on": ["面会日", "名刺交換日", "交換日", "日付", "Met On", "Date Met", "Date"],
    "research_interests": ["関心のある研究", "関心分野", "興味のある分野", "関心", "興味",
                           "Research Interests", "Interests"],
    "small_talk": ["雑談", "話題", "会話メモ", "Small Talk", "Conversation"],
    "follow_up_wanted": ["フォロー希望", "要フォロー", "フォロー要否", "フォローアップ希望",
                         "Follow-up Wanted", "Follow Up", "Follow-up"],
    "follow_up_by": ["フォロー期限", "期限", "フォロー期日", "Follow Up By", "Follow-up By",
                     "Follow-up Due"],
}

KNOWN_HEADERS: dict[str, dict[str, list[str]]] = {
    "companies": _COMPANY,
    "contacts": _PERSON,
    "alumni": _ALUMNI,
    "donations": _DONATIONS,
    "researchers": _RESEARCHERS,
    "seeds": _SEEDS,
    "researchmap": {},  # a JSON file: no columns to map (importers/researchmap.py)
    "events": _EVENTS,
    "encounters": _ENCOUNTERS,
}

#: Fields that hold several values ("a; b"): several columns mapped to one are joined.
LIST_FIELDS = {"other_emails", "tags", "keywords", "researchers", "aliases"}


def may_repeat(field: str, kind: str) -> bool:
    """May several columns be mapped to this field? Yes when the reader keeps them all: list
    fields and the address / notes are joined; any other field keeps the first column's value
    and the others in the notes, when the kind has notes (an address book's several phone
    columns)."""
    return field in LIST_FIELDS or field in ("address", "notes") or "notes" in FIELDS[kind]


@lru_cache(maxsize=None)
def _index(kind: str) -> dict[str, str]:
    """folded header -> field; the field names and their English labels are known headers too."""
    index: dict[str, str] = {}
    for field, headers in KNOWN_HEADERS.get(kind, {}).items():
        if field not in FIELDS[kind]:
            continue
        for header in headers:
            index.setdefault(fold_header(header), field)
    for field, label in FIELDS[kind].items():
        index.setdefault(fold_header(field), field)
        index.setdefault(fold_header(label), field)
    return index


def field_for(header: str, kind: str) -> str | None:
    """The field a header names for this kind, or None."""
    return _index(kind).get(fold_header(header))


def known_headers(kind: str) -> dict[str, list[str]]:
    """field -> the headers recognised for it (Japanese and English), for help texts."""
    if kind not in KINDS:
        raise KeyError(kind)
    known = {field: list(KNOWN_HEADERS[kind].get(field, [])) for field in FIELDS[kind]}
    for field, label in FIELDS[kind].items():
        if label not in known[field]:
            known[field].append(label)
    return known


def suggest_mapping(headers: list[str], kind: str) -> dict[int, str]:
    """header index -> field for the headers recognised. A field already taken by an earlier
    column is not given twice (a second e-mail column becomes other_emails), except the fields
    that hold lists."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for i, header in enumerate(headers):
        if not str(header or "").strip():
            continue
        field = field_for(header, kind)
        if field is None:
            continue
        if field in taken and field not in LIST_FIELDS:
            if field == "email" and "other_emails" in FIELDS[kind]:
                field = "other_emails"
            else:
                continue
        mapping[i] = field
        taken.add(field)
    return mapping


def expected_headers(kind: str, fields: tuple[str, ...] | None = None, limit: int = 3) -> str:
    """A few known headers for the given fields (default: the required ones), for messages."""
    from .fields import REQUIRED

    fields = fields or tuple(f for group in REQUIRED[kind] for f in group)
    examples: list[str] = []
    for field in fields:
        known = KNOWN_HEADERS[kind].get(field, [])
        ja = [h for h in known if not h.isascii()][:1]
        en = [h for h in known if h.isascii()][:1]
        for h in ja + en or [FIELDS[kind][field]]:
            if h not in examples:
                examples.append(h)
    return ", ".join(examples)
