"""The fields each kind of import fills, by name. Names are the model attributes where there is
one; references to other records are given by name/e-mail/number and resolved by the save path
(crm/imports), never by database id.

The parsing half maps file headers to these names (importers/mapping.py: known Japanese and
English headers); the save path validates and writes them through the crm services.
"""
from __future__ import annotations

#: kind -> {field: English label}. The first field(s) listed in REQUIRED must be present.
FIELDS: dict[str, dict[str, str]] = {
    "companies": {
        "name": "Company name", "name_reading": "Reading (kana)", "name_en": "English name",
        "aliases": "Other names", "corporate_number": "Corporate number",
        "country": "Country", "hq_country": "HQ country", "industry": "Industry",
        "size": "Size", "website": "Website", "description": "Description",
        "interests": "Interests / needs", "membership_tier": "Membership tier",
        "member_since": "Member since", "renewal_date": "Renewal date", "status": "Status",
        "notes": "Notes", "address": "Address", "officer_email": "Officer (e-mail)",
    },
    "contacts": {
        "family_name": "Family name", "given_name": "Given name",
        "full_name": "Full name (split on import)",
        "family_name_reading": "Family name reading", "given_name_reading": "Given name reading",
        "full_name_reading": "Full name reading (split on import)",
        "title": "Title", "department": "Department", "email": "E-mail",
        "other_emails": "Other e-mails", "phone": "Phone", "mobile": "Mobile",
        "company_name": "Company", "company_corporate_number": "Company corporate number",
        "address": "Address", "postal_code": "Postal code", "website": "Website",
        "how_we_met": "How we met", "met_on": "Met on", "notes": "Notes",
        "do_not_contact": "Do not contact", "tags": "Tags",
    },
    "alumni": {
        "family_name": "Family name", "given_name": "Given name",
        "full_name": "Full name (split on import)",
        "family_name_reading": "Family name reading", "given_name_reading": "Given name reading",
        "full_name_reading": "Full name reading (split on import)",
        "email": "E-mail", "degree": "Degree", "graduation_year": "Graduation year",
        "department": "Department", "employer": "Employer", "position": "Position",
        "country": "Country", "notes": "Notes",
    },
    "donations": {
        "company_name": "Donor company", "company_corporate_number": "Donor corporate number",
        "alumnus_name": "Donor alumnus", "alumnus_email": "Donor alumnus e-mail",
        "amount": "Amount", "currency": "Currency", "received_on": "Received on",
        "purpose": "Purpose", "restricted": "Restricted", "notes": "Notes",
    },
    "researchers": {
        "family_name": "Family name", "given_name": "Given name",
        "full_name": "Full name (split on import)",
        "family_name_reading": "Family name reading", "given_name_reading": "Given name reading",
        "full_name_reading": "Full name reading (split on import)",
        "name_en": "English name", "department": "Department", "lab": "Laboratory",
        "title": "Title", "email": "E-mail", "keywords": "Keywords", "profile": "Profile",
    },
    "seeds": {
        "title": "Title", "abstract": "Abstract", "keywords": "Keywords",
        "department": "Department", "researchers": "Researchers (e-mails or names, ; separated)",
        "readiness": "Readiness (TRL 1-9)", "ip_status": "IP status",
        "government_funded": "Government-funded", "status": "Status",
    },
    "events": {
        "name": "Event name", "kind": "Kind", "starts_on": "Starts on", "ends_on": "Ends on",
        "location": "Location", "description": "Description",
    },
    "encounters": {
        "event_name": "Event", "event_date": "Event date",
        "family_name": "Family name", "given_name": "Given name",
        "full_name": "Full name (split on import)", "email": "E-mail",
        "company_name": "Company", "title": "Title", "met_on": "Met on",
        "research_interests": "Research interests", "small_talk": "Small talk",
        "follow_up_wanted": "Follow-up wanted", "follow_up_by": "Follow up by",
    },
}

KINDS = tuple(FIELDS)

#: kind -> fields of which at least one group must be filled for a row to be importable;
#: each inner tuple is "any of these".
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "companies": (("name",),),
    "contacts": (("family_name", "full_name", "email"),),
    "alumni": (("family_name", "full_name"),),
    "donations": (("company_name", "company_corporate_number", "alumnus_name", "alumnus_email"),
                  ("amount",), ("received_on",)),
    "researchers": (("family_name", "full_name"),),
    "seeds": (("title",),),
    "events": (("name",), ("starts_on",)),
    "encounters": (("event_name",), ("family_name", "full_name", "email")),
}

#: Fields holding dates (the parser turns 2024/4/1, 2024年4月1日, 令和6年4月1日, Excel dates
#: into ISO 'YYYY-MM-DD', or records a Problem), booleans ('true'/'false'), and numbers.
DATE_FIELDS = {"member_since", "renewal_date", "met_on", "received_on", "starts_on", "ends_on",
               "event_date", "follow_up_by"}
BOOL_FIELDS = {"do_not_contact", "restricted", "government_funded", "follow_up_wanted"}
NUMBER_FIELDS = {"amount", "graduation_year", "readiness"}
