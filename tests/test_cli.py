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
