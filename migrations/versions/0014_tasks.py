"""tasks: what someone has to do next; fair follow-ups become tasks; a calendar link per user

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 20:00:00

Creates `tasks` (crm/tasks/models.py) and `users.calendar_key` (the secret behind a user's
calendar feed link), then turns every wanted follow-up of an encounter into a task (source
'fair', linked to the encounter, its contact and the contact's company), owned by the user who
met the person, else by the officer holding the contact's company; done follow-ups become done
tasks. A follow-up with neither (an old import) stays a follow-up only and is counted in the log.
"""
import logging
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from crm.common.text import person_name

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.runtime.migration')


def _create_tasks() -> None:
    op.create_table(
        'tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('notes', sa.Text(), nullable=True),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.Column('done_by_id', sa.Integer(), nullable=True),
        sa.Column('company_id', sa.Integer(), nullable=True),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('collaboration_id', sa.Integer(), nullable=True),
        sa.Column('nda_id', sa.Integer(), nullable=True),
        sa.Column('request_id', sa.Integer(), nullable=True),
        sa.Column('encounter_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f('ck_tasks_status_known')),
        sa.CheckConstraint("source IN ('manual', 'activity', 'fair')",
                           name=op.f('ck_tasks_source_known')),
        sa.CheckConstraint("(status = 'done') = (done_at IS NOT NULL)",
                           name=op.f('ck_tasks_done_has_time')),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'],
                                name=op.f('fk_tasks_owner_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_tasks_created_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['done_by_id'], ['users.id'],
                                name=op.f('fk_tasks_done_by_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'],
                                name=op.f('fk_tasks_company_id_companies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                                name=op.f('fk_tasks_contact_id_contacts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['collaboration_id'], ['collaborations.id'],
                                name=op.f('fk_tasks_collaboration_id_collaborations'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['nda_id'], ['ndas.id'],
                                name=op.f('fk_tasks_nda_id_ndas'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['request_id'], ['data_entry_requests.id'],
                                name=op.f('fk_tasks_request_id_data_entry_requests'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['encounter_id'], ['encounters.id'],
                                name=op.f('fk_tasks_encounter_id_encounters'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_owner_status_due', ['owner_id', 'status', 'due_on'],
                              unique=False)
        for column in ('company_id', 'contact_id', 'collaboration_id', 'nda_id', 'request_id',
                       'encounter_id'):
            batch_op.create_index(f'ix_tasks_{column}', [column], unique=False)


def _follow_ups_to_tasks() -> None:
    """One task per wanted follow-up (the data as it is at this revision, in plain SQL)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT e.id, e.user_id, e.contact_id, e.follow_up_by, e.follow_up_done, e.met_on, "
        "       e.created_at, c.company_id, c.family_name, c.given_name, ev.name, "
        "       (SELECT pa.officer_id FROM portfolio_assignments pa "
        "         WHERE pa.company_id = c.company_id AND pa.ended_at IS NULL) AS officer_id "
        "FROM encounters e JOIN contacts c ON c.id = e.contact_id "
        "JOIN events ev ON ev.id = e.event_id "
        "WHERE e.follow_up_wanted = :yes ORDER BY e.id"
    ).columns(sa.column('id'), sa.column('user_id'), sa.column('contact_id'),
              sa.column('follow_up_by', sa.Date), sa.column('follow_up_done', sa.Boolean),
              sa.column('met_on', sa.Date), sa.column('created_at', sa.DateTime),
              sa.column('company_id'), sa.column('family_name'), sa.column('given_name'),
              sa.column('name'), sa.column('officer_id')), {"yes": True}).all()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    tasks = sa.table(
        'tasks', sa.column('title', sa.String), sa.column('due_on', sa.Date),
        sa.column('owner_id', sa.Integer), sa.column('created_by_id', sa.Integer),
        sa.column('created_at', sa.DateTime), sa.column('status', sa.String),
        sa.column('done_at', sa.DateTime), sa.column('done_by_id', sa.Integer),
        sa.column('company_id', sa.Integer), sa.column('contact_id', sa.Integer),
        sa.column('encounter_id', sa.Integer), sa.column('source', sa.String),
        sa.column('version', sa.Integer))
    values, orphans = [], 0
    for (encounter_id, user_id, contact_id, due, done, _met, created, company_id, family, given,
         event_name, officer_id) in rows:
        owner = user_id or officer_id
        if owner is None:
            orphans += 1
            continue
        name = person_name(family, given)
        values.append({
            # The office's language: the same words the app writes (msgid "Follow up with
            # %(name)s (%(event)s)" in Japanese).
            'title': f"{name}さんへのフォローアップ（{event_name}）"[:200],
            'due_on': due, 'owner_id': owner, 'created_by_id': user_id,
            'created_at': created or now, 'status': 'done' if done else 'open',
            'done_at': now if done else None, 'done_by_id': None,
            'company_id': company_id, 'contact_id': contact_id, 'encounter_id': encounter_id,
            'source': 'fair', 'version': 1})
    for start in range(0, len(values), 1000):
        op.bulk_insert(tasks, values[start:start + 1000])
    log.info("follow-ups: %d became tasks, %d without anyone to own them stay follow-ups only",
             len(values), orphans)


def upgrade():
    _create_tasks()
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_key', sa.String(length=64), nullable=True))
    _follow_ups_to_tasks()


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('calendar_key')
    op.drop_table('tasks')
