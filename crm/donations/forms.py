"""The donation form."""
from __future__ import annotations


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from crm.common.forms import RecordField, options, strip
from crm.common.time import office_today
from crm.donations.fields import DONATION_FIELDS

#: Column labels come from the field table.
_label = DONATION_FIELDS.label

DONOR_TYPES = {"company": _l("Company"), "alumnus": _l("Alumnus")}


class DonationForm(FlaskForm):
    donor_type = RadioField(_l("Donor"), choices=options(DONOR_TYPES.items()), default="company")
    company = RecordField(_label("company_id"), validators=[Optional()], kind="company")
    alumnus = RecordField(_label("alumnus_id"), validators=[Optional()], kind="alumnus")
    amount = DecimalField(_label("amount"), places=2, validators=[Optional()],
                          render_kw={"inputmode": "decimal"})
    currency = StringField(_label("currency"), default="JPY", validators=[Length(max=3)],
                           filters=[strip], description=_l("ISO code: JPY, USD, EUR ..."))
    received_on = DateField(_label("received_on"), default=office_today, validators=[Optional()])
    purpose = StringField(_label("purpose"), validators=[Length(max=300)], filters=[strip])
    restricted = BooleanField(_label("restricted"))
    notes = TextAreaField(_label("notes"), filters=[strip], render_kw={"rows": 3})

    def data_for_service(self) -> dict:
        return {
            "donor_type": self.donor_type.data,
            "company_id": self.company.data.id if self.company.data else None,
            "alumnus_id": self.alumnus.data.id if self.alumnus.data else None,
            "amount": self.amount.data, "currency": self.currency.data,
            "received_on": self.received_on.data, "purpose": self.purpose.data,
            "restricted": self.restricted.data, "notes": self.notes.data,
        }
