"""held uploads: a request form's attachment kept while the form comes back with an error

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-07 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'held_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_held_uploads_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_held_uploads')),
        sa.UniqueConstraint('token', name=op.f('uq_held_uploads_token')),
    )
    with op.batch_alter_table('held_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_uploads_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_held_uploads_created_at'), ['created_at'],
                              unique=False)


def downgrade():
    op.drop_table('held_uploads')
