"""The researcher's and the research seed's field tables (crm/common/fields.py): every column,
what it is called and which parts of the house handle it. Add a column here when you add it to
the model."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from crm.common.fields import Field, declare
from crm.research.models import Researcher, ResearchSeed

#: Typed in the form and read from files.
_TYPED = dict(editable=True, importable=True)

RESEARCHER_FIELDS = declare(
    Researcher,
    Field("id", system=True),
    Field("family_name", _l("Family name"), **_TYPED, searchable=True),
    Field("given_name", _l("Given name"), **_TYPED, searchable=True),
    Field("family_name_reading", _l("Family name reading (kana)"), **_TYPED, searchable=True),
    Field("given_name_reading", _l("Given name reading (kana)"), **_TYPED, searchable=True),
    Field("name_en", _l("Name in Latin letters"), **_TYPED, searchable=True),
    Field("department_id", _l("Department"), **_TYPED),
    Field("lab", _l("Laboratory"), **_TYPED, searchable=True),
    Field("title", _l("Title"), **_TYPED),
    Field("email", _l("E-mail"), **_TYPED, searchable=True),
    Field("keywords", _l("Research keywords"), **_TYPED, searchable=True),
    Field("profile", _l("Profile"), **_TYPED, searchable=True),
    # Set by the researchmap import (crm/research/importing.py ResearchmapImporter).
    Field("researchmap_id", system=True),
    Field("researchmap_values", system=True),
    Field("created_at", system=True),
    Field("version", system=True),
)

SEED_FIELDS = declare(
    ResearchSeed,
    Field("id", system=True),
    Field("title", lazy_pgettext("research seed", "Title"), **_TYPED, searchable=True),
    Field("abstract", _l("Abstract"), **_TYPED, searchable=True),
    Field("keywords", _l("Keywords"), **_TYPED, searchable=True),
    Field("department_id", _l("Department"), **_TYPED),
    Field("readiness", _l("Readiness (TRL)"), **_TYPED),
    Field("ip_status", _l("IP status"), **_TYPED),
    Field("government_funded", _l("Result of a government-funded project (Japanese Bayh-Dole: "
                                  "licensing or transfer needs prior approval)"), **_TYPED),
    Field("status", _l("Status"), **_TYPED),
    # Ticked on the form; files do not carry them.
    Field("tech_fields", _l("Emerging-technology fields"), editable=True),
    Field("created_at", system=True),
    Field("updated_at", system=True),  # set by save_seed
    Field("version", system=True),
)
