"""As-you-type suggestions for record pickers: one entry per kind of record."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from crm.auth.models import User
from crm.common.text import fold_company_name, fold_text, nfkc
from crm.common.views import like
from crm.companies.models import Company, name_contains
from crm.contacts.models import Contact
from crm.events.models import Event
from crm.alumni.models import Alumnus
from crm.research.models import Researcher, ResearchSeed


@dataclass(frozen=True)
class Suggester:
    model: type
    #: Records whose name contains the text, best first.
    search: Callable[[str], Select]
    #: Records whose name is exactly the text.
    exact: Callable[[str], Select]
    permission: str = "records.view"


def _person(model: type) -> Suggester:
    def search(q: str) -> Select:
        text = nfkc(q)
        full = func.coalesce(model.family_name, "") + func.coalesce(model.given_name, "")
        full_en = func.coalesce(model.given_name, "") + " " + func.coalesce(model.family_name, "")
        reading = func.coalesce(model.family_name_reading, "") + func.coalesce(
            model.given_name_reading, "")
        return select(model).where(or_(
            full.ilike(like(text.replace(" ", "").replace("\u3000", "")), escape="\\"),
            full_en.ilike(like(text), escape="\\"),
            reading.like(like(fold_text(text).replace(" ", "")), escape="\\"),
        )).order_by(model.family_name, model.id)

    def exact(text: str) -> Select:
        parts = nfkc(text).split()
        if len(parts) == 2:
            a, b = parts
            return select(model).where(or_(
                (model.family_name == a) & (model.given_name == b),
                (model.family_name == b) & (model.given_name == a),
            ))
        return select(model).where(model.family_name == nfkc(text))

    return Suggester(model, search, exact)


def _company_search(q: str) -> Select:
    return select(Company).where(name_contains(q)).order_by(func.length(Company.name_folded),
                                                           Company.id)


SUGGESTERS: dict[str, Suggester] = {
    "company": Suggester(
        Company, _company_search,
        lambda t: select(Company).where(Company.name_folded == fold_company_name(t)),
    ),
    "contact": _person(Contact),
    "alumnus": _person(Alumnus),
    "researcher": _person(Researcher),
    "event": Suggester(
        Event,
        lambda q: select(Event).where(Event.name.ilike(like(nfkc(q)), escape="\\"))
        .order_by(Event.starts_on.desc()),
        lambda t: select(Event).where(Event.name == nfkc(t)),
    ),
    "seed": Suggester(
        ResearchSeed,
        lambda q: select(ResearchSeed).where(ResearchSeed.title.ilike(like(nfkc(q)), escape="\\"))
        .order_by(ResearchSeed.id),
        lambda t: select(ResearchSeed).where(ResearchSeed.title == nfkc(t)),
    ),
    "user": Suggester(
        User,
        lambda q: select(User).where(or_(User.name.ilike(like(nfkc(q)), escape="\\"),
                                         User.email.ilike(like(nfkc(q)), escape="\\")))
        .order_by(User.name),
        lambda t: select(User).where(or_(User.name == nfkc(t), User.email == nfkc(t).lower())),
    ),
}
