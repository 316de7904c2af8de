"""Companies: address and postcode, and what Japan's corporate-number register (国税庁
法人番号公表サイト) says of them: closure (date, cause), successor on a merger, a register name
awaiting review (or one we chose not to use), the register's update date.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

COLUMNS = (
    ('address', sa.String(length=500)),
    ('postal_code', sa.String(length=10)),
    ('closed_on', sa.Date()),
    ('close_cause', sa.String(length=2)),
    ('successor_number', sa.String(length=13)),
    ('register_name', sa.String(length=300)),
    ('register_name_kept', sa.String(length=300)),
    ('register_updated_on', sa.Date()),
)


def upgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_companies_close_cause_known'), "close_cause IS NULL OR close_cause IN ('01', '11', '21', '31')")
        batch_op.create_index('ix_companies_closed_on', ['closed_on'], unique=False)


def downgrade():
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_closed_on')
        batch_op.drop_constraint(op.f('ck_companies_close_cause_known'), type_='check')
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
