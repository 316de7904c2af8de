"""What every feature's services share."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from crm.audit.services import set_actor
from crm.extensions import db


class ValidationError(Exception):
    """A change refused for a reason the user can fix; errors are keyed by form field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class DuplicateRule:
    """How a save typed by hand answers possible duplicates (crm/common/views.py save_form):
    it raises `near` to ask (the user confirms and saves again), or `refused` (a
    ValidationError with .existing) to refuse, naming the record already held."""

    near: type[Exception]
    refused: type[ValidationError]


def apply(obj: object, data: dict, fields: tuple[str, ...]) -> None:
    """Copy the named fields from data onto obj, blank strings as None."""
    for name in fields:
        if name in data:
            value = data[name]
            if isinstance(value, str):
                value = value.strip() or None
            setattr(obj, name, value)


@contextmanager
def unit_of_work(actor: str = "cli", user_id: int | None = None) -> Iterator[None]:
    """One commit for a command or script; everything rolls back on any error."""
    set_actor(user_id, actor)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
