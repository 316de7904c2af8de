"""my work and the digest: users.digest (off / daily / weekly), user_marks (last visit, last digest)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 20:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('digest', sa.String(length=10), nullable=False,
                                   server_default='weekly'))
        batch.create_check_constraint('digest_known', "digest IN ('off', 'daily', 'weekly')")
    op.create_table(
        'user_marks',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=True),
        sa.Column('digest_sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_user_marks_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_user_marks')),
    )


def downgrade():
    op.drop_table('user_marks')
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint('digest_known', type_='check')
        batch.drop_column('digest')
