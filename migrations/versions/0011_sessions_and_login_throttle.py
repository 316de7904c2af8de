"""sessions that can end and a login throttle: users.session_token, login_attempts

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07 17:30:00

Every session of a user carries the user's session_token; a new token ends them all (logout,
password change, deactivation). Existing users get a random token each (their sessions from
before this migration end: they log in once more). login_attempts counts refused logins per
e-mail and per address for the throttle, in the database every web worker shares.
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_token', sa.String(length=64), nullable=True))
    users = sa.table('users', sa.column('id', sa.Integer),
                     sa.column('session_token', sa.String))
    conn = op.get_bind()
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(session_token=secrets.token_hex(16)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('session_token', existing_type=sa.String(length=64),
                              nullable=False)

    op.create_table(
        'login_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts')),
    )
    op.create_index('ix_login_attempts_at', 'login_attempts', ['at'], unique=False)
    op.create_index('ix_login_attempts_email_at', 'login_attempts', ['email', 'at'], unique=False)
    op.create_index('ix_login_attempts_address_at', 'login_attempts', ['address', 'at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_login_attempts_address_at', table_name='login_attempts')
    op.drop_index('ix_login_attempts_email_at', table_name='login_attempts')
    op.drop_index('ix_login_attempts_at', table_name='login_attempts')
    op.drop_table('login_attempts')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
