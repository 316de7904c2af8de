"""The contact form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TelField, TextAreaField
from wtforms.validators import Length, Optional

from crm.common.forms import RecordField, strip


class ContactForm(FlaskForm):
    # Required, but checked by the service so that every error shows at once.
    family_name = StringField(_l("Family name"), validators=[Length(max=100)], filters=[strip],
                              description=_l("山田, or Smith"), render_kw={"required": True})
    given_name = StringField(_l("Given name"), validators=[Length(max=100)], filters=[strip],
                             description=_l("太郎, or John"))
    family_name_reading = StringField(_l("Family name reading"), validators=[Length(max=100)],
                                      filters=[strip],
                                      description=_l("ふりがな: hiragana or katakana, "
                                                     "stored as katakana"))
    given_name_reading = StringField(_l("Given name reading"), validators=[Length(max=100)],
                                     filters=[strip])
    company = RecordField(_l("Company"), validators=[Optional()], kind="company",
                          description=_l("Start typing the name and pick from the list."))
    title = StringField(_l("Title"), validators=[Length(max=200)], filters=[strip],
                        description=_l("役職, e.g. 部長 or Head of R&D"))
    # A department at the company (部署), not one of the university's (部局).
    department = StringField(lazy_pgettext("company", "Department"),
                             validators=[Length(max=200)], filters=[strip],
                             description=_l("部署"))
    email = EmailField(_l("E-mail"), validators=[Length(max=254)], filters=[strip])
    other_emails = TextAreaField(_l("Other e-mail addresses"), filters=[strip],
                                 render_kw={"rows": 2}, description=_l("One per line."))
    phone = TelField(_l("Phone"), validators=[Length(max=50)], filters=[strip])
    mobile = TelField(_l("Mobile"), validators=[Length(max=50)], filters=[strip])
    how_we_met = TextAreaField(_l("How we met"), filters=[strip], render_kw={"rows": 2},
                               description=_l("Where and through whom; encounters at events "
                                              "are recorded on the event page."))
    consent = BooleanField(_l("Agreed to be contacted (newsletters, events)"))
    do_not_contact = BooleanField(_l("Do not contact"))
    notes = TextAreaField(_l("Notes"), filters=[strip], render_kw={"rows": 3})

    def data_for_service(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "company")}
        data["company_id"] = self.company.data.id if self.company.data else None
        return data
