"""A gettext hook for the messages the importers show to users, without importing Flask.

Messages are written `_("... {name} ...").format(name=...)`, so pybabel extracts them with the rest
of the project. The web app (or the CLI) calls `set_translator(flask_babel.gettext)` once; until
then, and outside a request, the English text is used as is.
"""
from __future__ import annotations

from collections.abc import Callable

_translator: Callable[[str], str] | None = None


def set_translator(func: Callable[[str], str] | None) -> None:
    """Use `func(message) -> translated message` for every importer message from now on
    (None restores English)."""
    global _translator
    _translator = func


def _(message: str) -> str:
    func = _translator
    if func is None:
        return message
    try:
        return str(func(message))
    except Exception:  # no request/app context: fall back to English rather than fail a parse
        return message
