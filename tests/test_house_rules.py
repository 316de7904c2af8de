"""Conventions every feature keeps, checked over the whole application: a readable repr on
every model (what a log line, a debugger and a failing test show) and a docstring on every
page (what the next engineer reads first)."""
from __future__ import annotations

from crm.extensions import db


def test_every_model_has_its_own_repr(app):
    mapped = [m.class_ for m in db.Model.registry.mappers]
    assert len(mapped) > 30
    missing = sorted(c.__name__ for c in mapped if "__repr__" not in vars(c))
    assert missing == []
    for cls in mapped:
        # a new, unsaved record (no id, no relations) shows its class, never raises
        assert repr(cls()).startswith(f"<{cls.__name__} "), cls


def test_every_view_function_has_a_docstring(app):
    views = {name: view for name, view in app.view_functions.items()
             if view.__module__.startswith("crm.")}
    assert len(views) > 100
    undocumented = sorted(name for name, view in views.items() if not (view.__doc__ or "").strip())
    assert undocumented == []
