"""`crm backup -o FILE` and `crm restore FILE`: the database and the search index in one file.

A backup is a gzip'd tar archive holding
- `manifest.json`: format, engine, schema revision, when, row counts of the main tables;
- the database: `database.pgdump` (PostgreSQL, `pg_dump --format=custom`, one consistent
  snapshot while the office keeps working) or `database.sqlite` (SQLite, copied with SQLite's
  online backup API, also while others write);
- `index/`: the search-index directory.

The index is copied while the index's writer lock is held, and the database snapshot is taken
before that lock is let go: every change the copied index lacks still has its row in the
snapshot's outbox, so a restore applies it (nothing saved before the backup is missing from
search). `crm restore --rebuild-index` rebuilds the index from the database instead.

Restoring refuses to write over a database that holds any row (unless `--force`), and refuses a
backup of the other engine or of a newer schema than this code knows. After restoring, the
schema is upgraded to the newest migration, so an older backup works with newer code.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url

FORMAT = 1
MANIFEST = "manifest.json"
COUNTED = ("users", "companies", "contacts", "activities", "encounters", "research_seeds")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


# --- helpers --------------------------------------------------------------------------------

def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _engine_name(url: URL) -> str:
    name = url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """pg_dump / pg_restore connection arguments for a SQLAlchemy URL; the password goes in
    the environment (PGPASSWORD), never on a command line others can read with `ps`."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return ["--dbname", plain.render_as_string(hide_password=False)], env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} was not found: install the PostgreSQL client tools "
                          "(Debian: apt-get install postgresql-client) of the server's version "
                          "or newer")
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed (exit {done.returncode}): "
                          f"{done.stderr.strip()[-2000:]}")


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(url.database)


def _revision(conn) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _counts(conn) -> dict[str, int]:
    names = set(inspect(conn).get_table_names())
    return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
            for t in COUNTED if t in names}


def nonempty_tables(engine) -> list[str]:
    """Tables (other than alembic's) that hold at least one row."""
    with engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        return [n for n in names
                if conn.execute(text(f'SELECT 1 FROM "{n}" LIMIT 1')).first() is not None]


# --- backup ---------------------------------------------------------------------------------

def backup(output: str | os.PathLike[str], echo: Callable[[str], None] = print,
           include_index: bool = True, lock_timeout: float | None = 120) -> dict[str, Any]:
    """Write a backup of the current app's database (and index) to `output`; its manifest."""
    from crm import search
    from crm.extensions import db

    url = _url()
    engine = _engine_name(url)
    output = Path(output)
    if output.is_dir():
        raise BackupError(f"{output} is a folder: give a file name, e.g. {output}/kakehashi.tar.gz")
    output.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kakehashi-backup-", dir=output.parent) as tmp:
        work = Path(tmp)
        ix = search.get_index()
        # CRM_SEARCH_BACKEND=postgres: the index is tables of the database, in its dump
        include_index = include_index and not getattr(ix, "in_database", False)
        # Hold the index writer's lock while the index is copied and the database snapshot is
        # taken: no drain can move outbox rows into the index in between.
        with ix.lock(lock_timeout):
            if include_index:
                shutil.copytree(ix.path, work / "index",
                                ignore=shutil.ignore_patterns(".drain.lock"))
            with db.engine.connect() as conn:
                revision = _revision(conn)
                counts = _counts(conn)
            if engine == "postgresql":
                args, env = _libpq(url)
                _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl",
                      "--file", str(work / "database.pgdump"), *args], env)
                db_file = "database.pgdump"
            else:
                source = sqlite3.connect(str(_sqlite_path(url)))
                target = sqlite3.connect(str(work / "database.sqlite"))
                try:
                    with target:
                        source.backup(target)  # one step: a consistent copy under writes
                finally:
                    target.close()
                    source.close()
                db_file = "database.sqlite"
        manifest = {
            "app": "kakehashi",
            "format": FORMAT,
            "engine": engine,
            "schema_revision": revision,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "database_file": db_file,
            "index": include_index,
            "counts": counts,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(work / db_file, arcname=db_file)
            if include_index:
                tar.add(work / "index", arcname="index")
        partial.replace(output)  # never a half-written file under the final name
    manifest["bytes"] = output.stat().st_size
    manifest["seconds"] = round(time.perf_counter() - started, 1)
    echo(f"Backup written to {output} ({manifest['bytes'] / 1e6:.1f} MB in "
         f"{manifest['seconds']} s): {engine}, schema {revision}, "
         + ", ".join(f"{k} {v:,}" for k, v in counts.items())
         + ("" if include_index else "; without the search index"))
    return manifest


# --- restore --------------------------------------------------------------------------------

def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:*") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read())
    except FileNotFoundError:
        raise BackupError(f"{archive}: no such file") from None
    except (tarfile.TarError, KeyError, ValueError, OSError):
        raise BackupError(f"{archive} is not a Kakehashi backup (no readable {MANIFEST})"
                          ) from None
    if manifest.get("app") != "kakehashi" or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a Kakehashi backup of format {FORMAT}")
    return manifest


def restore(archive: str | os.PathLike[str], force: bool = False, rebuild_index: bool = False,
            echo: Callable[[str], None] = print) -> dict[str, Any]:
    """Restore `archive` into the current app's (empty) database and index."""
    from flask_migrate import upgrade

    from crm import search
    from crm.extensions import db
    from crm.ops.health import migration_heads

    archive = Path(archive)
    manifest = read_manifest(archive)
    url = _url()
    engine = _engine_name(url)
    if manifest["engine"] != engine:
        raise BackupError(f"this backup is of a {manifest['engine']} database; the target is "
                          f"{engine}. Restore it into a {manifest['engine']} database.")
    directory = current_app.extensions["migrate"].directory
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", directory)
    scripts = ScriptDirectory.from_config(config)
    revision = manifest.get("schema_revision")
    if revision:
        try:
            scripts.get_revision(revision)
        except Exception:  # noqa: BLE001 - alembic raises several kinds for unknown revisions
            raise BackupError(f"the backup's schema revision {revision} is unknown to this "
                              f"version of Kakehashi (newest: {', '.join(migration_heads(directory))})"
                              ": restore it with the version that made it") from None
    db.session.remove()
    if not force:
        if engine == "sqlite" and not Path(_sqlite_path(url)).exists():
            busy: list[str] = []
        else:
            busy = nonempty_tables(db.engine)
        if busy:
            raise BackupError(f"the target database is not empty ({', '.join(busy[:5])}"
                              f"{' …' if len(busy) > 5 else ''} hold rows): restore into an "
                              "empty database, or add --force to replace everything in it")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kakehashi-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:*") as tar:
            if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4
                tar.extractall(work, filter="data")  # refuses absolute paths, links, devices
            else:
                for member in tar.getmembers():
                    parts = Path(member.name).parts
                    if (member.name.startswith("/") or ".." in parts
                            or not (member.isfile() or member.isdir())):
                        raise BackupError(f"{archive} holds an unsafe entry {member.name!r}")
                tar.extractall(work)  # noqa: S202 - every member checked above
        db_file = work / manifest["database_file"]
        if not db_file.is_file():
            raise BackupError(f"{archive} lacks {manifest['database_file']}")
        db.engine.dispose()
        if engine == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            db.engine.dispose()
            args, env = _libpq(url)
            _run([_tool("pg_restore"), "--no-owner", "--no-acl", "--single-transaction",
                  "--exit-on-error", *args, str(db_file)], env)
            # pg_dump carries no planner statistics: gather them now, or the first hours of
            # the restored database (or all of them, with autovacuum off) use bad plans.
            with db.engine.connect() as conn:
                conn.execute(text("ANALYZE"))
                conn.commit()
        else:
            target_path = _sqlite_path(url)
            target_path.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(str(db_file))
            target = sqlite3.connect(str(target_path), timeout=30)
            try:
                source.backup(target)  # replaces the whole target database, page by page
            finally:
                target.close()
                source.close()
        db.engine.dispose()
        upgrade(directory=directory)

        ix = search.get_index()
        if getattr(ix, "in_database", False):
            # CRM_SEARCH_BACKEND=postgres: the index came back with the database's tables
            if rebuild_index:
                search.rebuild(echo=echo, ix=ix)
            else:
                search.drain(timeout=60, ix=ix)
            with db.engine.connect() as conn:
                counts = _counts(conn)
            how = "rebuilt" if rebuild_index else "restored"
            return {"manifest": manifest, "counts": counts, "index": how}
        index_dir = Path(ix.path)
        with ix.lock(60):
            ix.close()
            for child in list(index_dir.iterdir()) if index_dir.exists() else []:
                if child.is_dir():
                    shutil.rmtree(child)
                elif child.name != ".drain.lock":  # the lock held right now stays
                    child.unlink()
            if manifest.get("index") and (work / "index").is_dir() and not rebuild_index:
                shutil.copytree(work / "index", index_dir, dirs_exist_ok=True)
                how = "restored"
            else:
                how = "rebuilt"
        from search_index import Index

        # a fresh Index object: the old one cached readers of the files just replaced
        ix = Index.open_or_create(index_dir)
        current_app.extensions["search_index"] = ix
        if how == "rebuilt":
            search.rebuild(echo=echo, ix=ix)
        else:
            applied = search.drain(timeout=60, ix=ix)
            if applied:
                echo(f"Applied {applied} index update(s) saved while the backup was taken.")
    with db.engine.connect() as conn:
        counts = _counts(conn)
    echo(f"Restored {archive} ({manifest['engine']}, schema {revision}, taken "
         f"{manifest['created']}) in {time.perf_counter() - started:.1f} s; search index {how}: "
         + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return {"manifest": manifest, "counts": counts, "index": how}
