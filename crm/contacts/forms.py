"""The contact form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import Length, Optional

from crm.common.fields import add_form_fields
from crm.contacts.fields import CONTACT_FIELDS
from crm.common.forms import RecordField, strip

#: Field labels come from the field table, the one place a column is named.
_label = CONTACT_FIELDS.label


class ContactForm(FlaskForm):
    # Required, but checked by the service so that every error shows at once.
    family_name = StringField(_label("family_name"), validators=[Length(max=100)], filters=[strip],
                              description=_l("山田, or Smith"), render_kw={"required": True})
    given_name = StringField(_label("given_name"), validators=[Length(max=100)], filters=[strip],
                             description=_l("太郎, or John"))
    family_name_reading = StringField(_label("family_name_reading"), validators=[Length(max=100)],
                                      filters=[strip],
                                      description=_l("ふりがな: hiragana or katakana, "
                                                     "stored as katakana"))
    given_name_reading = StringField(_label("given_name_reading"), validators=[Length(max=100)],
                                     filters=[strip])
    company = RecordField(_label("company_id"), validators=[Optional()], kind="company",
                          description=_l("Start typing the name and pick from the list."))
    title = StringField(_label("title"), validators=[Length(max=200)], filters=[strip],
                        description=_l("役職, e.g. 部長 or Head of R&D"))
    # A department at the company (部署), not one of the university's (部局).
    department = StringField(_label("department"),
                             validators=[Length(max=200)], filters=[strip],
                             description=_l("部署"))
    email = EmailField(_label("email"), validators=[Length(max=254)], filters=[strip])
    other_emails = TextAreaField(_label("other_emails"), filters=[strip],
                                 render_kw={"rows": 2}, description=_l("One per line."))
    phone = TelField(_label("phone"), validators=[Length(max=50)], filters=[strip])
    mobile = TelField(_label("mobile"), validators=[Length(max=50)], filters=[strip])
    how_we_met = TextAreaField(_label("how_we_met"), filters=[strip], render_kw={"rows": 2},
                               description=_l("Where and through whom; encounters at events "
                                              "are recorded on the event page."))
    consent = BooleanField(_label("consent"))
    do_not_contact = BooleanField(_label("do_not_contact"))
    notes = TextAreaField(_label("notes"), filters=[strip], render_kw={"rows": 3})

    def data_for_service(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "company")}
        data["company_id"] = self.company.data.id if self.company.data else None
        return data


# A column added to the field table as editable gets a field here by its type.
add_form_fields(ContactForm, CONTACT_FIELDS, as_named={"company_id": "company"})
