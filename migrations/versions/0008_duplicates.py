"""duplicate finder: pairs dismissed as not the same record

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'duplicate_dismissals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('first_id', sa.Integer(), nullable=False),
        sa.Column('second_id', sa.Integer(), nullable=False),
        sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
        sa.Column('dismissed_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('companies', 'contacts')",
                           name=op.f('ck_duplicate_dismissals_kind_known')),
        sa.CheckConstraint('first_id < second_id',
                           name=op.f('ck_duplicate_dismissals_ordered_pair')),
        sa.ForeignKeyConstraint(['dismissed_by_id'], ['users.id'],
                                name=op.f('fk_duplicate_dismissals_dismissed_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_dismissals')),
        sa.UniqueConstraint('kind', 'first_id', 'second_id', name='uq_duplicate_dismissals_pair'),
    )
    with op.batch_alter_table('duplicate_dismissals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_dismissals_dismissed_by_id'),
                              ['dismissed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_dismissals_second_id'), ['second_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('duplicate_dismissals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_dismissals_second_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_dismissals_dismissed_by_id'))
    op.drop_table('duplicate_dismissals')
