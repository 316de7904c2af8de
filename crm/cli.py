"""The `crm` command: set up, load demo data, manage users, serve."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from crm import create_app
from crm.auth.permissions import Role
from crm.common.services import ValidationError, unit_of_work


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=False,
             help="Kakehashi (架け橋): the industry-liaison CRM.")
def main() -> None:
    """Kakehashi's command line."""


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database schema, or upgrade it to the newest version."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo(f"Schema is up to date: {_safe_url()}")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(
        hide_password=True)


@main.command("demo")
@click.option("--scale", type=click.Choice(["small", "large"]), default="small",
              help="small: a realistic office (default); large: the benchmark set "
                   "(~50,000 companies).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has companies.")
@click.option("--seed", type=int, default=42, help="Random seed, for repeatable data.")
@with_appcontext
def demo_command(scale: str, if_empty: bool, seed: int) -> None:
    """Load bilingual demo data (companies, contacts, events, research, alumni, donations)."""
    from crm import demo

    if if_empty and demo.has_data():
        click.echo("The database already has data; demo data not loaded.")
        return
    with unit_of_work("demo"):
        summary = demo.load(scale=scale, seed=seed, echo=click.echo)
    for key, value in summary.items():
        click.echo(f"  {key}: {value}")


@main.group("user")
def user_group() -> None:
    """Manage users."""


@user_group.command("create")
@click.option("--email", required=True, help="Login e-mail address.")
@click.option("--name", required=True, help="Name shown in the CRM.")
@click.option("--role", "roles", required=True, multiple=True,
              type=click.Choice([r.value for r in Role]),
              help="Role; repeat for several (admin, manager, liaison, bd, researcher, staff).")
@click.option("--password", help="Password (asked for when omitted; at least 10 characters).")
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


@main.command("serve")
@click.option("--host", default="127.0.0.1", help="Address to listen on.")
@click.option("--port", default=5000, type=int, help="Port to listen on.")
@click.option("--debug", is_flag=True, help="Reload on code changes, show tracebacks.")
@with_appcontext
def serve_command(host: str, port: int, debug: bool) -> None:
    """Run the web server (for one office; use gunicorn for more)."""
    from crm import demo

    click.echo(f"Kakehashi is running at http://{host}:{port}/  (Ctrl+C stops it)")
    hint = demo.login_hint()
    if hint:
        click.echo(hint)
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    app.debug = debug
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)


if __name__ == "__main__":
    main()
