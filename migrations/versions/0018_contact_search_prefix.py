"""PostgreSQL: a B-tree index on contacts.search_text for the navbar's quick search, which
looks for contacts whose name begins with the typed text as a range (crm/common/sql.py
starts_with); the trigram (GIN) index of 0016 serves LIKE '%…%' but no range. SQLite's plain
index of 0016 on the same column already serves it.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07
"""
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_contacts_search_prefix', 'contacts', ['search_text'], unique=False)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_contacts_search_prefix', table_name='contacts')
