"""Company sort keys without the legal form read aloud: a reading written as Japan Post does
(カブシキガイシヤ ミカミ, (カブ)ミカミ, ｺ-ﾋ-) now sorts under what follows the legal form, so the
keys of companies already there are recomputed with the code the application uses. Only rows
with a reading change; the readings themselves are left as they are (the form normalises one
when it is next saved).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def _recompute(key) -> None:
    conn = op.get_bind()
    companies = sa.table('companies', sa.column('id'), sa.column('name'),
                         sa.column('name_reading'), sa.column('sort_name'))
    rows = conn.execute(sa.select(companies.c.id, companies.c.name, companies.c.name_reading,
                                  companies.c.sort_name)
                        .where(companies.c.name_reading.is_not(None))).all()
    update = (companies.update().where(companies.c.id == sa.bindparam('cid'))
              .values(sort_name=sa.bindparam('sort')))
    batch = []
    for row in rows:
        sort = key(row.name, row.name_reading)
        if sort != row.sort_name:
            batch.append({'cid': row.id, 'sort': sort})
        if len(batch) == 5000:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)


def upgrade():
    from crm.companies.models import derived_fields

    _recompute(lambda name, reading: derived_fields(name, reading, None, None, None)['sort_name'])


def downgrade():
    from crm.common.text import fold_company_name, fold_reading

    _recompute(lambda name, reading: (fold_reading(reading) or fold_company_name(name))[:300])
