"""Records the duplicates routes take: a second company and a second contact to compare with."""
from __future__ import annotations

from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.extensions import db


def records(ids: dict) -> dict:
    company = Company(name="Walk Co., Ltd.", name_folded="walk", country="JP", status="active")
    contact = Contact(family_name="山田", given_name="太郎", company_id=ids["company_id"])
    db.session.add_all([company, contact])
    db.session.commit()
    return {"company_a": ids["company_id"], "company_b": company.id,
            "contact_a": ids["contact_id"], "contact_b": contact.id}
