"""Address-book and card-app exports: what an import of each keeps.

    .venv/bin/python bench/import_formats.py
    .venv/bin/python bench/import_formats.py --markdown      # the table for bench/README.md

For each fixture with a real header line (tests/fixtures/importers, see its SOURCES.md; the
list is tests/kept.py ADDRESS_BOOKS) the file is read, planned and committed as contacts into a
fresh SQLite database (the import page's path: crm.imports.services), then every non-empty cell
of a mapped column is looked for in the contact its row created (tests/kept.py: each word after
NFKC / case / kana folding, numbers by their digits). Printed per file: the format recognised,
rows in, contacts created, rows rejected (with the reasons), mapped values and values lost
(should be 0). The peer run imports the same file with no app recognised (the generic header
mapping of importers/mapping.py only) and counts, against the same mapped cells, what it loses
and rejects: the difference is what the app's column table is worth.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def run(app_factory, data: bytes, name: str, generic: bool) -> dict:
    """Import `data` into a fresh database; what was created, rejected and lost. `generic`:
    with the generic header mapping only (no app recognised)."""
    from sqlalchemy import select

    import importers.apps

    from crm.common.services import unit_of_work
    from crm.contacts.models import Contact
    from crm.extensions import db
    from crm.imports import services
    from importers import ImportFileError
    from tests.kept import lost_values, mapped_cells

    app = app_factory()
    with app.app_context():
        reference = services.read_file(data, name, "contacts")  # the app's own mapping
        detect = importers.apps.detect_app
        if generic:
            importers.apps.detect_app = lambda headers: None
        try:
            parsed = services.read_file(data, name, "contacts")
        except ImportFileError as exc:
            return {"error": str(exc)}
        finally:
            importers.apps.detect_app = detect
        with unit_of_work("bench"):
            summary = services.commit(parsed, "contacts", "update")
        contacts = list(db.session.scalars(select(Contact)))
        rejected = {r["row"]: f"{r['column']}: {r['reason']}" for r in summary["rejected"]}
        lost = lost_values(data, reference, contacts, set(rejected))
        if reference.format == "vcard":
            mapped = sum(len(r.values) - ("full_name" in r.values) for r in reference.rows)
        else:
            mapped = sum(len(cells) for cells in mapped_cells(data, reference).values())
        db.session.remove()
        return {"format": reference.format, "rows": len(parsed.rows),
                "created": len(contacts), "rejected": rejected, "mapped": mapped,
                "lost": lost}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--verbose", action="store_true", help="list the values lost")
    args = parser.parse_args()
    os.environ["CRM_INDEX_MODE"] = "worker"
    import logging

    logging.disable(logging.INFO)
    from crm import create_app
    from tests.kept import ADDRESS_BOOKS, FIXTURES

    workdir = Path(tempfile.mkdtemp(prefix="import_formats_"))
    counter = iter(range(10_000))

    def make_app(path: Path):
        return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                           "CRM_INDEX_DIR": str(workdir / f"index-{path.stem}"),
                           "CRM_INDEX_MODE": "worker", "SECRET_KEY": "bench"})

    empty = workdir / "empty.db"
    first = make_app(empty)
    with first.app_context():  # migrated once, copied for each run
        from flask_migrate import upgrade

        from crm.extensions import db

        upgrade(directory=first.extensions["migrate"].directory)
        db.session.remove()
        db.engine.dispose()

    def app_factory():
        path = workdir / f"{next(counter)}.db"
        shutil.copyfile(empty, path)
        return make_app(path)

    header = ("file", "format", "rows in", "created", "rejected", "mapped values", "lost",
              "generic mapping: lost", "generic: rejected")
    lines = []
    total = {"rows": 0, "created": 0, "mapped": 0, "lost": 0, "peer_lost": 0}
    for name in ADDRESS_BOOKS:
        data = (FIXTURES / name).read_bytes()
        own = run(app_factory, data, name, generic=False)
        peer = run(app_factory, data, name, generic=True) if not name.endswith(".vcf") else None
        reasons = "; ".join(f"row {n}: {r}" for n, r in sorted(own["rejected"].items()))
        if peer is None:
            peer_lost, peer_rejected = "—", "—"
        elif "error" in peer:
            peer_lost, peer_rejected = "file refused", peer["error"][:60]
        else:
            peer_lost = str(len(peer["lost"]))
            peer_rejected = str(len(peer["rejected"]))
            total["peer_lost"] += len(peer["lost"])
        lines.append((name, own["format"], str(own["rows"]), str(own["created"]),
                      f"{len(own['rejected'])}" + (f" ({reasons})" if reasons else ""),
                      str(own["mapped"]), str(len(own["lost"])), peer_lost, peer_rejected))
        for key in ("rows", "created", "mapped"):
            total[key] += own[key]
        total["lost"] += len(own["lost"])
        if args.verbose:
            for item in own["lost"]:
                print(f"  lost ({name}): {item}")
            for item in (peer or {}).get("lost", []):
                print(f"  lost by the generic mapping ({name}): {item}")
    lines.append(("total", "", str(total["rows"]), str(total["created"]), "",
                  str(total["mapped"]), str(total["lost"]), str(total["peer_lost"]), ""))
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
        for line in (header, *lines):
            print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)))
    share = total["lost"] / total["mapped"] if total["mapped"] else 0
    peer_share = total["peer_lost"] / total["mapped"] if total["mapped"] else 0
    print(f"values lost: {total['lost']} of {total['mapped']} ({share:.1%}); with the generic "
          f"mapping only: {total['peer_lost']} ({peer_share:.1%})")


if __name__ == "__main__":
    main()
