"""Forms of the import pages: the upload, the column mapping, commit and discard."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from crm.common.forms import OptionalSelectField, choices, options, strip
from crm.imports.models import IMPORT_KINDS, POLICIES
from importers.apps import LABELS as APP_LABELS
from importers.base import FORMATS

KIND_LABELS = {
    "companies": _l("Companies"), "contacts": _l("Contacts"), "alumni": _l("Alumni"),
    "donations": _l("Donations"), "researchers": _l("Researchers"),
    "seeds": _l("Research seeds"), "events": _l("Events"), "encounters": _l("Encounters"),
    "researchmap": _l("Researchers from researchmap"),
}
FORMAT_LABELS = {
    "csv": _l("CSV"), "xlsx": _l("Excel (.xlsx)"), "vcard": _l("vCard"),
    # the address-book and card-app exports: their labels are marked in importers/apps.py
    **{app: _l(label) for app, label in APP_LABELS.items()},
}
POLICY_LABELS = {
    "update": _l("Update: the file's values overwrite"),
    "merge": _l("Merge: fill only empty fields, list differences"),
    "skip": _l("Skip: leave existing records as they are"),
}
#: Where each kind's records are listed (the result page links there).
KIND_LIST_ENDPOINTS = {
    "companies": "companies.index", "contacts": "contacts.index", "alumni": "alumni.index",
    "donations": "donations.index", "researchers": "research.researchers",
    "seeds": "research.seeds", "events": "events.index", "encounters": "events.index",
    "researchmap": "research.researchers",
}


class UploadForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), choices=choices(IMPORT_KINDS, KIND_LABELS),
                       validators=[DataRequired()])
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to import."))])
    format = OptionalSelectField(_l("Format"), validators=[Optional()],
                                 description=_l("Leave blank to detect it from the file."))
    saved_mapping = OptionalSelectField(_l("Saved column mapping"), validators=[Optional()],
                                        description=_l("Optional: columns as mapped before."))
    policy = SelectField(_l("Records already in the CRM"),
                         choices=choices(POLICIES, POLICY_LABELS), default="update")

    def __init__(self, *args, mappings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.format.choices = choices(FORMATS, FORMAT_LABELS, blank=True)
        self.saved_mapping.choices = options(
            ((m.id, f"{KIND_LABELS[m.kind]}: {m.name}") for m in mappings), blank=True)


class MappingForm(FlaskForm):
    """The column selects are named map-<column index> and read from the request by the view
    (their number depends on the file); this form carries the CSRF token and the rest."""

    policy = SelectField(_l("Records already in the CRM"),
                         choices=choices(POLICIES, POLICY_LABELS))
    mapping_name = StringField(_l("Save this mapping as"), filters=[strip],
                               validators=[Optional(), Length(max=100)],
                               description=_l("Optional: a name to reuse it for the next file."))
