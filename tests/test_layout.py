"""The layout rules the house relies on: the import machinery knows no feature (each feature
registers its kind), and every import kind is registered once, beside its feature."""
from __future__ import annotations

import subprocess
import sys


def test_the_import_machinery_loads_no_feature():
    code = ("import sys, crm.imports.services, crm.imports.views\n"
            "shared = {'imports', 'common', 'extensions', 'audit', 'config', 'auth'}\n"
            "print(sorted(m for m in sys.modules if m.startswith('crm.')"
            " and m.split('.')[1] not in shared and not m.endswith('.models')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", f"crm/imports imports features at module level: {out}"


def test_every_import_kind_is_registered_beside_its_feature(app):
    from crm.imports.kinds import importers
    from crm.imports.models import IMPORT_KINDS
    from importers.fields import KINDS

    registered = importers()
    assert set(registered) == set(IMPORT_KINDS) == set(KINDS)
    for kind, cls in registered.items():
        assert cls.kind == kind
        assert cls.__module__.endswith(".importing") and cls.__module__.startswith("crm."), \
            f"{kind} is imported by {cls.__module__}, not by its feature's importing.py"
