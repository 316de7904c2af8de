"""As-you-type suggestions for record pickers (RecordField, /suggest/<kind>): the registry.

Each feature registers its own kinds of record where its pages are declared (its views.py),
so this shared module imports no feature:

    register("company", Suggester(Company, search, exact))
    register("contact", person_suggester(Contact))
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select

from crm.common.sql import like
from crm.common.text import fold_text, nfkc


@dataclass(frozen=True)
class Suggester:
    model: type
    #: Records whose name contains the text, best first.
    search: Callable[[str], Select]
    #: Records whose name is exactly the text.
    exact: Callable[[str], Select]
    permission: str = "records.view"
    #: For the navbar's type-ahead on large tables: records whose names *begin* with the text,
    #: answered from an index (None: `search` is fast enough).
    starting: Callable[[str], Select] | None = None

    def quick(self, text: str) -> Select:
        """The type-ahead's query: `starting` when the kind has one, else `search`."""
        return (self.starting or self.search)(text)


#: kind -> Suggester, filled by the features' register() calls.
SUGGESTERS: dict[str, Suggester] = {}


def register(kind: str, suggester: Suggester) -> None:
    """Offer `kind` to record pickers; two features cannot claim one kind."""
    if kind in SUGGESTERS and SUGGESTERS[kind].model is not suggester.model:
        raise ValueError(f"suggester {kind!r} is already registered")
    SUGGESTERS[kind] = suggester


def named_suggester(model: type, column: Any, order_by: Any) -> Suggester:
    """Records whose `column` (a name or title) contains / is the typed text, width-folded."""
    return Suggester(
        model,
        lambda q: select(model).where(column.ilike(like(nfkc(q)), escape="\\")).order_by(order_by),
        lambda t: select(model).where(column == nfkc(t)),
    )


def person_suggester(model: type) -> Suggester:
    """People (family_name, given_name and their readings): 山田太郎, Taro Yamada, やまだ."""
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
            # Researchers keep their name in English too (Taro Yamada, Yamada Taro).
            *([model.name_en.ilike(like(text), escape="\\")] if hasattr(model, "name_en")
              else []),
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
