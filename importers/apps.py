"""Address-book and card-app exports recognised by their header row: Eight (business cards),
Google Contacts (legacy and 2023+), Outlook (English, Japanese, German and French headers),
Thunderbird, 宛名職人 (Atena Shokunin), サイボウズ Office and Garoon address books.

Each app has a column table (header -> field; "" = left out on purpose, e.g. home addresses,
nicknames, joint names on new-year cards), the header groups that recognise it, and a per-row
fix-up (address parts in the right order, department parts joined, tags split). Columns a table
leaves out are named in a note on the preview when they hold data (`IgnoredColumns`), so nothing
is dropped without the user being told. The real header lines are in
tests/fixtures/importers/ (see its SOURCES.md).

Exports for which no real header line could be found (筆まめ, 筆ぐるめ, Sansan, CAMCARD) have
no table here: their files are read by the generic header mapping (importers/mapping.py).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from . import values as V
from .fields import N_
from .i18n import _
from .mapping import fold_header

Fixup = Callable[..., None]


def _folded(*names: str) -> frozenset[str]:
    return frozenset(fold_header(n) for n in names)


# ---------------------------------------------------------------------------- Eight
EIGHT_FIXED = ["会社名", "部署名", "役職", "姓", "名", "e-mail", "郵便番号", "住所", "TEL会社", "TEL部門",
               "TEL直通", "Fax", "携帯電話", "URL", "名刺交換日"]
EIGHT_FLAGS = {fold_header(h) for h in ("Eightでつながっている人", "再データ化中の名刺",
                                        "'?'を含んだデータ", "?を含んだデータ")}
_EIGHT_TABLE = {
    "会社名": "company_name", "部署名": "department", "役職": "title", "姓": "family_name",
    "名": "given_name", "e-mail": "email", "郵便番号": "postal_code", "住所": "address",
    "TEL会社": "phone", "TEL部門": "phone", "TEL直通": "phone", "Fax": "", "携帯電話": "mobile",
    "URL": "website", "名刺交換日": "met_on",
}

# ---------------------------------------------------------------------------- Google
_GOOGLE_TABLE = {
    "Name": "full_name", "Given Name": "given_name", "First Name": "given_name",
    "Family Name": "family_name", "Last Name": "family_name", "Additional Name": "",
    "Middle Name": "", "Yomi Name": "full_name_reading", "Given Name Yomi": "given_name_reading",
    "Phonetic First Name": "given_name_reading", "Family Name Yomi": "family_name_reading",
    "Phonetic Last Name": "family_name_reading", "Additional Name Yomi": "",
    "Phonetic Middle Name": "", "Notes": "notes", "Group Membership": "tags", "Labels": "tags",
    "Organization 1 - Name": "company_name", "Organization Name": "company_name",
    "Organization 1 - Title": "title", "Organization Title": "title",
    "Organization 1 - Department": "department", "Organization Department": "department",
    "Address 1 - Formatted": "address", "Address 1 - Postal Code": "postal_code",
    "Website 1 - Value": "website", "Nickname": "", "Name Prefix": "", "Name Suffix": "",
    "Title": "", "Location": "", "Occupation": "", "Subject": "",
}
_GOOGLE_EMAIL = re.compile(r"^e-?mail(\d+)value$")
_GOOGLE_PHONE = re.compile(r"^phone(\d+)value$")

# ---------------------------------------------------------------------------- Outlook
# One table for the four languages Outlook writes its headers in (they do not collide once
# folded). "Title"/"肩書き"/"Anrede" is the name prefix (Dr., 様), not the job title; French
# Outlook writes "Titre" twice: the prefix first, the job title second.
_OUTLOOK_EN = {
    "First Name": "given_name", "Last Name": "family_name", "Middle Name": "", "Title": "",
    "Suffix": "", "Company": "company_name", "Department": "department", "Job Title": "title",
    "Business Street": "address", "Business Street 2": "address", "Business Street 3": "address",
    "Business City": "address", "Business State": "address", "Business Country/Region": "address",
    "Business Postal Code": "postal_code",
    "Business Phone": "phone", "Company Main Phone": "phone", "Business Phone 2": "phone",
    "Primary Phone": "phone", "Mobile Phone": "mobile", "Business Fax": "notes",
    "E-mail Address": "email", "E-mail 2 Address": "other_emails",
    "E-mail 3 Address": "other_emails", "Web Page": "website", "Notes": "notes",
    "Categories": "tags", "Yomi First Name": "given_name_reading",
    "Yomi Last Name": "family_name_reading", "First Name Yomi": "given_name_reading",
    "Last Name Yomi": "family_name_reading", "Given Name Yomi": "given_name_reading",
    "Family Name Yomi": "family_name_reading", "Keywords": "", "Location": "",
    "Office Location": "", "Profession": "",
    **dict.fromkeys(("Home Street", "Home Street 2", "Home Street 3", "Home City", "Home State",
                     "Home Postal Code", "Home Country/Region", "Other Street", "Other Street 2",
                     "Other Street 3", "Other City", "Other State", "Other Postal Code",
                     "Other Country/Region", "Home Phone", "Home Phone 2", "Home Fax",
                     "Birthday", "Anniversary", "Spouse", "Children", "Gender", "Hobby",
                     "Initials", "E-mail Type", "E-mail Display Name", "E-mail 2 Type",
                     "E-mail 2 Display Name", "E-mail 3 Type", "E-mail 3 Display Name"), ""),
}
_OUTLOOK_JA = {
    "肩書き": "", "名": "given_name", "ミドル ネーム": "", "姓": "family_name", "敬称": "",
    "会社名": "company_name", "部署": "department", "役職": "title",
    "番地 (会社)": "address", "住所 2 (会社)": "address", "住所 3 (会社)": "address",
    "市町村 (会社)": "address", "都道府県 (会社)": "address", "国 (会社)/地域": "address",
    "郵便番号 (会社)": "postal_code", "会社電話": "phone", "会社電話 2": "phone",
    "会社代表電話": "phone", "通常の電話": "phone", "携帯電話": "mobile", "会社 FAX": "notes",
    "電子メール アドレス": "email", "電子メール 2 アドレス": "other_emails",
    "電子メール 3 アドレス": "other_emails", "Web ページ": "website", "メモ": "notes",
    "分類": "tags", "姓フリガナ": "family_name_reading", "名前フリガナ": "given_name_reading",
    "会社名フリガナ": "notes", "キーワード": "", "場所": "", "事業所": "", "職業": "",
    **dict.fromkeys(("番地 (自宅)", "住所 2 (自宅)", "住所 3 (自宅)", "市町村 (自宅)", "都道府県 (自宅)",
                     "郵便番号 (自宅)", "国 (自宅)/地域", "番地 (その他)", "住所 2 (その他)",
                     "住所 3 (その他)", "市町村 (その他)", "都道府県 (その他)", "郵便番号 (その他)",
                     "国 (その他)/地域", "自宅電話", "自宅電話 2", "自宅 FAX", "誕生日", "記念日", "配偶者",
                     "子供", "性別", "趣味", "イニシャル", "電子メールの種類", "電子メール表示名",
                     "電子メール 2 の種類", "電子メール 2 表示名", "電子メール 3 の種類",
                     "電子メール 3 表示名"), ""),
}
_OUTLOOK_DE = {
    "Anrede": "", "Vorname": "given_name", "Weitere Vornamen": "", "Nachname": "family_name",
    "Firma": "company_name", "Abteilung": "department", "Position": "title",
    "Straße geschäftlich": "address", "Straße geschäftlich 2": "address",
    "Straße geschäftlich 3": "address", "Ort geschäftlich": "address",
    "Region geschäftlich": "address", "Land/Region geschäftlich": "address",
    "Postleitzahl geschäftlich": "postal_code", "Telefon geschäftlich": "phone",
    "Telefon geschäftlich 2": "phone", "Telefon Firma": "phone", "Haupttelefon": "phone",
    "Mobiltelefon": "mobile", "Fax geschäftlich": "notes", "E-Mail-Adresse": "email",
    "E-Mail 2: Adresse": "other_emails", "E-Mail 3: Adresse": "other_emails",
    "Webseite": "website", "Notizen": "notes", "Kategorien": "tags", "Beruf": "", "Büro": "",
    "Ort": "", "Stichwörter": "",
    **dict.fromkeys(("Straße privat", "Straße privat 2", "Straße privat 3", "Ort privat",
                     "Bundesland/Kanton privat", "Postleitzahl privat", "Land/Region privat",
                     "Weitere Straße", "Weitere Straße 2", "Weitere Straße 3", "Weiterer Ort",
                     "Weiteres/r Bundesland/Kanton", "Weitere Postleitzahl",
                     "Weiteres/e Land/Region", "Telefon (privat)", "Telefon (privat 2)",
                     "Fax privat", "Geburtstag", "Jahrestag", "Partner", "Kinder", "Geschlecht",
                     "Hobby", "Initialen", "E-Mail-Typ", "E-Mail: Angezeigter Name",
                     "E-Mail 2: Typ", "E-Mail 2: Angezeigter Name", "E-Mail 3: Typ",
                     "E-Mail 3: Angezeigter Name"), ""),
}
_OUTLOOK_FR = {
    "Titre": ("", "title"), "Prénom": "given_name", "Deuxième prénom": "", "Nom": "family_name",
    "Suffixe": "", "Surnom": "", "Société": "company_name", "Service": "department",
    "Rue (bureau)": "address", "Rue (bureau) 2": "address", "Rue (bureau) 3": "address",
    "Ville (bureau)": "address", "Dép/Région (bureau)": "address", "Pays (bureau)": "address",
    "Pays/Région (bureau)": "address", "Code postal (bureau)": "postal_code",
    "Téléphone (bureau)": "phone", "Téléphone 2 (bureau)": "phone",
    "Téléphone société": "phone", "Téléphone principal": "phone", "Tél. mobile": "mobile",
    "Télécopie (bureau)": "notes", "Adresse de messagerie": "email",
    "Adresse de messagerie 2": "other_emails", "Adresse de messagerie 3": "other_emails",
    "Page Web": "website", "Notes": "notes", "Catégories": "tags", "Profession": "",
    "Bureau": "", "Emplacement": "", "Mots clés": "",
    **dict.fromkeys(("Rue (domicile)", "Rue (domicile) 2", "Rue (domicile) 3",
                     "Ville (domicile)", "Dép/Région (domicile)", "Code postal (domicile)",
                     "Pays (domicile)", "Pays/Région (domicile)", "Rue (autre)", "Rue (autre) 2",
                     "Rue (autre) 3", "Ville (autre)", "Dép/Région (autre)",
                     "Code postal (autre)", "Pays (autre)", "Pays/Région (autre)",
                     "Téléphone (domicile)", "Téléphone 2 (domicile)", "Télécopie (domicile)",
                     "Anniversaire", "Anniversaire de mariage ou fête", "Conjoint(e)", "Enfants",
                     "Sexe", "Passe-temps", "Initiales", "Type de messagerie",
                     "Nom complet de l'adresse de messagerie", "Type de messagerie 2",
                     "Nom complet de l'adresse de messagerie 2", "Type de messagerie 3",
                     "Nom complet de l'adresse de messagerie 3"), ""),
}
#: Business address parts per language: street, street 2, street 3, city, state, country.
_OUTLOOK_ADDRESS = (
    ("Business Street", "Business Street 2", "Business Street 3", "Business City",
     "Business State", "Business Country/Region"),
    ("番地 (会社)", "住所 2 (会社)", "住所 3 (会社)", "市町村 (会社)", "都道府県 (会社)", "国 (会社)/地域"),
    ("Straße geschäftlich", "Straße geschäftlich 2", "Straße geschäftlich 3",
     "Ort geschäftlich", "Region geschäftlich", "Land/Region geschäftlich"),
    ("Rue (bureau)", "Rue (bureau) 2", "Rue (bureau) 3", "Ville (bureau)", "Dép/Région (bureau)",
     "Pays (bureau)"),
    ("Rue (bureau)", "Rue (bureau) 2", "Rue (bureau) 3", "Ville (bureau)", "Dép/Région (bureau)",
     "Pays/Région (bureau)"),
)

# ---------------------------------------------------------------------------- Thunderbird
_THUNDERBIRD_TABLE = {
    "First Name": "given_name", "Last Name": "family_name", "Display Name": "full_name",
    "Nickname": "", "Primary Email": "email", "Secondary Email": "other_emails",
    "Screen Name": "", "Work Phone": "phone", "Home Phone": "", "Fax Number": "notes",
    "Pager Number": "", "Mobile Number": "mobile",
    "Work Address": "address", "Work Address 2": "address", "Work City": "address",
    "Work State": "address", "Work ZipCode": "postal_code", "Work Country": "address",
    "Job Title": "title", "Department": "department", "Organization": "company_name",
    "Web Page 1": "website", "Web Page 2": "notes", "Notes": "notes",
    "Custom 1": "notes", "Custom 2": "notes", "Custom 3": "notes", "Custom 4": "notes",
    **dict.fromkeys(("Home Address", "Home Address 2", "Home City", "Home State",
                     "Home ZipCode", "Home Country", "Birth Year", "Birth Month", "Birth Day"),
                    ""),
}
_THUNDERBIRD_ADDRESS = (("Work Address", "Work Address 2", None, "Work City", "Work State",
                         "Work Country"),)

# ---------------------------------------------------------------------------- 宛名職人
# The readings (姓かな / 名かな / 姓名かな) are the point of a Japanese address book; the company's
# reading has no contact field, so it is kept in the notes. Home and "other" addresses, joint
# names (連名) and personal traits are left out on purpose; home and other e-mails are kept as
# other e-mails, home and other phones in the notes.
_ATENA_TABLE = {
    "姓": "family_name", "名": "given_name", "姓かな": "family_name_reading",
    "名かな": "given_name_reading", "姓名": "full_name", "姓名かな": "full_name_reading",
    "会社〒": "postal_code", "会社住所1": "address", "会社住所2": "address", "会社住所3": "address",
    "会社電話": "phone", "会社E-mail": "email", "会社URL": "website",
    "自宅電話": "notes", "自宅E-mail": "other_emails", "その他電話": "notes",
    "その他E-mail": "other_emails", "会社名かな": "notes", "会社名": "company_name",
    "部署名1": "department", "部署名2": "department", "役職名": "title",
    "メモ1": "notes", "メモ2": "notes", "メモ3": "notes", "メモ4": "notes", "メモ5": "notes",
    "備考1": "notes", "備考2": "notes", "備考3": "notes",
    **dict.fromkeys(("ミドルネーム", "ミドルネームかな", "敬称", "ニックネーム", "旧姓", "宛先", "自宅〒",
                     "自宅住所1", "自宅住所2", "自宅住所3", "自宅IM ID", "自宅URL", "自宅Social",
                     "会社IM ID", "会社Social", "その他〒", "その他住所1", "その他住所2", "その他住所3",
                     "その他IM ID", "その他URL", "その他Social", "連名", "連名ふりがな", "連名敬称",
                     "連名誕生日", "誕生日", "性別", "血液型", "趣味", "性格"), ""),
}

# ---------------------------------------------------------------------------- サイボウズ
# サイボウズ Office: the person columns, then the company's (its reading kept in the notes).
_CYBOZU_TABLE = {
    "名前(姓)": "family_name", "名前(名)": "given_name", "よみ(姓)": "family_name_reading",
    "よみ(名)": "given_name_reading", "役職": "title", "Tel": "phone", "E-mail": "email",
    "メモ": "notes", "会社コード": "", "会社名": "company_name", "部課": "department",
    "会社よみ": "notes", "郵便番号": "postal_code", "住所": "address", "路線": "",
    "所要時間": "", "運賃": "", "会社Tel": "phone", "会社Fax": "notes", "URL": "website",
    "担当者": "",
}
# Garoon: the shared / personal address book (Garoon's help, "アドレス帳のCSVフォーマット").
_GAROON_TABLE = {
    "表示名": "full_name", "姓": "family_name", "名": "given_name",
    "姓(よみ)": "family_name_reading", "名(よみ)": "given_name_reading",
    "会社名": "company_name", "会社名(よみ)": "notes", "部課名": "department",
    "郵便番号": "postal_code", "住所": "address", "経路": "", "所要時間": "", "運賃": "",
    "会社電話番号": "phone", "会社Fax番号": "notes", "URL": "website", "役職名": "title",
    "個人電話番号": "mobile", "E-mail": "email", "メモ": "notes",
}


@dataclass(frozen=True)
class App:
    """An export whose header row is recognised: its column table and how it is told apart."""

    name: str
    label: str
    table: dict[str, str | tuple[str, ...]]
    #: recognised when, for one of these, all of `all_of` are headers and one of `any_of` is
    signatures: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()
    #: business address parts (street, street 2, street 3, city, state, country) per language
    address: tuple[tuple[str | None, ...], ...] = ()
    #: fields whose several columns are joined into one value (with this separator)
    joined: dict[str, str] = field(default_factory=dict)
    #: a tags cell holds several tags separated by ; or ,
    split_tags: bool = False
    #: headers the table leaves unmapped but the fix-up keeps (Eight's fax, in the notes)
    kept: frozenset[str] = frozenset()
    #: the app's own notes column: first in the notes, without its header, when other columns
    #: are kept in the notes too
    notes_body: frozenset[str] = _folded("Notes", "メモ", "Notizen")

    def folded(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for header, target in self.table.items():
            out[fold_header(header)] = target if isinstance(target, tuple) else (target,)
        return out

    def matches(self, present: set[str]) -> bool:
        return any(all_of <= present and (not any_of or any_of & present)
                   for all_of, any_of in self.signatures)


APPS: dict[str, App] = {}


def _add(app: App) -> None:
    APPS[app.name] = app


_add(App("eight", N_("Eight (business cards)"), _EIGHT_TABLE, kept=_folded("Fax")))
_add(App("google", N_("Google Contacts CSV"), _GOOGLE_TABLE))
_add(App("thunderbird", N_("Thunderbird address book CSV"), _THUNDERBIRD_TABLE,
         signatures=((_folded("First Name", "Last Name", "Display Name", "Primary Email"),
                      frozenset()),),
         address=_THUNDERBIRD_ADDRESS))
_add(App("atena", N_("宛名職人 (Atena Shokunin) CSV"), _ATENA_TABLE,
         signatures=((_folded("姓", "名", "姓かな", "名かな"),
                      _folded("会社E-mail", "会社〒", "会社住所1", "自宅〒")),),
         joined={"department": " "}))
_add(App("garoon", N_("Garoon address book CSV"), _GAROON_TABLE,
         signatures=((_folded("表示名", "姓", "名", "姓(よみ)", "名(よみ)"),
                      _folded("部課名", "会社名(よみ)", "経路")),)))
_add(App("cybozu", N_("サイボウズ Office address book CSV"), _CYBOZU_TABLE,
         signatures=((_folded("名前(姓)", "名前(名)"),
                      _folded("よみ(姓)", "よみ(名)", "会社よみ", "部課")),)))
_add(App("outlook", N_("Outlook CSV"), {**_OUTLOOK_EN, **_OUTLOOK_JA, **_OUTLOOK_DE,
                                        **_OUTLOOK_FR},
         signatures=((_folded("First Name", "Last Name", "E-mail Address"),
                      _folded("Business Phone", "Mobile Phone", "Company")),
                     (_folded("姓", "名", "電子メール アドレス"),
                      _folded("会社名", "部署", "携帯電話", "会社電話")),
                     (_folded("Vorname", "Nachname", "E-Mail-Adresse"), frozenset()),
                     (_folded("Prénom", "Nom", "Adresse de messagerie"), frozenset())),
         address=_OUTLOOK_ADDRESS, split_tags=True))

#: app -> {header: field} as written in the exports (for docs and tests)
TABLES = {name: app.table for name, app in APPS.items()}
_FOLDED_TABLES = {name: app.folded() for name, app in APPS.items()}
#: app -> the label shown for the format (English; translated where shown)
LABELS = {name: app.label for name, app in APPS.items()}


def detect_app(headers: list[str]) -> str | None:
    """The app whose export has this header row ('eight', 'google', 'outlook', ...) or None."""
    folded = [fold_header(h) for h in headers]
    present = set(folded)
    eight = [fold_header(h) for h in EIGHT_FIXED]
    if sum(1 for h in eight if h in present) >= 12 and "tel会社" in present:
        return "eight"
    if "email1value" in present and ({"givenname", "firstname"} & present) and (
            {"organization1name", "organizationname", "phone1value", "email1label",
             "email1type"} & present):
        return "google"
    for app in APPS.values():
        if app.signatures and app.matches(present):
            return app.name
    return None


def check_duplicates_args(app: str | None, headers: list[str]) -> list[str]:
    """The headers for the duplicate-header check: an app that writes a header twice (French
    Outlook's "Titre") has its repeats blanked, the rest are checked as usual."""
    if app is None:
        return headers
    repeats = {k for k, targets in _FOLDED_TABLES[app].items() if len(targets) > 1}
    seen: Counter[str] = Counter()
    out = []
    for header in headers:
        key = fold_header(header)
        seen[key] += 1
        out.append("" if key in repeats and seen[key] > 1 else header)
    return out


def _target(table: dict[str, tuple[str, ...]], key: str, occurrence: int) -> str | None:
    """The field the table gives the `occurrence`-th column named `key` ("" = left out), or
    None when the table does not know the header."""
    targets = table.get(key)
    if targets is None:
        return None
    return targets[min(occurrence, len(targets) - 1)]


def app_mapping(app: str, headers: list[str], auto: dict[int, str]) -> dict[int, str]:
    """The column table of the app, with the generic mapping for headers it does not list."""
    table = _FOLDED_TABLES[app]
    mapping: dict[int, str] = {}
    fixed_end = None
    if app == "eight":
        folded = [fold_header(h) for h in headers]
        fixed_end = max((i for i, h in enumerate(folded) if h == fold_header("名刺交換日")),
                        default=len(EIGHT_FIXED) - 1)
    seen: Counter[str] = Counter()
    for i, header in enumerate(headers):
        key = fold_header(header)
        if not key:
            continue
        occurrence = seen[key]
        seen[key] += 1
        if app == "eight" and fixed_end is not None and i > fixed_end:
            if key not in EIGHT_FLAGS:
                mapping[i] = "tags"  # one column per user tag
            continue
        if app == "google":
            m = _GOOGLE_EMAIL.match(key)
            if m:
                mapping[i] = "email" if m[1] == "1" else "other_emails"
                continue
            if _GOOGLE_PHONE.match(key):
                mapping[i] = "phone"
                continue
        target = _target(table, key, occurrence)
        if target is not None:
            if target:
                mapping[i] = target
        elif i in auto and auto[i] not in mapping.values():
            mapping[i] = auto[i]
    return mapping


def ignored_columns(app: str, headers: list[str], mapping: dict[int, str]) -> dict[int, str]:
    """index -> header of the columns the app's table leaves out on purpose (and the user has
    not mapped)."""
    table, kept = _FOLDED_TABLES[app], APPS[app].kept
    seen: Counter[str] = Counter()
    out: dict[int, str] = {}
    for i, header in enumerate(headers):
        key = fold_header(header)
        occurrence = seen[key]
        seen[key] += 1
        if key and i not in mapping and key not in kept and _target(table, key, occurrence) == "":
            out[i] = header
    return out


class IgnoredColumns:
    """Counts the rows holding a value in a column the app's table leaves out on purpose, so
    the preview can say which data is not imported (rather than dropping it silently)."""

    def __init__(self, app: str, headers: list[str], mapping: dict[int, str]) -> None:
        self.app = app
        self.columns = ignored_columns(app, headers, mapping)
        self.counts: Counter[int] = Counter()

    def watch(self, records: Iterable[tuple[int, list]]) -> Iterator[tuple[int, list]]:
        columns, counts, clean = self.columns, self.counts, V.clean
        for record in records:
            if columns:
                cells = record[1]
                n = len(cells)
                for i in columns:
                    if i < n and cells[i] and clean(cells[i]):
                        counts[i] += 1
            yield record

    def notes(self) -> list[str]:
        if not self.counts:
            return []
        listed = ", ".join(f"{self.columns[i]} ({n})" for i, n in sorted(self.counts.items()))
        return [_("Not imported from this {app} export (data the CRM does not keep for a "
                  "contact; rows with a value): {columns}.")
                .format(app=_(LABELS[self.app]), columns=listed)]


def _add_notes(values: dict[str, str], lines: list[str]) -> None:
    if lines:
        values["notes"] = "\n".join(filter(None, [values.get("notes"), *lines]))


def _cell(cells: list, index: int) -> str:
    return V.clean(cells[index]) if index < len(cells) else ""


def _truthy(text: str) -> bool:
    return bool(text) and V.nfkc(text).lower() not in {"0", "false", "no", "いいえ", "×", "-"}


def eight_fixup(builder, cells: list, values: dict[str, str]) -> None:
    headers, mapping = builder.headers, builder.mapping
    index = builder.header_index
    # phones: the direct line first, the others (and the fax) kept in the notes
    phones = [(h, _cell(cells, index[fold_header(h)])) for h in ("TEL直通", "TEL部門", "TEL会社")
              if fold_header(h) in index and mapping.get(index[fold_header(h)]) == "phone"]
    phones = [(h, V.nfkc(v)) for h, v in phones if v]
    if phones:
        values["phone"] = phones[0][1]
    extra = [f"{h}: {v}" for h, v in phones[1:] if v != phones[0][1]]
    fax_index = index.get(fold_header("Fax"))
    if fax_index is not None and fax_index not in mapping and _cell(cells, fax_index):
        extra.append(f"Fax: {V.nfkc(_cell(cells, fax_index))}")
    _add_notes(values, extra)
    tags = [headers[i] for i, f in sorted(mapping.items())
            if f == "tags" and i >= len(EIGHT_FIXED) and _truthy(_cell(cells, i))]
    if tags:
        values["tags"] = "; ".join(tags)
    else:
        values.pop("tags", None)


def _google_list(text: str) -> list[str]:
    return [p.strip() for p in text.split(":::") if p.strip()]


def google_fixup(builder, cells: list, values: dict[str, str]) -> None:
    headers, mapping = builder.headers, builder.mapping
    index = builder.header_index
    # e-mails: "a ::: b" in one cell; the first is the e-mail, the rest other e-mails
    emails: list[str] = []
    for i, field_ in sorted(mapping.items()):
        if field_ in ("email", "other_emails") and _GOOGLE_EMAIL.match(fold_header(headers[i])):
            emails += [V.email(e) for e in _google_list(_cell(cells, i))]
    if emails:
        values["email"] = emails[0]
        if emails[1:]:
            values["other_emails"] = "; ".join(dict.fromkeys(emails[1:]))
        else:
            values.pop("other_emails", None)
    # phones: the label says mobile or not
    phone = mobile = None
    extra: list[str] = []
    values.pop("phone", None)
    for i, field_ in sorted(mapping.items()):
        m = _GOOGLE_PHONE.match(fold_header(headers[i]))
        if field_ != "phone" or not m:
            continue
        label_i = index.get(f"phone{m[1]}type", index.get(f"phone{m[1]}label"))
        label = _cell(cells, label_i) if label_i is not None else ""
        for number in _google_list(_cell(cells, i)):
            number = V.nfkc(number)
            if re.search(r"mobile|cell|携帯", label, re.IGNORECASE) and mobile is None:
                mobile = number
            elif phone is None and not re.search(r"fax", label, re.IGNORECASE):
                phone = number
            else:
                extra.append(f"{label or headers[i]}: {number}")
    if phone:
        values["phone"] = phone
    if mobile:
        values["mobile"] = mobile
    _add_notes(values, extra)
    # labels / group membership: "* myContacts ::: Friends" -> "Friends"
    if "tags" in values:
        tags = [t.lstrip("* ").strip() for t in re.split(r":::|;", values["tags"])]
        tags = [t for t in tags if t and t.lower() not in {"mycontacts", "starred"}]
        if tags:
            values["tags"] = "; ".join(dict.fromkeys(tags))
        else:
            del values["tags"]


def _address(app: App, builder, cells: list, values: dict[str, str]) -> None:
    """The business address from its parts: Japanese order (prefecture first, no separators)
    when written in Japanese, else "street, city, state, country"."""
    index, mapping = builder.header_index, builder.mapping
    for parts_headers in app.address:
        found = {}
        for role, header in enumerate(parts_headers):
            i = index.get(fold_header(header)) if header else None
            if i is not None and mapping.get(i) == "address":
                found[role] = _cell(cells, i)
        if not found:
            continue
        if not any(found.values()):
            return
        street, street2, street3, city, state, country = (found.get(r, "") for r in range(6))
        if any(V.is_japanese(v) for v in found.values() if v):
            values["address"] = "".join(p for p in (state, city, street, street2, street3) if p)
        else:
            values["address"] = ", ".join(p for p in (street, street2, street3, city, state,
                                                      country) if p)
        return


def _join(builder, cells: list, values: dict[str, str], field_: str, sep: str) -> None:
    """Several columns of one field joined (部署名1 + 部署名2), not the first kept and the rest
    moved to the notes."""
    indexes = [i for i, f in sorted(builder.mapping.items()) if f == field_]
    parts = [(builder.headers[i], V.clean(cells[i])) for i in indexes if i < len(cells)
             and V.clean(cells[i])]
    if len(parts) < 2:
        return
    values[field_] = sep.join(v for _h, v in parts)
    moved = {f"{h}: {v}" for h, v in parts[1:]}
    notes = [line for line in values.get("notes", "").split("\n") if line not in moved]
    if any(notes):
        values["notes"] = "\n".join(notes)
    else:
        values.pop("notes", None)


def _notes_body_first(app: App, builder, cells: list, values: dict[str, str]) -> None:
    """"メモ: text" (as several columns kept in the notes are written) becomes "text", first."""
    notes = values.get("notes")
    if not notes:
        return
    for i, field_ in sorted(builder.mapping.items()):
        if field_ != "notes" or fold_header(builder.headers[i]) not in app.notes_body:
            continue
        body = _cell(cells, i)
        entry = f"{builder.headers[i]}: {body}"
        if body and entry in notes:
            rest = [line for line in notes.replace(entry, "", 1).split("\n") if line]
            values["notes"] = "\n".join([body, *rest])
        return


def table_fixup(app: App) -> Fixup:
    def fixup(builder, cells: list, values: dict[str, str]) -> None:
        if app.address:
            _address(app, builder, cells, values)
        for field_, sep in app.joined.items():
            _join(builder, cells, values, field_, sep)
        _notes_body_first(app, builder, cells, values)
        if app.split_tags and "tags" in values:
            tags = [t.strip() for t in re.split(r"[;,]", values["tags"]) if t.strip()]
            values["tags"] = "; ".join(dict.fromkeys(tags))
    return fixup


FIXUPS: dict[str, Fixup] = {"eight": eight_fixup, "google": google_fixup}
for _name, _app in APPS.items():
    FIXUPS.setdefault(_name, table_fixup(_app))
