"""Importing donations (寄附金): the finance office's ledger, by company or by alumnus."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import list_currencies
from flask_babel import gettext as _
from sqlalchemy import select

from crm.alumni.models import Alumnus
from crm.common.text import nfkc, person_name
from crm.companies.importing import CompanyRefs, corporate_number_value
from crm.donations.fields import DONATION_FIELDS
from crm.donations.models import Donation
from crm.donations.services import MAX_AMOUNT, save_donation
from crm.extensions import db
from crm.imports.kinds import (
    RowError,
    bool_value,
    date_value,
    name_key,
    present,
    register,
    text_value,
)
from importers.base import ParsedRow


@register
class DonationImporter(CompanyRefs):
    kind = "donations"
    model = Donation
    attrs = DONATION_FIELDS.names("importable")

    def __init__(self, policy: str, by: Any = None) -> None:
        super().__init__(policy, by)
        self.by_key: dict[tuple, int] = {}
        self.alumni_email: dict[str, int] = {}
        self.alumni_name: dict[str, list[int]] = defaultdict(list)
        self.alumni_names: dict[int, str] = {}

    def preload(self, rows: list[ParsedRow]) -> None:
        for id_, company, alumnus, amount, currency, received in db.session.execute(select(
                Donation.id, Donation.company_id, Donation.alumnus_id, Donation.amount,
                Donation.currency, Donation.received_on).order_by(Donation.id.desc())):
            self.by_key[(company, alumnus, received, Decimal(str(amount)), currency)] = id_
        for id_, email, family, given in db.session.execute(select(
                Alumnus.id, Alumnus.email, Alumnus.family_name, Alumnus.given_name)):
            self.alumni_names[id_] = person_name(family, given)
            if email:
                self.alumni_email[email.lower()] = id_
            for key in {name_key(family) + name_key(given), name_key(given) + name_key(family)}:
                self.alumni_name[key].append(id_)

    def clean(self, values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if values.get("company_name") or values.get("company_corporate_number"):
            name = text_value(values, "company_name")
            number = corporate_number_value(values, "company_corporate_number")
            ids, _why = self.companies.find(name, number)
            if len(ids) != 1:
                raise RowError("company_name" if name else "company_corporate_number", (
                    _("No company by this name or number: import or add the company first.")
                    if not ids else
                    _("Several companies have this name; give the corporate number.")))
            data["company_id"] = ids[0]
        else:
            email = nfkc(values.get("alumnus_email")).lower()
            if email:
                found = [self.alumni_email[email]] if email in self.alumni_email else []
                column = "alumnus_email"
            else:
                found = self.alumni_name.get(name_key(values.get("alumnus_name")), [])
                column = "alumnus_name"
            if len(found) != 1:
                raise RowError(column, (
                    _("No alumnus by this name or e-mail: import or add the alumnus first.")
                    if not found else _("Several alumni have this name; give their e-mail.")))
            data["alumnus_id"] = found[0]
        text = nfkc(values.get("amount")).replace(",", "").replace("¥", "").replace("円", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise RowError("amount", _("This is not an amount.")) from None
        if not amount.is_finite() or amount <= 0:
            raise RowError("amount", _("The amount must be more than zero."))
        if amount > MAX_AMOUNT:
            raise RowError("amount", _("That amount is too large to record."))
        if amount != amount.quantize(Decimal("0.01")):
            raise RowError("amount", _("Use at most two decimal places."))
        data["amount"] = amount.quantize(Decimal("0.01"))
        currency = nfkc(values.get("currency")).upper() or "JPY"
        currency = {"円": "JPY", "YEN": "JPY", "$": "USD", "€": "EUR"}.get(currency, currency)
        if len(currency) != 3 or not currency.isalpha() or currency not in list_currencies():
            raise RowError("currency", _("%(code)s is not a known ISO currency code.",
                                         code=currency))
        data["currency"] = currency
        data["received_on"] = date_value(values, "received_on")
        data["purpose"] = text_value(values, "purpose")
        data["restricted"] = bool_value(values, "restricted")
        data["notes"] = text_value(values, "notes")
        return present(data)

    def _key(self, data: dict[str, Any]) -> tuple:
        return (data.get("company_id"), data.get("alumnus_id"), data["received_on"],
                data["amount"], data["currency"])

    def keys(self, data: dict[str, Any]) -> list[tuple[str, Any]]:
        return [("amount", self._key(data))]

    def match(self, data: dict[str, Any]) -> int | None:
        return self.by_key.get(self._key(data))

    def save(self, record: Any, data: dict[str, Any]) -> Any:
        base = {} if record is None else {
            "company_id": record.company_id, "alumnus_id": record.alumnus_id,
            "amount": record.amount, "currency": record.currency,
            "received_on": record.received_on, "purpose": record.purpose,
            "restricted": record.restricted, "notes": record.notes}
        return save_donation(record, {**base, **data})

    def label(self, data: dict[str, Any], record: Any = None) -> str:
        donor = self.companies.label(data["company_id"]) if data.get("company_id") else \
            self.alumni_names.get(data.get("alumnus_id"), "")
        return f"{donor} {data.get('amount', '')} {data.get('currency', '')}".strip()
