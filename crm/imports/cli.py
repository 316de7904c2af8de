"""`crm import` (placeholder)."""
from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add this feature's commands to the `crm` group."""
