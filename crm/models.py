"""Imports every model so metadata, migrations and relationships see them all, and every
field table (crm/common/fields.py TABLES) so the audit trail, merge and tests find them."""
from crm.activities.models import Activity, activity_contacts  # noqa: F401
from crm.alumni.models import Alumnus  # noqa: F401
from crm.audit.models import AuditEntry  # noqa: F401
from crm.auth.models import User, UserRole  # noqa: F401
from crm.companies.models import Company  # noqa: F401
from crm.contacts.models import Contact  # noqa: F401
from crm.donations.models import Donation  # noqa: F401
from crm.events.models import Encounter, Event  # noqa: F401
from crm.research.models import Department, Researcher, ResearchSeed, seed_researchers  # noqa: F401
from crm.liaison.models import Coverage, PortfolioAssignment  # noqa: F401
from crm.outbox import IndexOutbox  # noqa: F401
from crm.requests.models import DataEntryRequest, RequestMessage  # noqa: F401
from crm.imports import models as _imports_models  # noqa: F401
from crm.collaborations import models as _collaborations_models  # noqa: F401
from crm.ndas import models as _ndas_models  # noqa: F401
from crm.screening import models as _screening_models  # noqa: F401
from crm.duplicates import models as _duplicates_models  # noqa: F401
from crm.notify import models as _notify_models  # noqa: F401
from crm.tasks.models import Task  # noqa: F401
from crm.lists.models import SavedView  # noqa: F401
from crm.glossary.models import GlossaryEntry  # noqa: F401

from crm.activities import fields as _activities_fields  # noqa: F401
from crm.alumni import fields as _alumni_fields  # noqa: F401
from crm.collaborations import fields as _collaborations_fields  # noqa: F401
from crm.companies import fields as _companies_fields  # noqa: F401
from crm.contacts import fields as _contacts_fields  # noqa: F401
from crm.donations import fields as _donations_fields  # noqa: F401
from crm.events import fields as _events_fields  # noqa: F401
from crm.glossary import fields as _glossary_fields  # noqa: F401
from crm.ndas import fields as _ndas_fields  # noqa: F401
from crm.research import fields as _research_fields  # noqa: F401
