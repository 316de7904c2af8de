"""Demo data: a small bilingual liaison office, or the large benchmark set."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from crm.companies.models import Company
from crm.extensions import db

_PASSWORD_LABEL = "Demo password (all demo users):"

DEMO_USERS = [
    ("admin@example.org", "管理 太郎 (Admin)", ["admin"]),
    ("manager@example.org", "本部 花子 (Manager)", ["manager"]),
    ("liaison@example.org", "連携 一郎 (Liaison)", ["liaison"]),
    ("liaison2@example.org", "Emily Carter (Liaison)", ["liaison"]),
    ("bd@example.org", "支援 由美 (BD)", ["bd"]),
    ("researcher@example.org", "研究 健 (Researcher)", ["researcher"]),
    ("staff@example.org", "事務 さくら (Staff)", ["staff"]),
    ("export-control@example.org", "安全 守 (Export control)", ["export_control"]),
]


def _credentials_file() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


def has_data() -> bool:
    """True when the database already holds companies or users."""
    from crm.auth.models import User

    return bool(
        db.session.scalar(select(func.count(Company.id)))
        or db.session.scalar(select(func.count(User.id)))
    )


def login_hint() -> str | None:
    """Where the demo logins are, if demo data was loaded here (never the password itself:
    it is printed once, when the demo is created, and kept in the credentials file)."""
    path = _credentials_file()
    if not path.exists():
        return None
    return f"Demo users: their e-mails and password are in {path}"


def _existing_password() -> str | None:
    """The password of demo data loaded before in this instance folder, if any.

    Several demo databases share one instance folder (``make run`` and ``make demo-large``);
    one password for all keeps the credentials file right for each of them.
    """
    path = _credentials_file()
    hint = path.read_text() if path.exists() else ""
    match = re.search(rf"{re.escape(_PASSWORD_LABEL)} (\S+)", hint)
    return match.group(1) if match else None


def _create_users(echo: Callable[[str], None]) -> dict[str, int]:
    """The demo users, all with one random password (hashed once: hashing is slow on purpose)."""
    from crm.auth.models import User

    password = _existing_password() or secrets.token_urlsafe(12)
    password_hash = generate_password_hash(password)
    ids = {}
    for email, name, roles in DEMO_USERS:
        user = User(
            email=email,
            name=name,
            password_hash=password_hash,
            locale="en" if "Emily" in name else None,
        )
        user.set_roles(roles)
        db.session.add(user)
        db.session.flush()
        ids[email] = user.id
    path = _credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "Log in (at the address `crm serve` prints) as any of: "
        + ", ".join(u[0] for u in DEMO_USERS)
        + f"\n{_PASSWORD_LABEL} {password}\n"
    )
    path.chmod(0o600)
    echo(path.read_text().strip())
    return ids


def load(
    scale: str = "small", seed: int = 42, echo: Callable[[str], None] = print
) -> dict[str, int]:
    """Create the demo users and records; returns counts of what was made."""
    ids = _create_users(echo)
    from crm import demo_data

    return demo_data.build(scale=scale, seed=seed, user_ids=ids, echo=echo)


def build_index(echo: Callable[[str], None] = print) -> dict[str, tuple[int, float]]:
    """Build the search index from the committed demo data: the large set is bulk-inserted
    (no outbox rows), so without this its search, match and company pages find nothing."""
    from crm import search

    echo(f"Building the search index in {search.get_index().path}")
    done = search.rebuild(echo=echo)
    count = sum(n for n, _ in done.values())
    seconds = sum(t for _, t in done.values())
    echo(f"  search index: {count:,} documents in {seconds:.0f} s "
         f"({count / max(seconds, 1e-9):,.0f} documents/s)")
    return done

