"""The `crm` command: set up, load demo data, serve, the search index; each feature adds its own
commands (FEATURE_CLIS)."""
from __future__ import annotations

import importlib
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from crm import create_app
from crm.common.services import unit_of_work


class CrmGroup(FlaskGroup):
    """`crm`: a command that meets a database with no schema (never initialised, or a new empty
    one) says to run `crm init` and exits 2, instead of printing SQLAlchemy's traceback."""

    #: Commands that need no schema: init makes it, restore brings one from a backup.
    NO_SCHEMA_NEEDED = frozenset({"init", "restore"})

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import OperationalError, ProgrammingError

        args = [*getattr(ctx, "_protected_args", ()), *ctx.args]
        guarded = bool(args) and args[0] not in self.NO_SCHEMA_NEEDED and "--help" not in args \
            and not ctx.resilient_parsing
        if guarded and _schema_missing(ctx):
            _no_schema(ctx)
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError):
            if not guarded or not _schema_missing(ctx):
                raise
            _no_schema(ctx)


def _no_schema(ctx: click.Context) -> None:
    click.echo("Error: the database has no schema yet: run `crm init` first "
               f"({_safe_url_of(ctx)}).", err=True)
    ctx.exit(2)


def _app_of(ctx: click.Context):
    """The app the command runs with (as `with_appcontext` finds it)."""
    from flask import has_app_context
    from flask.cli import ScriptInfo

    if has_app_context():
        return current_app._get_current_object()
    return ctx.ensure_object(ScriptInfo).load_app()


def _schema_missing(ctx: click.Context) -> bool:
    """The database has no schema: no migration was ever applied to it (no alembic_version
    table), or it has no tables at all."""
    from sqlalchemy import inspect

    from crm.extensions import db

    try:
        with _app_of(ctx).app_context():
            names = set(inspect(db.engine).get_table_names())
    except Exception:  # noqa: BLE001 - the database cannot even be asked: not our case
        return False
    return "alembic_version" not in names or names == {"alembic_version"}


def _safe_url_of(ctx: click.Context) -> str:
    with _app_of(ctx).app_context():
        return _safe_url()


@click.group(cls=CrmGroup, create_app=lambda: create_app(), add_default_commands=False,
             help="Kakehashi (架け橋): the industry-liaison CRM.")
def main() -> None:
    """Kakehashi's command line."""


#: The features whose commands `crm` has: each module's register(group) adds its own commands
#: (commands that belong to a feature live in that feature's cli.py). One list, read once, so
#: `crm` and `python -m crm.cli` have the same commands.
FEATURE_CLIS = (
    "crm.auth.cli",        # user create
    "crm.imports.cli",     # import
    "crm.exports.cli",     # export
    "crm.screening.cli",   # lists import|status, screen
    "crm.ops.cli",         # backup, restore
    "crm.notify.cli",      # notify digest
    "crm.companies.cli",   # register import
)


def _register_feature_commands(group: click.Group) -> None:
    for name in FEATURE_CLIS:
        importlib.import_module(name).register(group)


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database schema, or upgrade it to the newest version."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo(f"Schema is up to date: {_safe_url()}")
    from crm.glossary.services import seed_if_empty

    with unit_of_work("init"):
        added = seed_if_empty()
    if added:
        click.echo(f"Glossary: {added} Japanese–English pairs loaded (crm/glossary/glossary.tsv).")


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
    if scale == "large":  # bulk-inserted: no outbox rows, so the index is built here
        demo.build_index(echo=click.echo)


@main.command("serve")
@click.option("--host", default="127.0.0.1", envvar="CRM_HOST", show_default=True,
              help="Address to listen on (env CRM_HOST); 0.0.0.0 for every interface.")
@click.option("--port", default=5000, type=click.IntRange(0, 65535), envvar="CRM_PORT",
              show_default=True, help="Port to listen on (env CRM_PORT); 0 picks a free one.")
@click.option("--workers", type=click.IntRange(1, 64), envvar="CRM_WORKERS",
              help="gunicorn worker processes (env CRM_WORKERS; default 2).")
@click.option("--threads", type=click.IntRange(1, 64), envvar="CRM_THREADS",
              help="Threads per worker (env CRM_THREADS; default 4).")
@click.option("--timeout", default=120, type=click.IntRange(10, 3600), show_default=True,
              help="Seconds before gunicorn restarts a worker stuck on one request.")
@click.option("--dev", is_flag=True,
              help="Werkzeug's development server instead of gunicorn (one process).")
@click.option("--debug", is_flag=True,
              help="With --dev: reload on code changes and show the interactive debugger "
                   "(never on a network others can reach).")
@with_appcontext
def serve_command(host: str, port: int, workers: int | None, threads: int | None,
                  timeout: int, dev: bool, debug: bool) -> None:
    """Run the web server: gunicorn (the production server), or with --dev Werkzeug's
    development server. Ctrl+C stops it."""
    from crm import demo
    from crm.ops import server

    try:
        p = server.plan(host, port, dev=dev, debug=debug, workers=workers, threads=threads,
                        timeout=timeout)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    hint = demo.login_hint()

    def ready(urls: list[str]) -> None:
        what = (f"gunicorn, {p.workers} worker(s) x {p.threads} thread(s)"
                if p.server == "gunicorn" else
                "development server" + (", debugger ON" if p.debugger else ""))
        for url in urls:
            click.echo(f"Kakehashi is running at {url}  ({what}; Ctrl+C stops it)")
        if hint:  # where the demo logins are; the address to open them at is the one above
            click.echo(f"{hint}; log in at {urls[0]}")

    if p.server == "werkzeug":
        server.run_werkzeug(p, current_app._get_current_object(), on_ready=ready)
        return
    app = current_app._get_current_object()
    server.run_gunicorn(p, create_app, on_ready=ready, on_start=lambda: _catch_up(app))


def _catch_up(app) -> None:
    """Before the web workers start: apply index updates left pending by the last run
    (inline mode; in worker mode `crm index worker` does it when it starts)."""
    from crm import search
    from crm.extensions import db

    with app.app_context():
        if search.index_mode() != "inline":
            return
        try:
            done = search.drain(timeout=10)
        except Exception as err:  # noqa: BLE001 - serving matters more; the rows stay queued
            click.echo(f"Index catch-up skipped ({type(err).__name__}); "
                       "pending updates stay in the outbox.", err=True)
            done = 0
        finally:
            db.engine.dispose()  # no connection of the master's is inherited by a worker
        if done:
            click.echo(f"Index: applied {done} pending update(s) left by the last run.")


# --- search index (crm/search.py) -------------------------------------------------------------

@main.group("index")
def index_group() -> None:
    """The search index: rebuild it, see its state, run the single index writer."""


@index_group.command("rebuild")
@click.option("--kind", "kinds", multiple=True, help="Only these kinds (repeat); default all.")
@with_appcontext
def index_rebuild(kinds: tuple[str, ...]) -> None:
    """Recreate the search index from the database (the database is the truth)."""
    from crm import search

    unknown = set(kinds) - set(search.KINDS)
    if unknown:
        raise click.BadParameter(f"unknown kind {', '.join(sorted(unknown))}; "
                                 f"use {', '.join(search.KINDS)}", param_hint="--kind")
    ix = search.get_index()
    click.echo(f"Rebuilding the search index in {ix.path}")
    done = search.rebuild(kinds or search.KINDS, echo=click.echo)
    docs = sum(n for n, _ in done.values())
    seconds = sum(t for _, t in done.values())
    click.echo(f"Indexed {docs:,} documents in {seconds:.1f} s "
               f"({docs / seconds if seconds else 0:,.0f} documents/s).")


@index_group.command("optimise")
@click.option("--kind", "kinds", multiple=True, help="Only these kinds (repeat); default all.")
@with_appcontext
def index_optimise(kinds: tuple[str, ...]) -> None:
    """Merge each kind's segments into one (saves add small ones; the worker does this when
    idle). Saves wait in the outbox meanwhile."""
    from crm import search

    before = search.optimise(kinds or None)
    for kind, segments in before.items():
        click.echo(f"  {kind}: {segments} segments merged into one")
    click.echo("The index has one segment per kind." if before else "Nothing to merge.")


@index_group.command("status")
@with_appcontext
def index_status() -> None:
    """Pending updates, the index's age, and documents per kind against the database."""
    from crm import search

    info = search.status()

    def age(seconds: float | None) -> str:
        if seconds is None:
            return "never"
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            if seconds >= size:
                return f"{seconds / size:.1f} {unit} ago"
        return f"{seconds:.0f} s ago"

    click.echo(f"Index: {info['path']} (mode: {info['mode']})")
    click.echo(f"Last change: {age(info['last_change_seconds'])}")
    pending = info["pending"]
    oldest = info["oldest_pending_seconds"]
    click.echo(f"Pending updates: {pending}" + (f" (oldest queued {age(oldest)})" if pending else ""))
    click.echo(f"{'kind':<12}{'indexed':>10}{'records':>10}")
    stale = False
    for kind, row in info["kinds"].items():
        mark = "" if row["documents"] == row["records"] else "  *"
        stale = stale or bool(mark)
        click.echo(f"{kind:<12}{row['documents']:>10,}{row['records']:>10,}{mark}")
    if stale and not pending:
        click.echo("* counts differ: run `crm index rebuild`.")


@index_group.command("worker")
@click.option("--interval", default=0.5, type=float, show_default=True,
              help="Seconds between looks at the outbox.")
@click.option("--once", is_flag=True, help="Drain what is pending and stop.")
@with_appcontext
def index_worker(interval: float, once: bool) -> None:
    """The single index writer: apply outbox updates as they come (for CRM_INDEX_MODE=worker,
    when several web processes or hosts share one index). Pending updates are applied as soon
    as it starts."""
    from crm import search
    from crm.ops import worker

    click.echo(f"Index worker on {search.get_index().path}; Ctrl+C stops it.")
    try:
        worker.run(interval=interval, once=once, echo=click.echo)
    except KeyboardInterrupt:
        pass
    click.echo("Stopped.")


@main.command("match")
@click.argument("text")
@click.option("--kind", type=click.Choice(["seed", "researcher", "company"]), default="seed",
              show_default=True, help="What to find.")
@click.option("--limit", default=10, type=click.IntRange(1, 500), show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_appcontext
def match_command(text: str, kind: str, limit: int, as_json: bool) -> None:
    """Research seeds, researchers or companies that match TEXT (a need, a call, an e-mail;
    "-" reads it from standard input)."""
    import json

    from crm import search

    if text == "-":
        text = sys.stdin.read()
    found = search.match(text, kind=kind, limit=limit)
    rows = []
    for f in found:
        record = f.record
        label = getattr(record, "display_name", None) or getattr(record, "label", str(record))
        row = {"kind": kind, "id": record.id, "score": round(f.score, 4), "name": label,
               "terms": f.terms}
        if kind == "company":
            row["officer"] = record.officer.name if record.officer else None
        rows.append(row)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("No match.")
        return
    for n, row in enumerate(rows, 1):
        extra = f"  [officer: {row['officer'] or '-'}]" if kind == "company" else ""
        click.echo(f"{n:>3}. {row['score']:>7.3f}  {row['name']} (#{row['id']}){extra}")
        click.echo(f"       why: {', '.join(row['terms'])}")


_register_feature_commands(main)

if __name__ == "__main__":
    main()
