"""Company sort and search keys: an indexed sort key (reading, else folded name) and one folded
search text, so the company list sorts by index and filters with one LIKE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_name', sa.String(length=300), server_default='', nullable=False))
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
        batch_op.create_index('ix_companies_sort', ['sort_name', 'id'], unique=False)

    # Fill the new keys for companies already there, with the same code the application uses.
    from crm.companies.models import derived_fields

    conn = op.get_bind()
    companies = sa.table('companies', sa.column('id'), sa.column('name'), sa.column('name_reading'),
                         sa.column('name_en'), sa.column('aliases'), sa.column('corporate_number'),
                         sa.column('sort_name'), sa.column('search_text'))
    rows = conn.execute(sa.select(companies.c.id, companies.c.name, companies.c.name_reading,
                                  companies.c.name_en, companies.c.aliases,
                                  companies.c.corporate_number)).all()
    update = (companies.update().where(companies.c.id == sa.bindparam('cid'))
              .values(sort_name=sa.bindparam('sort'), search_text=sa.bindparam('text')))
    batch = []
    for row in rows:
        keys = derived_fields(row.name, row.name_reading, row.name_en, row.aliases,
                              row.corporate_number)
        batch.append({'cid': row.id, 'sort': keys['sort_name'], 'text': keys['search_text']})
        if len(batch) == 5000:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)


def downgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_sort')
        batch_op.drop_column('search_text')
        batch_op.drop_column('sort_name')
