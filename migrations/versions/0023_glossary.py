"""The Japanese–English glossary that matching uses across languages.

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'glossary_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ja', sa.String(length=100), nullable=False),
        sa.Column('en', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_entries')),
        sa.UniqueConstraint('ja', 'en', name='uq_glossary_entries_ja_en'),
    )
    with op.batch_alter_table('glossary_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_glossary_entries_ja'), ['ja'], unique=False)


def downgrade():
    with op.batch_alter_table('glossary_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_glossary_entries_ja'))
    op.drop_table('glossary_entries')
