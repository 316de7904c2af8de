"""`crm backup` and `crm restore`."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The backup file to write (a .tar.gz archive).")
@click.option("--no-index", is_flag=True,
              help="Leave the search index out (a restore then rebuilds it).")
@with_appcontext
def backup_command(output: str, no_index: bool) -> None:
    """Back up the database (pg_dump, or SQLite's online backup) and the search index into one
    file, while the office keeps working."""
    from crm.ops.backup import BackupError, backup

    try:
        backup(output, echo=click.echo, include_index=not no_index)
    except BackupError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(1)


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True,
              help="Replace everything in a database that already holds data.")
@click.option("--rebuild-index", is_flag=True,
              help="Rebuild the search index from the restored database instead of restoring it.")
@with_appcontext
def restore_command(archive: str, force: bool, rebuild_index: bool) -> None:
    """Restore a backup made by `crm backup` into an empty database (stop the web server and
    the index worker first), then upgrade its schema to the newest migration."""
    from crm.ops.backup import BackupError, restore

    try:
        restore(archive, force=force, rebuild_index=rebuild_index, echo=click.echo)
    except BackupError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(1)


def register(group: click.Group) -> None:
    group.add_command(backup_command)
    group.add_command(restore_command)
