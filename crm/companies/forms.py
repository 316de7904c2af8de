"""The company form."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, Optional

from crm.common.fields import add_form_fields
from crm.companies.fields import COMPANY_FIELDS
from crm.common.forms import OptionalSelectField, RecordField, choices, strip
from crm.companies.models import COMPANY_SIZES, COMPANY_STATUSES, MEMBERSHIP_TIERS

#: Field labels come from the field table, the one place a column is named.
_label = COMPANY_FIELDS.label

STATUS_LABELS = {"prospect": _l("Prospect"), "active": _l("Active"), "dormant": _l("Dormant"),
                 "former": _l("Former")}
SIZE_LABELS = {"startup": _l("Start-up"), "sme": _l("SME"), "large": _l("Large enterprise"),
               "public": _l("Public body")}
TIER_LABELS = {"associate": _l("Associate"), "standard": _l("Standard"),
               "premium": _l("Premium")}


class CompanyForm(FlaskForm):
    name = StringField(_label("name"), validators=[DataRequired(), Length(max=300)],
                       filters=[strip],
                       description=_l("As registered, e.g. 株式会社サンプル or Sample Co., Ltd."))
    name_reading = StringField(_label("name_reading"), validators=[Length(max=300)],
                               filters=[strip])
    name_en = StringField(_label("name_en"), validators=[Length(max=300)], filters=[strip])
    aliases = TextAreaField(_label("aliases"), filters=[strip],
                            description=_l("One per line: abbreviations, former names."),
                            render_kw={"rows": 2})
    corporate_number = StringField(_label("corporate_number"),
                                   validators=[Length(max=20)], filters=[strip],
                                   description=_l("13 digits; optional."))
    country = StringField(_label("country"), default="JP", validators=[Length(max=2)],
                          filters=[strip], description=_l("Two-letter code: JP, US, DE ..."))
    hq_country = StringField(_label("hq_country"), validators=[Length(max=2)], filters=[strip])
    has_local_presence = BooleanField(_label("has_local_presence"))
    industry = StringField(_label("industry"), validators=[Length(max=100)], filters=[strip])
    size = OptionalSelectField(_label("size"),
                               choices=choices(COMPANY_SIZES, SIZE_LABELS, blank=True))
    website = URLField(_label("website"), validators=[Optional(), URL(), Length(max=300)],
                       filters=[strip])
    description = TextAreaField(_label("description"), filters=[strip], render_kw={"rows": 3})
    interests = TextAreaField(_label("interests"), filters=[strip],
                              render_kw={"rows": 4},
                              description=_l("What they want from research; matched against "
                                             "seeds."))
    membership_tier = OptionalSelectField(
        _label("membership_tier"), choices=choices(MEMBERSHIP_TIERS, TIER_LABELS, blank=True))
    member_since = DateField(_label("member_since"), validators=[Optional()])
    renewal_date = DateField(_label("renewal_date"), validators=[Optional()])
    status = SelectField(_label("status"), choices=choices(COMPANY_STATUSES, STATUS_LABELS),
                         default="prospect")
    parent = RecordField(_label("parent_id"), validators=[Optional()], kind="company")
    officer = OptionalSelectField(_label("officer_id"), coerce=lambda v: int(v) if v else None,
                                  choices=[])
    notes = TextAreaField(_label("notes"), filters=[strip], render_kw={"rows": 3})

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        #: Only managers assign companies to officers; others see the officer, greyed out,
        #: and whatever their browser sends for it is ignored.
        self.officer_locked = not (getattr(current_user, "is_authenticated", False)
                                   and current_user.can("portfolio.manage"))
        if self.officer_locked:
            self.officer.render_kw = {**(self.officer.render_kw or {}), "disabled": True}
            self.officer.description = _l("A manager assigns companies to officers.")
            company = kwargs.get("obj")
            if company is not None:  # shown as it is, also when the form comes back with errors
                self.officer.data = company.officer_id

    def data_for_service(self) -> dict:
        data = {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "parent", "officer")}
        data["parent_id"] = self.parent.data.id if self.parent.data else None
        if not self.officer_locked:
            data["officer_id"] = self.officer.data
        return data


# A column added to the field table as editable gets a field here by its type.
add_form_fields(CompanyForm, COMPANY_FIELDS, as_named={"parent_id": "parent",
                                                       "officer_id": "officer"})

#: Why the corporate-number register closed a company (閉鎖事由, closeCause).
CLOSE_CAUSE_LABELS = {
    "01": _l("Liquidation completed (清算の結了等)"),
    "11": _l("Dissolved by a merger (合併による解散等)"),
    "21": _l("Closed by the registrar (登記官による閉鎖)"),
    "31": _l("Other liquidation completed (その他の清算の結了等)"),
}


class RegisterImportForm(FlaskForm):
    """A file of Japan's corporate-number register (crm/companies/register.py)."""
    file = FileField(_l("Register file (zip as downloaded, or CSV)"),
                     validators=[FileRequired(_l("Choose the register file."))])


class RegisterNameForm(FlaskForm):
    """Take the register's name for a company, or keep ours (the review page)."""
    register_name = HiddenField(validators=[DataRequired(), Length(max=300)])
    accept = SubmitField(_l("Use the register's name"))
    keep = SubmitField(_l("Keep ours"))
