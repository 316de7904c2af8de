"""Demo data: a small bilingual liaison office, or the large benchmark set."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from crm.auth.services import create_user
from crm.companies.models import Company
from crm.extensions import db

DEMO_USERS = [
    ("admin@example.org", "管理 太郎 (Admin)", ["admin"]),
    ("manager@example.org", "本部 花子 (Manager)", ["manager"]),
    ("liaison@example.org", "連携 一郎 (Liaison)", ["liaison"]),
    ("liaison2@example.org", "Emily Carter (Liaison)", ["liaison"]),
    ("bd@example.org", "支援 由美 (BD)", ["bd"]),
    ("researcher@example.org", "研究 健 (Researcher)", ["researcher"]),
    ("staff@example.org", "事務 さくら (Staff)", ["staff"]),
]


def _credentials_file() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


def has_data() -> bool:
    """True when the database already holds companies or users."""
    from crm.auth.models import User

    return bool(db.session.scalar(select(func.count(Company.id)))
                or db.session.scalar(select(func.count(User.id))))


def login_hint() -> str | None:
    """Where to log in with the demo users, if demo data was loaded here."""
    path = _credentials_file()
    return path.read_text() if path.exists() else None


def _create_users(echo: Callable[[str], None]) -> dict[str, int]:
    password = secrets.token_urlsafe(9)
    ids = {}
    for email, name, roles in DEMO_USERS:
        user = create_user(email=email, name=name, roles=roles, password=password,
                           locale="en" if "Emily" in name else None)
        ids[email] = user.id
    path = _credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "Log in at http://127.0.0.1:5000/ as any of: "
        + ", ".join(u[0] for u in DEMO_USERS) + f"\nDemo password (all demo users): {password}\n"
    )
    path.chmod(0o600)
    echo(path.read_text().strip())
    return ids


def load(scale: str = "small", seed: int = 42,
         echo: Callable[[str], None] = print) -> dict[str, int]:
    """Create the demo users and records; returns counts of what was made."""
    ids = _create_users(echo)
    from crm import demo_data

    return demo_data.build(scale=scale, seed=seed, user_ids=ids, echo=echo)
