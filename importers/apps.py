"""Contact-app CSV exports recognised by their header: Eight (business cards), Google Contacts
(legacy and 2023+), Outlook. Each has its own column table and a per-row fix-up."""
from __future__ import annotations

import re

from . import values as V
from .mapping import fold_header

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

_OUTLOOK_TABLE = {
    "First Name": "given_name", "Last Name": "family_name", "Middle Name": "", "Title": "",
    "Suffix": "", "Company": "company_name", "Department": "department", "Job Title": "title",
    "Business Street": "address", "Business Street 2": "address", "Business Street 3": "address",
    "Business City": "address", "Business State": "address", "Business Country/Region": "address",
    "Business Postal Code": "postal_code",
    "Business Phone": "phone", "Company Main Phone": "phone", "Business Phone 2": "phone",
    "Primary Phone": "phone", "Mobile Phone": "mobile", "E-mail Address": "email",
    "E-mail 2 Address": "other_emails", "E-mail 3 Address": "other_emails",
    "Web Page": "website", "Notes": "notes", "Categories": "tags",
    "Yomi First Name": "given_name_reading", "Yomi Last Name": "family_name_reading",
    "First Name Yomi": "given_name_reading", "Last Name Yomi": "family_name_reading",
    "Keywords": "", "Location": "", "Office Location": "", "Profession": "",
}

TABLES = {"eight": _EIGHT_TABLE, "google": _GOOGLE_TABLE, "outlook": _OUTLOOK_TABLE}
_FOLDED_TABLES = {app: {fold_header(h): f for h, f in table.items()}
                  for app, table in TABLES.items()}


def detect_app(headers: list[str]) -> str | None:
    """'eight', 'google', 'outlook' or None, from a header row."""
    folded = [fold_header(h) for h in headers]
    present = set(folded)
    eight = [fold_header(h) for h in EIGHT_FIXED]
    if sum(1 for h in eight if h in present) >= 12 and "tel会社" in present:
        return "eight"
    if "email1value" in present and ({"givenname", "firstname"} & present) and (
            {"organization1name", "organizationname", "phone1value", "email1label",
             "email1type"} & present):
        return "google"
    if {"firstname", "lastname", "emailaddress"} <= present and (
            {"businessphone", "mobilephone", "company"} & present):
        return "outlook"
    return None


def app_mapping(app: str, headers: list[str], auto: dict[int, str]) -> dict[int, str]:
    """The column table of the app, with the generic mapping for headers it does not list."""
    table = _FOLDED_TABLES[app]
    mapping: dict[int, str] = {}
    fixed_end = None
    if app == "eight":
        folded = [fold_header(h) for h in headers]
        fixed_end = max((i for i, h in enumerate(folded) if h == fold_header("名刺交換日")),
                        default=len(EIGHT_FIXED) - 1)
    for i, header in enumerate(headers):
        key = fold_header(header)
        if not key:
            continue
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
        if key in table:
            if table[key]:
                mapping[i] = table[key]
        elif i in auto and auto[i] not in mapping.values():
            mapping[i] = auto[i]
    return mapping


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
    for i, field in sorted(mapping.items()):
        if field in ("email", "other_emails") and _GOOGLE_EMAIL.match(fold_header(headers[i])):
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
    for i, field in sorted(mapping.items()):
        m = _GOOGLE_PHONE.match(fold_header(headers[i]))
        if field != "phone" or not m:
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


_OUTLOOK_ADDRESS = ["Business Street", "Business Street 2", "Business Street 3", "Business City",
                    "Business State", "Business Country/Region"]


def outlook_fixup(builder, cells: list, values: dict[str, str]) -> None:
    index, mapping = builder.header_index, builder.mapping
    parts = {}
    for header in _OUTLOOK_ADDRESS:
        i = index.get(fold_header(header))
        if i is not None and mapping.get(i) == "address":
            parts[header] = _cell(cells, i)
    if any(parts.values()):
        get = parts.get
        if any(V.is_japanese(v) for v in parts.values() if v):
            order = [get("Business State"), get("Business City"), get("Business Street"),
                     get("Business Street 2"), get("Business Street 3")]
            values["address"] = "".join(p for p in order if p)
        else:
            values["address"] = ", ".join(p for p in (
                get("Business Street"), get("Business Street 2"), get("Business Street 3"),
                get("Business City"), get("Business State"), get("Business Country/Region"))
                if p)
    if "tags" in values:
        tags = [t.strip() for t in re.split(r"[;,]", values["tags"]) if t.strip()]
        values["tags"] = "; ".join(dict.fromkeys(tags))


FIXUPS = {"eight": eight_fixup, "google": google_fixup, "outlook": outlook_fixup}
