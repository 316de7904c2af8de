"""researchmap import: researchers.researchmap_id (unique) and researchmap_values (what the last
researchmap import wrote); the "researchmap" import kind in the import tables' CHECKs.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

OLD = ("kind IN ('companies', 'contacts', 'alumni', 'donations', 'researchers', 'seeds', "
       "'events', 'encounters')")
NEW = ("kind IN ('companies', 'contacts', 'alumni', 'donations', 'researchers', 'seeds', "
       "'events', 'encounters', 'researchmap')")


def _kinds(check: str) -> None:
    for table in ('import_batches', 'import_mappings'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_kind_known'), type_='check')
            batch_op.create_check_constraint('kind_known', check)


def upgrade():
    with op.batch_alter_table('researchers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('researchmap_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('researchmap_values', sa.Text(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_researchers_researchmap_id'),
                                          ['researchmap_id'])
    _kinds(NEW)


def downgrade():
    op.execute("DELETE FROM import_batches WHERE kind = 'researchmap'")
    op.execute("DELETE FROM import_mappings WHERE kind = 'researchmap'")
    _kinds(OLD)
    with op.batch_alter_table('researchers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_researchers_researchmap_id'), type_='unique')
        batch_op.drop_column('researchmap_values')
        batch_op.drop_column('researchmap_id')
