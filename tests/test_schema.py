"""The schema: the migrations build what the models declare, `crm init` applies them safely, and
the database itself refuses invalid values."""
from __future__ import annotations

import pytest

from crm.alumni.models import EXPRESSION_INDEXES
from crm.common.textsearch import FTS_NAMES, PIECES_INDEXES
from crm.companies.models import Company
from crm.extensions import db
from search_index.pg import metadata as index_metadata

INDEX_TABLES = set(index_metadata.tables)


def test_cli_init_is_safe_to_run_twice(runner):
    for _ in range(2):
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert "up to date" in result.output


# SQLite's reflection skips an expression index (with this warning) rather than read it back.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_match_the_models(app):
    """The schema the migrations build is the schema the models declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    def on_this_engine(obj, name, type_, reflected, compare_to) -> bool:
        # An index declared for one engine only (Index(...).ddl_if(dialect=...)) is
        # created, and compared, only there.
        # SQLite's FTS5 tables of the list searches (migration 0021) and the PostgreSQL search
        # index's tables (search_index/pg.py makes them itself) are no models.
        if type_ == "table" and reflected and compare_to is None and (any(
                name.startswith(fts) for fts in FTS_NAMES) or name in INDEX_TABLES):
            return False
        if type_ == "index" and reflected and compare_to is None and name in PIECES_INDEXES:
            return False  # an expression index, made by migration 0021 on PostgreSQL
        if type_ == "index" and reflected and compare_to is None and name in EXPRESSION_INDEXES:
            return False  # the alumni list's order, made by migration 0025
        only = getattr(obj, "_ddl_if", None)
        return only is None or only.dialect in (None, db.engine.dialect.name)

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": on_this_engine})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_database_rejects_invalid_values(app):
    import pytest
    from sqlalchemy.exc import IntegrityError

    db.session.add(Company(name="X", name_folded="x", status="bankrupt", country="JP"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
