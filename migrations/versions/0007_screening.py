"""export-control screening lists, screenings, decisions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('screening_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('source_filename', sa.String(length=300), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('current', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('csl', 'sdn', 'dpl', 'un', 'meti-eul')", name=op.f('ck_screening_lists_kind_known')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_screening_lists_imported_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_lists'))
    )
    with op.batch_alter_table('screening_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_lists_imported_by_id'), ['imported_by_id'], unique=False)
        batch_op.create_index('ix_screening_lists_kind_current', ['kind', 'current'], unique=False)

    op.create_table('screening_list_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('entry_key', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('aliases', sa.Text(), nullable=True),
    sa.Column('entry_type', sa.String(length=20), nullable=True),
    sa.Column('countries', sa.Text(), nullable=True),
    sa.Column('programs', sa.Text(), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('folded_keys', sa.Text(), nullable=False),
    sa.Column('fingerprint', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['screening_lists.id'], name=op.f('fk_screening_list_entries_list_id_screening_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_list_entries')),
    sa.UniqueConstraint('list_id', 'entry_key', name='entry_once')
    )
    with op.batch_alter_table('screening_list_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_list_entries_list_id'), ['list_id'], unique=False)

    op.create_table('screenings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('subject_name', sa.String(length=300), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('screened_at', sa.DateTime(), nullable=False),
    sa.Column('screened_by_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.String(length=30), nullable=False),
    sa.Column('list_versions', sa.JSON(), nullable=False),
    sa.Column('subject_fingerprint', sa.String(length=16), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('result', sa.String(length=10), nullable=False),
    sa.CheckConstraint("result IN ('clear', 'hits')", name=op.f('ck_screenings_result_known')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_screenings_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['screened_by_id'], ['users.id'], name=op.f('fk_screenings_screened_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screenings'))
    )
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.create_index('ix_screenings_company_at', ['company_id', 'screened_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_screenings_screened_by_id'), ['screened_by_id'], unique=False)

    op.create_table('screening_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=True),
    sa.Column('list_kind', sa.String(length=20), nullable=False),
    sa.Column('list_version', sa.String(length=100), nullable=False),
    sa.Column('entry_key', sa.String(length=100), nullable=False),
    sa.Column('entry_name', sa.String(length=500), nullable=False),
    sa.Column('entry_snapshot', sa.JSON(), nullable=False),
    sa.Column('entry_fingerprint', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.String(length=40), nullable=False),
    sa.Column('subject_fingerprint', sa.String(length=16), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('query_name', sa.String(length=300), nullable=False),
    sa.Column('matched_name', sa.String(length=500), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'cleared', 'escalated', 'blocked')", name=op.f('ck_screening_hits_status_known')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_screening_hits_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['list_id'], ['screening_lists.id'], name=op.f('fk_screening_hits_list_id_screening_lists'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['screening_id'], ['screenings.id'], name=op.f('fk_screening_hits_screening_id_screenings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_hits'))
    )
    with op.batch_alter_table('screening_hits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_hits_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_hits_list_id'), ['list_id'], unique=False)
        batch_op.create_index('ix_screening_hits_memory', ['list_kind', 'entry_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_hits_screening_id'), ['screening_id'], unique=False)

    op.create_table('screening_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hit_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("decision IN ('clear', 'escalate', 'block')", name=op.f('ck_screening_decisions_decision_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_screening_decisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hit_id'], ['screening_hits.id'], name=op.f('fk_screening_decisions_hit_id_screening_hits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_decisions'))
    )
    with op.batch_alter_table('screening_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_decisions_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_screening_decisions_hit_id'), ['hit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('screening_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_decisions_hit_id'))
        batch_op.drop_index(batch_op.f('ix_screening_decisions_decided_by_id'))

    op.drop_table('screening_decisions')
    with op.batch_alter_table('screening_hits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_hits_screening_id'))
        batch_op.drop_index('ix_screening_hits_memory')
        batch_op.drop_index(batch_op.f('ix_screening_hits_list_id'))
        batch_op.drop_index(batch_op.f('ix_screening_hits_contact_id'))

    op.drop_table('screening_hits')
    with op.batch_alter_table('screenings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screenings_screened_by_id'))
        batch_op.drop_index('ix_screenings_company_at')

    op.drop_table('screenings')
    with op.batch_alter_table('screening_list_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_list_entries_list_id'))

    op.drop_table('screening_list_entries')
    with op.batch_alter_table('screening_lists', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_lists_kind_current')
        batch_op.drop_index(batch_op.f('ix_screening_lists_imported_by_id'))

    op.drop_table('screening_lists')
