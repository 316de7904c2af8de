"""report indexes: activities and encounters by day, encounters by event, read from the index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 12:00:00

The dashboards (crm/reports) count activities and encounters per month, officer and company
over a period, and encounters per event and company: with these covering indexes SQLite and
PostgreSQL answer those range scans without reading the table rows.
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_activities_occurred_user', 'activities',
                    ['occurred_on', 'user_id', 'company_id'], unique=False)
    op.create_index('ix_encounters_met_on_user', 'encounters',
                    ['met_on', 'user_id', 'contact_id'], unique=False)
    op.create_index('ix_encounters_event_contact', 'encounters',
                    ['event_id', 'contact_id', 'met_on'], unique=False)


def downgrade():
    op.drop_index('ix_encounters_event_contact', table_name='encounters')
    op.drop_index('ix_encounters_met_on_user', table_name='encounters')
    op.drop_index('ix_activities_occurred_user', table_name='activities')
