"""The fields each kind of import fills, by name. Names are the model attributes where there is
one; references to other records are given by name/e-mail/number and resolved by the save path
(crm/imports), never by database id.

The parsing half maps file headers to these names (importers/mapping.py: known Japanese and
English headers); the save path validates and writes them through the crm services.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a label for `make translations`; the web pages translate it when shown."""
    return message


#: kind -> {field: English label}. The first field(s) listed in REQUIRED must be present.
FIELDS: dict[str, dict[str, str]] = {
    "companies": {
        "name": N_("Company name"), "name_reading": N_("Reading (kana)"), "name_en": N_("English name"),
        "aliases": N_("Other names"), "corporate_number": N_("Corporate number"),
        "country": N_("Country"), "hq_country": N_("HQ country"), "industry": N_("Industry"),
        "size": N_("Size"), "website": N_("Website"), "description": N_("Description"),
        "interests": N_("Interests / needs"), "membership_tier": N_("Membership tier"),
        "member_since": N_("Member since"), "renewal_date": N_("Renewal date"), "status": N_("Status"),
        "notes": N_("Notes"), "address": N_("Address"), "officer_email": N_("Officer (e-mail)"),
    },
    "contacts": {
        "family_name": N_("Family name"), "given_name": N_("Given name"),
        "full_name": N_("Full name (split on import)"),
        "family_name_reading": N_("Family name reading"), "given_name_reading": N_("Given name reading"),
        "full_name_reading": N_("Full name reading (split on import)"),
        "title": N_("Title"), "department": N_("Department"), "email": N_("E-mail"),
        "other_emails": N_("Other e-mails"), "phone": N_("Phone"), "mobile": N_("Mobile"),
        "company_name": N_("Company"), "company_corporate_number": N_("Company corporate number"),
        "address": N_("Address"), "postal_code": N_("Postal code"), "website": N_("Website"),
        "how_we_met": N_("How we met"), "met_on": N_("Met on"), "notes": N_("Notes"),
        "do_not_contact": N_("Do not contact"), "tags": N_("Tags"),
    },
    "alumni": {
        "family_name": N_("Family name"), "given_name": N_("Given name"),
        "full_name": N_("Full name (split on import)"),
        "family_name_reading": N_("Family name reading"), "given_name_reading": N_("Given name reading"),
        "full_name_reading": N_("Full name reading (split on import)"),
        "email": N_("E-mail"), "degree": N_("Degree"), "graduation_year": N_("Graduation year"),
        "department": N_("Department"), "employer": N_("Employer"), "position": N_("Position"),
        "country": N_("Country"), "notes": N_("Notes"),
    },
    "donations": {
        "company_name": N_("Donor company"), "company_corporate_number": N_("Donor corporate number"),
        "alumnus_name": N_("Donor alumnus"), "alumnus_email": N_("Donor alumnus e-mail"),
        "amount": N_("Amount"), "currency": N_("Currency"), "received_on": N_("Received on"),
        "purpose": N_("Purpose"), "restricted": N_("Restricted"), "notes": N_("Notes"),
    },
    "researchers": {
        "family_name": N_("Family name"), "given_name": N_("Given name"),
        "full_name": N_("Full name (split on import)"),
        "family_name_reading": N_("Family name reading"), "given_name_reading": N_("Given name reading"),
        "full_name_reading": N_("Full name reading (split on import)"),
        "name_en": N_("English name"), "department": N_("Department"), "lab": N_("Laboratory"),
        "title": N_("Title"), "email": N_("E-mail"), "keywords": N_("Keywords"), "profile": N_("Profile"),
    },
    # One researcher of a researchmap file (importers/researchmap.py), with their projects.
    "researchmap": {
        "researchmap_id": N_("researchmap ID"), "family_name": N_("Family name"),
        "given_name": N_("Given name"), "family_name_reading": N_("Family name reading"),
        "given_name_reading": N_("Given name reading"), "name_en": N_("English name"),
        "department": N_("Department"), "title": N_("Title"),
        "email": N_("E-mail"), "keywords": N_("Keywords"), "profile": N_("Profile"),
        "projects": N_("Research projects"),
    },
    "seeds": {
        "title": N_("Seed title"), "abstract": N_("Abstract"), "keywords": N_("Keywords"),
        "department": N_("Department"), "researchers": N_("Researchers (e-mails or names, ; separated)"),
        "readiness": N_("Readiness (TRL 1-9)"), "ip_status": N_("IP status"),
        "government_funded": N_("Government-funded"), "status": N_("Status"),
    },
    "events": {
        "name": N_("Event name"), "kind": N_("Kind"), "starts_on": N_("Starts on"), "ends_on": N_("Ends on"),
        "location": N_("Location"), "description": N_("Description"),
    },
    "encounters": {
        "event_name": N_("Event"), "event_date": N_("Event date"),
        "family_name": N_("Family name"), "given_name": N_("Given name"),
        "full_name": N_("Full name (split on import)"), "email": N_("E-mail"),
        "company_name": N_("Company"), "title": N_("Title"), "met_on": N_("Met on"),
        "research_interests": N_("Research interests"), "small_talk": N_("Small talk"),
        "follow_up_wanted": N_("Follow-up wanted"), "follow_up_by": N_("Follow up by"),
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
    "researchmap": (("family_name",),),
    "events": (("name",), ("starts_on",)),
    "encounters": (("event_name",), ("family_name", "full_name", "email")),
}

#: Fields holding dates (the parser turns 2024/4/1, 2024年4月1日, 令和6年4月1日, Excel dates
#: into ISO 'YYYY-MM-DD', or records a Problem), booleans ('true'/'false'), and numbers.
DATE_FIELDS = {"member_since", "renewal_date", "met_on", "received_on", "starts_on", "ends_on",
               "event_date", "follow_up_by"}
BOOL_FIELDS = {"do_not_contact", "restricted", "government_funded", "follow_up_wanted"}
NUMBER_FIELDS = {"amount", "graduation_year", "readiness"}
