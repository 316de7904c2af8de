"""SQLite: FTS5 trigram indexes for the company and contact list searches. The two lists'
search boxes look for a typed text anywhere in one narrow column (companies.search_text,
contacts.search_text); PostgreSQL serves that LIKE '%…%' from the pg_trgm GIN indexes of
0016, SQLite had to scan. Each table gets an external-content FTS5 table with the trigram
tokenizer over its search_text (companies_fts, contacts_fts: the text is not stored twice),
kept current by triggers, which serves LIKE '%…%' for texts of three characters or more
(crm/common/textsearch.py builds the queries; shorter texts scan the narrow index of 0016).
Nothing changes on PostgreSQL.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-07
"""
from alembic import op

revision = '0021'
down_revision = '0018'
branch_labels = None
depends_on = None

TABLES = ('companies', 'contacts')


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        fts = f'{table}_fts'
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', "
                   f"content_rowid='id', tokenize='trigram')")
        op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END")
        op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, search_text) "
                   f"VALUES ('delete', old.id, old.search_text); END")
        op.execute(f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text ON {table} BEGIN "
                   f"INSERT INTO {fts}({fts}, rowid, search_text) "
                   f"VALUES ('delete', old.id, old.search_text); "
                   f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END")
        # index the rows already there
        op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        fts = f'{table}_fts'
        for when in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER IF EXISTS {fts}_{when}')
        op.execute(f'DROP TABLE IF EXISTS {fts}')
