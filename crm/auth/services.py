"""Creating users and changing their roles; the web pages and `crm user create` both call these."""
from __future__ import annotations

from functools import cache

from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from crm.auth import passwords, throttle
from crm.auth.models import User
from crm.auth.permissions import Role
from crm.audit.models import AuditEntry
from crm.common.services import ValidationError
from crm.extensions import db, utcnow

MIN_PASSWORD = passwords.MIN_LENGTH


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
    if password is not None and "email" not in errors:
        reason = passwords.problem(password, email)
        if reason:
            errors["password"] = reason
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
                by: User | None = None) -> User:
    """Change a user's details, roles or password, as the admin `by` (who cannot remove their
    own admin role).

    Deactivating the user, taking a role away or a new password ends all their sessions."""
    user.email = _check(email, roles, password or None, user)
    if by is not None and by.id == user.id and ("admin" not in roles or not active):
        raise ValidationError({"roles": _("You cannot remove your own admin role or deactivate "
                                          "yourself.")})
    ends = (user.active and not active) or bool(user.roles - set(roles)) or bool(password)
    user.name = name.strip()
    user.active = active
    user.researcher_id = researcher_id
    user.set_roles(roles)
    if password:
        user.set_password(password)
        _audit_password(user, "set by an administrator")
    if ends:
        user.end_sessions()
    db.session.flush()
    return user


def _audit_password(user: User, how: str) -> None:
    """The trail gets a line for a password change (the hash itself is never written there)."""
    from crm.audit.services import current_actor

    user_id, actor = current_actor()
    db.session.add(AuditEntry(at=utcnow(), user_id=user_id, actor=actor[:254], action="update",
                              entity="users", entity_id=user.id, label=user.name[:300],
                              changes={"password": [None, how]}))


def change_own_password(user: User, *, current: str, new: str) -> User:
    """The user's new password, given their current one; their other sessions end."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationError({"current_password": _("That is not your current password.")})
    reason = passwords.problem(new or "", user.email)
    if reason is None and check_password_hash(user.password_hash, new):
        reason = _("The new password is the same as the current one.")
    if reason:
        raise ValidationError({"new_password": reason})
    user.set_password(new)
    user.end_sessions()
    _audit_password(user, "changed by the user")
    db.session.flush()
    return user


def set_password_for(user: User, password: str) -> User:
    """An administrator sets a new password for a user who forgot theirs: the user's sessions
    end and the login throttle lets the account in again."""
    reason = passwords.problem(password or "", user.email)
    if reason:
        raise ValidationError({"password": reason})
    user.set_password(password)
    user.end_sessions()
    throttle.clear(user.email)
    _audit_password(user, "set by an administrator")
    db.session.flush()
    return user


@cache
def dummy_hash() -> str:
    """A hash made the same way as users' hashes, checked when no such user exists."""
    return generate_password_hash("no such user: the check only takes the same time")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None.

    The password is checked against a hash in every case, also for an e-mail nobody has, so the
    answer takes as long whether or not the account exists."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    ok = check_password_hash(user.password_hash if user is not None else dummy_hash(), password)
    if user is None or not user.active or not ok:
        return None
    return user
