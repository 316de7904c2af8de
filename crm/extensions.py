"""Flask extensions, created unbound and initialised in create_app()."""
from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from flask_bootstrap import Bootstrap5
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase


#: Stable constraint names so Alembic migrations can refer to them on every engine.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware now in UTC (datetime.utcnow is deprecated)."""
    return datetime.now(UTC)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
babel = Babel()
bootstrap = Bootstrap5()


@event.listens_for(Engine, "connect")
def _sqlite_write_ahead(dbapi_connection, connection_record) -> None:
    """A SQLite database file is written ahead (WAL): a commit syncs the log once, where the
    rollback journal synced three times (15–20 ms a commit on the demo server, twice per save
    with the search outbox), and readers no longer wait for a writer. synchronous stays FULL:
    a commit that returned survives a power cut. Backups and restores use SQLite's online
    backup API, which copies what the log holds."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    try:
        mode = dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0]
        if mode in ("delete", "truncate", "persist"):  # not "memory": an in-memory database
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=FULL")
    except sqlite3.OperationalError:  # read-only, or another connection is in a transaction
        pass
