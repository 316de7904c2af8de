"""`crm import KIND FILE`: the same dry run and commit as the web's import page.

Columns map as on the page: by their headers, by a mapping saved on the page (--mapping NAME),
and by --map "Header=field" (repeatable; a column may also be named by its number or letter,
--map "3=email" / --map "C=email", which is how the columns of a file without a header row are
named). --show-columns prints what each column maps to and what is ignored, and imports nothing.

Exit status: 0 when the file was read (rows it rejects are listed, the accepted ones are
imported, all in one transaction); 2 when the file cannot be read at all (missing, too large,
empty, binary, unknown encoding, no header row and no --map ...), or a --map names no column or
no field, with the reason on stderr; 1 when a service refused a row while committing (nothing
was imported).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from crm.imports.models import IMPORT_KINDS, POLICIES

#: Rejected rows (and kept values) the human summary lists (--json lists them all).
SHOWN_REJECTED = 20


def _fail(message: str, status: int = 2) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(status)


def _listed(title: str, items: list[dict], line) -> None:
    if not items:
        return
    click.echo(title)
    for item in items[:SHOWN_REJECTED]:
        click.echo("  " + line(item))
    if len(items) > SHOWN_REJECTED:
        click.echo(f"  ... and {len(items) - SHOWN_REJECTED} more (--json lists them all).")


def _column_name(column: dict) -> str:
    return f"{column['column']} \"{column['header']}\"" if column["header"] else column["column"]


def _human(summary: dict, dry_run: bool, filename: str, kind: str) -> None:
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {filename}: {summary['created']} created, {summary['updated']} updated, "
               f"{summary['merged']} merged, {summary['unchanged']} unchanged, "
               f"{len(summary['rejected'])} rejected.")

    def rejected(problem: dict) -> str:
        value = f" \"{problem['value']}\"" if problem["value"] else ""
        return f"row {problem['row']}, {problem['column'] or '-'}{value}: {problem['reason']}"

    also = summary.get("also") or {}
    if also:  # what the import wrote besides its records (researchmap: seeds, keywords)
        from crm.imports.kinds import importer_class

        labels = importer_class(kind).also_counts
        click.echo("Also: " + ", ".join(f"{labels[k]}: {n}" for k, n in also.items()) + ".")
    _listed("Rejected rows:", summary["rejected"], rejected)
    _listed("Kept (conflicts):", summary["conflicts"],
            lambda c: f"row {c['row']}, {c['column']}: {c['reason']}")
    ignored = summary["ignored_columns"]
    if ignored:
        click.echo("Ignored columns: " + ", ".join(_column_name(c) for c in ignored) + ".")
    if dry_run:
        click.echo("Dry run: nothing was written.")


def _show_columns(parsed, kind: str) -> None:
    """Each column: what it maps to, or that it is ignored."""
    from importers.fields import FIELDS
    from importers.tabular import column_letter

    if parsed.headerless:
        click.echo("This file has no header row: its columns are named by letter.")
    else:
        click.echo(f"Header row: {parsed.header_row}")
    examples = parsed.sample[0] if parsed.sample else []
    for i, header in enumerate(parsed.headers):
        letter = column_letter(i)
        name = letter if parsed.headerless or not header else f"{letter} \"{header}\""
        field = parsed.mapping.get(i)
        target = f"{field} ({FIELDS[kind][field]})" if field else "ignored"
        example = f"   e.g. {examples[i]}" if i < len(examples) and examples[i] else ""
        click.echo(f"  {name} -> {target}{example}")


def _sample(rows: list[list[str]]) -> str:
    from importers.tabular import column_letter

    lines = []
    for number, cells in enumerate(rows, start=1):
        shown = ", ".join(f"{column_letter(i)}={c}" for i, c in enumerate(cells) if c)
        lines.append(f"  row {number}: {shown}")
    return "\n".join(lines)


def _parse_maps(maps: tuple[str, ...], kind: str) -> dict[str, str]:
    """--map "Header=field" options: header (or column number / letter) -> field name; a field
    may be given by its name or its label; "" or "-" ignores the column."""
    from importers.fields import FIELDS
    from importers.mapping import field_for

    mapping: dict[str, str] = {}
    for item in maps:
        key, sep, value = item.rpartition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            _fail(f"--map {item!r}: write it as \"Header=field\" (or \"3=field\", \"C=field\").")
        if value in ("", "-"):
            field = ""
        elif value in FIELDS[kind]:
            field = value
        else:
            field = field_for(value, kind) or ""
            if not field:
                _fail(f"--map {item!r}: {value!r} is not a field of {kind}; the fields are: "
                      f"{', '.join(FIELDS[kind])}.")
        mapping[key] = field
    return mapping


def register(group: click.Group) -> None:
    """Add this feature's commands to the `crm` group."""

    @group.command("import")
    @click.argument("kind", type=click.Choice(IMPORT_KINDS), metavar="KIND")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
    @click.option("--format", "format_", default=None,
                  help="csv, xlsx, vcard, eight, google or outlook (default: detected).")
    @click.option("--json", "as_json", is_flag=True,
                  help="Print one JSON object: created, updated, merged, unchanged, rejected, "
                       "conflicts, ignored_columns.")
    @click.option("--policy", type=click.Choice(POLICIES), default="update", show_default=True,
                  help="Rows matching a record: overwrite (update), fill empty fields only "
                       "(merge) or leave it alone (skip).")
    @click.option("--mapping", "mapping_name", default=None,
                  help="A column mapping saved on the import page, by name.")
    @click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
                  help="Map a column to a field (repeatable): the column by its header, number "
                       "or letter (\"3=email\", \"C=email\"); FIELD empty or - ignores it. Over "
                       "--mapping and the automatic mapping.")
    @click.option("--show-columns", is_flag=True,
                  help="Print what each column maps to and what is ignored; import nothing.")
    @with_appcontext
    def import_command(kind: str, file: Path, dry_run: bool, format_: str | None, as_json: bool,
                       policy: str, mapping_name: str | None, maps: tuple[str, ...],
                       show_columns: bool) -> None:
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
        from importers.tabular import HeaderlessFile, column_for

        if format_ is not None and format_.lower() not in FORMATS:
            _fail(f"unknown format {format_!r}; use one of {', '.join(FORMATS)}.")
        if not file.is_file():
            _fail(f"{file}: no such file.")
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            # The same units as the upload page ("up to 50 MB" = 50 * 1024 * 1024 bytes).
            _fail(f"{file}: the file is {size / (1024 * 1024):.1f} MB; the limit is "
                  f"{display_limit(MAX_FILE_BYTES)}.")
        given = _parse_maps(maps, kind)
        mapping = None
        if mapping_name:
            saved = db.session.scalar(select(SavedMapping).where(
                SavedMapping.kind == kind, SavedMapping.name == mapping_name))
            if saved is None:
                _fail(f"no saved mapping called {mapping_name!r} for {kind}.")
            mapping = saved.mapping_dict  # by header: it applies to CSV and .xlsx alike
        if given:
            mapping = {**(mapping or {}), **given}
        try:
            parsed = services.read_file(file.read_bytes(), file.name, kind,
                                        format=format_.lower() if format_ else None,
                                        mapping=mapping, require_all=not show_columns)
        except HeaderlessFile as err:
            _fail(f"{file}: {err}\nIts first rows:\n{_sample(err.sample)}\n"
                  f"Name its columns with --map, e.g. --map \"B=name\" (columns A to "
                  f"{_letter(err.width)}, or 1 to {err.width}); --show-columns lists them.")
        except ImportFileError as err:
            _fail(f"{file}: {err}")
        except OSError as err:
            _fail(f"{file}: {err.strerror or err}")
        unknown = [k for k in given if column_for(k, parsed.headers) is None]
        if unknown:
            _fail(f"{file}: --map names no column of the file: {', '.join(unknown)}. Its "
                  f"columns are: {', '.join(h or '(no header)' for h in parsed.headers)}.")
        if show_columns:
            _show_columns(parsed, kind)
            db.session.rollback()
            return
        if dry_run:
            summary = services.plan(parsed, kind, policy).summary()
            db.session.rollback()
        else:
            try:
                with unit_of_work("cli import"):
                    summary = services.commit(parsed, kind, policy)
            except services.CommitError as err:
                _fail(str(err), status=1)
        summary["ignored_columns"] = services.ignored_columns(parsed)
        if as_json:
            click.echo(json.dumps(summary, ensure_ascii=False))
        else:
            _human(summary, dry_run, file.name, kind)


def _letter(width: int) -> str:
    from importers.tabular import column_letter

    return column_letter(max(width, 1) - 1)
