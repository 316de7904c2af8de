"""`crm import KIND FILE`: the same dry run and commit as the web's import page.

Exit status: 0 when the file was read (rows it rejects are listed, the accepted ones are
imported, all in one transaction); 2 when the file cannot be read at all (missing, too large,
empty, binary, unknown encoding ...), with the reason on stderr; 1 when a service refused a
row while committing (nothing was imported).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from crm.imports.models import IMPORT_KINDS, POLICIES

#: Rejected rows the human summary lists (--json lists them all).
SHOWN_REJECTED = 20


def _fail(message: str, status: int = 2) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(status)


def _human(summary: dict, dry_run: bool, filename: str) -> None:
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {filename}: {summary['created']} created, {summary['updated']} updated, "
               f"{summary['merged']} merged, {summary['unchanged']} unchanged, "
               f"{len(summary['rejected'])} rejected.")
    rejected = summary["rejected"]
    if rejected:
        click.echo("Rejected rows:")
        for problem in rejected[:SHOWN_REJECTED]:
            value = f" \"{problem['value']}\"" if problem["value"] else ""
            click.echo(f"  row {problem['row']}, {problem['column'] or '-'}{value}: "
                       f"{problem['reason']}")
        if len(rejected) > SHOWN_REJECTED:
            click.echo(f"  ... and {len(rejected) - SHOWN_REJECTED} more (--json lists them all).")
    if dry_run:
        click.echo("Dry run: nothing was written.")


def register(group: click.Group) -> None:
    """Add this feature's commands to the `crm` group."""

    @group.command("import")
    @click.argument("kind", type=click.Choice(IMPORT_KINDS), metavar="KIND")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
    @click.option("--format", "format_", default=None,
                  help="csv, xlsx, vcard, eight, google or outlook (default: detected).")
    @click.option("--json", "as_json", is_flag=True,
                  help="Print one JSON object: created, updated, merged, unchanged, rejected.")
    @click.option("--policy", type=click.Choice(POLICIES), default="update", show_default=True,
                  help="Rows matching a record: overwrite (update), fill empty fields only "
                       "(merge) or leave it alone (skip).")
    @click.option("--mapping", "mapping_name", default=None,
                  help="A column mapping saved on the import page, by name.")
    @with_appcontext
    def import_command(kind: str, file: Path, dry_run: bool, format_: str | None, as_json: bool,
                       policy: str, mapping_name: str | None) -> None:
        """Import a file of KIND (companies, contacts, alumni, donations, researchers, seeds,
        events, encounters, researchmap: a researchmap JSON / JSON-lines / zip export): a dry
        run with --dry-run, else every accepted row in one transaction."""
        from sqlalchemy import select

        from crm.common.services import unit_of_work
        from crm.extensions import db
        from crm.imports import services
        from crm.imports.models import SavedMapping
        from importers.base import FORMATS, MAX_FILE_BYTES, ImportFileError
        from importers.encoding import display_limit

        if format_ is not None and format_.lower() not in FORMATS:
            _fail(f"unknown format {format_!r}; use one of {', '.join(FORMATS)}.")
        if not file.is_file():
            _fail(f"{file}: no such file.")
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            # The same units as the upload page ("up to 50 MB" = 50 * 1024 * 1024 bytes).
            _fail(f"{file}: the file is {size / (1024 * 1024):.1f} MB; the limit is "
                  f"{display_limit(MAX_FILE_BYTES)}.")
        mapping = None
        if mapping_name:
            saved = db.session.scalar(select(SavedMapping).where(
                SavedMapping.kind == kind, SavedMapping.name == mapping_name))
            if saved is None:
                _fail(f"no saved mapping called {mapping_name!r} for {kind}.")
            mapping = saved.mapping_dict  # by header: it applies to CSV and .xlsx alike
        try:
            parsed = services.read_file(file.read_bytes(), file.name, kind,
                                        format=format_.lower() if format_ else None,
                                        mapping=mapping)
        except ImportFileError as err:
            _fail(f"{file}: {err}")
        except OSError as err:
            _fail(f"{file}: {err.strerror or err}")
        if dry_run:
            summary = services.plan(parsed, kind, policy).summary()
            db.session.rollback()
        else:
            try:
                with unit_of_work("cli import"):
                    summary = services.commit(parsed, kind, policy)
            except services.CommitError as err:
                _fail(str(err), status=1)
        if as_json:
            click.echo(json.dumps(summary, ensure_ascii=False))
        else:
            _human(summary, dry_run, file.name)
