"""Every documented CRM_* setting is read from the environment by one loader (crm/config.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm import config

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_documented_crm_setting_is_read_by_the_loader():
    documented = set(re.findall(r"`(CRM_[A-Z_]+)`", README.read_text(encoding="utf-8")))
    assert "CRM_SCREENING_THRESHOLD" in documented
    read = set(config.ENV_SETTINGS) | set(config.from_environment({}).keys()) | {
        "CRM_INSTANCE_DIR"}  # read once at import, where the instance folder is
    assert documented <= read, documented - read


def test_settings_come_from_the_environment_and_feed_the_features(monkeypatch, app_from_env):
    from crm.screening import services

    monkeypatch.setenv("CRM_SCREENING_THRESHOLD", "0.9")
    monkeypatch.setenv("CRM_INDIRECT_RATE_DEFAULT", "0.25")
    monkeypatch.setenv("CRM_INDEX_MODE", "worker")
    app = app_from_env()
    assert app.config["CRM_SCREENING_THRESHOLD"] == 0.9
    assert app.config["CRM_INDIRECT_RATE_DEFAULT"] == 0.25
    assert app.config["CRM_INDEX_MODE"] == "worker"
    with app.app_context():
        assert services.threshold() == 0.9
    # given explicitly wins over the environment; unset keeps the feature's default
    monkeypatch.delenv("CRM_INDIRECT_RATE_DEFAULT")
    app = app_from_env(CRM_SCREENING_THRESHOLD=0.8)
    assert app.config["CRM_SCREENING_THRESHOLD"] == 0.8
    assert app.config["CRM_INDIRECT_RATE_DEFAULT"] == config.DEFAULTS["CRM_INDIRECT_RATE_DEFAULT"]
    monkeypatch.delenv("CRM_SCREENING_THRESHOLD")
    with app_from_env().app_context():
        assert services.threshold() == services.DEFAULT_THRESHOLD


@pytest.mark.parametrize("key, value, message", [
    ("CRM_SCREENING_THRESHOLD", "high", "not a number"),
    ("CRM_SCREENING_THRESHOLD", "86", "between 0 and 1"),
    ("CRM_INDIRECT_RATE_HIGH", "1.3", "between 0 and 1"),
    ("CRM_INDEX_MODE", "async", "inline, worker"),
    ("CRM_BEHIND_PROXY", "nginx", "whole number, or yes/no"),
    ("CRM_SESSION_IDLE_MINUTES", "two hours", "not a number"),
])
def test_a_bad_value_stops_with_a_message_naming_the_variable(monkeypatch, key, value, message):
    monkeypatch.setenv(key, value)
    with pytest.raises(ValueError, match=f"{key}=.*{message}"):
        config.from_environment({})


def test_session_and_import_defaults_come_from_the_one_loader(monkeypatch):
    """crm/config.py holds the defaults; the environment is read there and nowhere else."""
    for key in ("CRM_BEHIND_PROXY", "SESSION_COOKIE_SECURE", "CRM_SESSION_IDLE_MINUTES",
                "CRM_IMPORT_MAX_ROWS"):
        monkeypatch.delenv(key, raising=False)
    assert config.DEFAULTS["CRM_SESSION_IDLE_MINUTES"] == 120
    assert config.DEFAULTS["CRM_IMPORT_MAX_ROWS"] == 200_000
    monkeypatch.setenv("CRM_BEHIND_PROXY", "yes")
    monkeypatch.setenv("CRM_IMPORT_MAX_ROWS", "5000")
    read = config.from_environment({})
    assert read["CRM_BEHIND_PROXY"] == 1 and read["CRM_IMPORT_MAX_ROWS"] == 5000
