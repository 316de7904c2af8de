"""record versions: a version counter on every editable record (optimistic locking)

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-07 17:30:00

Each record with an edit form gets `version` (integer, not null, 1 for the rows there are):
SQLAlchemy's version_id_col checks and bumps it on every UPDATE, and the edit form carries it,
so a save from a form opened before someone else saved is refused instead of overwriting
(crm/common/locking.py). batch_alter_table keeps SQLite and PostgreSQL on one path.
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TABLES = ('companies', 'contacts', 'activities', 'alumni', 'donations', 'events', 'encounters',
          'collaborations', 'ndas', 'departments', 'researchers', 'research_seeds', 'users')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                       server_default=sa.text('1')))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('version')
