"""Kakehashi (架け橋): a CRM for university industry-liaison offices."""
from __future__ import annotations

from typing import Any

from flask import Flask

from crm.config import DEFAULTS, INSTANCE_DIR, PROJECT_ROOT, database_url, from_environment

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions and blueprints, nothing else."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.update(DEFAULTS)
    config = dict(config or {})
    if "SQLALCHEMY_DATABASE_URI" in config:
        config["SQLALCHEMY_DATABASE_URI"] = database_url(config["SQLALCHEMY_DATABASE_URI"])
    app.config.update(from_environment(config))
    app.config.update(config)
    from crm.common.time import check_zone

    # Babel converts displayed times to the office's zone, whatever the server's clock zone.
    app.config["BABEL_DEFAULT_TIMEZONE"] = check_zone(app.config["CRM_TIMEZONE"])

    from crm import web
    from crm.extensions import babel, bootstrap, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale,
                   default_translation_directories=str(PROJECT_ROOT / "crm" / "translations"))
    from crm.ops import logs

    logs.init_app(app)  # request ids and request log lines (CRM_LOG_FORMAT, CRM_LOG_LEVEL)
    web.init_app(app)
    from crm.auth import security

    security.init_app(app)  # session settings, ProxyFix, CSP and headers
    return app
