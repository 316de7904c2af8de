"""Creating users and changing their roles; the web pages and `crm user create` both call these."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.auth.models import User
from crm.auth.permissions import Role
from crm.common.services import ValidationError
from crm.extensions import db

MIN_PASSWORD = 10


def _check(email: str, roles: list[str] | set[str], password: str | None,
           user: User | None = None) -> str:
    email = (email or "").strip().lower()
    errors: dict[str, str] = {}
    if not email or "@" not in email:
        errors["email"] = _("Enter an e-mail address.")
    else:
        existing = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if existing is not None and existing is not user:
            errors["email"] = _("A user with the e-mail %(email)s already exists.", email=email)
    unknown = set(roles) - {r.value for r in Role}
    if unknown:
        errors["roles"] = _("Unknown role: %(roles)s.", roles=", ".join(sorted(unknown)))
    elif not roles:
        errors["roles"] = _("Give the user at least one role.")
    if password is not None and len(password) < MIN_PASSWORD:
        errors["password"] = _("Use at least %(n)s characters.", n=MIN_PASSWORD)
    if errors:
        raise ValidationError(errors)
    return email


def create_user(*, email: str, name: str, roles: list[str] | set[str], password: str,
                locale: str | None = None, researcher_id: int | None = None) -> User:
    """A new user with roles and a hashed password."""
    email = _check(email, roles, password)
    if not (name or "").strip():
        raise ValidationError({"name": _("Enter a name.")})
    user = User(email=email, name=name.strip(), locale=locale, researcher_id=researcher_id)
    user.set_password(password)
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, *, email: str, name: str, roles: list[str] | set[str],
                active: bool, password: str | None = None, researcher_id: int | None = None,
                acting_user: User | None = None) -> User:
    """Change a user's details, roles or password (an admin cannot remove their own admin role)."""
    user.email = _check(email, roles, password or None, user)
    if acting_user is not None and acting_user.id == user.id and ("admin" not in roles or not active):
        raise ValidationError({"roles": _("You cannot remove your own admin role or deactivate "
                                          "yourself.")})
    user.name = name.strip()
    user.active = active
    user.researcher_id = researcher_id
    user.set_roles(roles)
    if password:
        user.set_password(password)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user
