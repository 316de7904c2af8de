"""export-control officer role

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00

"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD = "role IN ('admin', 'manager', 'liaison', 'bd', 'researcher', 'staff')"
NEW = "role IN ('admin', 'manager', 'liaison', 'bd', 'researcher', 'staff', 'export_control')"


def _replace(check: str) -> None:
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_roles_role_known'), type_='check')
        batch_op.create_check_constraint('role_known', check)


def upgrade():
    _replace(NEW)


def downgrade():
    op.execute("DELETE FROM user_roles WHERE role = 'export_control'")
    _replace(OLD)
