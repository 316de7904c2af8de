"""Users and their roles."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from crm.auth.permissions import Role, permissions_for
from crm.common.locking import Versioned
from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.research.models import Researcher

ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)
#: How often a user wants the e-mail digest (crm/notify/digest.py).
DIGEST_CHOICES = ("off", "daily", "weekly")


class User(UserMixin, db.Model, Versioned):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(
        "digest IN (" + ", ".join(f"'{v}'" for v in DIGEST_CHOICES) + ")",
        name="digest_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Interface language chosen by the user ("ja" / "en"); None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(default=True)
    #: A user with the researcher role is linked to their Researcher record.
    researcher_id: Mapped[int | None] = mapped_column(
        ForeignKey("researchers.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Every login session of this user carries this value (crm/auth/sessions.py); a new value
    #: ends them all: logout, a password change or reset, deactivation, a role taken away.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    #: The e-mail digest of My work (crm/notify): 'off', 'daily' or 'weekly' (on Mondays).
    digest: Mapped[str] = mapped_column(String(10), default="weekly", server_default="weekly")
    #: The secret behind this user's calendar link (/me/tasks.ics?token=...): the link's token is
    #: derived from it and the app's SECRET_KEY (crm/tasks/calendar.py); a new value ends the old
    #: link. None: no link made yet.
    calendar_key: Mapped[str | None] = mapped_column(String(64))

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    researcher: Mapped[Researcher | None] = relationship()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated user cannot log in
        return self.active

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def set_roles(self, roles: set[str] | list[str]) -> None:
        wanted = set(roles)
        self.role_rows = [r for r in self.role_rows if r.role in wanted] + [
            UserRole(role=name) for name in sorted(wanted - self.roles)
        ]

    def has_role(self, *names: str) -> bool:
        return bool(self.roles & set(names))

    def can(self, permission: str) -> bool:
        return permission in permissions_for(self.roles)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def end_sessions(self) -> None:
        """Every session of this user (on every device) ends at its next request."""
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="role_rows")

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class LoginAttempt(db.Model):
    """A refused login, kept for the throttle window (crm/auth/throttle.py): the database is
    shared by every web worker, so all of them count the same failures."""

    __tablename__ = "login_attempts"
    __audited__ = False
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: UTC, without a time zone (the same on SQLite and PostgreSQL).
    at: Mapped[datetime] = mapped_column(index=True)
    #: The e-mail as typed (lower case), whether or not such a user exists.
    email: Mapped[str] = mapped_column(String(254))
    #: The client's address (behind a proxy: as ProxyFix reads X-Forwarded-For).
    address: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.email} {self.address} {self.at}>"
