"""Contact sort and search keys, and trigram indexes for the list searches: contacts get an
indexed sort key and one search text (as companies got in 0002), so the contact list sorts by
index and its search box runs one LIKE per pattern instead of eight ORed ones. On PostgreSQL,
pg_trgm GIN indexes serve LIKE '%…%' on the company and contact search texts (patterns of
three characters or more; shorter ones scan the one narrow column); on SQLite the same indexes
are plain ones that such a LIKE scans instead of the wider table.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_name', sa.String(length=210), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='',
                                      nullable=False))

    # Fill the new keys for contacts already there, with the same code the application uses.
    from crm.contacts.models import derived_fields

    conn = op.get_bind()
    contacts = sa.table('contacts', sa.column('id'), sa.column('family_name'),
                        sa.column('given_name'), sa.column('family_name_reading'),
                        sa.column('given_name_reading'), sa.column('email'),
                        sa.column('sort_name'), sa.column('search_text'))
    update = (contacts.update().where(contacts.c.id == sa.bindparam('cid'))
              .values(sort_name=sa.bindparam('sort'), search_text=sa.bindparam('text')))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(contacts.c.id, contacts.c.family_name, contacts.c.given_name,
                      contacts.c.family_name_reading, contacts.c.given_name_reading,
                      contacts.c.email)
            .where(contacts.c.id > last).order_by(contacts.c.id).limit(BATCH)).all()
        if not rows:
            break
        batch = []
        for row in rows:
            keys = derived_fields(row.family_name, row.given_name, row.family_name_reading,
                                  row.given_name_reading, row.email)
            batch.append({'cid': row.id, 'sort': keys['sort_name'], 'text': keys['search_text']})
        conn.execute(update, batch)
        last = rows[-1].id

    op.create_index('ix_contacts_sort', 'contacts', ['sort_name', 'id'], unique=False)
    if conn.dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table in ('contacts', 'companies'):
        # A trigram index on PostgreSQL; on SQLite a plain one, which LIKE '%…%' scans
        # instead of the table (it holds the text and the row id).
        op.create_index(f'ix_{table}_search_trgm', table, ['search_text'], unique=False,
                        postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
    if conn.dialect.name == 'postgresql':
        op.execute('ANALYZE contacts')


def downgrade():
    op.drop_index('ix_companies_search_trgm', table_name='companies')
    op.drop_index('ix_contacts_search_trgm', table_name='contacts')
    op.drop_index('ix_contacts_sort', table_name='contacts')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('search_text')
        batch_op.drop_column('sort_name')
