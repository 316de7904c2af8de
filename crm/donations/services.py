"""Recording, changing and deleting donations."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import list_currencies
from flask_babel import gettext as _

from crm.alumni.models import Alumnus
from crm.common.services import ValidationError, apply
from crm.common.text import nfkc
from crm.companies.models import Company
from crm.donations.fields import DONATION_FIELDS, DONOR
from crm.donations.models import Donation
from crm.extensions import db

#: What a form may set, from the field table (crm/donations/fields.py); the donor is set by
#: its own rule (exactly one of company and alumnus).
FIELDS = tuple(name for name in DONATION_FIELDS.names("editable") if name not in DONOR)

#: Numeric(14, 2): twelve digits before the decimal point.
MAX_AMOUNT = Decimal("999999999999.99")


def save_donation(donation: Donation | None, data: dict[str, Any]) -> Donation:
    """Record a donation (donation=None) or change one.

    data: donor_type ("company" / "alumnus", optional), company_id, alumnus_id, amount,
    currency, received_on, purpose, restricted, notes. Exactly one donor; amount > 0.
    """
    errors: dict[str, str] = {}
    company_id, alumnus_id = data.get("company_id"), data.get("alumnus_id")
    donor_type = data.get("donor_type") or ("alumnus" if alumnus_id and not company_id
                                            else "company")
    chosen, other = ("company", "alumnus") if donor_type == "company" else ("alumnus", "company")
    ids = {"company": company_id, "alumnus": alumnus_id}
    if ids[other] is not None:
        errors[other] = _("A donation has exactly one donor: clear this field, or make the "
                          "donor type match it.")
    if ids[chosen] is None:
        errors[chosen] = (_("Choose the company that gave.") if chosen == "company"
                          else _("Choose the alumnus who gave."))
    model = Company if chosen == "company" else Alumnus
    donor = db.session.get(model, ids[chosen]) if ids[chosen] is not None else None
    if ids[chosen] is not None and donor is None:
        errors[chosen] = _("That record no longer exists; pick again.")

    amount = data.get("amount")
    try:
        amount = Decimal(str(amount)) if amount not in (None, "") else None
    except InvalidOperation:
        amount = Decimal("NaN")
    if amount is None:
        errors["amount"] = _("Enter the amount.")
    elif not amount.is_finite() or amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    elif amount > MAX_AMOUNT:
        errors["amount"] = _("That amount is too large to record.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("Use at most two decimal places.")

    currency = nfkc(data.get("currency")).upper() or "JPY"
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = _("Use a three-letter ISO currency code (JPY, USD, EUR ...).")
    elif currency not in list_currencies():
        errors["currency"] = _("%(code)s is not a known ISO currency code.", code=currency)
    if not isinstance(data.get("received_on"), date):
        errors["received_on"] = _("Enter the date the donation was received.")
    if errors:
        raise ValidationError(errors)

    if donation is None:
        donation = Donation()
        db.session.add(donation)
    apply(donation, {**data, "amount": amount, "currency": currency,
                     "restricted": bool(data.get("restricted"))}, FIELDS)
    donation.company = donor if chosen == "company" else None
    donation.alumnus = donor if chosen == "alumnus" else None
    db.session.flush()
    return donation


def delete_donation(donation: Donation) -> None:
    """Delete a donation (the audit trail keeps its amount and donor)."""
    db.session.delete(donation)
    db.session.flush()
