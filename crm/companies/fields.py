"""The company's field table (crm/common/fields.py): every column of Company, what it is called
and which parts of the house handle it. Add a column here when you add it to the model."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.common.fields import Field, declare
from crm.companies.models import Company

#: Typed in the form, read from files, written to exports, kept by a merge, found by search.
_TYPED = dict(editable=True, importable=True, merge="pick")

COMPANY_FIELDS = declare(
    Company,
    Field("id", system=True),
    Field("name", _l("Name"), **_TYPED, exportable=True, searchable=True),
    Field("name_reading", _l("Reading (katakana)"), **_TYPED, exportable=True, searchable=True),
    Field("name_en", _l("English name"), **_TYPED, exportable=True, searchable=True),
    Field("aliases", _l("Other names"), editable=True, importable=True, merge="combine",
          searchable=True),
    Field("corporate_number", _l("Corporate number (法人番号)"), **_TYPED, exportable=True,
          searchable=True),
    Field("country", _l("Country"), **_TYPED, exportable=True),
    Field("hq_country", _l("HQ country"), **_TYPED),
    Field("has_local_presence", _l("Has a subsidiary or plant in Japan"), editable=True,
          merge="pick"),
    Field("industry", _l("Industry"), **_TYPED, exportable=True, searchable=True),
    Field("size", _l("Size"), **_TYPED),
    Field("website", _l("Website"), **_TYPED, exportable=True),
    Field("description", _l("Description"), editable=True, importable=True, merge="join",
          searchable=True),
    Field("interests", _l("Interests and technical needs"), editable=True, importable=True,
          merge="join", searchable=True),
    Field("membership_tier", _l("Membership tier"), **_TYPED, exportable=True),
    Field("member_since", _l("Member since"), **_TYPED, exportable=True),
    Field("renewal_date", _l("Renewal date"), **_TYPED, exportable=True),
    Field("status", _l("Status"), **_TYPED),
    Field("parent_id", _l("Parent company"), editable=True, merge="pick"),
    # Set through the portfolio rules (crm.liaison.services), never copied as it comes.
    Field("officer_id", _l("Responsible officer"), **_TYPED, exportable=True),
    Field("notes", _l("Notes"), editable=True, importable=True, merge="join"),
    Field("address", _l("Address"), editable=True, exportable=True, merge="pick"),
    Field("postal_code", _l("Postcode"), editable=True, exportable=True, merge="pick"),
    # What the corporate-number register says (crm/companies/register.py), never typed.
    Field("closed_on", _l("Closed in the register on"), system=True),
    Field("close_cause", _l("Reason for closure"), system=True),
    Field("successor_number", _l("Successor's corporate number"), system=True),
    Field("register_name", _l("Name in the register (to review)"), system=True),
    Field("register_name_kept", _l("Register name we chose not to use"), system=True),
    Field("register_updated_on", _l("Register updated on"), system=True),
    # Derived from the names by Company.refresh_derived().
    Field("name_folded", system=True),
    Field("sort_name", system=True),
    Field("search_text", system=True),
    Field("legal_form", system=True),
    Field("created_at", system=True),
    Field("updated_at", system=True),
    Field("version", system=True),
)
