"""`crm user create`."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from crm.auth.permissions import Role
from crm.common.services import ValidationError, unit_of_work


def register(group: click.Group) -> None:
    """Add this feature's commands to the `crm` group."""
    group.add_command(user_group)


@click.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="Name shown in the CRM.")
@click.option("--role", "roles", required=True, multiple=True,
              type=click.Choice([r.value for r in Role]),
              help="Role; repeat for several (admin, manager, liaison, bd, researcher, staff).")
@click.option("--password",
              help="Password (asked for when omitted; 12+ characters, not a common one).")
@with_appcontext
def user_create(email: str, name: str, roles: tuple[str, ...], password: str | None) -> None:
    """Create a user with one or more roles."""
    from crm.auth.services import create_user

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with unit_of_work("cli"):
            user = create_user(email=email, name=name, roles=list(roles), password=password)
    except ValidationError as err:
        for field, message in err.errors.items():
            click.echo(f"Error: {field}: {message}", err=True)
        sys.exit(1)
    click.echo(f"Created user {user.email} ({', '.join(sorted(user.roles))}).")
