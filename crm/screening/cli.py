"""`crm lists import|status` and `crm screen`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from importers.screening import KINDS, MAX_LIST_BYTES


def register(group: click.Group) -> None:
    """Add this feature's commands to the `crm` group."""
    group.add_command(lists_group)
    group.add_command(screen_command)


@click.group("lists")
def lists_group() -> None:
    """Export-control screening lists (CSL, SDN, DPL, UN, METI End User List)."""


@lists_group.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--version", "version", help="Version or date of the list (default: the date "
              "the file gives, else today).")
@click.option("--no-rescreen", is_flag=True, help="Do not re-screen every company now.")
@with_appcontext
def lists_import(kind: str, file: Path, version: str | None, no_rescreen: bool) -> None:
    """Import a list FILE of KIND; it replaces that list's current version and every company
    is re-screened. meti-eul takes the published columns (CSV or xlsx) or the names file."""
    from crm.common.services import ValidationError, unit_of_work
    from crm.screening import services

    if file.stat().st_size > MAX_LIST_BYTES:
        click.echo(f"Error: {file.name} is larger than {MAX_LIST_BYTES // 1024 // 1024} MB.",
                   err=True)
        sys.exit(1)
    try:
        with unit_of_work("cli"):
            result = services.import_list(kind, file.read_bytes(), file.name, version=version,
                                          rescreen=not no_rescreen)
    except ValidationError as err:
        for field, message in err.errors.items():
            click.echo(f"Error: {field}: {message}", err=True)
        sys.exit(1)
    lst = result.list
    click.echo(f"Imported {kind} version {lst.version}: {lst.entry_count:,} entries "
               f"from {file.name}.")
    if result.replaced:
        click.echo(f"  replaces version {result.replaced.version} "
                   f"({result.replaced.entry_count:,} entries)")
    for note in result.notes:
        click.echo(f"  note: {note}")
    if not no_rescreen:
        click.echo(f"  re-screened {result.rescreened:,} companies")


@lists_group.command("status")
@with_appcontext
def lists_status() -> None:
    """Each current list, its version and its number of entries."""
    from crm.screening import services

    lists = services.current_lists()
    if not lists:
        click.echo("No screening list imported yet (crm lists import KIND FILE).")
        return
    for lst in lists:
        click.echo(f"{lst.kind:<9} {lst.version:<20} {lst.entry_count:>7,} entries  "
                   f"imported {lst.imported_at:%Y-%m-%d %H:%M}  {lst.source_filename or ''}")


@click.command("screen")
@click.argument("name", required=False)
@click.option("--all", "all_companies", is_flag=True, help="Screen every company in the "
              "database (recorded as screenings).")
@click.option("--country", help="Two-letter country code of the name (JP, CN ...).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def screen_command(name: str | None, all_companies: bool, country: str | None,
                   as_json: bool) -> None:
    """Screen NAME, or every company with --all, against every current list. Only candidates
    at or above the threshold the web pages raise are printed."""
    from crm.audit.services import set_actor
    from crm.common.services import ValidationError, unit_of_work
    from crm.extensions import db
    from crm.screening import services

    if bool(name) == all_companies:
        click.echo("Error: give a NAME or --all (not both).", err=True)
        sys.exit(2)
    try:
        if all_companies:
            if not services.current_lists():
                services._refuse_without_lists()
            # batches are committed as they go: bounded memory, and a long run keeps its work
            set_actor(None, "cli")
            companies: list[dict] = []
            try:
                services.rescreen_all(trigger="cli", commit_each=True,
                                      on_batch=lambda plans: companies.extend(
                                          _summary(values, hits) for values, hits in plans))
            except BaseException:
                db.session.rollback()  # the batch under way; the ones before are kept
                raise
            out = {"companies": companies}
        else:
            with unit_of_work("cli"):
                screening = services.screen_name(name, country=country, trigger="cli")
                out = {"hits": _hits_out(screening.hits, screening.threshold)}
    except ValidationError as err:
        for field, message in err.errors.items():
            click.echo(f"Error: {field}: {message}", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    if "hits" in out:
        _print_hits(out["hits"])
        return
    flagged = [c for c in out["companies"] if c["hits"]]
    review = sum(1 for c in out["companies"] if c["review"])
    possible = [c for c in out["companies"] if c["possible"] and not c["hits"]]
    click.echo(f"Screened {len(out['companies']):,} companies; {len(flagged):,} with hits"
               f" ({review:,} needing review: a name the matcher cannot read); "
               f"{len(possible):,} more with possible matches under the threshold "
               "(shown on their screening page).")
    for company in flagged:
        click.echo(f"#{company['id']} {company['name']}")
        _print_hits(company["hits"] + [dict(h, possible=True) for h in company["possible"]],
                    indent="    ")


def _hits_out(hits: list, limit: float) -> list[dict]:
    """Hits as the CLI prints them; a possible match (under the threshold by its evidence) is
    marked as such."""
    from crm.screening import services

    out = services.hits_json(hits)
    for item, hit in zip(out, hits):
        if services.possible(hit, limit):
            item["possible"] = True
    return out


def _summary(values: dict, hits: list[dict]) -> dict:
    """One company of `crm screen --all`: its raised hits (not cleared), possible matches."""
    from crm.screening import services
    from crm.screening.models import Hit

    objects = [Hit(**h) for h in hits]
    limit = values["threshold"]
    return {"id": values["company_id"], "name": values["subject_name"],
            "hits": services.hits_json([h for h in objects if services.waiting(h, limit)
                                        or h.status == "blocked"]),
            "possible": services.hits_json([h for h in objects if services.possible(h, limit)]),
            # a name that cannot be read is never 'clear': a person must look
            "review": any(h.list_kind == services.REVIEW_KIND and h.status != "cleared"
                          for h in objects)}


def _print_hits(hits: list[dict], indent: str = "") -> None:
    if not hits:
        click.echo(f"{indent}No hit.")
    for h in hits:
        if h.get("review"):
            click.echo(f"{indent}NEEDS REVIEW  the matcher cannot read {h['name']!r}: "
                       "not clear until a person looks at it")
            continue
        why = ""
        if h.get("reasons"):
            why = f"  ({', '.join(h['reasons'])}; names {h['name_score']:.3f})"
        mark = "possible  " if h.get("possible") else ""
        click.echo(f"{indent}{h['score']:.3f}  {mark}{h['list']:<9} {h['entry_id']:<14} "
                   f"{h['name']}{why}")
