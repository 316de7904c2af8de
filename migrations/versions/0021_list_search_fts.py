"""SQLite: FTS5 trigram indexes for the company and contact list searches. The two lists'
search boxes look for a typed text anywhere in one narrow column (companies.search_text,
contacts.search_text); PostgreSQL serves that LIKE '%…%' from the pg_trgm GIN indexes of
0016, SQLite had to scan. Each table gets an external-content FTS5 table with the trigram
tokenizer over its search_text (companies_fts, contacts_fts: the text is not stored twice),
kept current by triggers, which serves LIKE '%…%' for texts of three characters or more
(crm/common/textsearch.py builds the queries). A text of one or two characters (田中, 山)
makes no trigram: a second, contentless FTS5 table per list (`<table>_fts_bigrams`) holds each
row's characters and character pairs as tokens (in hex, so e-mail punctuation stays in the
token), which finds such a text exactly. On PostgreSQL the same pieces are an array with a GIN
index (`kk_short_pieces(search_text)`), since pg_trgm's index cannot serve them either.
The triggers cut the pairs with a table of positions (fts_positions, 1..MAX_CHARS):
text past MAX_CHARS characters is not cut into pairs (longer search texts are rare; a short
text then misses only matches that far in).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

TABLES = ('companies', 'contacts')
MAX_CHARS = 2000


def pairs(text):
    """SQL: the space-separated hex of every one- and two-character piece of `text`."""
    return (f"(SELECT group_concat(hex(substr({text}, n, 2)) || ' ' || hex(substr({text}, n, 1)),"
            f" ' ') FROM fts_positions WHERE n <= length({text}))")


PG_PIECES = """
CREATE FUNCTION kk_short_pieces(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT p), '{}') FROM (
    SELECT substr(t, i, 1) AS p FROM generate_series(1, length(t)) AS i
    UNION ALL
    SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i) AS pieces
$$
"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_PIECES)
        for table in TABLES:
            op.execute(f'CREATE INDEX ix_{table}_search_pieces ON {table} '
                       f'USING gin (kk_short_pieces(search_text))')
        return
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute('CREATE TABLE fts_positions (n INTEGER PRIMARY KEY)')
    op.execute(f'WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p '
               f'WHERE n < {MAX_CHARS}) INSERT INTO fts_positions SELECT n FROM p')
    for table in TABLES:
        fts = f'{table}_fts'
        bi = f'{table}_fts_bigrams'
        op.execute(f"CREATE VIRTUAL TABLE {bi} USING fts5(pairs, content='', "
                   f"tokenize='ascii')")
        op.execute(f"CREATE TRIGGER {bi}_insert AFTER INSERT ON {table} BEGIN "
                   f"INSERT INTO {bi}(rowid, pairs) VALUES (new.id, {pairs('new.search_text')}); "
                   f"END")
        op.execute(f"CREATE TRIGGER {bi}_delete AFTER DELETE ON {table} BEGIN "
                   f"INSERT INTO {bi}({bi}, rowid, pairs) "
                   f"VALUES ('delete', old.id, {pairs('old.search_text')}); END")
        op.execute(f"CREATE TRIGGER {bi}_update AFTER UPDATE OF search_text ON {table} BEGIN "
                   f"INSERT INTO {bi}({bi}, rowid, pairs) "
                   f"VALUES ('delete', old.id, {pairs('old.search_text')}); "
                   f"INSERT INTO {bi}(rowid, pairs) VALUES (new.id, {pairs('new.search_text')}); "
                   f"END")
        # Index every row already there, exactly as the insert trigger would (an empty or NULL
        # text too: it gets a row without tokens). A contentless table cannot check a 'delete'
        # against what was inserted: deleting a row it never held, or with other tokens,
        # corrupts it ("database disk image is malformed" at the next DELETE of that row).
        op.execute(f"INSERT INTO {bi}(rowid, pairs) SELECT id, {pairs('search_text')} "
                   f"FROM {table}")
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
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP INDEX IF EXISTS ix_{table}_search_pieces')
        op.execute('DROP FUNCTION IF EXISTS kk_short_pieces(text)')
        return
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        for fts in (f'{table}_fts', f'{table}_fts_bigrams'):
            for when in ('insert', 'delete', 'update'):
                op.execute(f'DROP TRIGGER IF EXISTS {fts}_{when}')
            op.execute(f'DROP TABLE IF EXISTS {fts}')
    op.execute('DROP TABLE IF EXISTS fts_positions')
