"""Configuration: the one loader. DEFAULTS holds every setting's default; create_app() lays
the environment over them (ENV_SETTINGS: the documented CRM_* variables, each with its parser),
then the keys it is given. Features read app.config, never the environment."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from importers.limits import CONFIG_KEYS as IMPORT_LIMIT_KEYS, Limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("CRM_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def _secret_key() -> str:
    """SECRET_KEY from the environment (or the file SECRET_KEY_FILE names), else one generated
    once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if os.environ.get("SECRET_KEY_FILE"):  # e.g. a systemd credential; never in the repo
        key = Path(os.environ["SECRET_KEY_FILE"]).read_text().strip()
        if len(key) < 32:
            raise RuntimeError("SECRET_KEY_FILE holds fewer than 32 characters")
        return key
    key_file = INSTANCE_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def database_url(url: str | None = None) -> str:
    """DATABASE_URL with a driver SQLAlchemy knows (postgres:// -> postgresql+psycopg://)."""
    url = url or os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'kakehashi.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _fraction(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError("it must be between 0 and 1")
    return number


def _choice(*allowed: str):
    def read(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"it must be one of {', '.join(allowed)}")
        return value
    return read


#: The documented CRM_* settings read from the environment when set (name -> parser); unset,
#: the feature's own default applies. README's settings table lists them.
def _whole(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("it must be a whole number, 0 or more")
    return number


def _text(value: str) -> str:
    return value


_YES = {"1", "true", "yes", "on"}
_NO = {"", "0", "false", "no", "off"}


def _flag(value: str) -> bool:
    text = value.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError("it must be 1 or 0 (true or false)")


def _proxies(value: str) -> int:
    """CRM_BEHIND_PROXY: a number of proxies, or yes (1) / no (0)."""
    text = value.strip().lower()
    if text in _YES:
        return 1
    if text in _NO:
        return 0
    try:
        return _whole(text)
    except ValueError:
        raise ValueError("it must be a whole number, or yes/no") from None


#: The interface languages (Japanese first).
LANGUAGES = ("ja", "en")

ENV_SETTINGS = {
    "CRM_REPORT_CACHE_SECONDS": _whole,
    "CRM_WORK_CACHE_SECONDS": _whole,
    "CRM_SCREENING_THRESHOLD": _fraction,
    "CRM_INDIRECT_RATE_DEFAULT": _fraction,
    "CRM_INDIRECT_RATE_HIGH": _fraction,
    "CRM_INDEX_MODE": _choice("inline", "worker"),
    # processes that analyse documents in `crm index rebuild` (1: in-process)
    "CRM_INDEX_PROCS": _whole,
    # where the search index lives: a Whoosh directory (CRM_INDEX_DIR) or the PostgreSQL
    # database itself, shared by every web host (search_index/pg.py)
    "CRM_SEARCH_BACKEND": _choice("whoosh", "postgres"),
    # MiB of decoded postings each process keeps for matching (search_index/index.py)
    "CRM_SEARCH_CACHE_MB": _whole,
    # serving (crm serve; its options default to these) and logs (crm/ops)
    "CRM_HOST": _text,
    "CRM_PORT": _whole,
    "CRM_WORKERS": _whole,
    "CRM_THREADS": _whole,
    "CRM_LOG_FORMAT": _choice("plain", "json"),
    "CRM_LOG_LEVEL": _choice("DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning",
                             "error"),
    "CRM_READY_MAX_INDEX_LAG": _whole,
    # sessions and login (crm/auth/security.py, crm/auth/throttle.py)
    "CRM_SESSION_IDLE_MINUTES": _whole,
    "CRM_SESSION_MAX_HOURS": _whole,
    "CRM_BEHIND_PROXY": _proxies,
    "SESSION_COOKIE_SECURE": _flag,
    "CRM_LOGIN_MAX_FAILURES": _whole,
    "CRM_LOGIN_MAX_FAILURES_PER_ADDRESS": _whole,
    "CRM_LOGIN_WINDOW_MINUTES": _whole,
    # what an import may inflate (importers/limits.py: its Limits are the defaults)
    "CRM_IMPORT_MAX_ROWS": _whole,
    "CRM_IMPORT_MAX_COLUMNS": _whole,
    "CRM_IMPORT_MAX_CELLS": _whole,
    "CRM_IMPORT_MAX_CELL_CHARS": _whole,
    "CRM_IMPORT_MAX_MEMBER_BYTES": _whole,
    "CRM_IMPORT_MAX_UNCOMPRESSED_BYTES": _whole,
    "CRM_IMPORT_MAX_VCARD_LINES": _whole,
    "CRM_IMPORT_MAX_VCARD_LINE_BYTES": _whole,
    "CRM_MAX_UPLOAD_BYTES": _whole,
    # My work and its e-mail digest (crm/main/my_work.py, crm/notify/digest.py)
    "CRM_STUCK_DAYS": _whole,
    "CRM_BASE_URL": _text,
    "MAIL_SERVER": _text,
    "MAIL_PORT": _whole,
    "MAIL_USE_TLS": _flag,
    "MAIL_USERNAME": _text,
    "MAIL_PASSWORD": _text,
    "MAIL_FROM": _text,
}


def _env_settings(given: dict) -> dict:
    out = {}
    for key, parse in ENV_SETTINGS.items():
        raw = os.environ.get(key, "").strip()
        if key in given or not raw:
            continue
        try:
            out[key] = parse(raw)
        except ValueError as err:
            reason = str(err) if "must" in str(err) else "it is not a number"
            raise ValueError(f"{key}={raw!r} in the environment cannot be used: {reason}.") \
                from None
    return out


def from_environment(given: dict | None = None) -> dict:
    """The settings create_app() takes from the environment, for keys not given explicitly."""
    given = given or {}
    readers = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": _secret_key,
        "CRM_INDEX_DIR": lambda: os.environ.get("CRM_INDEX_DIR", str(INSTANCE_DIR / "index")),
        # The office's time zone: "today" and every time shown (crm/common/time.py).
        "CRM_TIMEZONE": lambda: os.environ.get("CRM_TIMEZONE") or "Asia/Tokyo",
        # request bodies: uploads (imports, screening lists, request attachments), other routes
        "MAX_CONTENT_LENGTH": lambda: int(os.environ.get("CRM_MAX_UPLOAD_BYTES", 64 * 1024 * 1024)),
        "CRM_MAX_REQUEST_BYTES": lambda: int(os.environ.get("CRM_MAX_REQUEST_BYTES", 1024 * 1024)),
    }
    settings = {key: read() for key, read in readers.items() if key not in given}
    settings.update(_env_settings(given))
    return settings


DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "BOOTSTRAP_SERVE_LOCAL": True,
    "BOOTSTRAP_BOOTSWATCH_THEME": None,
    "BABEL_DEFAULT_LOCALE": "ja",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "CRM_INDIRECT_RATE_DEFAULT": 0.20,  # indirect costs on direct costs (case 23)
    "CRM_INDIRECT_RATE_HIGH": 0.30,  # quarterly progress reports or a partner-language contract
    # sessions and login (crm/auth/security.py, crm/auth/throttle.py; README, Configuration)
    "CRM_SESSION_IDLE_MINUTES": 120,
    "CRM_SESSION_MAX_HOURS": 12,
    "CRM_BEHIND_PROXY": 0,
    "SESSION_COOKIE_SECURE": None,  # None: on exactly when CRM_BEHIND_PROXY is set
    "CRM_LOGIN_MAX_FAILURES": 10,
    "CRM_LOGIN_MAX_FAILURES_PER_ADDRESS": 50,
    "CRM_LOGIN_WINDOW_MINUTES": 15,
    # what an import may inflate: importers/limits.py's own bounds (it runs without Flask too)
    **{key: getattr(Limits(), name) for key, name in IMPORT_LIMIT_KEYS.items()},
}
