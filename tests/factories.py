"""One factory per record: plain functions with sensible defaults, every field overridable by
keyword. Each saves its record and commits, the way the tests built it before: through the
service (company, contact, department, researcher, seed, event, collaboration, NDA), else
through the model (user, activity, encounter, alumnus, donation, request: an activity's author or
a request's age are not something a service takes). The fixtures that hand some of them out
(make_company, users, event) live in conftest.py."""
from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from werkzeug.security import generate_password_hash

from crm.extensions import db

PASSWORD = "correct horse battery"
_HASH = generate_password_hash(PASSWORD)  # computed once: hashing is slow on purpose
_numbers = itertools.count(1)


def make_user(role: str | list[str], email: str | None = None, name: str | None = None, **kw):
    """A user with `role` (or roles) and the password PASSWORD; e-mail <roles>@example.org."""
    from crm.auth.models import User

    roles = [role] if isinstance(role, str) else role
    user = User(email=email or f"{'-'.join(roles)}@example.org", name=name or f"{roles[0]} user",
                password_hash=_HASH, **kw)
    user.set_roles(roles)
    db.session.add(user)
    db.session.commit()
    return user


def make_company(**fields: Any):
    """A company through the service (株式会社テスト unless named)."""
    from crm.companies.services import save_company

    fields.setdefault("name", "株式会社テスト")
    company = save_company(None, fields)
    db.session.commit()
    return company


def make_contact(company=None, family_name: str = "山田", given_name: str | None = None,
                 **fields: Any):
    """A person (山田 unless named), at `company` if given, through the service."""
    from crm.contacts.services import save_contact

    fields.update(family_name=family_name, given_name=given_name)
    if company is not None:
        fields["company_id"] = company.id
    contact = save_contact(None, {k: v for k, v in fields.items() if v is not None})
    db.session.commit()
    return contact


def make_activity(company, user=None, **fields: Any):
    """A meeting with `company` on 2 March 2026 written by `user`, with `contacts` if given."""
    from crm.activities.models import Activity

    fields.setdefault("kind", "meeting")
    fields.setdefault("occurred_on", date(2026, 3, 2))
    fields.setdefault("subject", "Kick-off")
    contacts = fields.pop("contacts", [])
    activity = Activity(company_id=company.id, user_id=user.id if user else None, **fields)
    activity.contacts.extend(contacts)
    db.session.add(activity)
    db.session.commit()
    return activity


def make_department(**fields: Any):
    """A department through the service, named 工学研究科<n> (a new n each time) unless named."""
    from crm.research.services import save_department

    fields.setdefault("name", f"工学研究科{next(_numbers)}")
    department = save_department(None, fields)
    db.session.commit()
    return department


def make_researcher(**fields: Any):
    """A researcher (山田 太郎 unless named) through the service."""
    from crm.research.services import save_researcher

    fields.setdefault("family_name", "山田")
    fields.setdefault("given_name", "太郎")
    researcher = save_researcher(None, fields)
    db.session.commit()
    return researcher


def make_seed(researchers=(), **fields: Any):
    """A research seed of `researchers` through the service."""
    from crm.research.services import save_seed

    fields.setdefault("title", "高効率ペロブスカイト太陽電池")
    fields["researcher_ids"] = [r.id for r in researchers]
    seed = save_seed(None, fields)
    db.session.commit()
    return seed


def make_event(**fields: Any):
    """An event (nano tech 2025 on 29 January 2025 unless said) through the service."""
    from crm.events.services import save_event

    fields.setdefault("name", "nano tech 2025")
    fields.setdefault("starts_on", date(2025, 1, 29))
    event = save_event(None, fields)
    db.session.commit()
    return event


def make_fair(**fields: Any):
    """A fair running now: from yesterday to tomorrow (what the fair form offers)."""
    today = date.today()
    return make_event(**{"name": "nano tech", "starts_on": today - timedelta(days=1),
                         "ends_on": today + timedelta(days=1), **fields})


def make_encounter(event, contact, **fields: Any):
    """`contact` met at `event` (on its first day unless said)."""
    from crm.events.models import Encounter

    fields.setdefault("met_on", event.starts_on)
    encounter = Encounter(event_id=event.id, contact_id=contact.id, **fields)
    db.session.add(encounter)
    db.session.commit()
    return encounter


def make_alumnus(family_name: str = "山田", given_name: str = "花子", **fields: Any):
    from crm.alumni.models import Alumnus

    alumnus = Alumnus(family_name=family_name, given_name=given_name, **fields)
    db.session.add(alumnus)
    db.session.commit()
    return alumnus


def make_donation(donor, amount: str, currency: str = "JPY", **fields: Any):
    """A donation of `amount` from `donor` (a company or an alumnus), received 1 April 2025."""
    from crm.alumni.models import Alumnus
    from crm.donations.models import Donation

    key = "alumnus_id" if isinstance(donor, Alumnus) else "company_id"
    fields.setdefault("received_on", date(2025, 4, 1))
    donation = Donation(**{key: donor.id}, amount=Decimal(amount), currency=currency, **fields)
    db.session.add(donation)
    db.session.commit()
    return donation


def make_collaboration(company, seed, **fields: Any):
    """A joint research opened today with `company` on `seed`, through the service."""
    from crm.collaborations.services import save_collaboration

    data = {"kind": "joint_research", "title": "電解質の共同研究", "company_id": company.id,
            "seed_ids": [seed.id], "researcher_ids": [], "currency": "JPY",
            "contract_language": "ja", "opened_on": date.today(), **fields}
    collab = save_collaboration(None, data)
    db.session.commit()
    return collab


def make_nda(company, **fields: Any):
    """A signed, mutual NDA with `company` (in force from 1 April 2025 for a year), through the
    service."""
    from crm.ndas.services import save_nda

    data = {"company_id": company.id, "title": "秘密保持契約（ロボット制御）", "status": "signed",
            "signed_on": date(2025, 3, 20), "effective_from": date(2025, 4, 1),
            "term_months": 12, "survival_months": 24, "mutual": True,
            "arbitration_country": "JP", **fields}
    nda = save_nda(None, data)
    db.session.commit()
    return nda


def make_request(user_id: int, status: str = "submitted", age_days: int = 0, **fields: Any):
    """A data-entry request submitted by user `user_id` `age_days` ago."""
    from crm.extensions import utcnow
    from crm.requests.models import DataEntryRequest

    fields.setdefault("person_name", "誰か")
    req = DataEntryRequest(submitted_by_id=user_id, status=status,
                           created_at=(utcnow() - timedelta(days=age_days)).replace(tzinfo=None),
                           **fields)
    db.session.add(req)
    db.session.commit()
    return req
