"""saved import mappings and import batches (a file kept between its preview and its commit)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=True),
    sa.Column('encoding', sa.String(length=30), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('mapping', sa.Text(), nullable=True),
    sa.Column('policy', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('committed_at', sa.DateTime(), nullable=True),
    sa.Column('preview', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('companies', 'contacts', 'alumni', 'donations', 'researchers', 'seeds', 'events', 'encounters')", name=op.f('ck_import_batches_kind_known')),
    sa.CheckConstraint("policy IN ('update', 'merge', 'skip')", name=op.f('ck_import_batches_policy_known')),
    sa.CheckConstraint("status IN ('pending', 'committed', 'discarded')", name=op.f('ck_import_batches_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_batches_status'), ['status'], unique=False)

    op.create_table('import_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=True),
    sa.Column('mapping', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('companies', 'contacts', 'alumni', 'donations', 'researchers', 'seeds', 'events', 'encounters')", name=op.f('ck_import_mappings_kind_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_mappings_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings')),
    sa.UniqueConstraint('kind', 'name', name='uq_import_mappings_kind_name')
    )
    with op.batch_alter_table('import_mappings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_mappings_created_by_id'), ['created_by_id'], unique=False)



def downgrade():
    with op.batch_alter_table('import_mappings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_mappings_created_by_id'))

    op.drop_table('import_mappings')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batches_status'))
        batch_op.drop_index(batch_op.f('ix_import_batches_created_by_id'))

    op.drop_table('import_batches')
