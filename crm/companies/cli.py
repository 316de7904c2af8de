"""`crm register import FILE`: Japan's corporate-number register against our companies."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext


def register(group: click.Group) -> None:
    """Add this feature's commands to the `crm` group."""
    group.add_command(register_group)


@click.group("register")
def register_group() -> None:
    """Japan's corporate-number register (国税庁 法人番号公表サイト)."""


class _DryRun(Exception):
    """Raised inside the unit of work so that a dry run rolls back."""


@register_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def register_import(file: Path, dry_run: bool, as_json: bool) -> None:
    """Compare FILE (a 全件 or 差分 file of the register: the zip as downloaded or its CSV,
    Unicode or Shift_JIS) with our companies by corporate number: fill our empty reading,
    English name, address and postcode; record closures and successors; list differing names
    for review (never overwritten). One transaction; the same file again changes nothing."""
    from crm.common.services import unit_of_work
    from crm.companies.register import import_register
    from importers.houjin import RegisterFileError

    try:
        with unit_of_work("register import"):
            report = import_register(file)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except RegisterFileError as err:
        click.echo(f"Error: {file.name}: {err} Nothing was written.", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(report.as_dict() | {"dry_run": dry_run}, ensure_ascii=False,
                              indent=1))
        return
    verb = "Would change" if dry_run else "Changed"
    click.echo(f"{file.name}: {report.rows:,} register rows ({report.encoding}), "
               f"{report.matched:,} of our companies found, {report.rows_per_second:,.0f} rows/s.")
    click.echo(f"  {verb} {report.changed:,} companies: {report.filled:,} empty fields filled, "
               f"{report.closed:,} newly closed, {report.reopened:,} reopened.")
    click.echo(f"  {report.to_review:,} names differ from the register: review them at "
               "/companies/register.")
    for change in report.changes[:50]:
        click.echo(f"  #{change['id']} {change['name']} ({change['number']}): "
                   f"{', '.join(change['changed'])}")
    if len(report.changes) > 50:
        click.echo(f"  ... and {len(report.changes) - 50:,} more (--json lists them all).")
    if dry_run:
        click.echo("Dry run: nothing was written.")
