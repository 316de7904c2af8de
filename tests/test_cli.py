"""The command line: `crm` (the installed script) and `python -m crm.cli` are one command with
the same subcommands, each feature's added through crm/cli.py FEATURE_CLIS."""
from __future__ import annotations

import importlib
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands(argv: list[str]) -> set[str]:
    """The subcommand names a --help lists under "Commands:"."""
    out = subprocess.run([*argv, "--help"], capture_output=True, text=True, cwd=ROOT,
                         timeout=120, check=True).stdout
    listing = out.split("Commands:", 1)[1]
    return {m.group(1) for m in re.finditer(r"^  (\S+)", listing, re.MULTILINE)}


def test_python_m_crm_cli_has_every_command_crm_has():
    (script,) = entry_points(group="console_scripts", name="crm")
    assert script.value == "crm.cli:main"
    installed = _commands([str(Path(sys.executable).with_name("crm"))])
    as_module = _commands([sys.executable, "-m", "crm.cli"])
    assert as_module == installed
    # the feature commands `python -m crm.cli` once lacked, and the core ones
    assert {"import", "export", "lists", "screen", "user", "backup", "restore",
            "init", "demo", "serve", "index", "match"} <= installed


def test_every_feature_cli_registers_the_same_way():
    from crm.cli import FEATURE_CLIS, main

    for name in FEATURE_CLIS:
        module = importlib.import_module(name)
        assert callable(module.register), name
    # `crm user create` now lives with the users (crm/auth/cli.py) and is still there
    assert "create" in main.commands["user"].commands


# --- a database with no schema -------------------------------------------------------------------

import pytest  # noqa: E402


@pytest.fixture
def empty_app(app, tmp_path):
    """An app on a database that was never initialised, of the suite's engine: a new SQLite
    file, or a new PostgreSQL database (cli_test_no_schema_<pid>, dropped afterwards)."""
    import os

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from crm import create_app
    from crm.extensions import db

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = None
    if url.get_backend_name() == "postgresql":
        name = f"cli_test_no_schema_{os.getpid()}"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        target = f"sqlite:///{tmp_path / 'never-initialised.db'}"
    empty = create_app({"SQLALCHEMY_DATABASE_URI": target, "SECRET_KEY": "x",
                        "CRM_INDEX_DIR": str(tmp_path / "index"), "SERVER_NAME": "localhost",
                        "MAIL_SERVER": "localhost", "MAIL_FROM": "crm@example.org"})
    empty.instance_path = str(tmp_path / "instance")
    yield empty
    with empty.app_context():
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_every_command_on_a_database_with_no_schema_says_run_crm_init(empty_app, tmp_path):
    from crm.cli import main

    runner = empty_app.test_cli_runner()
    csv_file = tmp_path / "c.csv"
    csv_file.write_text("会社名\n株式会社テスト\n", encoding="utf-8")
    commands = [
        ["import", "companies", str(csv_file)],
        ["import", "companies", str(csv_file), "--json"],
        ["screen", "株式会社テスト"],
        ["notify", "digest"],
        ["index", "rebuild"],
        ["index", "status"],
        ["export", "companies", "-o", str(tmp_path / "out.csv")],
        ["lists", "status"],
        ["match", "植物工場"],
        ["backup", "-o", str(tmp_path / "b.tar.gz")],
        ["demo"],
    ]
    # the commands run with the empty app (the suite's own app context is pushed for every test)
    with empty_app.app_context():
        for args in commands:
            result = runner.invoke(main, args)
            assert result.exit_code == 2, (args, result.output)
            assert "run `crm init` first" in result.stderr, args
            assert "Traceback" not in result.output and "no such table" not in result.output
            assert result.stdout == "", args
        assert not (tmp_path / "out.csv").exists()
        # asking for help needs no schema
        helped = runner.invoke(main, ["import", "--help"])
        assert helped.exit_code == 0 and "--map" in helped.stdout

        # once initialised, the same command imports
        assert runner.invoke(main, ["init"]).exit_code == 0
        done = runner.invoke(main, ["import", "companies", str(csv_file), "--json"])
    assert done.exit_code == 0, done.output
    assert '"created": 1' in done.stdout
