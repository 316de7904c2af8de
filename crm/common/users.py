"""Lookups of users for pickers."""
from __future__ import annotations

from sqlalchemy import select

from wtforms.fields.choices import SelectChoice

from crm.auth.models import User, UserRole
from crm.common.forms import options
from crm.extensions import db


def officer_choices() -> list[SelectChoice]:
    """Active liaison officers (and managers) for the responsible-officer select."""
    rows = db.session.execute(
        select(User.id, User.name).join(UserRole)
        .where(UserRole.role.in_(("liaison", "manager")), User.active.is_(True))
        .distinct().order_by(User.name)
    ).all()
    return options(rows, blank=True)
