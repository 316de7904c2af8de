"""The contact's field table (crm/common/fields.py): every column of Contact, what it is called
and which parts of the house handle it. Add a column here when you add it to the model."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from crm.common.fields import Field, declare
from crm.contacts.models import Contact

#: Typed in the form, read from files, written to exports, kept by a merge, found by search.
_TYPED = dict(editable=True, importable=True, exportable=True, merge="pick")

CONTACT_FIELDS = declare(
    Contact,
    Field("id", system=True),
    Field("family_name", _l("Family name"), **_TYPED, searchable=True),
    Field("given_name", _l("Given name"), **_TYPED, searchable=True),
    Field("family_name_reading", _l("Family name reading"), **_TYPED, searchable=True),
    Field("given_name_reading", _l("Given name reading"), **_TYPED, searchable=True),
    Field("company_id", _l("Company"), **_TYPED),
    Field("title", _l("Title"), **_TYPED, searchable=True),
    # A department at the company (部署), not one of the university's (部局).
    Field("department", lazy_pgettext("company", "Department"), **_TYPED, searchable=True),
    Field("email", _l("E-mail"), **_TYPED, searchable=True),
    Field("other_emails", _l("Other e-mail addresses"), editable=True, importable=True,
          merge="combine", searchable=True),
    Field("phone", _l("Phone"), **_TYPED),
    Field("mobile", _l("Mobile"), **_TYPED),
    Field("how_we_met", _l("How we met"), editable=True, importable=True, merge="join",
          searchable=True),
    Field("consent", _l("Agreed to be contacted (newsletters, events)"), editable=True,
          merge="pick"),
    # Exported as a flag; a merge keeps it when either record has it.
    Field("do_not_contact", _l("Do not contact"), editable=True, importable=True,
          exportable=True, merge="combine"),
    Field("notes", _l("Notes"), editable=True, importable=True, merge="join", searchable=True),
    Field("sort_name", system=True),  # kept by crm.contacts.models.derived_fields
    Field("search_text", system=True),
    Field("created_at", system=True),
    Field("updated_at", system=True),
    Field("version", system=True),
)
